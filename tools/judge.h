// Judging a case: replay a scenario without tracing and say whether it
// applies and how it fails. The fuzz loop and the shrinkers call this.
#ifndef DSIFUZZ_TOOLS_JUDGE_H_
#define DSIFUZZ_TOOLS_JUDGE_H_

#include <string>
#include <vector>

#include "tools/scenario.h"

namespace dsifuzz {

struct Verdict {
  bool valid = false;    // every event applied
  std::string title;     // the first violation's title, "" when clean
  std::string property;  // the property of that violation
  std::vector<std::string> failed;  // failing properties, registry order
  int events = 0;                   // events of the run, teardown included
};

// `properties` restricts which properties count (empty: all).
Verdict Judge(const Scenario& s, const std::vector<std::string>& properties);

}  // namespace dsifuzz

#endif  // DSIFUZZ_TOOLS_JUDGE_H_
