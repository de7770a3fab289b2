// pre-attached-flag: the DSI core before "drm/mipi-dsi: Fix detach call
// without attach" (Tomi Valkeinen, v1 2023-09-21; reference §1.14, §6.1):
// no `attached` flag, no WARN_ON in mipi_dsi_detach, and the host's removal
// detaches every child whether it attached or not. A historic state, kept
// as a known-bug mutant.
#include "model/variants/variants.h"

namespace dsifuzz::model {
namespace {

class PreAttachedFlag : public Kernel {
 public:
  using Kernel::Kernel;

  // Diff against drm_mipi_dsi.c:346@6.11: the detach is unconditional.
  int mipi_dsi_remove_device_fn(DevPtr d, void*) override {
    KFUNC();
    Ptr<mipi_dsi_device> dsi = to_mipi_dsi_device(d);
    mipi_dsi_detach(dsi);
    mipi_dsi_device_unregister(dsi);
    return 0;
  }

  // Diff against drm_mipi_dsi.c:371@6.11: no `dsi->attached = true`.
  int mipi_dsi_attach(Ptr<mipi_dsi_device> dsi) override {
    KFUNC();
    Ptr<dsi_controller> host = deref(dsi, "read dsi->host").host;
    if (deref(host, "read host->ops").host.ops == HostOps::kNone)
      return -ENOSYS;
    return host_ops_attach(deref(dsi, "read dsi->host").host, dsi);
  }

  // Diff against drm_mipi_dsi.c:393@6.11: no WARN_ON(!dsi->attached), no
  // `dsi->attached = false`.
  int mipi_dsi_detach(Ptr<mipi_dsi_device> dsi) override {
    KFUNC();
    Ptr<dsi_controller> host = deref(dsi, "read dsi->host").host;
    if (deref(host, "read host->ops").host.ops == HostOps::kNone)
      return -ENOSYS;
    return host_ops_detach(deref(dsi, "read dsi->host").host, dsi);
  }
};

}  // namespace

std::unique_ptr<Kernel> MakePreAttachedFlag(State& s, const Topology& t,
                                            FactSink* sink) {
  return std::make_unique<PreAttachedFlag>(s, t, sink);
}

}  // namespace dsifuzz::model
