#include "tools/judge.h"

#include <algorithm>

#include "model/world.h"

namespace dsifuzz {

Panel::Panel(const std::vector<std::string>& properties)
    : props_(MakeAllProperties()) {
  for (auto& p : props_) p->set_limit(1);
  if (!properties.empty()) {
    std::erase_if(props_, [&](const std::unique_ptr<Property>& p) {
      return std::find(properties.begin(), properties.end(),
                       std::string(p->name())) == properties.end();
    });
  }
  for (auto& p : props_) router_.Add(p.get());
}

Verdict Panel::Collect(int events) const {
  Verdict v;
  v.valid = true;
  v.events = events;
  uint32_t first = 0;
  for (const auto& p : props_) {
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

Verdict Judge(const Scenario& s, const std::vector<std::string>& properties) {
  model::KernelFactory variant = model::FindVariant(s.variant());
  if (variant == nullptr) return Verdict{};
  Panel panel(properties);
  model::World world(s.topology, variant, &panel);
  world.Setup();
  for (const model::Event& e : s.events) {
    if (!world.Apply(e).ok()) return Verdict{};
  }
  world.Teardown();
  return panel.Collect(world.events());
}

}  // namespace dsifuzz
