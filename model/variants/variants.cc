// The registry of variants (variants.def), by the name a scenario's
// `variant` line uses.
#include "model/variants/variants.h"

#include <string>
#include <utility>
#include <vector>

#include "model/mutants/mutants.h"
#include "model/world.h"

namespace dsifuzz::model {

namespace {
const std::vector<std::pair<std::string, KernelFactory>>& Registry() {
  static const auto* registry =
      new std::vector<std::pair<std::string, KernelFactory>>{
#define DSIFUZZ_VARIANT(name, factory) {name, &factory},
#include "model/variants/variants.def"
#undef DSIFUZZ_VARIANT
      };
  return *registry;
}
}  // namespace

KernelFactory FindVariant(const std::string& name) {
  for (const auto& [n, f] : Registry()) {
    if (n == name) return f;
  }
  return FindMutant(name);  // mutants are not listed by VariantNames()
}

std::vector<std::string> VariantNames() {
  std::vector<std::string> names;
  for (const auto& entry : Registry()) names.push_back(entry.first);
  return names;
}

}  // namespace dsifuzz::model
