// drivers/gpu/drm/drm_mipi_dsi.c@6.11 (semantically unchanged through
// 7.1-rc3, see the reference §0). Functions appear in the kernel's order.
// Left out: the uevent and PM callbacks, DSC, the many DCS helpers other
// than the nop write, and bus/driver registration boilerplate (the model
// drivers are registered directly).
#include "model/kernel.h"

namespace dsifuzz::model {

// mipi_dsi_device_match (drm_mipi_dsi.c:51@6.11): an OF match on the
// device's node first, then the device name against the driver name. A DT
// panel's node is compatible with the model panel driver; the names that
// bridges give their DSI devices match no driver.
int Kernel::mipi_dsi_device_match(DevPtr d, DriverId drv) {
  OfNode node = dev(d, "mipi_dsi_device_match").of_node;
  if (node >= 0 && node_topo(node).kind == DeviceKind::kDsiPanel &&
      s_.drivers[drv].kind == DriverKind::kDsiPanel)
    return 1;
  return 0;
}

// mipi_dsi_dev_release (drm_mipi_dsi.c:117@6.11): the type release, and
// the only place a registered DSI device is freed.
void Kernel::mipi_dsi_dev_release(DevPtr d) {
  KFUNC();
  // mutant-no-of-node-put: the device's node reference leaks.
  if (!Mutated(Mutant::kNoOfNodePut)) [[likely]]
    of_node_put(dev(d).of_node);
  kfree(to_mipi_dsi_device(d));
}

// mipi_dsi_device_alloc (drm_mipi_dsi.c:129@6.11): parent = host->dev, but
// no reference on it yet (device_add takes that).
Ptr<mipi_dsi_device> Kernel::mipi_dsi_device_alloc(Ptr<dsi_controller> host) {
  KFUNC();
  Ptr<mipi_dsi_device> dsi = kzalloc<mipi_dsi_device>();
  if (!dsi) return ERR_PTR<mipi_dsi_device>(-ENOMEM);
  deref(dsi).host = host;
  deref(dsi).dev.bus = Bus::kMipiDsi;
  deref(dsi).dev.parent = deref(host, "read host->dev").host.dev;
  deref(dsi).dev.type = DevType::kMipiDsiDevice;
  device_initialize(DevPtr{dsi.id});
  return dsi;
}

// mipi_dsi_device_add (drm_mipi_dsi.c:147@6.11): "<host dev>.<channel>",
// the dev_set_name result ignored, then device_add.
int Kernel::mipi_dsi_device_add(Ptr<mipi_dsi_device> dsi) {
  KFUNC();
  Ptr<dsi_controller> host = deref(dsi).host;
  Label name = dev_name(deref(host, "read host->dev").host.dev);
  name.suffix = static_cast<int16_t>(deref(dsi).channel);
  dev_set_name(DevPtr{dsi.id}, name);
  return device_add(DevPtr{dsi.id});
}

// of_mipi_dsi_device_add (drm_mipi_dsi.c:158@6.11): the node reference is
// taken before register_full can fail, and is leaked when it does.
Ptr<mipi_dsi_device> Kernel::of_mipi_dsi_device_add(Ptr<dsi_controller> host,
                                                    OfNode node) {
  KFUNC();
  mipi_dsi_device_info info;
  info.type = node;                        // of_alias_from_compatible
  info.channel = node_topo(node).channel;  // the "reg" property
  info.node = of_node_get(node);
  return mipi_dsi_device_register_full(host, info);
}

// mipi_dsi_device_register_full (drm_mipi_dsi.c:202@6.11). When device_add
// fails the object is kfree()d although device_initialize() ran: no
// release, so its name and node reference leak.
Ptr<mipi_dsi_device> Kernel::mipi_dsi_device_register_full(
    Ptr<dsi_controller> host, const mipi_dsi_device_info& info) {
  KFUNC();
  if (info.channel > 3) {
    printk("invalid virtual channel", 0, -EINVAL);
    return ERR_PTR<mipi_dsi_device>(-EINVAL);
  }
  Ptr<mipi_dsi_device> dsi = mipi_dsi_device_alloc(host);
  if (IS_ERR(dsi)) {
    printk("failed to allocate DSI device", 0, PTR_ERR(dsi));
    return dsi;
  }
  deref(dsi).dev.of_node = info.node;  // device_set_node: adopts the ref
  deref(dsi).channel = static_cast<uint8_t>(info.channel);
  deref(dsi).name = info.type;
  int ret = mipi_dsi_device_add(dsi);
  if (ret) {
    printk("failed to add DSI device", dsi.id, ret);
    kfree(dsi);
    return ERR_PTR<mipi_dsi_device>(ret);
  }
  return dsi;
}

// mipi_dsi_device_unregister (drm_mipi_dsi.c:244@6.11): no flag, no
// detach, not idempotent.
void Kernel::mipi_dsi_device_unregister(Ptr<mipi_dsi_device> dsi) {
  KFUNC();
  device_unregister(DevPtr{dsi.id});
}

// devm_mipi_dsi_device_unregister (drm_mipi_dsi.c:250@6.11): the devres
// action, holding a raw pointer.
void Kernel::devm_mipi_dsi_device_unregister(ObjId arg) {
  KFUNC();
  mipi_dsi_device_unregister(Ptr<mipi_dsi_device>{arg});
}

// devm_mipi_dsi_device_register_full (drm_mipi_dsi.c:275@6.11): the action
// goes on `d`, the caller's device, not on the DSI device.
Ptr<mipi_dsi_device> Kernel::devm_mipi_dsi_device_register_full(
    DevPtr d, Ptr<dsi_controller> host, const mipi_dsi_device_info& info) {
  KFUNC();
  Ptr<mipi_dsi_device> dsi = mipi_dsi_device_register_full(host, info);
  if (IS_ERR(dsi)) return dsi;
  int ret = devm_add_action_or_reset(
      d, DevresAction::kDevmMipiDsiDeviceUnregister, dsi.id);
  if (ret) return ERR_PTR<mipi_dsi_device>(ret);
  return dsi;
}

// of_find_mipi_dsi_host_by_node (drm_mipi_dsi.c:308@6.11): an uncounted
// pointer, NULL while the host is not listed.
Ptr<dsi_controller> Kernel::of_find_mipi_dsi_host_by_node(OfNode node) {
  KFUNC();
  for (ObjId id : s_.host_list) {
    Ptr<dsi_controller> host{id};
    if (dev(deref(host, "read host->dev").host.dev).of_node == node)
      return host;
  }
  return Ptr<dsi_controller>{};
}

// mipi_dsi_host_register (drm_mipi_dsi.c:327@6.11): DT children first (each
// may probe synchronously, errors ignored), the host_list only afterwards.
int Kernel::mipi_dsi_host_register(Ptr<dsi_controller> host) {
  KFUNC();
  OfNode host_node = dev(deref(host).host.dev).of_node;
  for (size_t i = 0; i < topo_.devices.size(); ++i) {
    const TopoDevice& t = topo_.devices[i];
    if (t.kind == DeviceKind::kDsiPanel && t.host == host_node)
      of_mipi_dsi_device_add(host, static_cast<OfNode>(i));
  }
  if (deref(host).host.on_host_list) {
    WARN("lib/list_debug.c: list_add double add (mipi_dsi_host_register)");
    return 0;
  }
  deref(host, "list_add_tail(&host->list)").host.on_host_list = true;
  s_.host_list.push_back(host.id);
  return 0;
}

// mipi_dsi_remove_device_fn (drm_mipi_dsi.c:346@6.11): every child is taken
// for a DSI device; detach if attached, then unregister.
int Kernel::mipi_dsi_remove_device_fn(DevPtr d, void*) {
  KFUNC();
  Ptr<mipi_dsi_device> dsi = to_mipi_dsi_device(d);
  if (deref(dsi, "read dsi->attached").attached) mipi_dsi_detach(dsi);
  mipi_dsi_device_unregister(dsi);
  return 0;
}

// mipi_dsi_host_unregister (drm_mipi_dsi.c:357@6.11): children first (each
// freed when the child iterator moves past it), then list_del_init, which
// makes a second call harmless while the host struct lives.
void Kernel::mipi_dsi_host_unregister(Ptr<dsi_controller> host) {
  KFUNC();
  device_for_each_child(deref(host, "read host->dev").host.dev, nullptr,
                        &Kernel::mipi_dsi_remove_device_fn);
  mipi_dsi_host& h = deref(host, "list_del_init(&host->list)").host;
  if (h.on_host_list) {
    h.on_host_list = false;
    auto& list = s_.host_list;
    for (size_t i = 0; i < list.size(); ++i) {
      if (list[i] == host.id) {
        list.erase(list.begin() + static_cast<ptrdiff_t>(i));
        break;
      }
    }
  }
}

// mipi_dsi_attach (drm_mipi_dsi.c:371@6.11): dsi->host->ops read with no
// check; no guard against a second attach; attached set on success only.
int Kernel::mipi_dsi_attach(Ptr<mipi_dsi_device> dsi) {
  KFUNC();
  Ptr<dsi_controller> host = deref(dsi, "read dsi->host").host;
  HostOps ops = deref(host, "read host->ops").host.ops;
  if (ops == HostOps::kNone) return -ENOSYS;
  int ret = host_ops_attach(deref(dsi, "read dsi->host").host, dsi);
  if (ret) return ret;
  deref(dsi, "write dsi->attached").attached = true;
  return 0;
}

// mipi_dsi_detach (drm_mipi_dsi.c:393@6.11): reads dsi->host->ops before
// anything else, then WARN_ON(!dsi->attached) at :397; attached is cleared
// before ops->detach runs.
int Kernel::mipi_dsi_detach(Ptr<mipi_dsi_device> dsi) {
  KFUNC();
  Ptr<dsi_controller> host = deref(dsi, "read dsi->host").host;
  HostOps ops = deref(host, "read host->ops").host.ops;
  if (!deref(dsi, "read dsi->attached").attached) {
    WARN(
        "drivers/gpu/drm/drm_mipi_dsi.c:397@6.11 mipi_dsi_detach: "
        "WARN_ON(!dsi->attached)");
    return -EINVAL;
  }
  if (ops == HostOps::kNone) return -ENOSYS;
  // mutant-no-attached-clear: dsi->attached stays true after the detach.
  if (!Mutated(Mutant::kNoAttachedClear)) [[likely]]
    deref(dsi, "write dsi->attached").attached = false;
  return host_ops_detach(deref(dsi, "read dsi->host").host, dsi);
}

// devm_mipi_dsi_detach (drm_mipi_dsi.c:409@6.11): the devres action.
void Kernel::devm_mipi_dsi_detach(ObjId arg) {
  KFUNC();
  mipi_dsi_detach(Ptr<mipi_dsi_device>{arg});
}

// devm_mipi_dsi_attach (drm_mipi_dsi.c:427@6.11): attach, then the detach
// action on `d`; if the action cannot be added, it runs at once.
int Kernel::devm_mipi_dsi_attach(DevPtr d, Ptr<mipi_dsi_device> dsi) {
  KFUNC();
  int ret = mipi_dsi_attach(dsi);
  if (ret) return ret;
  ret = devm_add_action_or_reset(d, DevresAction::kDevmMipiDsiDetach, dsi.id);
  if (ret) return ret;
  return 0;
}

// mipi_dsi_device_transfer (drm_mipi_dsi.c:443@6.1): dsi->host, host->ops,
// dsi->mode_flags, dsi->host again, then ops->transfer.
int Kernel::mipi_dsi_device_transfer(Ptr<mipi_dsi_device> dsi,
                                     mipi_dsi_msg& msg) {
  KFUNC();
  Ptr<dsi_controller> host = deref(dsi, "read dsi->host").host;
  HostOps ops = deref(host, "read host->ops").host.ops;
  if (ops == HostOps::kNone) return -ENOSYS;
  if (deref(dsi, "read dsi->mode_flags").mode_flags & MIPI_DSI_MODE_LPM)
    msg.flags |= 1;  // MIPI_DSI_MSG_USE_LPM
  return host_ops_transfer(deref(dsi, "read dsi->host").host, msg);
}

// mipi_dsi_dcs_write_buffer (drm_mipi_dsi.c:797@6.1): the message is built
// from dsi->channel; a one-byte buffer is a DCS short write.
int Kernel::mipi_dsi_dcs_write_buffer(Ptr<mipi_dsi_device> dsi, uint32_t len) {
  KFUNC();
  mipi_dsi_msg msg;
  msg.channel = deref(dsi, "read dsi->channel").channel;
  msg.type = 0x05;  // MIPI_DSI_DCS_SHORT_WRITE
  msg.tx_len = len;
  return mipi_dsi_device_transfer(dsi, msg);
}

// mipi_dsi_dcs_write (drm_mipi_dsi.c:840@6.1): the command byte (no payload)
// goes out through mipi_dsi_dcs_write_buffer.
int Kernel::mipi_dsi_dcs_write(Ptr<mipi_dsi_device> dsi, uint8_t) {
  KFUNC();
  return mipi_dsi_dcs_write_buffer(dsi, 1);
}

// mipi_dsi_dcs_nop (drm_mipi_dsi.c:902@6.1): MIPI_DCS_NOP; 0 or the error.
int Kernel::mipi_dsi_dcs_nop(Ptr<mipi_dsi_device> dsi) {
  KFUNC();
  int err = mipi_dsi_dcs_write(dsi, 0x00 /* MIPI_DCS_NOP */);
  return err < 0 ? err : 0;
}

// mipi_dsi_drv_probe / mipi_dsi_drv_remove (drm_mipi_dsi.c:1292, :1300@6.1):
// the device_driver callbacks wrap the mipi_dsi_driver's.
int Kernel::mipi_dsi_drv_probe(DevPtr d) {
  KFUNC();
  return panel_probe(to_mipi_dsi_device(d));
}

void Kernel::mipi_dsi_drv_remove(DevPtr d) {
  KFUNC();
  panel_remove(to_mipi_dsi_device(d));
}

}  // namespace dsifuzz::model
