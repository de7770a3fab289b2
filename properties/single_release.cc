// single-release: every object is freed once, every device is deleted
// (device_del) once, every devres node is released once and every device is
// released (device_release) once. The second time is the violation: a
// double-free, a double-unregister, a double devres release or a double
// release.
#include <algorithm>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "model/fact.h"
#include "properties/property.h"
#include "properties/registry.h"

namespace dsifuzz {
namespace {

using model::Fact;
using model::FactKind;
using model::ObjId;

// The functions through which a device is unregistered: a double
// unregister is reported in the first caller outside them.
bool IsUnregisterFrame(std::string_view func) {
  return func == "device_del" || func == "device_unregister";
}

class SingleRelease : public Property {
 public:
  std::string_view name() const override { return "single-release"; }
  std::string_view description() const override {
    return "each object is freed once, each device deleted once, each devres "
           "node released once";
  }

  uint64_t Interest() const override {
    return model::FactBit(FactKind::kDoubleFree) |
           model::FactBit(FactKind::kDeviceDel) |
           model::FactBit(FactKind::kDevresRun) |
           model::FactBit(FactKind::kRelease);
  }

  void Observe(const Fact& f) override {
    switch (f.kind) {
      case FactKind::kDoubleFree:
        Add(MakeViolation(f, name(), "double-free"));
        break;
      case FactKind::kDeviceDel:
        if (!Insert(deleted_, f.obj)) {
          Violation v = MakeViolation(f, name(), "double-unregister");
          v.function = UnregisterCaller(f);
          Add(std::move(v));
        }
        break;
      case FactKind::kDevresRun:
        if (f.obj != 0 && !Insert(devres_run_, f.obj)) {
          Add(MakeViolation(f, name(), "double-devres-release"));
        }
        break;
      case FactKind::kRelease:
        if (!Insert(released_, f.obj)) {
          Add(MakeViolation(f, name(), "double-release"));
        }
        break;
      default:
        break;
    }
  }

 private:
  // The innermost frame outside device_del()/device_unregister(), or the
  // fact's function when there is none.
  static std::string UnregisterCaller(const Fact& f) {
    for (int i = f.depth - 1; i >= 0; --i) {
      if (f.stack[i] != nullptr && !IsUnregisterFrame(f.stack[i])) {
        return f.stack[i];
      }
    }
    return (f.func != nullptr && f.func[0] != '\0') ? f.func : "(world)";
  }

  void Reset() override {
    Property::Reset();
    deleted_.clear();
    devres_run_.clear();
    released_.clear();
  }

  // What it remembers: the objects deleted, run and released so far. An
  // object gone from the canonical State cannot be deleted, run or
  // released again: it is forgotten.
  void SaveMemory(std::string& out, const model::Renaming& r) const override {
    AppendIdSets({deleted_, devres_run_, released_}, r, out);
  }
  void LoadMemory(std::string_view& in) override {
    Reset();
    ReadIds(in, deleted_);
    ReadIds(in, devres_run_);
    ReadIds(in, released_);
  }
  // Objects seen so far; small, so a vector beats a hash set.
  static bool Insert(std::vector<ObjId>& seen, ObjId id) {
    if (std::find(seen.begin(), seen.end(), id) != seen.end()) return false;
    seen.push_back(id);
    return true;
  }
  std::vector<ObjId> deleted_;
  std::vector<ObjId> devres_run_;
  std::vector<ObjId> released_;
};

}  // namespace

std::unique_ptr<Property> MakeSingleRelease() {
  return std::make_unique<SingleRelease>();
}

}  // namespace dsifuzz
