// The list of all properties: properties.def. Adding a property is one file
// with its class and factory plus one line there.
#include "properties/registry.h"

#include <memory>
#include <string>
#include <vector>

#include "properties/property.h"

namespace dsifuzz {

std::vector<std::unique_ptr<Property>> MakeAllProperties() {
  std::vector<std::unique_ptr<Property>> all;
#define DSIFUZZ_PROPERTY(factory) all.push_back(factory());
#include "properties/properties.def"
#undef DSIFUZZ_PROPERTY
  return all;
}

std::vector<std::string> PropertyNames() {
  std::vector<std::string> names;
  for (const auto& p : MakeAllProperties()) names.emplace_back(p->name());
  return names;
}

}  // namespace dsifuzz
