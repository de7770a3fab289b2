// Judging a case: replay a scenario without tracing and say whether it
// applies and how it fails. The fuzz loop and the shrinkers call this.
#ifndef DSIFUZZ_TOOLS_JUDGE_H_
#define DSIFUZZ_TOOLS_JUDGE_H_

#include <memory>
#include <string>
#include <vector>

#include "model/fact.h"
#include "properties/property.h"
#include "tools/scenario.h"

namespace dsifuzz {

struct Verdict {
  bool valid = false;    // every event applied
  std::string title;     // the first violation's title, "" when clean
  std::string property;  // the property of that violation
  std::vector<std::string> failed;  // failing properties, registry order
  int events = 0;                   // events of the run, teardown included
};

// The properties that count for a run, as one fact sink.
class Panel : public model::FactSink {
 public:
  // `properties` restricts which properties count (empty: all). A verdict
  // needs only each property's first violation: the rest is not recorded.
  explicit Panel(const std::vector<std::string>& properties);
  void OnFact(const model::Fact& f) override {
    if (router_.OnFact(f)) violated_ = true;
  }
  // With stop_early, the run may stop once any property has failed: the
  // verdict's title is then known (its list of failed properties is not).
  bool Done() const override { return stop_early_ && violated_; }
  uint64_t Interest() const override { return router_.Interest(); }
  void set_stop_early(bool on) { stop_early_ = on; }
  // Ready for a new run, keeping the properties' storage.
  void Reset() {
    for (auto& p : props_) p->Reset();
    violated_ = false;
  }
  // The verdict of a finished (torn down) run of `events` events.
  Verdict Collect(int events) const;

 private:
  std::vector<std::unique_ptr<Property>> props_;
  FactRouter router_;
  bool violated_ = false;
  bool stop_early_ = false;
};

Verdict Judge(const Scenario& s, const std::vector<std::string>& properties);

}  // namespace dsifuzz

#endif  // DSIFUZZ_TOOLS_JUDGE_H_
