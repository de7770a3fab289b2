// maxime: Maxime Ripard's proposal of 2024-09-03 (Message-Id
// 20240903-encouraging-guillemot-of-warranty-aac44c@houat; reference
// §6.3): the devm helpers record the device their action went on, and
// mipi_dsi_remove_device_fn removes those actions before it detaches and
// unregisters. Non-devm users are left as they are (to be deprecated).
#include "model/variants/devres_owner.h"
#include "model/variants/variants.h"

namespace dsifuzz::model {
namespace {

// The devm helpers that record their owner: devres_owner.h.
class Maxime : public RecordsDevresOwner {
 public:
  using RecordsDevresOwner::RecordsDevresOwner;

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
