// maxime: Maxime Ripard's proposal of 2024-09-03 (Message-Id
// 20240903-encouraging-guillemot-of-warranty-aac44c@houat; reference
// §6.3): the devm helpers record the device their action went on, and
// mipi_dsi_remove_device_fn removes those actions before it detaches and
// unregisters. Non-devm users are left as they are (to be deprecated).
#include "model/variants/variants.h"

namespace dsifuzz::model {
namespace {

class Maxime : public Kernel {
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

  // Diff against drm_mipi_dsi.c:346@6.11: the recorded devm actions are
  // removed (without running) before the host detaches and unregisters.
  int mipi_dsi_remove_device_fn(DevPtr d, void*) override {
    KFUNC();
    Ptr<mipi_dsi_device> dsi = to_mipi_dsi_device(d);
    DevPtr attach_owner =
        deref(dsi, "read dsi->devres_attach_dev").devres_attach_dev;
    if (attach_owner)
      devm_remove_action(attach_owner, DevresAction::kDevmMipiDsiDetach,
                         dsi.id);
    if (deref(dsi, "read dsi->attached").attached) mipi_dsi_detach(dsi);
    DevPtr register_owner =
        deref(dsi, "read dsi->devres_register_dev").devres_register_dev;
    if (register_owner)
      devm_remove_action(register_owner,
                         DevresAction::kDevmMipiDsiDeviceUnregister, dsi.id);
    mipi_dsi_device_unregister(dsi);
    return 0;
  }
};

}  // namespace

std::unique_ptr<Kernel> MakeMaxime(State& s, const Topology& t,
                                   FactSink* sink) {
  return std::make_unique<Maxime>(s, t, sink);
}

}  // namespace dsifuzz::model
