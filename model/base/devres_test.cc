// drivers/base/devres.c in the model (reference §3, B6): release is LIFO,
// devm_add_action_or_reset runs the action exactly once when the node
// cannot be allocated, devm_remove_action/devm_release_action WARN when the
// action is missing.
#include <algorithm>
#include <cerrno>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "model/kernel.h"
#include "model/testing.h"

namespace dsifuzz {
namespace {

using namespace dsifuzz::model;  // NOLINT(build/namespaces)
using test::Bridge;
using test::Controller;
using test::Objects;
using test::RecordedFact;
using test::StackText;
using test::TestWorld;

constexpr int kUnregister =
    static_cast<int>(DevresAction::kDevmMipiDsiDeviceUnregister);
constexpr int kDetach = static_cast<int>(DevresAction::kDevmMipiDsiDetach);

// Index in the log of the first fact of `kind` on `obj`.
int IndexOf(const TestWorld& w, FactKind kind, ObjId obj = 0) {
  return w.log.Find([&](const RecordedFact& f) {
    return f.kind == kind && (obj == 0 || f.obj == obj);
  });
}

TEST(DevresTest, BridgeDevresIsReleasedInReverseOrder) {
  TestWorld w({Controller("host0"), Bridge("bridge0", 0)});
  ASSERT_TRUE(w.Apply(EventKind::kBind, "host0").ok());
  ASSERT_TRUE(w.Apply(EventKind::kBind, "bridge0").ok());
  const int bind = w.world().events();
  const ObjId dsi = Objects(w.state(), ObjType::kMipiDsiDevice).at(0);
  ASSERT_TRUE(w.Apply(EventKind::kUnbind, "bridge0").ok());
  const int unbind = w.world().events();

  // Added: group, bridge_priv, unregister action, detach action. The group
  // marker is freed without a release of its own.
  std::vector<ObjId> added;
  std::vector<int> added_actions;
  for (const RecordedFact& f : w.log.Of(FactKind::kDevresAdd, bind)) {
    if (w.state().heap.slot(f.obj).type == ObjType::kDevresGroup) continue;
    added.push_back(f.obj);
    added_actions.push_back(f.value);
  }
  EXPECT_EQ(added_actions, (std::vector<int>{0, kUnregister, kDetach}));
  std::vector<ObjId> run;
  std::vector<int> run_actions;
  for (const RecordedFact& f : w.log.Of(FactKind::kDevresRun, unbind)) {
    run.push_back(f.obj);
    run_actions.push_back(f.value);
  }
  std::reverse(added.begin(), added.end());
  EXPECT_EQ(run, added);
  EXPECT_EQ(run_actions, (std::vector<int>{kDetach, kUnregister, 0}));

  // Detach before unregister: the host detach precedes the free.
  const int detach = IndexOf(w, FactKind::kHostDetach, dsi);
  const int freed = IndexOf(w, FactKind::kFree, dsi);
  ASSERT_GE(detach, 0);
  ASSERT_GE(freed, 0);
  EXPECT_LT(detach, freed);
  EXPECT_EQ(w.log.Count(FactKind::kWarn), 0);
  EXPECT_EQ(w.log.Count(FactKind::kBadAccess), 0);
}

TEST(DevresTest, ReleaseAllRunsNewestFirst) {
  TestWorld w({Controller("host0")});
  ASSERT_TRUE(w.Apply(EventKind::kBind, "host0").ok());
  const DevPtr host{w.Dev("host0")};
  for (ObjId data : {11u, 12u, 13u})
    ASSERT_EQ(w.kernel().__devm_add_action(host, DevresAction::kNone, data), 0);
  std::vector<ObjId> added;
  for (const RecordedFact& f : w.log.Of(FactKind::kDevresAdd)) {
    added.push_back(f.obj);  // dsi_controller, then the three actions
  }
  ASSERT_EQ(added.size(), 4u);
  ASSERT_TRUE(w.Apply(EventKind::kUnbind, "host0").ok());
  std::vector<ObjId> run;
  for (const RecordedFact& f :
       w.log.Of(FactKind::kDevresRun, w.world().events()))
    run.push_back(f.obj);
  std::reverse(added.begin(), added.end());
  EXPECT_EQ(run, added);
  for (ObjId node : added) EXPECT_FALSE(w.state().heap.slot(node).live);
}

// B6: the 4th devres allocation of a devm-probe bridge (group, bridge_priv,
// register action, attach action) fails: the detach runs at once, then the
// failed probe's group release unregisters the DSI device. Balanced.
TEST(DevresTest, AddActionOrResetRunsDetachOnceWhenAttachNodeFails) {
  TestWorld w({Controller("host0"), Bridge("bridge0", 0)});
  ASSERT_TRUE(w.Apply(EventKind::kBind, "host0").ok());
  ASSERT_TRUE(w.Fail(FaultSite::kDevres, 4).ok());
  ASSERT_TRUE(w.Apply(EventKind::kBind, "bridge0").ok());
  const int ev = w.world().events();

  EXPECT_EQ(w.log.Count(FactKind::kFaultHit, ev), 1);
  EXPECT_EQ(w.log.Count(FactKind::kHostAttach), 1);
  EXPECT_EQ(w.log.Count(FactKind::kHostDetach), 1);
  std::vector<RecordedFact> reset;
  for (const RecordedFact& f : w.log.Of(FactKind::kDevresRun, ev))
    if (f.what == "or_reset") reset.push_back(f);
  ASSERT_EQ(reset.size(), 1u);
  EXPECT_EQ(reset[0].value, kDetach);

  std::vector<ObjId> dsi = Objects(w.state(), ObjType::kMipiDsiDevice);
  ASSERT_EQ(dsi.size(), 1u);
  EXPECT_EQ(w.log.Count(FactKind::kFree, -1, dsi[0]), 1);
  EXPECT_EQ(w.log.Count(FactKind::kRelease, -1, dsi[0]), 1);
  EXPECT_LT(IndexOf(w, FactKind::kHostDetach, dsi[0]),
            IndexOf(w, FactKind::kFree, dsi[0]));
  std::vector<RecordedFact> probe = w.log.Of(FactKind::kProbeResult, ev);
  ASSERT_EQ(probe.size(), 1u);
  EXPECT_EQ(probe[0].value, -ENOMEM);
  EXPECT_FALSE(w.Bound("bridge0"));

  w.world().Teardown();
  EXPECT_EQ(w.log.Count(FactKind::kWarn), 0);
  EXPECT_EQ(w.log.Count(FactKind::kDoubleFree), 0);
  EXPECT_EQ(w.log.Count(FactKind::kBadAccess), 0);
  EXPECT_EQ(w.log.Count(FactKind::kLeak), 0);
  EXPECT_EQ(w.log.Count(FactKind::kRefLeak), 0);
}

// The 3rd allocation (the register action) fails: _or_reset unregisters
// and frees the DSI device at once; no attach happens.
TEST(DevresTest, AddActionOrResetUnregistersOnceWhenRegisterNodeFails) {
  TestWorld w({Controller("host0"), Bridge("bridge0", 0)});
  ASSERT_TRUE(w.Apply(EventKind::kBind, "host0").ok());
  ASSERT_TRUE(w.Fail(FaultSite::kDevres, 3).ok());
  ASSERT_TRUE(w.Apply(EventKind::kBind, "bridge0").ok());
  const int ev = w.world().events();

  std::vector<ObjId> dsi = Objects(w.state(), ObjType::kMipiDsiDevice);
  ASSERT_EQ(dsi.size(), 1u);
  EXPECT_EQ(w.log.Count(FactKind::kDeviceDel, -1, dsi[0]), 1);
  EXPECT_EQ(w.log.Count(FactKind::kRelease, -1, dsi[0]), 1);
  std::vector<RecordedFact> frees = w.log.Of(FactKind::kFree, -1, dsi[0]);
  ASSERT_EQ(frees.size(), 1u);
  EXPECT_TRUE(frees[0].InStack("devm_add_action_or_reset"))
      << StackText(frees[0].stack);
  EXPECT_TRUE(frees[0].InStack("devm_mipi_dsi_device_unregister"));
  std::vector<RecordedFact> reset;
  for (const RecordedFact& f : w.log.Of(FactKind::kDevresRun, ev))
    if (f.what == "or_reset") reset.push_back(f);
  ASSERT_EQ(reset.size(), 1u);
  EXPECT_EQ(reset[0].value, kUnregister);
  EXPECT_EQ(w.log.Count(FactKind::kHostAttach), 0);
  EXPECT_EQ(w.log.Count(FactKind::kHostDetach), 0);
  EXPECT_FALSE(w.Bound("bridge0"));

  w.world().Teardown();
  EXPECT_EQ(w.log.Count(FactKind::kWarn), 0);
  EXPECT_EQ(w.log.Count(FactKind::kBadAccess), 0);
  EXPECT_EQ(w.log.Count(FactKind::kLeak), 0);
}

TEST(DevresTest, RemoveOrReleaseOfAMissingActionWarns) {
  TestWorld w({Controller("host0")});
  ASSERT_TRUE(w.Apply(EventKind::kBind, "host0").ok());
  const DevPtr host{w.Dev("host0")};
  w.kernel().devm_remove_action(host, DevresAction::kDevmMipiDsiDetach, 42);
  std::vector<RecordedFact> warns = w.log.Of(FactKind::kWarn);
  ASSERT_EQ(warns.size(), 1u);
  EXPECT_NE(warns[0].what.find("devm_remove_action"), std::string::npos)
      << warns[0].what;
  w.kernel().devm_release_action(host, DevresAction::kDevmMipiDsiDetach, 42);
  warns = w.log.Of(FactKind::kWarn);
  ASSERT_EQ(warns.size(), 2u);
  EXPECT_NE(warns[1].what.find("devm_release_action"), std::string::npos)
      << warns[1].what;
  EXPECT_EQ(w.log.Count(FactKind::kDevresRun), 0);
  EXPECT_EQ(w.log.Count(FactKind::kDevresRemove), 0);
}

// devm_remove_action matches action and data, and removes the node without
// running it.
TEST(DevresTest, RemoveActionMatchesActionAndDataWithoutRunning) {
  TestWorld w({Controller("host0")});
  ASSERT_TRUE(w.Apply(EventKind::kBind, "host0").ok());
  const DevPtr host{w.Dev("host0")};
  Kernel& k = w.kernel();
  ASSERT_EQ(k.__devm_add_action(host, DevresAction::kNone, 1), 0);
  ASSERT_EQ(k.__devm_add_action(host, DevresAction::kNone, 2), 0);
  const size_t before = test::DeviceIn(w.state(), host.id).devres_head.size();
  k.devm_remove_action(host, DevresAction::kNone, 1);
  const DevresList& head = test::DeviceIn(w.state(), host.id).devres_head;
  ASSERT_EQ(head.size(), before - 1);
  EXPECT_EQ(head.back().data, 2u) << "the other action stays";
  std::vector<RecordedFact> removed = w.log.Of(FactKind::kDevresRemove);
  ASSERT_EQ(removed.size(), 1u);
  EXPECT_FALSE(w.state().heap.slot(removed[0].obj).live);
  EXPECT_EQ(w.log.Count(FactKind::kDevresRun), 0);
  EXPECT_EQ(w.log.Count(FactKind::kWarn), 0);
}

}  // namespace
}  // namespace dsifuzz
