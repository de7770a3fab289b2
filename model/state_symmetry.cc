#include "model/state_symmetry.h"

#include <algorithm>
#include <array>
#include <map>
#include <utility>

namespace dsifuzz::model {

Symmetry::Symmetry(const Topology& topo)
    : topo_(topo), class_of_(topo.devices.size(), -1) {
  const auto n = static_cast<int16_t>(topo.devices.size());
  // A bridge can be folded when its channel is valid and no other device
  // on its host has it: then the only thing telling it from another such
  // bridge of the same style and host is its name.
  auto foldable = [&](int16_t i) {
    const TopoDevice& t = topo.devices[i];
    if (t.kind != DeviceKind::kI2cBridge || t.channel > 3) return false;
    for (int16_t j = 0; j < n; ++j) {
      const TopoDevice& u = topo.devices[j];
      if (j != i && u.kind != DeviceKind::kDsiController && u.host == t.host &&
          u.channel == t.channel)
        return false;
    }
    return true;
  };
  std::map<std::pair<Style, int16_t>, std::vector<int16_t>> groups;
  for (int16_t i = 0; i < n; ++i) {
    if (foldable(i))
      groups[{topo.devices[i].style, topo.devices[i].host}].push_back(i);
  }
  for (auto& [key, members] : groups) {
    if (members.size() < 2) continue;
    for (int16_t i : members)
      class_of_[i] = static_cast<int16_t>(classes_.size());
    classes_.push_back(members);
  }
}

namespace {

const Slot* LiveSlot(const State& s, ObjId id, ObjType type) {
  if (!s.heap.Valid(id)) return nullptr;
  const Slot& slot = s.heap.slot(id);
  return slot.live && slot.type == type ? &slot : nullptr;
}

int64_t Position(const ObjList& list, ObjId id) {
  auto it = std::find(list.begin(), list.end(), id);
  return it == list.end() ? -1 : it - list.begin();
}

// What the state says of bridge `i`, read without checked accesses: the
// sort key of Normalizing().
using Key = std::array<int64_t, 16>;
Key KeyOf(const State& s, int16_t i) {
  Key k;
  k.fill(-1);
  k[0] = s.of_refcount[i];
  const Slot* cs = LiveSlot(s, s.topo_dev[i], ObjType::kI2cClient);
  if (cs == nullptr) {
    k[1] = s.topo_dev[i] == 0 ? 0 : 1;
    return k;
  }
  const i2c_client& c = s.storage<i2c_client>()[cs->index];
  const device& d = c.dev;
  k[1] = 2;
  k[2] = d.kobj.state_in_sysfs;
  k[3] = d.kobj.refcount;
  k[4] = d.driver;
  k[5] = static_cast<int64_t>(d.devres_head.size());
  k[6] = d.mutex_dead;
  k[7] = c.devres_group_id != 0;
  if (const Slot* ps = LiveSlot(s, d.p, ObjType::kDevicePrivate)) {
    const device_private& p = s.storage<device_private>()[ps->index];
    k[8] = static_cast<int64_t>(p.deferred);
    k[9] = Position(s.buses[static_cast<int>(Bus::kI2c)].klist_devices, d.p);
    k[10] = Position(
        s.drivers[static_cast<int>(DriverKind::kI2cBridge)].klist_devices, d.p);
    k[11] = Position(p.deferred == DeferredList::kActive ? s.deferred_active
                                                         : s.deferred_pending,
                     d.p);
  }
  // Its DSI device, through its driver data.
  const Slot* bs = LiveSlot(s, d.driver_data, ObjType::kBridgePriv);
  if (bs == nullptr) return k;
  const ObjId dsi_id = s.storage<bridge_priv>()[bs->index].dsi.id;
  if (!s.heap.Valid(dsi_id)) return k;
  const Slot& dslot = s.heap.slot(dsi_id);
  if (dslot.type != ObjType::kMipiDsiDevice) return k;
  const mipi_dsi_device& dsi = s.storage<mipi_dsi_device>()[dslot.index];
  k[12] = dslot.live;
  k[13] = dsi.attached;
  k[14] = dsi.dev.kobj.refcount;
  if (const Slot* hs = LiveSlot(s, dsi.dev.parent.id, ObjType::kPlatformDevice))
    if (const Slot* hp =
            LiveSlot(s, s.storage<platform_device>()[hs->index].dev.p,
                     ObjType::kDevicePrivate))
      k[15] = Position(s.storage<device_private>()[hp->index].klist_children,
                       dsi.dev.p);
  return k;
}

}  // namespace

DevicePerm Symmetry::Normalizing(const State& s) const {
  DevicePerm p(topo_.devices.size());
  for (size_t i = 0; i < p.size(); ++i) p[i] = static_cast<int16_t>(i);
  std::vector<std::pair<Key, int16_t>> keyed;
  for (const std::vector<int16_t>& members : classes_) {
    keyed.clear();
    for (int16_t i : members) keyed.emplace_back(KeyOf(s, i), i);
    std::sort(keyed.begin(), keyed.end());  // ties: topology order
    for (size_t k = 0; k < members.size(); ++k) p[keyed[k].second] = members[k];
  }
  return p;
}

void Symmetry::Permute(State& s, const DevicePerm& p) const {
  auto dev_index = [&](auto& v) {
    if (v >= 0) v = static_cast<std::decay_t<decltype(v)>>(p[v]);
  };
  // A DSI device is named "<host>.<channel>": the channel of a folded
  // bridge goes with it.
  auto label = [&](Label& l) {
    if (l.base < 0) return;
    if (l.suffix < 0) {
      l.base = p[l.base];
      return;
    }
    for (const std::vector<int16_t>& members : classes_) {
      for (int16_t i : members) {
        const TopoDevice& t = topo_.devices[i];
        if (t.host == l.base && static_cast<int16_t>(t.channel) == l.suffix) {
          l.suffix = static_cast<int16_t>(topo_.devices[p[i]].channel);
          return;
        }
      }
    }
  };
  std::vector<ObjId> topo_dev(s.topo_dev.size());
  std::vector<int16_t> of_refcount(s.of_refcount.size());
  for (size_t i = 0; i < p.size(); ++i) {
    topo_dev[p[i]] = s.topo_dev[i];
    of_refcount[p[i]] = s.of_refcount[i];
  }
  s.topo_dev = std::move(topo_dev);
  s.of_refcount = std::move(of_refcount);
  for (platform_device& o : s.storage<platform_device>()) {
    dev_index(o.topo);
    dev_index(o.dev.of_node);
  }
  for (i2c_client& o : s.storage<i2c_client>()) {
    dev_index(o.topo);
    dev_index(o.dev.of_node);
  }
  for (mipi_dsi_device& o : s.storage<mipi_dsi_device>()) {
    dev_index(o.dev.of_node);
    if (o.name >= 0 && class_of_[o.name] >= 0) {
      o.name = p[o.name];
      o.channel = static_cast<uint8_t>(topo_.devices[o.name].channel);
    }
  }
  for (kobj_name& o : s.storage<kobj_name>()) label(o.label);
  for (State::SysfsEntry& e : s.sysfs) label(e.name);
  for (ObjId id = 1; id < s.heap.size(); ++id) label(s.heap.slot(id).label);
}

Event Symmetry::Map(const Event& e, const DevicePerm& p) {
  Event out = e;
  if (OnDevice(e) && e.arg >= 0 && static_cast<size_t>(e.arg) < p.size())
    out.arg = p[e.arg];
  return out;
}

DevicePerm Symmetry::Inverse(const DevicePerm& p) {
  DevicePerm q(p.size());
  for (size_t i = 0; i < p.size(); ++i) q[p[i]] = static_cast<int16_t>(i);
  return q;
}

bool Symmetry::Identity(const DevicePerm& p) {
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i] != static_cast<int16_t>(i)) return false;
  }
  return true;
}

}  // namespace dsifuzz::model
