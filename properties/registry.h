// The factories of the individual properties. MakeAllProperties()
// (properties/registry.cc) calls each once; tests may create one alone.
#ifndef DSIFUZZ_PROPERTIES_REGISTRY_H_
#define DSIFUZZ_PROPERTIES_REGISTRY_H_

#include <memory>

#include "properties/property.h"

namespace dsifuzz {

// "single-release": each object freed, device deleted, devres node released
// and device released at most once (properties/single_release.cc).
std::unique_ptr<Property> MakeSingleRelease();
// "use-after-free": no access to freed memory, NULL or an ERR_PTR, no invalid
// free, no oops (properties/use_after_free.cc).
std::unique_ptr<Property> MakeUseAfterFree();
// "refcount-balance": nothing leaked and every count back to its base after
// the teardown (properties/refcount_balance.cc).
std::unique_ptr<Property> MakeRefcountBalance();
// "no-warn": no WARN()/WARN_ON() fires (properties/no_warn.cc).
std::unique_ptr<Property> MakeNoWarn();
// "host-pairing": the host's ops->attach and ops->detach paired per device,
// and no host struct freed while a device is attached to it
// (properties/host_pairing.cc).
std::unique_ptr<Property> MakeHostPairing();

}  // namespace dsifuzz

#endif  // DSIFUZZ_PROPERTIES_REGISTRY_H_
