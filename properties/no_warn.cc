// no-warn: no WARN()/WARN_ON() fires. The violation is reported in the
// function that warned, with the kernel source location as its detail.
#include <memory>
#include <string_view>

#include "model/fact.h"
#include "properties/property.h"
#include "properties/registry.h"

namespace dsifuzz {
namespace {

class NoWarn : public Property {
 public:
  std::string_view name() const override { return "no-warn"; }
  std::string_view description() const override {
    return "no WARN()/WARN_ON() fires";
  }

  uint64_t Interest() const override {
    return model::FactBit(model::FactKind::kWarn);
  }

  void Observe(const model::Fact& f) override {
    if (f.kind == model::FactKind::kWarn) {
      Add(MakeViolation(f, name(), "WARNING"));
    }
  }
};

}  // namespace

std::unique_ptr<Property> MakeNoWarn() { return std::make_unique<NoWarn>(); }

}  // namespace dsifuzz
