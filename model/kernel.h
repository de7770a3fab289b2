// The modelled kernel: the functions of the driver core, devres, klist,
// kobject, the MIPI-DSI bus and the model drivers, as methods of one class
// so that they call each other by their kernel names.
//
// Each method is defined in the file named after the kernel file it models:
//   model/mm/slab.cc               mm/slab_common.c, mm/slub.c (kzalloc/kfree)
//   model/lib/kobject.cc           lib/kobject.c
//   model/lib/klist.cc             lib/klist.c
//   model/of/dynamic.cc            drivers/of/dynamic.c (of_node_get/put)
//   model/base/core.cc             drivers/base/core.c
//   model/base/bus.cc              drivers/base/bus.c
//   model/base/driver.cc           drivers/base/driver.c
//   model/base/dd.cc               drivers/base/dd.c
//   model/base/devres.cc           drivers/base/devres.c
//   model/base/platform.cc         drivers/base/platform.c
//   model/i2c/i2c_core_base.cc     drivers/i2c/i2c-core-base.c
//   model/drm/drm_mipi_dsi.cc      drivers/gpu/drm/drm_mipi_dsi.c
//   model/drivers/*.cc             the model drivers (ours, not the kernel's)
//
// The DSI core functions are virtual: a variant (a proposed patch) overrides
// the ones it changes. All state lives in a State; the Kernel adds only the
// execution context (current event, model call stack) and the fact sink.
#ifndef DSIFUZZ_MODEL_KERNEL_H_
#define DSIFUZZ_MODEL_KERNEL_H_

#include <array>
#include <cstdint>

#include "model/fact.h"
#include "model/state.h"
#include "model/topology.h"

namespace dsifuzz::model {

// Thrown by Kernel::Oops() and caught by the World's event loop.
struct KernelOops {};

class Kernel {
 public:
  Kernel(State& state, const Topology& topo, FactSink* sink);
  virtual ~Kernel() = default;
  Kernel(const Kernel&) = delete;
  Kernel& operator=(const Kernel&) = delete;

  State& state() { return s_; }
  const Topology& topology() const { return topo_; }
  // The event the following calls belong to, and whether it is teardown.
  void SetEvent(int event, bool teardown) {
    event_ = event;
    teardown_ = teardown;
    fault_sites_called_ = 0;
    fault_site_order_ = 0;
  }
  // The fault sites (bit per FaultSite) the current event has called,
  // armed or not. The faults are read nowhere else: an event that called
  // none of the sites armed in a state runs the same with them unarmed,
  // and leaves them as they were (the explorer reuses such transitions).
  uint8_t fault_sites_called() const { return fault_sites_called_; }
  // The same in the order of their first calls: 2 bits a site, the first
  // called in the low bits (as many as fault_sites_called() has bits).
  uint8_t fault_site_order() const { return fault_site_order_; }
  int event() const { return event_; }
  // Emit a kCall fact for every model function entered.
  void set_trace(bool on) { trace_ = on; }
  // Record the call stack of every allocation and free (on by default):
  // reports and leak titles print them; the explorer, whose findings are
  // replayed for their reports, runs without.
  void set_history(bool on) { history_ = on; }
  // Back to event 0 with a new fact sink (World::Restore).
  void Reset(FactSink* sink) {
    sink_ = sink;
    interest_ = sink != nullptr ? sink->Interest() : 0;
    event_ = 0;
    seq_ = 0;
    teardown_ = false;
    depth_ = 0;
    locks_held_ = 0;
  }
  // The task of the current event died (KernelOops): the device mutexes it
  // held stay locked for good (World::Run).
  void TaskDied();

  // Mutants (model/mutants/): the baseline with one deliberate bug, to show
  // that the properties catch it. Each mutation point in the model tests
  // Mutated() and carries a `// mutant-...:` comment.
  enum class Mutant : uint8_t {
    kNone,
    kNoPutDevice,       // device_unregister: no final put_device
    kFifoDevres,        // release_nodes: oldest devres node first
    kNoIterRef,         // klist iterator: no kref on its current node
    kNoAttachedClear,   // mipi_dsi_detach: dsi->attached stays true
    kNoOfNodePut,       // mipi_dsi_dev_release: no of_node_put
    kGetNoIncrement,    // get_device: no kobject_get
    kNoParentKlistDel,  // device_del: stays on the parent's klist_children
  };
  void set_mutant(Mutant m) { mutant_ = m; }
  // One byte compare: the mutation points sit on hot paths.
  bool Mutated(Mutant m) const { return mutant_ == m; }

  // ---- execution context -------------------------------------------------
  // RAII marker of a model function on the model call stack.
  class Frame {
   public:
    Frame(Kernel* k, const char* func) : k_(k) { k_->Enter(func); }
    ~Frame() { --k_->depth_; }
    Frame(const Frame&) = delete;
    Frame& operator=(const Frame&) = delete;

   private:
    Kernel* k_;
  };

  // Emits a fact stamped with the current event and stack. The test of
  // interest is inline: most facts of an explorer's run interest no one.
  void Emit(FactKind kind, ObjId obj = 0, int value = 0,
            const char* what = "") {
    if ((interest_ & FactBit(kind)) != 0) EmitFact(kind, obj, value, what);
  }
  // WARN()/WARN_ON(): `where` is file:line@version of the kernel's WARN.
  void WARN(const char* where) { Emit(FactKind::kWarn, 0, 0, where); }
  // The kernel oopses here (a NULL dereference, a BUG): the fact is emitted
  // and the current task dies: KernelOops unwinds to the event loop, leaving
  // the state as the dead task left it. Model: when the fact sink is Done()
  // (it has its verdict and the run ends with this event), Oops returns
  // instead, and the rest of the event runs on memory-safe stale or dummy
  // state; callers return right after it. Unwinding is costly, and nothing
  // after a decided verdict is observed.
  void Oops(const char* what, ObjId obj = 0);
  void printk(const char* msg, ObjId obj = 0, int err = 0) {
    Emit(FactKind::kPrintk, obj, err, msg);
  }

  // ---- mm: the shadow heap (model/mm/slab.cc) ----------------------------
  template <class T>
  Ptr<T> kzalloc();
  // kfree(): tombstones the object; double and invalid frees are facts.
  void kfree(ObjId id);
  template <class T>
  void kfree(Ptr<T> p) {
    kfree(p.id);
  }
  // The kfree() of a devres node by devres itself (release_nodes, devres
  // destroy): the one legitimate free of devm memory.
  void devres_free(ObjId node);
  // Checked access to an object's fields. A freed object yields its stale
  // contents after a kBadAccess fact; NULL and ERR_PTR oops (KernelOops);
  // a live object of another type yields a zeroed dummy of the right type.
  template <class T>
  T& deref(Ptr<T> p, const char* what = "access");
  // Checked access to the struct device embedded in a container. Inline
  // (the model's most frequent call); anything but a live device is
  // BadDev()'s.
  device& dev(DevPtr d, const char* what = "access") {
    if (s_.heap.Valid(d.id) && s_.heap.slot(d.id).live) [[likely]] {
      if (device* dv = s_.dev(d.id)) [[likely]]
        return *dv;
    }
    return BadDev(d, what);
  }
  // Checked access to a device's device_private (dev->p).
  device_private& priv(ObjId p, const char* what = "access") {
    return deref(Ptr<device_private>{p}, what);
  }
  bool Alive(ObjId id) const {
    return s_.heap.Valid(id) && s_.heap.slot(id).live;
  }

  // ---- drivers/of/dynamic.c (model/of/dynamic.cc) ------------------------
  OfNode of_node_get(OfNode node);
  void of_node_put(OfNode node);

  // ---- lib/kobject.c (model/lib/kobject.cc) ------------------------------
  void kobject_init(DevPtr d);
  int kobject_add(DevPtr d, DevPtr parent);
  void kobject_del(DevPtr d);
  void kobject_get(DevPtr d);
  void kobject_put(DevPtr d);
  void kobject_cleanup(DevPtr d);

  // ---- lib/klist.c (model/lib/klist.cc) ----------------------------------
  klist_node& knode(ObjId p, KnodeField f);
  ObjList& klist_of(KnodeField f, ObjId owner);
  void klist_add_tail(ObjId p, KnodeField f, ObjId owner);
  void klist_put(ObjId p, KnodeField f, bool kill);
  void klist_del(ObjId p, KnodeField f);
  void klist_remove(ObjId p, KnodeField f);
  bool klist_node_attached(ObjId p, KnodeField f);
  void klist_iter_init(klist_iter& i, KnodeField f, ObjId owner);
  ObjId klist_next(klist_iter& i);
  void klist_iter_exit(klist_iter& i);

  // ---- drivers/base/core.c (model/base/core.cc) --------------------------
  void device_initialize(DevPtr d);
  int dev_set_name(DevPtr d, Label name);
  int device_private_init(DevPtr d);
  int device_add(DevPtr d);
  bool kill_device(DevPtr d);
  void device_del(DevPtr d);
  void device_unregister(DevPtr d);
  DevPtr get_device(DevPtr d);
  void put_device(DevPtr d);
  void device_release(DevPtr d);
  // The callback of device_for_each_child (only mipi_dsi_remove_device_fn).
  using ChildFn = int (Kernel::*)(DevPtr child, void* data);
  int device_for_each_child(DevPtr parent, void* data, ChildFn fn);
  // The device mutex: blocks forever (kHung, the task unwinds) when the
  // mutex is held by a task that died.
  void device_lock(DevPtr d);
  void device_unlock(DevPtr d);
  Label dev_name(DevPtr d);

  // ---- drivers/base/bus.c (model/base/bus.cc) ----------------------------
  int bus_add_device(DevPtr d);
  void bus_probe_device(DevPtr d);
  void bus_remove_device(DevPtr d);
  int bus_add_driver(DriverId drv);
  void bus_remove_driver(DriverId drv);
  int unbind_store(DriverId drv, DevPtr d);

  // ---- drivers/base/driver.c (model/base/driver.cc) ----------------------
  int driver_register(DriverId drv);
  void driver_unregister(DriverId drv);

  // ---- drivers/base/dd.c (model/base/dd.cc) ------------------------------
  void driver_deferred_probe_add(DevPtr d);
  void driver_deferred_probe_del(DevPtr d);
  void driver_deferred_probe_trigger();
  void deferred_probe_work_func();
  void driver_bound(DevPtr d);
  int call_driver_probe(DevPtr d, DriverId drv);
  int really_probe(DevPtr d, DriverId drv);
  int __driver_probe_device(DriverId drv, DevPtr d);
  int driver_probe_device(DriverId drv, DevPtr d);
  int __device_attach_driver(DriverId drv, DevPtr d);
  int __device_attach(DevPtr d);
  int device_attach(DevPtr d);
  void device_initial_probe(DevPtr d);
  int __driver_attach(DevPtr d, DriverId drv);
  int driver_attach(DriverId drv);
  void device_unbind_cleanup(DevPtr d);
  void device_remove(DevPtr d);
  void __device_release_driver(DevPtr d);
  void device_release_driver_internal(DevPtr d, DriverId drv);
  void device_release_driver(DevPtr d);
  void device_driver_detach(DevPtr d);
  void driver_detach(DriverId drv);
  bool driver_match_device(DriverId drv, DevPtr d);

  // ---- drivers/base/devres.c (model/base/devres.cc) ----------------------
  void devres_add(DevPtr d, devres_node node);
  int __devm_add_action(DevPtr d, DevresAction action, ObjId data);
  int devm_add_action_or_reset(DevPtr d, DevresAction action, ObjId data);
  void devm_remove_action(DevPtr d, DevresAction action, ObjId data);
  void devm_release_action(DevPtr d, DevresAction action, ObjId data);
  int devres_release_all(DevPtr d);
  void release_nodes(DevresList& todo);
  template <class T>
  Ptr<T> devm_kzalloc(DevPtr d);
  ObjId devres_open_group(DevPtr d);
  int devres_release_group(DevPtr d, ObjId id);
  // Runs an action the way the devres node's release function would.
  void devres_run_action(DevresAction action, ObjId data);

  // ---- drivers/base/platform.c (model/base/platform.cc) ------------------
  int platform_probe(DevPtr d);
  void platform_remove(DevPtr d);
  void platform_device_release(DevPtr d);
  DevPtr platform_device_register(int topo);
  void platform_device_unregister(DevPtr d);

  // ---- drivers/i2c/i2c-core-base.c (model/i2c/i2c_core_base.cc) ----------
  int i2c_device_probe(DevPtr d);
  void i2c_device_remove(DevPtr d);
  void i2c_client_dev_release(DevPtr d);
  DevPtr i2c_new_client_device(int topo);
  void i2c_unregister_device(DevPtr d);

  // ---- drivers/gpu/drm/drm_mipi_dsi.c (model/drm/drm_mipi_dsi.cc) --------
  static Ptr<mipi_dsi_device> to_mipi_dsi_device(DevPtr d) {
    return Ptr<mipi_dsi_device>{d.id};
  }
  int mipi_dsi_device_match(DevPtr d, DriverId drv);
  void mipi_dsi_dev_release(DevPtr d);
  Ptr<mipi_dsi_device> mipi_dsi_device_alloc(Ptr<dsi_controller> host);
  int mipi_dsi_device_add(Ptr<mipi_dsi_device> dsi);
  virtual Ptr<mipi_dsi_device> of_mipi_dsi_device_add(Ptr<dsi_controller> host,
                                                      OfNode node);
  virtual Ptr<mipi_dsi_device> mipi_dsi_device_register_full(
      Ptr<dsi_controller> host, const mipi_dsi_device_info& info);
  virtual void mipi_dsi_device_unregister(Ptr<mipi_dsi_device> dsi);
  virtual void devm_mipi_dsi_device_unregister(ObjId arg);
  virtual Ptr<mipi_dsi_device> devm_mipi_dsi_device_register_full(
      DevPtr d, Ptr<dsi_controller> host, const mipi_dsi_device_info& info);
  Ptr<dsi_controller> of_find_mipi_dsi_host_by_node(OfNode node);
  virtual int mipi_dsi_host_register(Ptr<dsi_controller> host);
  virtual int mipi_dsi_remove_device_fn(DevPtr d, void* priv);
  virtual void mipi_dsi_host_unregister(Ptr<dsi_controller> host);
  virtual int mipi_dsi_attach(Ptr<mipi_dsi_device> dsi);
  virtual int mipi_dsi_detach(Ptr<mipi_dsi_device> dsi);
  virtual void devm_mipi_dsi_detach(ObjId arg);
  virtual int devm_mipi_dsi_attach(DevPtr d, Ptr<mipi_dsi_device> dsi);
  virtual int mipi_dsi_device_transfer(Ptr<mipi_dsi_device> dsi,
                                       mipi_dsi_msg& msg);
  int mipi_dsi_dcs_write_buffer(Ptr<mipi_dsi_device> dsi, uint32_t len);
  int mipi_dsi_dcs_write(Ptr<mipi_dsi_device> dsi, uint8_t cmd);
  int mipi_dsi_dcs_nop(Ptr<mipi_dsi_device> dsi);
  int mipi_dsi_drv_probe(DevPtr d);
  void mipi_dsi_drv_remove(DevPtr d);

  // ---- model drivers (model/drivers/*.cc) --------------------------------
  // Host ops of the DSI controller; dispatched on host->ops.
  int host_ops_attach(Ptr<dsi_controller> host, Ptr<mipi_dsi_device> dsi);
  int host_ops_detach(Ptr<dsi_controller> host, Ptr<mipi_dsi_device> dsi);
  int host_ops_transfer(Ptr<dsi_controller> host, const mipi_dsi_msg& msg);
  int dsictl_probe(DevPtr d);
  void dsictl_remove(DevPtr d);
  int dsictl_host_attach(Ptr<dsi_controller> host, Ptr<mipi_dsi_device> dsi);
  int dsictl_host_detach(Ptr<dsi_controller> host, Ptr<mipi_dsi_device> dsi);
  int dsictl_host_transfer(Ptr<dsi_controller> host, const mipi_dsi_msg& msg);
  int bridge_probe(DevPtr d);
  void bridge_remove(DevPtr d);
  int bridge_enable(DevPtr d);
  int panel_probe(Ptr<mipi_dsi_device> dsi);
  void panel_remove(Ptr<mipi_dsi_device> dsi);
  int panel_prepare(Ptr<mipi_dsi_device> dsi);

 protected:
  void Enter(const char* func) {
    stack_[depth_++] = func;
    if (trace_) Emit(FactKind::kCall, 0, depth_, func);
  }
  StackRef RecordStack() {
    return history_ ? s_.heap.Record(stack_.data(), depth_) : StackRef{};
  }
  void BadAccess(ObjId id, const char* what);
  // Adds a live object to the arena, allocated by the innermost frame.
  template <class T>
  Ptr<T> NewObject();
  // Emit() of a fact the sink wants.
  void EmitFact(FactKind kind, ObjId obj, int value, const char* what);
  // A call at fault site `site` (named `name` in the fact): counts an
  // armed fault down; true when this call is the one that fails.
  bool FaultFires(FaultSite site, const char* name) {
    const auto bit = static_cast<uint8_t>(1 << static_cast<int>(site));
    if ((fault_sites_called_ & bit) == 0) {
      const int n = __builtin_popcount(fault_sites_called_);
      fault_site_order_ = static_cast<uint8_t>(
          fault_site_order_ | static_cast<int>(site) << (2 * n));
      fault_sites_called_ |= bit;
    }
    int& countdown = s_.faults.at(site);
    if (countdown == 0 || --countdown > 0) return false;
    Emit(FactKind::kFaultHit, 0, 0, name);
    return true;
  }
  // dev() of anything but a live device: the bad access, and what the
  // memory is read as.
  device& BadDev(DevPtr d, const char* what);
  template <class T>
  T& Dummy() {
    s_.dummies_used = true;
    return s_.storage<T>()[0];
  }
  // Which topology device a device-tree node belongs to (node i = device i).
  const TopoDevice& node_topo(OfNode n) const { return topo_.devices[n]; }

  State& s_;
  const Topology& topo_;
  FactSink* sink_;
  uint64_t interest_;  // sink_->Interest(), 0 without a sink
  int event_ = 0;
  uint32_t seq_ = 0;
  bool teardown_ = false;
  bool trace_ = false;
  bool history_ = true;
  uint8_t fault_sites_called_ = 0;
  uint8_t fault_site_order_ = 0;
  Mutant mutant_ = Mutant::kNone;
  int depth_ = 0;
  std::array<const char*, 64> stack_{};
  // The device mutexes the current event's task holds, in lock order.
  std::array<ObjId, 16> locks_{};
  int locks_held_ = 0;
};

#define KFUNC() ::dsifuzz::model::Kernel::Frame kframe_(this, __func__)

// ---- template definitions --------------------------------------------------

template <class T>
Ptr<T> Kernel::NewObject() {
  auto& store = s_.storage<T>();
  store.emplace_back();
  ObjId id =
      s_.heap.NewSlot(TypeOf<T>::value, static_cast<uint32_t>(store.size() - 1),
                      event_, RecordStack());
  Emit(FactKind::kAlloc, id);
  return Ptr<T>{id};
}

template <class T>
Ptr<T> Kernel::kzalloc() {
  KFUNC();
  if (FaultFires(FaultSite::kKzalloc, "kzalloc")) return Ptr<T>{};
  return NewObject<T>();
}

template <class T>
T& Kernel::deref(Ptr<T> p, const char* what) {
  if (!s_.heap.Valid(p.id)) [[unlikely]] {
    BadAccess(p.id, what);
    return Dummy<T>();
  }
  const Slot& slot = s_.heap.slot(p.id);
  if (slot.type != TypeOf<T>::value) [[unlikely]] {
    BadAccess(p.id, "type confusion");
    return Dummy<T>();
  }
  if (!slot.live) [[unlikely]]
    BadAccess(p.id, what);
  return s_.storage<T>()[slot.index];
}

}  // namespace dsifuzz::model

#endif  // DSIFUZZ_MODEL_KERNEL_H_
