// The fuzz campaign behind `dsifuzz fuzz`: generate cases from a seed, judge
// them, shrink each distinct failure and write it as a scenario file.
#ifndef DSIFUZZ_TOOLS_FUZZ_H_
#define DSIFUZZ_TOOLS_FUZZ_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "tools/coverage.h"
#include "tools/generator.h"

namespace dsifuzz {

struct FuzzOptions {
  std::string variant = "upstream-6.11";
  uint64_t seed = 0;
  uint64_t runs = 10000;
  int max_events = 24;
  std::vector<std::string> properties;  // empty: all
  std::optional<model::Topology> topology;
  std::string topology_path;
  std::string out = "findings";
  bool write = true;  // false: findings are shrunk but not written
  int jobs = 1;
  bool json = false;
  bool progress = false;  // a progress line on stderr (a terminal)
  // Count the model states and transitions the walks take
  // (tools/coverage.h) into FuzzResult::coverage.
  bool coverage = false;
};

struct Finding {
  std::string title;
  std::string property;
  uint64_t run = 0;  // the lowest run that failed with this title
  int original_events = 0;
  int original_devices = 0;
  int shrunk_events = 0;
  int shrunk_devices = 0;
  bool one_minimal = false;
  std::string path;  // the scenario file written
  std::string text;  // its contents
  Scenario shrunk;   // the shrunk case, without expect lines
};

struct FuzzResult {
  uint64_t cases = 0;
  uint64_t events = 0;
  bool interrupted = false;
  GenStats stats;
  std::vector<Finding> findings;  // in order of first run
  Coverage coverage;              // with FuzzOptions::coverage
};

// Runs the campaign. Stops early when *stop becomes true (Ctrl-C); the
// failures found so far are still shrunk and written.
FuzzResult Fuzz(const FuzzOptions& opts, const std::atomic<bool>* stop,
                std::ostream& log);

// Writes render(path) to path = DIR/NAME.dsi without ever replacing a
// file (NAME-2.dsi, NAME-3.dsi... when taken); the file appears complete or
// not at all. Returns the path, or "" when nothing could be written.
std::string WriteNewFile(
    const std::string& dir, const std::string& name,
    const std::function<std::string(const std::string& path)>& render);

// "use-after-free in mipi_dsi_detach" → "use-after-free-in-mipi_dsi_detach"
std::string Slug(const std::string& title);

}  // namespace dsifuzz

#endif  // DSIFUZZ_TOOLS_FUZZ_H_
