// The driver-core data structures of the model: the parts of struct device,
// struct device_private, struct kobject, struct klist_node, devres nodes,
// struct device_driver and the bus and deferred-probe globals that the
// modelled code paths read and write.
//
// Mirrors include/linux/device.h, drivers/base/base.h, include/linux/kobject.h
// and include/linux/klist.h at v6.11. Left out on purpose: sysfs attributes,
// uevents, power management, DMA, device links, classes and glue directories
// (none of them changes when a DSI object is freed), and real locks (the
// model is single-threaded; locking points are marked by device_lock() calls).
#ifndef DSIFUZZ_MODEL_BASE_DEVICE_H_
#define DSIFUZZ_MODEL_BASE_DEVICE_H_

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "model/mm/heap.h"
#include "model/mm/small_vec.h"

namespace dsifuzz::model {

// errno values: <cerrno> on Linux has the kernel's numbers
// (include/uapi/asm-generic/errno*.h); EPROBE_DEFER is kernel-internal
// (include/linux/errno.h).
inline constexpr int EPROBE_DEFER = 517;

// A pointer to a struct device. Every modelled device is embedded in a heap
// object (platform_device, i2c_client, mipi_dsi_device), so the handle names
// that container; to_* conversions are container_of().
struct DevPtr {
  ObjId id = 0;
  explicit operator bool() const { return id != 0; }
  friend bool operator==(DevPtr a, DevPtr b) { return a.id == b.id; }
};

enum class Bus : uint8_t { kNone, kPlatform, kI2c, kMipiDsi, kCount };

// dev->release: the per-device release callback. The DSI bus uses the type
// release instead (mipi_dsi_device_type.release).
enum class DevRelease : uint8_t {
  kNone,
  kPlatformDeviceRelease,  // drivers/base/platform.c
  kI2cClientDevRelease,    // drivers/i2c/i2c-core-base.c
};

// dev->type
enum class DevType : uint8_t { kNone, kMipiDsiDevice };

using DriverId = int8_t;  // index into State::drivers, -1 for none
using OfNode = int16_t;   // device-tree node = topology device index, or -1

struct kobject {
  ObjId name = 0;  // kobj_name on the heap (dev_set_name)
  int refcount = 0;
  bool state_initialized = false;
  bool state_in_sysfs = false;
  DevPtr parent;  // kobj->parent, holds a kobject reference while in sysfs
};

// struct klist_node, stored in the device_private of the device it links.
struct klist_node {
  bool attached = false;  // n_klist != NULL
  bool dead = false;      // KNODE_DEAD bit of n_klist
  int16_t ref = 0;        // n_ref
  ObjId klist = 0;        // which list: the parent's device_private for
                          // kParent, the Bus or DriverId for kBus/kDriver
};

// The knodes a device_private carries, naming which klist a node is on.
enum class KnodeField : uint8_t { kParent, kBus, kDriver };

// The devres node kinds this model needs.
enum class DevresKind : uint8_t {
  kAction,      // devm_add_action(): action(data) on release
  kKmalloc,     // devm_kzalloc(): the object itself is the node
  kGroupOpen,   // devres_open_group() marker
  kGroupClose,  // devres_close_group() marker
};

// Actions that drivers register with devm_add_action(); dispatched by
// Kernel::devres_run_action().
enum class DevresAction : uint8_t {
  kNone,
  kDevmMipiDsiDeviceUnregister,
  kDevmMipiDsiDetach,
};

struct devres_node {
  DevresKind kind = DevresKind::kAction;
  DevresAction action = DevresAction::kNone;
  ObjId node = 0;  // heap object of the node (action_devres, the kmalloc'd
                   // object, or the group)
  ObjId data = 0;  // the action's argument
};

// A device's devres list and the model's klists: short lists, kept inline
// so that most devices never allocate for them.
using DevresList = SmallVec<devres_node, 6>;
using ObjList = SmallVec<ObjId, 4>;

struct device {
  kobject kobj;
  DevPtr parent;
  ObjId p = 0;  // Ptr<device_private>
  Bus bus = Bus::kNone;
  DevType type = DevType::kNone;
  DevRelease release = DevRelease::kNone;
  DriverId driver = -1;
  ObjId driver_data = 0;
  OfNode of_node = -1;
  bool can_match = false;
  bool devres_initialized = false;  // devres_head.next != NULL
  DevresList devres_head;
  // dev->mutex is held by a task that oopsed or blocked forever: it is
  // never unlocked, and the next device_lock() blocks forever too.
  bool mutex_dead = false;
};

enum class DeferredList : uint8_t { kNone, kPending, kActive };

struct device_private {
  ObjList klist_children;  // children's device_private, in order
  klist_node knode_parent;
  klist_node knode_driver;
  klist_node knode_bus;
  DeferredList deferred = DeferredList::kNone;
  bool dead = false;
  DevPtr device;
};

struct kobj_name {
  Label label;
};

struct action_devres {};
struct devres_group {};

// The model drivers, as registered device_drivers.
enum class DriverKind : uint8_t { kDsiController, kI2cBridge, kDsiPanel };

struct device_driver {
  const char* name = "";
  Bus bus = Bus::kNone;
  DriverKind kind = DriverKind::kDsiController;
  bool registered = false;  // drv->p != NULL
  ObjList klist_devices;    // device_private of bound devices
};

// struct subsys_private of a bus: its device klist and autoprobe switch.
struct bus_state {
  ObjList klist_devices;  // device_private, knode_bus
  bool drivers_autoprobe = true;
};

// A klist iterator (struct klist_iter): which list, and the node it holds.
struct klist_iter {
  KnodeField field = KnodeField::kParent;
  ObjId owner = 0;  // as klist_node::klist
  ObjId cur = 0;    // device_private holding the current knode
};

}  // namespace dsifuzz::model

#endif  // DSIFUZZ_MODEL_BASE_DEVICE_H_
