// pre-detach: the DSI core before mipi_dsi_host_unregister() learnt to
// detach its devices ("drm/mipi-dsi: Detach devices when removing the
// host", 2022; the reference §6.1 background): the host's removal only
// unregisters each child. A historic state, kept as a known-bug mutant.
#include "model/variants/variants.h"

namespace dsifuzz::model {
namespace {

class PreDetach : public Kernel {
 public:
  using Kernel::Kernel;

  // Diff against drm_mipi_dsi.c:346@6.11: no `if (dsi->attached)
  // mipi_dsi_detach(dsi);`.
  int mipi_dsi_remove_device_fn(DevPtr d, void*) override {
    KFUNC();
    mipi_dsi_device_unregister(to_mipi_dsi_device(d));
    return 0;
  }
};

}  // namespace

std::unique_ptr<Kernel> MakePreDetach(State& s, const Topology& t,
                                      FactSink* sink) {
  return std::make_unique<PreDetach>(s, t, sink);
}

}  // namespace dsifuzz::model
