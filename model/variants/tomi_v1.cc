// tomi-v1: "[PATCH] drm/mipi-dsi: Fix devm unregister & detach" as posted
// on 2024-06-19 (Message-Id
// 20240619-dsi-devres-fix-v1-1-a5c59310a52e@ideasonboard.com; reference
// §6.2). The devm helpers record the device their action went on; when
// unregister or detach comes from anywhere but that action, the action is
// removed first (devm_remove_action, which WARNs if it is gone). No locks,
// no references, the fields are never cleared.
#include "model/variants/devres_owner.h"
#include "model/variants/variants.h"

namespace dsifuzz::model {
namespace {

// The devm helpers that record their owner: devres_owner.h.
class TomiV1 : public RecordsDevresOwner {
 public:
  using RecordsDevresOwner::RecordsDevresOwner;

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
