// host-pairing: the DSI host's ops->attach and ops->detach come in pairs per
// device. Host drivers rely on it: their detach undoes what their attach
// listed (drm_bridge_add, component_add), which is why the DSI core keeps
// dsi->attached ("drm/mipi-dsi: Fix detach call without attach", 2023;
// reference §1.14, §6.1). Two ways to break it:
//  - "unpaired detach": ops->detach for a device that is not attached to
//    that host (no attach since its last detach). vc4 then hits
//    WARN_ON(!component) and removes a bridge it never listed (§7 B10).
//  - "host freed with attached device": the host struct (freed by the
//    controller's devres at unbind) goes while a device is still attached
//    to it, so the bridge it listed stays on the bridge list: a
//    use-after-free at the next walk of that list (§7 B12).
// The facts kHostAttach/kHostDetach carry the host's ObjId in `value`.
#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
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

// Host driver frames: an unpaired detach is reported in the DSI core
// function that called ops->detach.
bool IsHostOpFrame(std::string_view func) {
  return func == "dsictl_host_detach" || func == "host_ops_detach";
}

class HostPairing : public Property {
 public:
  std::string_view name() const override { return "host-pairing"; }
  std::string_view description() const override {
    return "the host's attach and detach are paired per device, and no host "
           "is freed with a device attached";
  }

  uint64_t Interest() const override {
    return model::FactBit(FactKind::kHostAttach) |
           model::FactBit(FactKind::kHostDetach) |
           model::FactBit(FactKind::kFree);
  }

  void Observe(const Fact& f) override {
    switch (f.kind) {
      case FactKind::kHostAttach:
        if (Find(f.obj, Host(f)) == attached_.end())
          attached_.push_back({f.obj, Host(f)});
        break;
      case FactKind::kHostDetach: {
        auto it = Find(f.obj, Host(f));
        if (it != attached_.end()) {
          attached_.erase(it);
          break;
        }
        Violation v = MakeViolation(f, name(), "unpaired detach");
        v.function = DetachCaller(f);
        v.detail = "ops->detach (not attached)";
        Add(std::move(v));
        break;
      }
      case FactKind::kFree:
        for (const Pair& p : attached_) {
          if (p.host != f.obj) continue;
          Violation v =
              MakeViolation(f, name(), "host freed with attached device");
          v.detail = "kfree (" + DeviceName(f, p.dsi) + " still attached)";
          Add(std::move(v));
          break;
        }
        break;
      default:
        break;
    }
  }

  void Reset() override {
    Property::Reset();
    attached_.clear();
  }

  // What it remembers: the attached (device, host) pairs, as two parallel
  // id lists in the order of the sorted pairs. Renamed: a host gone from
  // the canonical State is freed and unreachable (no attach, detach or free
  // will name it again), so its pairs go; a device gone while its host
  // stays still counts as attached to it (freeing that host is still the
  // violation), under the id 0 that no detach names.
  void SaveMemory(std::string& out, const model::Renaming& r) const override {
    if (attached_.empty()) {
      // Most states: two empty lists, in one append.
      const uint32_t none[2] = {0, 0};
      out.append(reinterpret_cast<const char*>(none), sizeof(none));
      return;
    }
    thread_local std::vector<Pair> renamed;
    thread_local std::vector<ObjId> dsis, hosts;
    renamed.clear();
    for (const Pair& p : attached_) {
      const Pair q{r(p.dsi), r(p.host)};
      if (q.host != 0) renamed.push_back(q);
    }
    std::sort(renamed.begin(), renamed.end(), [](const Pair& a, const Pair& b) {
      return a.dsi != b.dsi ? a.dsi < b.dsi : a.host < b.host;
    });
    renamed.erase(std::unique(renamed.begin(), renamed.end(),
                              [](const Pair& a, const Pair& b) {
                                return a.dsi == b.dsi && a.host == b.host;
                              }),
                  renamed.end());
    dsis.clear();
    hosts.clear();
    for (const Pair& p : renamed) {
      dsis.push_back(p.dsi);
      hosts.push_back(p.host);
    }
    AppendIds(dsis, out);
    AppendIds(hosts, out);
  }
  void LoadMemory(std::string_view& in) override {
    Reset();
    const uint32_t none[2] = {0, 0};
    if (in.size() >= sizeof(none) &&
        std::memcmp(in.data(), none, sizeof(none)) == 0) {
      in.remove_prefix(sizeof(none));  // two empty lists
      return;
    }
    thread_local std::vector<ObjId> dsis, hosts;
    ReadIds(in, dsis);
    ReadIds(in, hosts);
    for (size_t i = 0; i < dsis.size() && i < hosts.size(); ++i)
      attached_.push_back({dsis[i], hosts[i]});
  }

 private:
  struct Pair {
    ObjId dsi;
    ObjId host;
  };

  static ObjId Host(const Fact& f) { return static_cast<ObjId>(f.value); }

  std::vector<Pair>::iterator Find(ObjId dsi, ObjId host) {
    return std::find_if(attached_.begin(), attached_.end(), [&](const Pair& p) {
      return p.dsi == dsi && p.host == host;
    });
  }

  // The innermost frame outside the host driver, or the fact's function.
  static std::string DetachCaller(const Fact& f) {
    for (int i = f.depth - 1; i >= 0; --i) {
      if (f.stack[i] != nullptr && !IsHostOpFrame(f.stack[i]))
        return f.stack[i];
    }
    return (f.func != nullptr && f.func[0] != '\0') ? f.func : "(world)";
  }

  // "struct mipi_dsi_device#2", from the heap the fact points to.
  static std::string DeviceName(const Fact& f, ObjId dsi) {
    if (f.heap == nullptr || !f.heap->Valid(dsi)) return "a DSI device";
    const model::Slot& slot = f.heap->slot(dsi);
    return std::string(model::ObjTypeName(slot.type)) + "#" +
           std::to_string(slot.ordinal);
  }

  // Devices attached now, with their host; a handful at most.
  std::vector<Pair> attached_;
};

}  // namespace

std::unique_ptr<Property> MakeHostPairing() {
  return std::make_unique<HostPairing>();
}

}  // namespace dsifuzz
