// refcount-balance: after the end-of-run teardown nothing is left allocated
// (a kmemleak "unreferenced object", reported in the function that allocated
// it) and every count the model tracks is back to its base value.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "model/fact.h"
#include "properties/property.h"
#include "properties/registry.h"

namespace dsifuzz {
namespace {

using model::Fact;
using model::FactKind;

// Allocator frames skipped when naming the allocating caller of a leak.
bool IsAllocatorFrame(std::string_view func) {
  return func == "kzalloc" || func == "kvasprintf_const" ||
         func == "devm_kzalloc" || func == "devres_alloc" || func == "kmalloc";
}

class RefcountBalance : public Property {
 public:
  std::string_view name() const override { return "refcount-balance"; }
  std::string_view description() const override {
    return "after the teardown nothing is leaked and every count is back to "
           "its base";
  }

  uint64_t Interest() const override {
    return model::FactBit(FactKind::kLeak) | model::FactBit(FactKind::kRefLeak);
  }

  void Observe(const Fact& f) override {
    switch (f.kind) {
      case FactKind::kLeak: {
        Violation v = MakeViolation(f, name(), "leak");
        v.function = AllocCaller(f);
        v.detail = "unreferenced object";
        Add(std::move(v));
        break;
      }
      case FactKind::kRefLeak: {
        Violation v = MakeViolation(f, name(), "leak");
        v.function = Func(f);
        Add(std::move(v));
        break;
      }
      default:
        break;
    }
  }

 private:
  static std::string Func(const Fact& f) {
    return (f.func != nullptr && f.func[0] != '\0') ? f.func : "(teardown)";
  }

  // The innermost frame of the allocation stack that is not an allocator.
  static std::string AllocCaller(const Fact& f) {
    if (f.slot != nullptr && f.heap != nullptr) {
      const model::StackRef s = f.slot->alloc_stack;
      for (uint32_t i = s.len; i > 0; --i) {
        const char* frame = f.heap->Frame(s, i - 1);
        if (frame != nullptr && !IsAllocatorFrame(frame)) return frame;
      }
    }
    return Func(f);
  }
};

}  // namespace

std::unique_ptr<Property> MakeRefcountBalance() {
  return std::make_unique<RefcountBalance>();
}

}  // namespace dsifuzz
