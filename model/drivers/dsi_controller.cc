// The model DSI controller driver ("dsi-controller"), written after the
// common pattern of 6.11 host drivers (reference §4, e.g. rcar_mipi_dsi):
// driver data devm_kzalloc'd on the controller device with the
// mipi_dsi_host embedded, host registered at the end of probe and
// unregistered in remove. ops->attach/detach stand for drm_bridge_add and
// drm_bridge_remove (a count of attached peripherals).
#include "model/kernel.h"

namespace dsifuzz::model {

int Kernel::dsictl_probe(DevPtr d) {
  KFUNC();
  Ptr<dsi_controller> ctl = devm_kzalloc<dsi_controller>(d);
  if (!ctl) return -ENOMEM;
  deref(ctl).host.dev = d;
  deref(ctl).host.ops = HostOps::kDsiController;
  dev(d).driver_data = ctl.id;  // platform_set_drvdata
  return mipi_dsi_host_register(ctl);
}

void Kernel::dsictl_remove(DevPtr d) {
  KFUNC();
  mipi_dsi_host_unregister(Ptr<dsi_controller>{dev(d).driver_data});
}

// `fail attach` makes the next attach fail as a lane check would (-EINVAL).
int Kernel::dsictl_host_attach(Ptr<dsi_controller> host,
                               Ptr<mipi_dsi_device> dsi) {
  KFUNC();
  deref(host).mode_flags = deref(dsi, "read dsi->mode_flags").mode_flags;
  if (FaultFires(FaultSite::kAttach, "attach")) return -EINVAL;
  ++deref(host, "drm_bridge_add").bridges;
  Emit(FactKind::kHostAttach, dsi.id, static_cast<int>(host.id));
  return 0;
}

int Kernel::dsictl_host_detach(Ptr<dsi_controller> host,
                               Ptr<mipi_dsi_device> dsi) {
  KFUNC();
  --deref(host, "drm_bridge_remove").bridges;
  Emit(FactKind::kHostDetach, dsi.id, static_cast<int>(host.id));
  return 0;
}

int Kernel::dsictl_host_transfer(Ptr<dsi_controller> host,
                                 const mipi_dsi_msg& msg) {
  KFUNC();
  ++deref(host, "write host registers").transfers;
  return static_cast<int>(msg.tx_len);
}

// Dispatch on host->ops, as the DSI core's ops->... calls do.
int Kernel::host_ops_attach(Ptr<dsi_controller> host,
                            Ptr<mipi_dsi_device> dsi) {
  return dsictl_host_attach(host, dsi);
}
int Kernel::host_ops_detach(Ptr<dsi_controller> host,
                            Ptr<mipi_dsi_device> dsi) {
  return dsictl_host_detach(host, dsi);
}
int Kernel::host_ops_transfer(Ptr<dsi_controller> host,
                              const mipi_dsi_msg& msg) {
  return dsictl_host_transfer(host, msg);
}

}  // namespace dsifuzz::model
