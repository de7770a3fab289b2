// The model DSI panel driver ("dsi-panel"), a mipi_dsi_driver bound to DT
// children of a host (reference §5.3). Styles:
//   attach       panel-simple: mipi_dsi_attach in probe, mipi_dsi_detach in
//                remove (its error only logged)
//   devm-attach  devm_mipi_dsi_attach(&dsi->dev, dsi) in probe, no detach
#include "model/kernel.h"

namespace dsifuzz::model {

int Kernel::panel_probe(Ptr<mipi_dsi_device> dsi) {
  KFUNC();
  DevPtr d{dsi.id};
  Ptr<panel_priv> ctx = devm_kzalloc<panel_priv>(d);
  if (!ctx) return -ENOMEM;
  deref(ctx).dsi = dsi;
  dev(d).driver_data = ctx.id;  // mipi_dsi_set_drvdata
  int ret = 0;
  if (node_topo(dev(d).of_node).style == Style::kDevmAttach) {
    ret = devm_mipi_dsi_attach(d, dsi);
  } else {
    ret = mipi_dsi_attach(dsi);
  }
  if (ret) printk("failed to attach to DSI host", dsi.id, ret);
  return ret;
}

void Kernel::panel_remove(Ptr<mipi_dsi_device> dsi) {
  KFUNC();
  DevPtr d{dsi.id};
  if (node_topo(dev(d).of_node).style == Style::kDevmAttach) return;
  int ret = mipi_dsi_detach(dsi);
  if (ret < 0) printk("failed to detach from DSI host", dsi.id, ret);
}

// The panel's prepare: a DCS command (the `transfer` event).
int Kernel::panel_prepare(Ptr<mipi_dsi_device> dsi) {
  KFUNC();
  Ptr<panel_priv> ctx{dev(DevPtr{dsi.id}).driver_data};
  return mipi_dsi_dcs_nop(deref(ctx).dsi);
}

}  // namespace dsifuzz::model
