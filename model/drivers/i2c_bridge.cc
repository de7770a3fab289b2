// The model i2c DSI bridge driver ("i2c-bridge"). Each device's style says
// how it uses the DSI API, after real 6.11 drivers (reference §5):
//   devm-probe     ti-sn65dsi83, lt9611...: devm register + devm attach in
//                  probe, nothing in remove
//   manual         panel-raspberrypi-touchscreen: register + attach in
//                  probe (unregister if attach fails); detach + unregister
//                  in remove
//   no-unregister  ti-dlpc3433: register + devm attach in probe; the DSI
//                  device is never unregistered
// The host is looked up by its device-tree node; while it is not listed
// the probe defers.
#include "model/kernel.h"

namespace dsifuzz::model {

int Kernel::bridge_probe(DevPtr d) {
  KFUNC();
  const TopoDevice& t = topo_.devices[deref(Ptr<i2c_client>{d.id}).topo];
  Ptr<bridge_priv> ctx = devm_kzalloc<bridge_priv>(d);
  if (!ctx) return -ENOMEM;
  dev(d).driver_data = ctx.id;  // i2c_set_clientdata
  Ptr<dsi_controller> host = of_find_mipi_dsi_host_by_node(t.host);
  if (!host)
    return -EPROBE_DEFER;  // dev_err_probe(..., "failed to find dsi host")
  mipi_dsi_device_info info;
  info.type = deref(Ptr<i2c_client>{d.id}).topo;
  info.channel = t.channel;
  Ptr<mipi_dsi_device> dsi;
  int ret = 0;
  switch (t.style) {
    case Style::kDevmProbe:
      dsi = devm_mipi_dsi_device_register_full(d, host, info);
      if (IS_ERR(dsi)) return PTR_ERR(dsi);
      ret = devm_mipi_dsi_attach(d, dsi);
      if (ret) return ret;
      break;
    case Style::kManual:
      dsi = mipi_dsi_device_register_full(host, info);
      if (IS_ERR(dsi)) return PTR_ERR(dsi);
      ret = mipi_dsi_attach(dsi);
      if (ret) {
        mipi_dsi_device_unregister(dsi);
        return ret;
      }
      break;
    default:  // Style::kNoUnregister
      dsi = mipi_dsi_device_register_full(host, info);
      if (IS_ERR(dsi)) return PTR_ERR(dsi);
      ret = devm_mipi_dsi_attach(d, dsi);
      if (ret) return ret;
      break;
  }
  deref(ctx).dsi = dsi;
  return 0;
}

void Kernel::bridge_remove(DevPtr d) {
  KFUNC();
  const TopoDevice& t = topo_.devices[deref(Ptr<i2c_client>{d.id}).topo];
  if (t.style != Style::kManual) return;
  Ptr<bridge_priv> ctx{dev(d).driver_data};
  mipi_dsi_detach(deref(ctx).dsi);
  mipi_dsi_device_unregister(deref(ctx).dsi);
}

// The bridge's enable: a DCS command to the peripheral (the `transfer`
// event).
int Kernel::bridge_enable(DevPtr d) {
  KFUNC();
  Ptr<bridge_priv> ctx{dev(d).driver_data};
  return mipi_dsi_dcs_nop(deref(ctx).dsi);
}

}  // namespace dsifuzz::model
