// The whole modelled kernel state as plain data: the shadow heap with the
// typed storage of every object, the driver-core globals and the DSI host
// list. Copying a State snapshots a world.
#ifndef DSIFUZZ_MODEL_STATE_H_
#define DSIFUZZ_MODEL_STATE_H_

#include <array>
#include <cstdint>
#include <tuple>
#include <vector>

#include "model/base/device.h"
#include "model/drivers/drivers.h"
#include "model/mm/heap.h"
#include "model/mm/store.h"

namespace dsifuzz::model {

template <class T>
struct TypeOf;
#define DSIFUZZ_OBJ_TYPE(T, K)                   \
  template <>                                    \
  struct TypeOf<T> {                             \
    static constexpr ObjType value = ObjType::K; \
  }
DSIFUZZ_OBJ_TYPE(platform_device, kPlatformDevice);
DSIFUZZ_OBJ_TYPE(i2c_client, kI2cClient);
DSIFUZZ_OBJ_TYPE(mipi_dsi_device, kMipiDsiDevice);
DSIFUZZ_OBJ_TYPE(device_private, kDevicePrivate);
DSIFUZZ_OBJ_TYPE(kobj_name, kKobjName);
DSIFUZZ_OBJ_TYPE(action_devres, kActionDevres);
DSIFUZZ_OBJ_TYPE(devres_group, kDevresGroup);
DSIFUZZ_OBJ_TYPE(dsi_controller, kDsiController);
DSIFUZZ_OBJ_TYPE(bridge_priv, kBridgePriv);
DSIFUZZ_OBJ_TYPE(panel_priv, kPanelPriv);
#undef DSIFUZZ_OBJ_TYPE

// The calls an armed fault can make fail.
enum class FaultSite : uint8_t { kKzalloc, kDevres, kAttach, kDeviceAdd };
inline constexpr int kFaultSites = 4;

// Faults armed by `fail SITE [N]` events: a countdown per site; the call
// that brings it from 1 to 0 fails (N = 1: the next one).
struct Faults {
  int kzalloc = 0;     // kzalloc()
  int devres = 0;      // devres node allocation (devm_*, devres groups)
  int attach = 0;      // the host's ops->attach
  int device_add = 0;  // device_add() (as a failing kobject_add)

  int& at(FaultSite site) {
    switch (site) {
      case FaultSite::kKzalloc:
        return kzalloc;
      case FaultSite::kDevres:
        return devres;
      case FaultSite::kAttach:
        return attach;
      case FaultSite::kDeviceAdd:
        break;
    }
    return device_add;
  }
  int at(FaultSite site) const { return const_cast<Faults*>(this)->at(site); }
  // Bit i set: site i is armed.
  uint8_t Armed() const {
    return (kzalloc != 0 ? 1 : 0) | (devres != 0 ? 2 : 0) |
           (attach != 0 ? 4 : 0) | (device_add != 0 ? 8 : 0);
  }
  friend bool operator==(const Faults&, const Faults&) = default;
};

struct State {
  State();
  // Copies are member by member, but for the stores' dummies (element 0),
  // which are left alone while neither side used one: they are then as
  // State() made them on both (the explorer copies a State for nearly
  // every transition it runs).
  State(const State& o) : State() { *this = o; }
  State& operator=(const State& o);

  // The struct device embedded in heap object `id` (a valid id), or
  // nullptr when its type has none. No check, no fact: for the accessors
  // of model/kernel.h and for read-only inspection.
  device* dev(ObjId id) {
    const Slot& slot = heap.slot(id);
    switch (slot.type) {
      case ObjType::kPlatformDevice:
        return &storage<platform_device>()[slot.index].dev;
      case ObjType::kI2cClient:
        return &storage<i2c_client>()[slot.index].dev;
      case ObjType::kMipiDsiDevice:
        return &storage<mipi_dsi_device>()[slot.index].dev;
      default:
        return nullptr;
    }
  }
  const device* dev(ObjId id) const {
    return const_cast<State*>(this)->dev(id);
  }

  Heap heap;
  // Typed storage (model/mm/store.h); element 0 of each store is the
  // zeroed dummy a type confusion reads, so a bad access never touches C++
  // UB.
  std::tuple<Store<platform_device>, Store<i2c_client>, Store<mipi_dsi_device>,
             Store<device_private>, Store<kobj_name>, Store<action_devres>,
             Store<devres_group>, Store<dsi_controller>, Store<bridge_priv>,
             Store<panel_priv>>
      objs;

  template <class T>
  Store<T>& storage() {
    return std::get<Store<T>>(objs);
  }
  template <class T>
  const Store<T>& storage() const {
    return std::get<Store<T>>(objs);
  }

  // Whether a bad access was ever handed a dummy (and may have written
  // it). Until then every dummy is as State() made it, and the explorer's
  // encoding leaves them out.
  bool dummies_used = false;
  // Indexed by DriverKind: dsi-controller, i2c-bridge, dsi-panel.
  std::array<device_driver, 3> drivers;
  // Indexed by Bus.
  std::array<bus_state, static_cast<int>(Bus::kCount)> buses;
  // drm_mipi_dsi.c host_list: Ptr<dsi_controller> ids, in list order.
  ObjList host_list;
  // dd.c deferred_probe_pending_list / _active_list: device_private ids.
  ObjList deferred_pending;
  ObjList deferred_active;
  int deferred_trigger_count = 0;
  // Extra references on each device-tree node, over the one the tree holds.
  std::vector<int16_t> of_refcount;
  Faults faults;
  // The current struct device of each topology device that is instantiated
  // by the world (controllers, bridges); 0 while removed. Panels are created
  // by their host and found through the DSI bus.
  std::vector<ObjId> topo_dev;
  // Names in sysfs, per parent directory (kobject_add refuses duplicates).
  struct SysfsEntry {
    DevPtr parent;
    Label name;
  };
  std::vector<SysfsEntry> sysfs;
};

}  // namespace dsifuzz::model

#endif  // DSIFUZZ_MODEL_STATE_H_
