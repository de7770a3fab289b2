// Shrinking a failing case to a 1-minimal one that fails with the same
// title.
//
//   Shrinker sh(title, properties);
//   Scenario small = sh.Shrink(failing);   // sh.IsOneMinimal(small) holds
//
// Passes, repeated until none makes progress: drop a device (with its
// events and, for a controller, its panels); drop dependent pairs of events
// (bind/unbind, remove/add, rmmod/insmod, a fault and a later event) at any
// distance; delta debugging over the events (chunks of halving size); drop
// single events; lower fault counts; replace an event by a smaller one
// (in the order bind < unbind < remove < add < rmmod < insmod <
// deferred-probe < transfer < fail, then by device), so that equally short
// failures converge on one text. Then canonical renaming (devices named
// by kind in order of first use). A candidate is kept only if all its
// events apply and its first violation has the same title, so the result
// never fails for another reason. A short result is finally compared with
// the shortest failing sequence on its topology (bounded search), so that
// every run that finds a bug prints the same minimal file.
//
// Differential shrinking (a mutant's counterexample, tools/mutants_test.cc):
// with set_clean_on(variant), a candidate also has to apply on that variant
// and fail none of the properties there.
#ifndef DSIFUZZ_SHRINKERS_SHRINK_H_
#define DSIFUZZ_SHRINKERS_SHRINK_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tools/scenario.h"

namespace dsifuzz {

class Shrinker {
 public:
  Shrinker(std::string title, std::vector<std::string> properties)
      : title_(std::move(title)), properties_(std::move(properties)) {}

  // Whether `s` applies and fails first with the title (and, with
  // set_clean_on, applies on that variant and fails no property there).
  bool Fails(const Scenario& s);
  // Makes the shrinking differential: the result must stay clean on
  // `variant` ("" turns it off).
  void set_clean_on(std::string variant) { clean_on_ = std::move(variant); }
  Scenario Shrink(const Scenario& failing);
  // No single event and no single device can be removed.
  bool IsOneMinimal(const Scenario& s);
  // Devices renamed host0.., bridge0.., panel0.. in order of first use.
  static Scenario Canonical(const Scenario& s, bool reorder);
  // `s` without device i: its events go, and a controller takes its
  // panels and bridges with it.
  static Scenario DropDevice(const Scenario& s, int i);

  // The shortest failing sequence of at most max_len events on the
  // topology of `s`, the first in the order of Smaller(), found by
  // iterative deepening over enabled events; nullopt when there is none
  // or the budget (world replays) runs out first.
  std::optional<Scenario> Shortest(const Scenario& s, int max_len, int budget);

  int attempts() const { return attempts_; }

 private:
  bool DropDevices(Scenario& s);
  bool DropPairs(Scenario& s);
  bool DeltaDebug(Scenario& s);
  bool LowerCounts(Scenario& s);
  bool Simplify(Scenario& s);

  std::string title_;
  std::vector<std::string> properties_;
  std::string clean_on_;
  int attempts_ = 0;
};

}  // namespace dsifuzz

#endif  // DSIFUZZ_SHRINKERS_SHRINK_H_
