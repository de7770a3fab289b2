// idempotent-refs: Sima's idea in full (2024-09-02 and 2024-09-03, reference
// §6.3): the bookkeeping of `idempotent`, plus a device reference held by
// whoever registered or attached, dropped at unregister and at detach.
// The references belong to the operation, not to a holder: whichever side
// unregisters or detaches first drops them, so the host's removal consumes
// the peripheral's references too (reference §7 B11).
#include "model/variants/variants.h"

namespace dsifuzz::model {
namespace {

class IdempotentRefs : public Kernel {
 public:
  using Kernel::Kernel;

  // Diff against drm_mipi_dsi.c:202@6.11: + get_device() for the caller.
  Ptr<mipi_dsi_device> mipi_dsi_device_register_full(
      Ptr<dsi_controller> host, const mipi_dsi_device_info& info) override {
    KFUNC();
    Ptr<mipi_dsi_device> dsi =
        Kernel::mipi_dsi_device_register_full(host, info);
    if (IS_ERR(dsi)) return dsi;
    get_device(DevPtr{dsi.id});
    return dsi;
  }

  // Diff against drm_mipi_dsi.c:244@6.11: once only, and + put_device() of
  // the registration reference.
  void mipi_dsi_device_unregister(Ptr<mipi_dsi_device> dsi) override {
    KFUNC();
    if (deref(dsi, "read dsi->unregistered").unregistered) return;
    deref(dsi, "write dsi->unregistered").unregistered = true;
    device_unregister(DevPtr{dsi.id});
    put_device(DevPtr{dsi.id});
  }

  // Diff against drm_mipi_dsi.c:371@6.11: + get_device() on success.
  int mipi_dsi_attach(Ptr<mipi_dsi_device> dsi) override {
    KFUNC();
    int ret = Kernel::mipi_dsi_attach(dsi);
    if (ret == 0) get_device(DevPtr{dsi.id});
    return ret;
  }

  // Diff against drm_mipi_dsi.c:393@6.11: a detach of a detached device
  // returns 0 (no WARN), and + put_device() of the attach reference.
  int mipi_dsi_detach(Ptr<mipi_dsi_device> dsi) override {
    KFUNC();
    Ptr<dsi_controller> host = deref(dsi, "read dsi->host").host;
    HostOps ops = deref(host, "read host->ops").host.ops;
    if (!deref(dsi, "read dsi->attached").attached) return 0;
    if (ops == HostOps::kNone) return -ENOSYS;
    deref(dsi, "write dsi->attached").attached = false;
    int ret = host_ops_detach(deref(dsi, "read dsi->host").host, dsi);
    put_device(DevPtr{dsi.id});
    return ret;
  }
};

}  // namespace

std::unique_ptr<Kernel> MakeIdempotentRefs(State& s, const Topology& t,
                                           FactSink* sink) {
  return std::make_unique<IdempotentRefs>(s, t, sink);
}

}  // namespace dsifuzz::model
