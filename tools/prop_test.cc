// The property suite (RapidCheck). Cases come from dsifuzz's own generator,
// driven by a RapidCheck seed, so RapidCheck's report names a seed that
// `GenerateCase` turns back into the scenario printed with the failure.
//
// CTest runs it twice: label `prop` with a pinned RapidCheck seed and a
// modest count, label `long` with many more cases (see CMakeLists.txt).
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "model/world.h"
#include "shrinkers/shrink.h"
#include "tools/fuzz.h"
#include "tools/generator.h"
#include "tools/judge.h"

namespace dsifuzz {
namespace {

using model::DeviceKind;
using model::Event;
using model::EventKind;
using model::Style;

// The kernel under test: the baseline, or $DSIFUZZ_PROP_VARIANT, to see
// how a failing property is reported (tools/prop_xml_test.sh).
std::string PropVariant() {
  const char* v = std::getenv("DSIFUZZ_PROP_VARIANT");
  return v != nullptr && *v != '\0' ? v : "upstream-6.11";
}

GenOptions Options() {
  GenOptions o;
  o.max_events = 24;
  o.variant = PropVariant();
  return o;
}

// Fails the property when `s` breaks one of `properties`, with the
// scenario dsifuzz's shrinker makes of it in the message: RapidCheck puts
// the message in GTest's failure, so the XML of --gtest_output carries a
// minimal scenario that `dsifuzz replay` takes as it is.
void RequireClean(const Scenario& s,
                  const std::vector<std::string>& properties) {
  const Verdict v = Judge(s, properties);
  RC_ASSERT(v.valid);
  if (v.failed.empty()) return;
  Shrinker shrinker(v.title, properties);
  Scenario small = shrinker.Shrink(s);
  small.expect() = Expectation::Of(Judge(small, {}).failed);
  RC_FAIL(v.failed[0] + " fails: " + v.title + " (" +
          std::to_string(small.events.size()) +
          " events); minimal scenario:\n" + FormatScenario(small));
}

// Every generated event applies when the case is replayed.
RC_GTEST_PROP(Generator, EveryGeneratedEventApplies, ()) {
  const uint64_t seed = *rc::gen::arbitrary<uint64_t>();
  Scenario s = GenerateCase(seed, Options(), nullptr);
  RC_LOG() << FormatScenario(s);
  RC_ASSERT(Judge(s, {}).valid);
}

// The same seed gives the same case and the same verdict.
RC_GTEST_PROP(Generator, SameSeedSameCaseSameVerdict, ()) {
  const uint64_t seed = *rc::gen::arbitrary<uint64_t>();
  Scenario a = GenerateCase(seed, Options(), nullptr);
  Scenario b = GenerateCase(seed, Options(), nullptr);
  RC_ASSERT(FormatScenario(a) == FormatScenario(b));
  Verdict va = Judge(a, {}), vb = Judge(b, {});
  RC_ASSERT(va.title == vb.title);
  RC_ASSERT(va.failed == vb.failed);
}

// A topology on which the baseline should be clean: unique channels 0-3,
// no bridge that never unregisters (its rebind is B5), no faults, and no
// controller taken away while one of its peripherals is bound.
model::Topology CleanTopology(uint64_t seed) {
  Rng rng(seed);
  model::Topology t = GenerateTopology(rng);
  std::vector<uint32_t> next(t.devices.size(), 0);
  for (model::TopoDevice& d : t.devices) {
    if (d.kind == DeviceKind::kDsiController) continue;
    d.channel = next[d.host]++ % 4;
    if (d.style == Style::kNoUnregister) d.style = Style::kManual;
  }
  return t;
}

bool TakesHostAway(const model::World& w, const Event& e) {
  const model::Topology& t = w.topology();
  auto host_busy = [&](int host) {
    for (size_t i = 0; i < t.devices.size(); ++i)
      if (t.devices[i].host == host && w.Bound(static_cast<int>(i)))
        return true;
    return false;
  };
  if (e.kind == EventKind::kRmmod && e.arg == 0) {
    for (size_t h = 0; h < t.devices.size(); ++h)
      if (t.devices[h].kind == DeviceKind::kDsiController &&
          host_busy(static_cast<int>(h)))
        return true;
    return false;
  }
  if (e.kind != EventKind::kUnbind && e.kind != EventKind::kRemove)
    return false;
  return t.devices[e.arg].kind == DeviceKind::kDsiController &&
         host_busy(e.arg);
}

// A case in which every peripheral lets go of its host before the host
// goes, on a CleanTopology, required clean for `properties`.
void PeripheralsFirstCase(const std::vector<std::string>& properties) {
  Scenario s;
  s.SetVariant(PropVariant());
  s.topology = CleanTopology(*rc::gen::arbitrary<uint64_t>());
  const auto choices = *rc::gen::container<std::vector<uint32_t>>(
      rc::gen::arbitrary<uint32_t>());
  model::World w(s.topology, model::FindVariant(s.variant()), nullptr);
  w.Setup();
  std::vector<Event> enabled;
  for (uint32_t c : choices) {
    enabled.clear();
    w.EnabledEvents(enabled);
    std::erase_if(enabled, [&](const Event& e) {
      return e.kind == EventKind::kFail || TakesHostAway(w, e);
    });
    if (enabled.empty()) break;
    const Event e = enabled[c % enabled.size()];
    RC_ASSERT(w.Apply(e).ok());
    s.events.push_back(e);
  }
  s.event_lines.assign(s.events.size(), 0);
  RequireClean(s, properties);
}

// The model raises no false alarm: orderings in which every peripheral
// lets go of its host before the host goes pass every property. One
// property per test, so a failure names the property.
RC_GTEST_PROP(Baseline, SingleReleaseHoldsWhenPeripheralsGoFirst, ()) {
  PeripheralsFirstCase({"single-release"});
}
RC_GTEST_PROP(Baseline, NoUseAfterFreeWhenPeripheralsGoFirst, ()) {
  PeripheralsFirstCase({"use-after-free"});
}
RC_GTEST_PROP(Baseline, RefcountsBalanceWhenPeripheralsGoFirst, ()) {
  PeripheralsFirstCase({"refcount-balance"});
}
RC_GTEST_PROP(Baseline, NoWarnWhenPeripheralsGoFirst, ()) {
  PeripheralsFirstCase({"no-warn"});
}

// The baseline pairs the host's attach and detach in every ordering, host
// first included: the `attached` flag of 2023 (reference §6.1) is for this.
RC_GTEST_PROP(Baseline, HostPairingHoldsOnEveryCase, ()) {
  const uint64_t seed = *rc::gen::arbitrary<uint64_t>();
  RequireClean(GenerateCase(seed, Options(), nullptr), {"host-pairing"});
}

// Shrinking keeps the title and ends 1-minimal.
RC_GTEST_PROP(Shrinker, ResultIsOneMinimalWithTheSameTitle, ()) {
  const uint64_t seed = *rc::gen::arbitrary<uint64_t>();
  Scenario s = GenerateCase(seed, Options(), nullptr);
  Verdict v = Judge(s, {});
  RC_PRE(!v.title.empty());
  Shrinker sh(v.title, {});
  Scenario small = sh.Shrink(s);
  RC_LOG() << FormatScenario(s) << "--- shrunk to ---\n"
           << FormatScenario(small);
  RC_ASSERT(Judge(small, {}).title == v.title);
  RC_ASSERT(small.events.size() <= s.events.size());
  RC_ASSERT(sh.IsOneMinimal(small));
}

// The baseline keeps host-pairing (the `attached` flag exists for it, see
// Baseline.HostPairingHoldsOnEveryCase): the kernel before that flag breaks
// it.
const char* VariantBreaking(const std::string& property) {
  return property == "host-pairing" ? "pre-attached-flag" : "upstream-6.11";
}

// The suite checks the checker: the fuzzer finds a violation of every
// property (the seed bug among them), on the baseline for all but
// host-pairing.
class FuzzerFinds : public ::testing::TestWithParam<const char*> {};

TEST_P(FuzzerFinds, AViolationOfTheProperty) {
  FuzzOptions o;
  o.variant = VariantBreaking(GetParam());
  o.seed = 1;
  o.runs = 3000;
  o.properties = {GetParam()};
  o.out = (std::filesystem::temp_directory_path() /
           ("dsifuzz-prop-" + std::string(GetParam()) + "-" +
            std::to_string(::getpid())))
              .string();
  std::ostringstream log;
  FuzzResult r = Fuzz(o, nullptr, log);
  ASSERT_FALSE(r.findings.empty()) << GetParam();
  for (const Finding& f : r.findings) {
    EXPECT_EQ(f.property, GetParam());
    EXPECT_TRUE(f.one_minimal) << f.text;
  }
  std::filesystem::remove_all(o.out);
}

INSTANTIATE_TEST_SUITE_P(Properties, FuzzerFinds,
                         ::testing::Values("single-release", "use-after-free",
                                           "refcount-balance", "no-warn",
                                           "host-pairing"));

TEST(FuzzerFinds, TheSeedBugOnTheSeedTopology) {
  Scenario topo;
  topo.topology.devices = {
      {"host0", DeviceKind::kDsiController, Style::kNone, -1, 0},
      {"bridge0", DeviceKind::kI2cBridge, Style::kDevmProbe, 0, 0}};
  FuzzOptions o;
  o.seed = 42;
  o.runs = 200;
  o.topology = topo.topology;
  o.properties = {"use-after-free"};
  o.out = (std::filesystem::temp_directory_path() /
           ("dsifuzz-prop-seed-" + std::to_string(::getpid())))
              .string();
  std::ostringstream log;
  FuzzResult r = Fuzz(o, nullptr, log);
  bool found = false;
  for (const Finding& f : r.findings)
    found |= f.title == "use-after-free in mipi_dsi_detach";
  EXPECT_TRUE(found) << log.str();
  std::filesystem::remove_all(o.out);
}

}  // namespace
}  // namespace dsifuzz
