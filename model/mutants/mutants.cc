// The registry of mutants: name, mutation and what it breaks.
#include "model/mutants/mutants.h"

#include <memory>
#include <string>
#include <vector>

#include "model/kernel.h"

namespace dsifuzz::model {
namespace {

using Mutant = Kernel::Mutant;

template <Mutant M>
std::unique_ptr<Kernel> Make(State& s, const Topology& t, FactSink* sink) {
  auto k = std::make_unique<Kernel>(s, t, sink);
  k->set_mutant(M);
  return k;
}

struct Entry {
  const char* name;
  KernelFactory factory;
  const char* description;
};

constexpr Entry kMutants[] = {
    {"mutant-no-put-device", &Make<Mutant::kNoPutDevice>,
     "device_unregister skips its final put_device (core.c)"},
    {"mutant-fifo-devres", &Make<Mutant::kFifoDevres>,
     "release_nodes runs devres actions oldest first (devres.c)"},
    {"mutant-no-iter-ref", &Make<Mutant::kNoIterRef>,
     "klist_next does not pin the node it returns (klist.c)"},
    {"mutant-no-attached-clear", &Make<Mutant::kNoAttachedClear>,
     "mipi_dsi_detach leaves dsi->attached set (drm_mipi_dsi.c)"},
    {"mutant-no-of-node-put", &Make<Mutant::kNoOfNodePut>,
     "mipi_dsi_dev_release keeps its of_node reference (drm_mipi_dsi.c)"},
    {"mutant-get-no-increment", &Make<Mutant::kGetNoIncrement>,
     "get_device returns the device without counting it (core.c)"},
    {"mutant-no-parent-klist-del", &Make<Mutant::kNoParentKlistDel>,
     "device_del leaves the device on its parent's children (core.c)"},
};

}  // namespace

KernelFactory FindMutant(const std::string& name) {
  for (const Entry& e : kMutants) {
    if (name == e.name) return e.factory;
  }
  return nullptr;
}

std::vector<std::string> MutantNames() {
  std::vector<std::string> names;
  for (const Entry& e : kMutants) names.emplace_back(e.name);
  return names;
}

std::string MutantDescription(const std::string& name) {
  for (const Entry& e : kMutants) {
    if (name == e.name) return e.description;
  }
  return "";
}

}  // namespace dsifuzz::model
