// tomi-v1: "[PATCH] drm/mipi-dsi: Fix devm unregister & detach" as posted
// on 2024-06-19 (Message-Id
// 20240619-dsi-devres-fix-v1-1-a5c59310a52e@ideasonboard.com; reference
// §6.2). The devm helpers record the device their action went on; when
// unregister or detach comes from anywhere but that action, the action is
// removed first (devm_remove_action, which WARNs if it is gone). No locks,
// no references, the fields are never cleared.
#include "model/variants/variants.h"

namespace dsifuzz::model {
namespace {

class TomiV1 : public Kernel {
 public:
  using Kernel::Kernel;

  // devm_mipi_dsi_device_register_full: + dsi->devres_register_dev = dev.
  Ptr<mipi_dsi_device> devm_mipi_dsi_device_register_full(
      DevPtr d, Ptr<dsi_controller> host,
      const mipi_dsi_device_info& info) override {
    KFUNC();
    Ptr<mipi_dsi_device> dsi = mipi_dsi_device_register_full(host, info);
    if (IS_ERR(dsi)) return dsi;
    int ret = devm_add_action_or_reset(
        d, DevresAction::kDevmMipiDsiDeviceUnregister, dsi.id);
    if (ret) return ERR_PTR<mipi_dsi_device>(ret);
    deref(dsi, "write dsi->devres_register_dev").devres_register_dev = d;
    return dsi;
  }

  // devm_mipi_dsi_attach: + dsi->devres_attach_dev = dev.
  int devm_mipi_dsi_attach(DevPtr d, Ptr<mipi_dsi_device> dsi) override {
    KFUNC();
    int ret = mipi_dsi_attach(dsi);
    if (ret) return ret;
    ret = devm_add_action_or_reset(d, DevresAction::kDevmMipiDsiDetach, dsi.id);
    if (ret) return ret;
    deref(dsi, "write dsi->devres_attach_dev").devres_attach_dev = d;
    return 0;
  }

  // mipi_dsi_device_unregister → mipi_dsi_do_device_unregister(dsi, false)
  void mipi_dsi_device_unregister(Ptr<mipi_dsi_device> dsi) override {
    KFUNC();
    mipi_dsi_do_device_unregister(dsi, false);
  }
  void devm_mipi_dsi_device_unregister(ObjId arg) override {
    KFUNC();
    mipi_dsi_do_device_unregister(Ptr<mipi_dsi_device>{arg}, true);
  }

  // mipi_dsi_detach → mipi_dsi_do_detach(dsi, false)
  int mipi_dsi_detach(Ptr<mipi_dsi_device> dsi) override {
    KFUNC();
    return mipi_dsi_do_detach(dsi, false);
  }
  void devm_mipi_dsi_detach(ObjId arg) override {
    KFUNC();
    mipi_dsi_do_detach(Ptr<mipi_dsi_device>{arg}, true);
  }

 private:
  void mipi_dsi_do_device_unregister(Ptr<mipi_dsi_device> dsi, bool devres) {
    KFUNC();
    DevPtr owner =
        deref(dsi, "read dsi->devres_register_dev").devres_register_dev;
    if (!devres && owner)
      devm_remove_action(owner, DevresAction::kDevmMipiDsiDeviceUnregister,
                         dsi.id);
    device_unregister(DevPtr{dsi.id});
  }

  int mipi_dsi_do_detach(Ptr<mipi_dsi_device> dsi, bool devres) {
    KFUNC();
    Ptr<dsi_controller> host = deref(dsi, "read dsi->host").host;
    HostOps ops = deref(host, "read host->ops").host.ops;
    if (!deref(dsi, "read dsi->attached").attached) {
      WARN(
          "drivers/gpu/drm/drm_mipi_dsi.c (tomi-v1) mipi_dsi_do_detach: "
          "WARN_ON(!dsi->attached)");
      return -EINVAL;
    }
    DevPtr owner = deref(dsi, "read dsi->devres_attach_dev").devres_attach_dev;
    if (!devres && owner)
      devm_remove_action(owner, DevresAction::kDevmMipiDsiDetach, dsi.id);
    if (ops == HostOps::kNone) return -ENOSYS;
    deref(dsi, "write dsi->attached").attached = false;
    return host_ops_detach(deref(dsi, "read dsi->host").host, dsi);
  }
};

}  // namespace

std::unique_ptr<Kernel> MakeTomiV1(State& s, const Topology& t,
                                   FactSink* sink) {
  return std::make_unique<TomiV1>(s, t, sink);
}

}  // namespace dsifuzz::model
