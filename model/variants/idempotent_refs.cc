// idempotent-refs: Sima's idea in full (2024-09-02 and 2024-09-03, reference
// §6.3): the bookkeeping of `idempotent`, plus a device reference held by
// whoever registered or attached, dropped at unregister and at detach.
// The references belong to the operation, not to a holder: whichever side
// unregisters or detaches first drops them, so the host's removal consumes
// the peripheral's references too (reference §7 B11).
#include "model/variants/idempotent.h"
#include "model/variants/variants.h"

namespace dsifuzz::model {
namespace {

// The diff against idempotent.h.
class IdempotentRefs : public Idempotent {
 public:
  using Idempotent::Idempotent;

  // + get_device() for the caller once registered.
  Ptr<mipi_dsi_device> mipi_dsi_device_register_full(
      Ptr<dsi_controller> host, const mipi_dsi_device_info& info) override {
    KFUNC();
    Ptr<mipi_dsi_device> dsi =
        Idempotent::mipi_dsi_device_register_full(host, info);
    if (IS_ERR(dsi)) return dsi;
    get_device(DevPtr{dsi.id});
    return dsi;
  }

  // + put_device() of the registration reference, the first time only.
  void mipi_dsi_device_unregister(Ptr<mipi_dsi_device> dsi) override {
    KFUNC();
    if (deref(dsi, "read dsi->unregistered").unregistered) return;
    Idempotent::mipi_dsi_device_unregister(dsi);
    put_device(DevPtr{dsi.id});
  }

  // + get_device() when the attach succeeds.
  int mipi_dsi_attach(Ptr<mipi_dsi_device> dsi) override {
    KFUNC();
    int ret = Idempotent::mipi_dsi_attach(dsi);
    if (ret == 0) get_device(DevPtr{dsi.id});
    return ret;
  }

  // + put_device() of the attach reference when this call detached.
  int mipi_dsi_detach(Ptr<mipi_dsi_device> dsi) override {
    KFUNC();
    bool was_attached = deref(dsi, "read dsi->attached").attached;
    int ret = Idempotent::mipi_dsi_detach(dsi);
    if (was_attached && !deref(dsi, "read dsi->attached").attached)
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
