// use-after-free: what KASAN would report. An access to a freed object is a
// use-after-free, an access through NULL or an ERR_PTR a null-ptr-deref and
// an access to a live object of another type (type confusion) a wild memory
// access; a kfree() of memory kmalloc() did not return is an invalid free,
// and the places where the kernel would oops (a NULL klist...) are oopses.
#include <memory>
#include <string_view>

#include "model/fact.h"
#include "properties/property.h"
#include "properties/registry.h"

namespace dsifuzz {
namespace {

using model::Fact;
using model::FactKind;

class UseAfterFree : public Property {
 public:
  std::string_view name() const override { return "use-after-free"; }
  std::string_view description() const override {
    return "no access to freed memory, NULL or an ERR_PTR (KASAN)";
  }

  uint64_t Interest() const override {
    return model::FactBit(FactKind::kBadAccess) |
           model::FactBit(FactKind::kInvalidFree) |
           model::FactBit(FactKind::kOops);
  }

  void Observe(const Fact& f) override {
    switch (f.kind) {
      case FactKind::kBadAccess:
        Add(MakeViolation(f, name(), BadAccessKind(f)));
        break;
      case FactKind::kInvalidFree:
        Add(MakeViolation(f, name(), "invalid-free"));
        break;
      case FactKind::kOops:
        Add(MakeViolation(f, name(), "oops"));
        break;
      default:
        break;
    }
  }

 private:
  static std::string_view BadAccessKind(const Fact& f) {
    if (f.slot == nullptr) return "null-ptr-deref";  // NULL or ERR_PTR
    if (!f.slot->live) return "use-after-free";
    return "wild-memory-access";  // a live object read as another type
  }
};

}  // namespace

std::unique_ptr<Property> MakeUseAfterFree() {
  return std::make_unique<UseAfterFree>();
}

}  // namespace dsifuzz
