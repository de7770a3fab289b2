// The list of all properties. Adding a property is one file with its class
// and factory, its declaration in properties/registry.h and one line here.
#include "properties/registry.h"

#include <memory>
#include <string>
#include <vector>

#include "properties/property.h"

namespace dsifuzz {

std::vector<std::unique_ptr<Property>> MakeAllProperties() {
  std::vector<std::unique_ptr<Property>> all;
  all.push_back(MakeSingleRelease());
  all.push_back(MakeUseAfterFree());
  all.push_back(MakeRefcountBalance());
  all.push_back(MakeNoWarn());
  all.push_back(MakeHostPairing());
  return all;
}

std::vector<std::string> PropertyNames() {
  std::vector<std::string> names;
  for (const auto& p : MakeAllProperties()) names.emplace_back(p->name());
  return names;
}

}  // namespace dsifuzz
