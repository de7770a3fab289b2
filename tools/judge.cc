#include "tools/judge.h"

#include <algorithm>
#include <memory>

#include "model/world.h"
#include "properties/property.h"

namespace dsifuzz {

namespace {
class FanOut : public model::FactSink {
 public:
  explicit FanOut(std::vector<std::unique_ptr<Property>>& props)
      : props_(props) {}
  void OnFact(const model::Fact& f) override {
    for (auto& p : props_) p->OnFact(f);
  }

 private:
  std::vector<std::unique_ptr<Property>>& props_;
};
}  // namespace

Verdict Judge(const Scenario& s, const std::vector<std::string>& properties) {
  Verdict v;
  model::KernelFactory variant = model::FindVariant(s.variant);
  if (variant == nullptr) return v;
  std::vector<std::unique_ptr<Property>> props = MakeAllProperties();
  if (!properties.empty()) {
    std::erase_if(props, [&](const std::unique_ptr<Property>& p) {
      return std::find(properties.begin(), properties.end(),
                       std::string(p->name())) == properties.end();
    });
  }
  FanOut sink(props);
  model::World world(s.topology, variant, &sink);
  world.Setup();
  for (const model::Event& e : s.events) {
    if (!world.Apply(e).ok()) return v;
  }
  world.Teardown();
  v.valid = true;
  v.events = world.events();
  uint32_t first = 0;
  for (auto& p : props) {
    if (p->violations().empty()) continue;
    v.failed.emplace_back(p->name());
    const Violation& head = p->violations().front();
    if (v.title.empty() || head.seq < first) {
      first = head.seq;
      v.title = head.Title();
      v.property = std::string(p->name());
    }
  }
  return v;
}

}  // namespace dsifuzz
