// The factories of the individual properties. MakeAllProperties()
// (properties/registry.cc) calls each once; tests may create one alone.
#ifndef DSIFUZZ_PROPERTIES_REGISTRY_H_
#define DSIFUZZ_PROPERTIES_REGISTRY_H_

#include <memory>

#include "properties/property.h"

namespace dsifuzz {

// One factory per line of properties.def: MakeSingleRelease(),
// MakeUseAfterFree(), MakeRefcountBalance(), MakeNoWarn(),
// MakeHostPairing()... Each property's file says what it checks.
#define DSIFUZZ_PROPERTY(factory) std::unique_ptr<Property> factory();
#include "properties/properties.def"
#undef DSIFUZZ_PROPERTY

}  // namespace dsifuzz

#endif  // DSIFUZZ_PROPERTIES_REGISTRY_H_
