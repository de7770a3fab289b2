// dsifuzz-fix: our proposed fix (docs/fix.md). Its rule: a DSI device is
// never freed while a peripheral can still reach it, and nothing reaches
// the host struct once the host is gone.
//  - The host's removal deletes each DSI device (device_del: a DT panel
//    unbinds and detaches itself normally), detaches on the host side what
//    is still attached, and clears dsi->host. A device still attached then
//    is an orphan: the host keeps away from its registration reference,
//    which the peripheral's own teardown drops (its unregister or its devm
//    detach action). A device no longer attached is released at once.
//  - Unregister is device_del once and put_device of the registration
//    reference once (flags in the device, which is alive when they are
//    read); each devm action holds a reference of its own.
//  - With dsi->host cleared, attach and transfer return -ENODEV and a late
//    detach returns 0 without a WARN.
//  - Error paths: register_full puts (not kfrees) a device whose
//    device_add failed, and takes its own node reference.
// The real patch would clear dsi->host and test the flags under a lock
// (one mutex in the DSI core); the model runs one event at a time.
#include "model/variants/variants.h"

namespace dsifuzz::model {
namespace {

class DsifuzzFix : public Kernel {
 public:
  using Kernel::Kernel;

  // Diff against drm_mipi_dsi.c:158@6.11: no of_node_get() here;
  // register_full takes the device's node reference itself.
  Ptr<mipi_dsi_device> of_mipi_dsi_device_add(Ptr<dsi_controller> host,
                                              OfNode node) override {
    KFUNC();
    mipi_dsi_device_info info;
    info.type = node;
    info.channel = node_topo(node).channel;
    info.node = node;
    return mipi_dsi_device_register_full(host, info);
  }

  // Diff against drm_mipi_dsi.c:202@6.11: of_node_get() of info->node once
  // the device exists, and put_device() instead of kfree() when device_add
  // fails, so the release frees the name and the node reference.
  Ptr<mipi_dsi_device> mipi_dsi_device_register_full(
      Ptr<dsi_controller> host, const mipi_dsi_device_info& info) override {
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
    deref(dsi).dev.of_node = of_node_get(info.node);
    deref(dsi).channel = static_cast<uint8_t>(info.channel);
    deref(dsi).name = info.type;
    int ret = mipi_dsi_device_add(dsi);
    if (ret) {
      printk("failed to add DSI device", dsi.id, ret);
      put_device(DevPtr{dsi.id});
      return ERR_PTR<mipi_dsi_device>(ret);
    }
    return dsi;
  }

  // Diff against drm_mipi_dsi.c:244@6.11: device_del at most once, the
  // registration reference dropped at most once.
  void mipi_dsi_device_unregister(Ptr<mipi_dsi_device> dsi) override {
    KFUNC();
    mipi_dsi_device& d = deref(dsi, "read dsi->unregistered");
    if (!d.unregistered) {
      d.unregistered = true;
      device_del(DevPtr{dsi.id});
    }
    Release(dsi);
  }

  // Diff against drm_mipi_dsi.c:250@6.11: + put_device() of the action's
  // own reference.
  void devm_mipi_dsi_device_unregister(ObjId arg) override {
    KFUNC();
    mipi_dsi_device_unregister(Ptr<mipi_dsi_device>{arg});
    put_device(DevPtr{arg});
  }

  // Diff against drm_mipi_dsi.c:275@6.11: + get_device() for the action.
  Ptr<mipi_dsi_device> devm_mipi_dsi_device_register_full(
      DevPtr d, Ptr<dsi_controller> host,
      const mipi_dsi_device_info& info) override {
    KFUNC();
    Ptr<mipi_dsi_device> dsi = mipi_dsi_device_register_full(host, info);
    if (IS_ERR(dsi)) return dsi;
    get_device(DevPtr{dsi.id});
    int ret = devm_add_action_or_reset(
        d, DevresAction::kDevmMipiDsiDeviceUnregister, dsi.id);
    if (ret) return ERR_PTR<mipi_dsi_device>(ret);
    return dsi;
  }

  // Diff against drm_mipi_dsi.c:346@6.11: delete first (a panel driver
  // unbinds and detaches itself while the host is whole), then detach on
  // the host side what is still attached and keep its reference for the
  // peripheral; release the rest; clear dsi->host in both cases.
  int mipi_dsi_remove_device_fn(DevPtr d, void*) override {
    KFUNC();
    Ptr<mipi_dsi_device> dsi = to_mipi_dsi_device(d);
    if (!deref(dsi, "read dsi->unregistered").unregistered) {
      deref(dsi).unregistered = true;
      device_del(d);
    }
    if (deref(dsi, "read dsi->attached").attached) {
      deref(dsi).attached = false;
      host_ops_detach(deref(dsi, "read dsi->host").host, dsi);
    } else {
      Release(dsi);
    }
    deref(dsi, "write dsi->host").host = Ptr<dsi_controller>{};
    return 0;
  }

  // Diff against drm_mipi_dsi.c:371@6.11: -ENODEV once the host is gone.
  int mipi_dsi_attach(Ptr<mipi_dsi_device> dsi) override {
    KFUNC();
    if (!deref(dsi, "read dsi->host").host) return -ENODEV;
    return Kernel::mipi_dsi_attach(dsi);
  }

  // Diff against drm_mipi_dsi.c:393@6.11: once the host is gone (it
  // detached the device itself), 0 without reading the host or WARNing.
  int mipi_dsi_detach(Ptr<mipi_dsi_device> dsi) override {
    KFUNC();
    if (!deref(dsi, "read dsi->host").host) return 0;
    return Kernel::mipi_dsi_detach(dsi);
  }

  // Diff against drm_mipi_dsi.c:409@6.11: the peripheral's last word on an
  // orphan drops the registration reference the host left to it; then the
  // action's own reference.
  void devm_mipi_dsi_detach(ObjId arg) override {
    KFUNC();
    Ptr<mipi_dsi_device> dsi{arg};
    mipi_dsi_detach(dsi);
    if (!deref(dsi, "read dsi->host").host) Release(dsi);
    put_device(DevPtr{arg});
  }

  // Diff against drm_mipi_dsi.c:427@6.11: + get_device() for the action.
  int devm_mipi_dsi_attach(DevPtr d, Ptr<mipi_dsi_device> dsi) override {
    KFUNC();
    int ret = mipi_dsi_attach(dsi);
    if (ret) return ret;
    get_device(DevPtr{dsi.id});
    return devm_add_action_or_reset(d, DevresAction::kDevmMipiDsiDetach,
                                    dsi.id);
  }

  // Diff against drm_mipi_dsi.c:443@6.1: -ENODEV once the host is gone.
  int mipi_dsi_device_transfer(Ptr<mipi_dsi_device> dsi,
                               mipi_dsi_msg& msg) override {
    KFUNC();
    if (!deref(dsi, "read dsi->host").host) return -ENODEV;
    return Kernel::mipi_dsi_device_transfer(dsi, msg);
  }

 private:
  // Drops the registration reference (device_initialize's) once.
  void Release(Ptr<mipi_dsi_device> dsi) {
    mipi_dsi_device& d = deref(dsi, "read dsi->released");
    if (d.released) return;
    d.released = true;
    put_device(DevPtr{dsi.id});
  }
};

}  // namespace

std::unique_ptr<Kernel> MakeDsifuzzFix(State& s, const Topology& t,
                                       FactSink* sink) {
  return std::make_unique<DsifuzzFix>(s, t, sink);
}

}  // namespace dsifuzz::model
