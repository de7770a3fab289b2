// Canonicalize(): invisible to the model (same facts, ids renamed), and it
// merges what differs only by history; DecodeState(EncodeCanonical()) too.
#include "model/state_canon.h"

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "model/state_hash.h"
#include "model/testing.h"
#include "model/world.h"

namespace dsifuzz {
namespace {

using namespace dsifuzz::model;  // NOLINT(build/namespaces)
using test::Bridge;
using test::Canonical;
using test::Controller;
using test::FactLog;
using test::Panel;
using test::RenamedRun;

Topology Mixed() {
  Topology t;
  t.devices = {Controller("host0"),
               Controller("host1"),
               Bridge("bridge0", 0),
               Bridge("bridge1", 0, Style::kManual, 1),
               Bridge("bridge2", 1, Style::kNoUnregister),
               Panel("panel0", 1, Style::kAttach, 1),
               Panel("panel1", 0, Style::kDevmAttach, 2)};
  return t;
}

std::string Encode(const State& s) {
  std::string out;
  EncodeState(s, out);
  return out;
}

constexpr Event kBindHost{EventKind::kBind, 0};
constexpr Event kBindBridge{EventKind::kBind, 1};
constexpr Event kUnbindBridge{EventKind::kUnbind, 1};
constexpr Event kUnbindHost{EventKind::kUnbind, 0};

// Two worlds run the same random events; `canon` is put in canonical form
// after every event. Their facts must match one for one, with every id of
// `canon` standing for the id of `plain` that the renamings say, and the
// canonical form of `plain` must be `canon` byte for byte.
void RunSide(const Topology& topo, const std::string& variant, uint32_t seed,
             int length) {
  SCOPED_TRACE(variant + " seed " + std::to_string(seed));
  FactLog plain_log, canon_log;
  World plain(topo, FindVariant(variant), &plain_log);
  World canon(topo, FindVariant(variant), &canon_log);
  plain.Setup();
  canon.Setup();
  RenamedRun run(plain_log, canon_log, canon.state().heap.size());
  auto canonicalize = [&] {
    const size_t old_size = canon.state().heap.size();
    Renaming r;
    canon.Canonicalize(r);
    run.Renamed(r, old_size, canon.state().heap.size());
  };
  std::mt19937 rng(seed);
  std::vector<Event> enabled;
  for (int i = 0; i < length; ++i) {
    enabled.clear();
    plain.EnabledEvents(enabled);
    const Event e = enabled[rng() % enabled.size()];
    ASSERT_TRUE(plain.Apply(e).ok());
    ASSERT_TRUE(canon.Apply(e).ok());
    ASSERT_NO_FATAL_FAILURE(run.Compare());
    canonicalize();
    // And through the encoding again: the canonical world goes on from
    // its decoded encoding, which must lose nothing the model reads.
    const std::string encoding = Canonical(canon.state());
    State decoded = canon.state();
    std::string_view in = encoding;
    ASSERT_TRUE(DecodeState(in, decoded));
    ASSERT_TRUE(in.empty());
    ASSERT_TRUE(Canonical(decoded) == encoding);
    canon.Restore(decoded, &canon_log);
    // The canonical form of the plain world, which kept every object and
    // its allocation order, is the canonical world's.
    State copy = plain.state();
    Renaming r;
    Canonicalize(copy, r);
    if (r.orphans() == 0) {
      ASSERT_TRUE(Encode(copy) == Encode(canon.state())) << "after event " << i;
    }
    // Deterministic: canonical twice is canonical, and encodes alike.
    const std::string once = Canonical(copy);
    Canonicalize(copy, r);
    ASSERT_TRUE(r.identity());
    ASSERT_TRUE(Canonical(copy) == once);
  }
  plain.Teardown();
  canon.Teardown();
  ASSERT_NO_FATAL_FAILURE(run.Compare());
  EXPECT_TRUE(run.LeaksMatch());
}

// Arming a fault changes a canonical encoding in place: on random states
// of every variant, the key of the state after `fail SITE` is the key
// before it with that countdown rewritten.
TEST(Canonicalize, ArmingAFaultRewritesTheEncodingInPlace) {
  int rewritten = 0;
  const Topology topo = Mixed();
  test::ForEachWalkState(topo, 10, 16,
                         [&](const std::string&, World& w,
                             const std::vector<Event>& enabled, int) {
                           const State before = w.Save();
                           for (const Event& e : enabled) {
                             if (e.kind != EventKind::kFail) continue;
                             std::string key = Canonical(before);
                             RewriteFault(key, e.arg, e.count);
                             ASSERT_TRUE(w.Apply(e).ok());
                             ASSERT_TRUE(key == Canonical(w.state()))
                                 << w.Format(e);
                             w.Restore(before, nullptr);
                             ++rewritten;
                           }
                         });
  EXPECT_GT(rewritten, 1000);
}

TEST(Canonicalize, DecodeRefusesWhatIsNotAnEncoding) {
  FactLog log;
  const Topology topo = SeedTopology();
  World w(topo, FindVariant("upstream-6.11"), &log);
  w.Setup();
  ASSERT_TRUE(w.Apply(kBindHost).ok());
  const std::string encoding = Canonical(w.state());
  for (size_t cut :
       {size_t{0}, size_t{3}, encoding.size() / 2, encoding.size() - 1}) {
    State s;
    std::string_view in(encoding.data(), cut);
    EXPECT_FALSE(DecodeState(in, s)) << cut;
  }
  std::string garbage(encoding.size(), '\xff');
  State s;
  std::string_view in = garbage;
  EXPECT_FALSE(DecodeState(in, s));
  // Any byte changed, truncated or not: the decoder reads fields without a
  // check each, from a padded copy, and must stay within it (run under
  // ASan by .ci) and never accept a truncated input.
  for (size_t at = 0; at < encoding.size(); ++at) {
    for (char v : {'\x00', '\x7f', '\xff'}) {
      std::string changed = encoding;
      changed[at] = v;
      State d;
      std::string_view whole = changed;
      DecodeState(whole, d);
      std::string_view cut(changed.data(), at);
      EXPECT_FALSE(DecodeState(cut, d)) << at;
    }
  }
}

TEST(Canonicalize, IsInvisibleToTheModel) {
  for (const std::string& variant : VariantNames()) {
    for (uint32_t seed = 1; seed <= 40; ++seed) {
      RunSide(SeedTopology(), variant, seed, 14);
      RunSide(Mixed(), variant, seed, 24);
      if (HasFatalFailure()) return;
    }
  }
}

// The state after `events` on `variant`, in canonical form.
std::string CanonicalAfter(const std::string& variant,
                           const std::vector<Event>& events) {
  FactLog log;
  const Topology topo = SeedTopology();
  World w(topo, FindVariant(variant), &log);
  w.Setup();
  for (const Event& e : events) EXPECT_TRUE(w.Apply(e).ok());
  Renaming r;
  w.Canonicalize(r);
  return Encode(w.state());
}

TEST(Canonicalize, BindUnbindBindIsTheStateOfOneBind) {
  for (const char* variant : {"upstream-6.11", "dsifuzz-fix"}) {
    SCOPED_TRACE(variant);
    const std::string once = CanonicalAfter(variant, {kBindHost, kBindBridge});
    EXPECT_EQ(once, CanonicalAfter(variant, {kBindHost, kBindBridge,
                                             kUnbindBridge, kBindBridge}));
    // Without canonical form the second bind's objects are new slots.
    FactLog log;
    const Topology topo = SeedTopology();
    World w(topo, FindVariant(variant), &log);
    w.Setup();
    for (const Event& e : {kBindHost, kBindBridge, kUnbindBridge, kBindBridge})
      ASSERT_TRUE(w.Apply(e).ok());
    EXPECT_NE(once, Encode(w.state()));
  }
}

TEST(Canonicalize, KeepsFreedObjectsThatAreStillPointedAt) {
  // upstream-6.11, host first: the DSI device is freed, the bridge still
  // holds it, and its devres actions will use it.
  FactLog log;
  const Topology topo = SeedTopology();
  World w(topo, FindVariant("upstream-6.11"), &log);
  w.Setup();
  for (const Event& e : {kBindHost, kBindBridge, kUnbindHost})
    ASSERT_TRUE(w.Apply(e).ok());
  Renaming r;
  w.Canonicalize(r);
  bool freed_dsi = false;
  for (ObjId id = 1; id < w.state().heap.size(); ++id) {
    const Slot& slot = w.state().heap.slot(id);
    if (slot.type == ObjType::kMipiDsiDevice && !slot.live) freed_dsi = true;
  }
  EXPECT_TRUE(freed_dsi);
  const int before = log.Count(FactKind::kBadAccess);
  ASSERT_TRUE(w.Apply(kUnbindBridge).ok());
  EXPECT_GT(log.Count(FactKind::kBadAccess), before);
}

TEST(Canonicalize, DropsWhatNothingReaches) {
  FactLog log;
  const Topology topo = SeedTopology();
  World w(topo, FindVariant("dsifuzz-fix"), &log);
  w.Setup();
  for (const Event& e : {kBindHost, kBindBridge, kUnbindBridge, kUnbindHost})
    ASSERT_TRUE(w.Apply(e).ok());
  const size_t before = w.state().heap.size();
  Renaming r;
  w.Canonicalize(r);
  EXPECT_FALSE(r.identity());
  EXPECT_LT(w.state().heap.size(), before);
  // Only what setup made is left, live, and the bridge's last devres group,
  // freed: i2c_device_remove releases it and leaves the client's
  // devres_group_id pointing at it (drivers/i2c/i2c-core-base.c@6.11).
  for (ObjId id = 1; id < w.state().heap.size(); ++id) {
    const Slot& slot = w.state().heap.slot(id);
    EXPECT_TRUE(slot.live || slot.type == ObjType::kDevresGroup)
        << id << " " << ObjTypeName(slot.type);
  }
}

}  // namespace
}  // namespace dsifuzz
