#include "model/state_hash.h"

#include <cstring>
#include <type_traits>

namespace dsifuzz::model {
namespace {

// A new field changes its struct's size: encode it below (or say in
// state_hash.h and docs/explore.md why it is left out), then update the
// size here. The sizes are those of x86-64 (gcc and clang).
#if defined(__x86_64__)
static_assert(sizeof(Slot) == 56);
static_assert(sizeof(Label) == 4);
static_assert(sizeof(kobject) == 16);
static_assert(sizeof(klist_node) == 8);
static_assert(sizeof(devres_node) == 12);
static_assert(sizeof(device) == 128);
static_assert(sizeof(device_private) == 56);
static_assert(sizeof(platform_device) == 136);
static_assert(sizeof(i2c_client) == 136);
static_assert(sizeof(mipi_dsi_device) == 160);
static_assert(sizeof(mipi_dsi_host) == 8);
static_assert(sizeof(kobj_name) == 4);
static_assert(sizeof(dsi_controller) == 20);
static_assert(sizeof(bridge_priv) == 4);
static_assert(sizeof(panel_priv) == 4);
static_assert(sizeof(device_driver) == 40);
static_assert(sizeof(bus_state) == 32);
static_assert(sizeof(Faults) == 16);
static_assert(sizeof(State::SysfsEntry) == 8);
static_assert(sizeof(State) == 1312);
static_assert(sizeof(Heap) == 96);
#endif
static_assert(std::tuple_size_v<decltype(State::objs)> == 10,
              "a new object type: encode its store below");
static_assert(static_cast<int>(ObjType::kCount) == 11);

class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}

  template <class T>
  requires std::is_integral_v<T> || std::is_enum_v<T>
  void Put(T v) {
    char buf[sizeof(T)];
    std::memcpy(buf, &v, sizeof(T));
    out_.append(buf, sizeof(T));
  }
  void Put(DevPtr p) { Put(p.id); }
  template <class T>
  void Put(Ptr<T> p) {
    Put(p.id);
  }
  void Put(Label l) {
    Put(l.base);
    Put(l.suffix);
  }
  void Put(const ObjList& list) {
    Put(static_cast<uint32_t>(list.size()));
    for (ObjId id : list) Put(id);
  }
  void Put(const kobject& k) {
    Put(k.name);
    Put(k.refcount);
    Put(k.state_initialized);
    Put(k.state_in_sysfs);
    Put(k.parent);
  }
  void Put(const klist_node& n) {
    Put(n.attached);
    Put(n.dead);
    Put(n.ref);
    Put(n.klist);
  }
  void Put(const device& d) {
    Put(d.kobj);
    Put(d.parent);
    Put(d.p);
    Put(d.bus);
    Put(d.type);
    Put(d.release);
    Put(d.driver);
    Put(d.driver_data);
    Put(d.of_node);
    Put(d.can_match);
    Put(d.devres_initialized);
    Put(static_cast<uint32_t>(d.devres_head.size()));
    for (const devres_node& n : d.devres_head) {
      Put(n.kind);
      Put(n.action);
      Put(n.node);
      Put(n.data);
    }
    Put(d.mutex_dead);
  }
  void Put(const platform_device& o) {
    Put(o.dev);
    Put(o.topo);
  }
  void Put(const i2c_client& o) {
    Put(o.dev);
    Put(o.topo);
    Put(o.devres_group_id);
  }
  void Put(const mipi_dsi_device& o) {
    Put(o.host);
    Put(o.dev);
    Put(o.attached);
    Put(o.channel);
    Put(o.mode_flags);
    Put(o.name);
    Put(o.devres_register_dev);
    Put(o.devres_attach_dev);
    Put(o.unregistered);
    Put(o.released);
  }
  void Put(const device_private& o) {
    Put(o.klist_children);
    Put(o.knode_parent);
    Put(o.knode_driver);
    Put(o.knode_bus);
    Put(o.deferred);
    Put(o.dead);
    Put(o.device);
  }
  void Put(const kobj_name& o) { Put(o.label); }
  void Put(const action_devres&) {}
  void Put(const devres_group&) {}
  void Put(const dsi_controller& o) {
    Put(o.host.dev);
    Put(o.host.ops);
    Put(o.host.on_host_list);
    Put(o.bridges);
    Put(o.mode_flags);
    // o.transfers: incremented by ops->transfer, never read (history).
  }
  void Put(const bridge_priv& o) { Put(o.dsi); }
  void Put(const panel_priv& o) { Put(o.dsi); }

 private:
  std::string& out_;
};

}  // namespace

void EncodeState(const State& s, std::string& out) {
  Writer w(out);
  // Slots, freed ones included; the allocation and free records are left
  // out (history).
  w.Put(static_cast<uint32_t>(s.heap.size()));
  for (ObjId id = 1; id < s.heap.size(); ++id) {
    const Slot& slot = s.heap.slot(id);
    w.Put(slot.type);
    w.Put(slot.live);
    w.Put(slot.devm);
    w.Put(slot.index);
    // slot.ordinal and slot.label: names for reports.
  }
  // Every object of every store, the dummy element 0 included.
  std::apply(
      [&](const auto&... store) {
        (
            [&] {
              w.Put(static_cast<uint32_t>(store.size()));
              for (const auto& o : store) w.Put(o);
            }(),
            ...);
      },
      s.objs);
  for (const device_driver& d : s.drivers) {
    // d.name is fixed by d.kind.
    w.Put(d.kind);
    w.Put(d.bus);
    w.Put(d.registered);
    w.Put(d.klist_devices);
  }
  for (const bus_state& b : s.buses) {
    w.Put(b.klist_devices);
    w.Put(b.drivers_autoprobe);
  }
  w.Put(s.host_list);
  w.Put(s.deferred_pending);
  w.Put(s.deferred_active);
  // s.deferred_trigger_count: only compared with a copy taken in the same
  // event (dd.c), so its absolute value is history.
  w.Put(static_cast<uint32_t>(s.of_refcount.size()));
  for (int16_t r : s.of_refcount) w.Put(r);
  w.Put(s.faults.kzalloc);
  w.Put(s.faults.devres);
  w.Put(s.faults.attach);
  w.Put(s.faults.device_add);
  w.Put(static_cast<uint32_t>(s.topo_dev.size()));
  for (ObjId id : s.topo_dev) w.Put(id);
  w.Put(static_cast<uint32_t>(s.sysfs.size()));
  for (const State::SysfsEntry& e : s.sysfs) {
    w.Put(e.parent);
    w.Put(e.name);
  }
}

uint64_t HashBytes(std::string_view bytes) {
  // FNV-1a over 8-byte words, then a final mix (splitmix64's finalizer).
  uint64_t h = 0xcbf29ce484222325ull ^ bytes.size();
  size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, bytes.data() + i, 8);
    h = (h ^ word) * 0x100000001b3ull;
    h ^= h >> 29;
  }
  for (; i < bytes.size(); ++i)
    h = (h ^ static_cast<unsigned char>(bytes[i])) * 0x100000001b3ull;
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ull;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebull;
  h ^= h >> 31;
  return h;
}

}  // namespace dsifuzz::model
