// idempotent: Sima's first idea on its own (2024-09-02, reference §6.3):
// detach and unregister remember that they were done and return early the
// second time. Bookkeeping only: no references and no locking, so the
// flags live in the DSI device, which may already be freed when the
// second call reads them. A class of its own because idempotent-refs
// builds on it.
#ifndef DSIFUZZ_MODEL_VARIANTS_IDEMPOTENT_H_
#define DSIFUZZ_MODEL_VARIANTS_IDEMPOTENT_H_

#include "model/kernel.h"

namespace dsifuzz::model {

class Idempotent : public Kernel {
 public:
  using Kernel::Kernel;

  // Diff against drm_mipi_dsi.c:244@6.11: return if already unregistered.
  void mipi_dsi_device_unregister(Ptr<mipi_dsi_device> dsi) override {
    KFUNC();
    if (deref(dsi, "read dsi->unregistered").unregistered) return;
    deref(dsi, "write dsi->unregistered").unregistered = true;
    device_unregister(DevPtr{dsi.id});
  }

  // Diff against drm_mipi_dsi.c:393@6.11: a detach of a detached device
  // returns 0 instead of WARN_ON(!dsi->attached) and -EINVAL.
  int mipi_dsi_detach(Ptr<mipi_dsi_device> dsi) override {
    KFUNC();
    Ptr<dsi_controller> host = deref(dsi, "read dsi->host").host;
    HostOps ops = deref(host, "read host->ops").host.ops;
    if (!deref(dsi, "read dsi->attached").attached) return 0;
    if (ops == HostOps::kNone) return -ENOSYS;
    deref(dsi, "write dsi->attached").attached = false;
    return host_ops_detach(deref(dsi, "read dsi->host").host, dsi);
  }
};

}  // namespace dsifuzz::model

#endif  // DSIFUZZ_MODEL_VARIANTS_IDEMPOTENT_H_
