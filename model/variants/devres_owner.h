// The part tomi-v1 and maxime share: the devm helpers record the device
// their action went on (dsi->devres_register_dev, dsi->devres_attach_dev),
// so that the host side can later remove the action.
#ifndef DSIFUZZ_MODEL_VARIANTS_DEVRES_OWNER_H_
#define DSIFUZZ_MODEL_VARIANTS_DEVRES_OWNER_H_

#include "model/kernel.h"

namespace dsifuzz::model {

class RecordsDevresOwner : public Kernel {
 public:
  using Kernel::Kernel;

  // devm_mipi_dsi_device_register_full (drm_mipi_dsi.c:275@6.11):
  // + dsi->devres_register_dev = dev once the action is added.
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

  // devm_mipi_dsi_attach (drm_mipi_dsi.c:427@6.11):
  // + dsi->devres_attach_dev = dev once the action is added.
  int devm_mipi_dsi_attach(DevPtr d, Ptr<mipi_dsi_device> dsi) override {
    KFUNC();
    int ret = mipi_dsi_attach(dsi);
    if (ret) return ret;
    ret = devm_add_action_or_reset(d, DevresAction::kDevmMipiDsiDetach, dsi.id);
    if (ret) return ret;
    deref(dsi, "write dsi->devres_attach_dev").devres_attach_dev = d;
    return 0;
  }
};

}  // namespace dsifuzz::model

#endif  // DSIFUZZ_MODEL_VARIANTS_DEVRES_OWNER_H_
