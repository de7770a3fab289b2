// drivers/gpu/drm/drm_mipi_dsi.c in the model (reference §1, B1, B3, B5,
// B7): register_full's checks, the WARN in mipi_dsi_detach, panels probing
// inside mipi_dsi_host_register, and a bridge deferring until its host is
// listed.
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
using test::LiveObjects;
using test::Objects;
using test::Panel;
using test::RecordedFact;
using test::StackText;
using test::TestWorld;

constexpr char kDetachWarn[] = "drm_mipi_dsi.c:397";

int ProbeResult(const TestWorld& w, int event) {
  std::vector<RecordedFact> r = w.log.Of(FactKind::kProbeResult, event);
  EXPECT_EQ(r.size(), 1u) << "event " << event;
  return r.empty() ? 0 : r.back().value;
}

std::vector<RecordedFact> DetachWarns(const TestWorld& w) {
  std::vector<RecordedFact> out;
  for (const RecordedFact& f : w.log.Of(FactKind::kWarn)) {
    if (f.what.find(kDetachWarn) != std::string::npos) out.push_back(f);
  }
  return out;
}

TEST(MipiDsiTest, ChannelAboveThreeFailsBeforeAllocating) {
  TestWorld w({Controller("host0"), Bridge("bridge0", 0, Style::kDevmProbe,
                                           /*channel=*/4)});
  ASSERT_TRUE(w.Apply(EventKind::kBind, "host0").ok());
  ASSERT_TRUE(w.Apply(EventKind::kBind, "bridge0").ok());
  const int ev = w.world().events();
  EXPECT_EQ(ProbeResult(w, ev), -EINVAL);
  bool logged = false;
  for (const RecordedFact& f : w.log.Of(FactKind::kPrintk, ev))
    logged |= f.what == "invalid virtual channel" && f.value == -EINVAL;
  EXPECT_TRUE(logged);
  EXPECT_TRUE(Objects(w.state(), ObjType::kMipiDsiDevice).empty());
  EXPECT_FALSE(w.Bound("bridge0"));
}

// B7: a DT child with reg = <4>: of_mipi_dsi_device_add took the node
// reference before register_full refused, and nobody puts it.
TEST(MipiDsiTest, PanelChannelAboveThreeLeaksTheNodeReference) {
  TestWorld w(
      {Controller("host0"), Panel("panel0", 0, Style::kAttach, /*channel=*/4)});
  ASSERT_TRUE(w.Apply(EventKind::kBind, "host0").ok());
  EXPECT_TRUE(Objects(w.state(), ObjType::kMipiDsiDevice).empty());
  EXPECT_EQ(w.state().of_refcount[1], 1);
  w.world().Teardown();
  EXPECT_EQ(w.log.Count(FactKind::kRefLeak), 1);
}

TEST(MipiDsiTest, DuplicateHostAndChannelFailsWithEexist) {
  TestWorld w(
      {Controller("host0"), Bridge("bridge0", 0), Bridge("bridge1", 0)});
  ASSERT_TRUE(w.Apply(EventKind::kBind, "host0").ok());
  ASSERT_TRUE(w.Apply(EventKind::kBind, "bridge0").ok());
  ASSERT_TRUE(w.Bound("bridge0"));
  ASSERT_TRUE(w.Apply(EventKind::kBind, "bridge1").ok());
  const int ev = w.world().events();
  EXPECT_FALSE(w.Bound("bridge1"));
  EXPECT_EQ(ProbeResult(w, ev), -EEXIST);
  int eexist = 0;
  for (const RecordedFact& f : w.log.Of(FactKind::kPrintk, ev))
    eexist += f.value == -EEXIST;
  EXPECT_GE(eexist, 1);
  // The second DSI device went the B5 way: kfree, no release.
  std::vector<ObjId> dsi = Objects(w.state(), ObjType::kMipiDsiDevice);
  ASSERT_EQ(dsi.size(), 2u);
  EXPECT_TRUE(w.state().heap.slot(dsi[0]).live);
  EXPECT_FALSE(w.state().heap.slot(dsi[1]).live);
  EXPECT_EQ(w.log.Count(FactKind::kRelease, -1, dsi[1]), 0);
  EXPECT_EQ(w.log.Count(FactKind::kHostAttach), 1);
}

// B3 (a): a panel that detaches in its remove; the host unbinds first.
TEST(MipiDsiTest, DtPanelHostFirstWarnsOnceWithoutUseAfterFree) {
  TestWorld w({Controller("host0"), Panel("panel0", 0, Style::kAttach)});
  ASSERT_TRUE(w.Apply(EventKind::kBind, "host0").ok());
  ASSERT_TRUE(w.Bound("panel0"));
  ASSERT_TRUE(w.Apply(EventKind::kUnbind, "host0").ok());
  std::vector<RecordedFact> warns = w.log.Of(FactKind::kWarn);
  ASSERT_EQ(warns.size(), 1u);
  EXPECT_NE(warns[0].what.find(kDetachWarn), std::string::npos);
  EXPECT_EQ(warns[0].func, "mipi_dsi_detach");
  EXPECT_TRUE(warns[0].InStack("panel_remove")) << StackText(warns[0].stack);
  EXPECT_EQ(w.log.Count(FactKind::kBadAccess), 0);
  EXPECT_EQ(w.log.Count(FactKind::kHostDetach), 1);
  bool logged = false;
  for (const RecordedFact& f : w.log.Of(FactKind::kPrintk))
    logged |= f.what == "failed to detach from DSI host" && f.value == -EINVAL;
  EXPECT_TRUE(logged);
  EXPECT_TRUE(LiveObjects(w.state(), ObjType::kMipiDsiDevice).empty());
}

// B3 (b): devm_mipi_dsi_attach(&dsi->dev, dsi); the devres action WARNs.
TEST(MipiDsiTest, DevmAttachPanelHostFirstWarnsInTheDevresAction) {
  TestWorld w({Controller("host0"), Panel("panel0", 0, Style::kDevmAttach)});
  ASSERT_TRUE(w.Apply(EventKind::kBind, "host0").ok());
  ASSERT_TRUE(w.Apply(EventKind::kUnbind, "host0").ok());
  std::vector<RecordedFact> warns = w.log.Of(FactKind::kWarn);
  ASSERT_EQ(warns.size(), 1u);
  EXPECT_NE(warns[0].what.find(kDetachWarn), std::string::npos);
  EXPECT_TRUE(warns[0].InStack("devm_mipi_dsi_detach"))
      << StackText(warns[0].stack);
  EXPECT_EQ(w.log.Count(FactKind::kBadAccess), 0);
  EXPECT_EQ(w.log.Count(FactKind::kHostDetach), 1);
}

// B1: mipi_dsi_detach reads dsi->host (a use-after-free) before its WARN.
TEST(MipiDsiTest, DetachReadsHostBeforeTheWarn) {
  TestWorld w({Controller("host0"), Bridge("bridge0", 0)});
  ASSERT_TRUE(w.Apply(EventKind::kBind, "host0").ok());
  ASSERT_TRUE(w.Apply(EventKind::kBind, "bridge0").ok());
  ASSERT_TRUE(w.Apply(EventKind::kUnbind, "host0").ok());
  ASSERT_TRUE(w.Apply(EventKind::kUnbind, "bridge0").ok());
  const int ev = w.world().events();
  std::vector<RecordedFact> bad = w.log.Of(FactKind::kBadAccess, ev);
  std::vector<RecordedFact> warns = DetachWarns(w);
  ASSERT_FALSE(bad.empty());
  ASSERT_EQ(warns.size(), 1u);
  EXPECT_LT(bad[0].seq, warns[0].seq);
  EXPECT_EQ(bad[0].func, "mipi_dsi_detach");
  EXPECT_EQ(bad[0].what, "read dsi->host");
  EXPECT_EQ(w.state().heap.slot(bad[0].obj).type, ObjType::kMipiDsiDevice);
}

// §1.11: DT children are added, and probe, before the host is listed.
TEST(MipiDsiTest, PanelProbesInsideHostRegisterBeforeTheHostIsListed) {
  TestWorld w({Controller("host0"), Panel("panel0", 0, Style::kAttach)});
  int attaches = 0;
  size_t listed_at_attach = 99;
  w.log.hook = [&](const Fact& f) {
    if (f.kind != FactKind::kHostAttach) return;
    ++attaches;
    listed_at_attach = w.state().host_list.size();
  };
  ASSERT_TRUE(w.Apply(EventKind::kBind, "host0").ok());
  EXPECT_EQ(attaches, 1);
  EXPECT_EQ(listed_at_attach, 0u);
  EXPECT_EQ(w.state().host_list.size(), 1u);
  std::vector<RecordedFact> attach = w.log.Of(FactKind::kHostAttach);
  ASSERT_EQ(attach.size(), 1u);
  EXPECT_EQ(attach[0].event, 1);
  EXPECT_TRUE(attach[0].InStack("mipi_dsi_host_register"));
  EXPECT_TRUE(attach[0].InStack("panel_probe"));
}

// §2.5: a bridge bound before its host defers; the host's bind triggers it;
// the deferred-probe work binds it.
TEST(MipiDsiTest, BridgeDefersUntilTheHostIsRegistered) {
  TestWorld w({Controller("host0"), Bridge("bridge0", 0)});
  ASSERT_TRUE(w.Apply(EventKind::kBind, "bridge0").ok());
  EXPECT_EQ(ProbeResult(w, 1), -EPROBE_DEFER);
  EXPECT_FALSE(w.Bound("bridge0"));
  const ObjId p = test::DeviceIn(w.state(), w.Dev("bridge0")).p;
  EXPECT_EQ(w.state().deferred_pending, ObjList{p});
  EXPECT_TRUE(w.state().deferred_active.empty());

  ASSERT_TRUE(w.Apply(EventKind::kBind, "host0").ok());
  EXPECT_TRUE(w.state().deferred_pending.empty());
  EXPECT_EQ(w.state().deferred_active, ObjList{p});
  EXPECT_FALSE(w.Bound("bridge0"));
  EXPECT_EQ(w.log.Count(FactKind::kHostAttach), 0);

  ASSERT_TRUE(w.Apply(Event{EventKind::kDeferredProbe}).ok());
  EXPECT_TRUE(w.Bound("bridge0"));
  EXPECT_TRUE(w.state().deferred_active.empty());
  EXPECT_EQ(w.log.Count(FactKind::kHostAttach, 3), 1);
  EXPECT_EQ(ProbeResult(w, 3), 0);
}

TEST(MipiDsiTest, TransferGoesThroughTheHost) {
  TestWorld w({Controller("host0"), Bridge("bridge0", 0)});
  ASSERT_TRUE(w.Apply(EventKind::kBind, "host0").ok());
  ASSERT_TRUE(w.Apply(EventKind::kBind, "bridge0").ok());
  ASSERT_TRUE(w.Apply(EventKind::kTransfer, "bridge0").ok());
  const ObjId ctl = LiveObjects(w.state(), ObjType::kDsiController).at(0);
  EXPECT_EQ(test::Object<dsi_controller>(w.state(), ctl).transfers, 1u);
  EXPECT_EQ(w.log.Count(FactKind::kBadAccess), 0);
}

}  // namespace
}  // namespace dsifuzz
