// drivers/base/core.c in the model: the reference counts of a registered DSI
// device and of its host (reference §2.4 "Refcount arithmetic"), when
// device_for_each_child lets go of a child (§1.12) and the device_add error
// path as mipi_dsi_device_register_full handles it (§1.7, §2.2, B5).
#include <cerrno>
#include <memory>
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
using test::RecordedFact;
using test::Refcount;
using test::StackText;
using test::TestWorld;

TEST(CoreTest, RegisteredDsiDeviceHoldsThreeReferences) {
  TestWorld w({Controller("host0"), Bridge("bridge0", 0)});
  ASSERT_TRUE(w.Apply(EventKind::kBind, "host0").ok());
  ASSERT_TRUE(w.Apply(EventKind::kBind, "bridge0").ok());
  std::vector<ObjId> dsi = LiveObjects(w.state(), ObjType::kMipiDsiDevice);
  ASSERT_EQ(dsi.size(), 1u);
  const mipi_dsi_device& d = test::Object<mipi_dsi_device>(w.state(), dsi[0]);
  // initial + parent klist_children knode + bus klist_devices knode
  EXPECT_EQ(d.dev.kobj.refcount, 3);
  EXPECT_TRUE(d.dev.kobj.state_in_sysfs);
  EXPECT_EQ(d.dev.parent.id, w.Dev("host0"));
  EXPECT_TRUE(d.attached);
}

TEST(CoreTest, HostGainsTwoReferencesPerRegisteredChild) {
  TestWorld w({Controller("host0"), Bridge("bridge0", 0),
               Bridge("bridge1", 0, Style::kDevmProbe, 1)});
  ASSERT_TRUE(w.Apply(EventKind::kBind, "host0").ok());
  const ObjId host = w.Dev("host0");
  const int base = Refcount(w.state(), host);
  ASSERT_TRUE(w.Apply(EventKind::kBind, "bridge0").ok());
  EXPECT_EQ(Refcount(w.state(), host), base + 2);
  ASSERT_TRUE(w.Apply(EventKind::kBind, "bridge1").ok());
  EXPECT_EQ(Refcount(w.state(), host), base + 4);
  // B0: the bridge's unregister (device_del) drops both.
  ASSERT_TRUE(w.Apply(EventKind::kUnbind, "bridge0").ok());
  EXPECT_EQ(Refcount(w.state(), host), base + 2);
  ASSERT_TRUE(w.Apply(EventKind::kUnbind, "bridge1").ok());
  EXPECT_EQ(Refcount(w.state(), host), base);
}

// Runs `unbind host0` with call tracing on; returns its event number.
int UnbindHostTraced(TestWorld& w) {
  w.kernel().set_trace(true);
  EXPECT_TRUE(w.Apply(EventKind::kUnbind, "host0").ok());
  w.kernel().set_trace(false);
  return w.world().events();
}

// The kFree fact of `obj`, which must be unique.
RecordedFact FreeOf(const TestWorld& w, ObjId obj) {
  std::vector<RecordedFact> frees = w.log.Of(FactKind::kFree, -1, obj);
  EXPECT_EQ(frees.size(), 1u) << "object " << obj;
  return frees.empty() ? RecordedFact{} : frees[0];
}

TEST(CoreTest, ChildIsFreedWhenTheIteratorMovesOnNotInTheCallback) {
  TestWorld w({Controller("host0"), Bridge("bridge0", 0)});
  ASSERT_TRUE(w.Apply(EventKind::kBind, "host0").ok());
  ASSERT_TRUE(w.Apply(EventKind::kBind, "bridge0").ok());
  const ObjId dsi = LiveObjects(w.state(), ObjType::kMipiDsiDevice).at(0);
  const int ev = UnbindHostTraced(w);

  const RecordedFact free = FreeOf(w, dsi);
  EXPECT_EQ(free.event, ev);
  EXPECT_TRUE(free.InStack("mipi_dsi_dev_release")) << StackText(free.stack);
  EXPECT_TRUE(free.InStack("klist_next")) << StackText(free.stack);
  EXPECT_TRUE(free.InStack("mipi_dsi_host_unregister"));
  EXPECT_FALSE(free.InStack("mipi_dsi_remove_device_fn"))
      << StackText(free.stack);

  // The callback returned before the free: its kCall precedes the kFree,
  // and klist_next is entered at the callback's depth in between.
  const auto& facts = w.log.facts();
  int call = w.log.Find([](const RecordedFact& f) {
    return f.kind == FactKind::kCall && f.what == "mipi_dsi_remove_device_fn";
  });
  int freed = w.log.Find([&](const RecordedFact& f) {
    return f.kind == FactKind::kFree && f.obj == dsi;
  });
  ASSERT_GE(call, 0);
  ASSERT_GT(freed, call);
  const int callback_depth = facts[call].value;
  bool returned = false;
  for (int i = call + 1; i < freed; ++i) {
    if (facts[i].kind == FactKind::kCall && facts[i].value <= callback_depth &&
        facts[i].what == "klist_next")
      returned = true;
  }
  EXPECT_TRUE(returned) << "klist_next must be entered after the callback";
  // Inside the callback the device loses references down to the one the
  // iterator's knode holds (3 -> 2 -> 1); the last put comes from klist_next.
  std::vector<RecordedFact> puts = w.log.Of(FactKind::kPut, ev, dsi);
  ASSERT_FALSE(puts.empty());
  for (const RecordedFact& put : puts) {
    if (put.InStack("mipi_dsi_remove_device_fn")) {
      EXPECT_GE(put.value, 1);
    } else {
      EXPECT_EQ(put.value, 0);
      EXPECT_TRUE(put.InStack("klist_next")) << StackText(put.stack);
    }
  }
  EXPECT_EQ(puts.back().value, 0);
}

// Reference §1.12 says the last child is freed "at klist_iter_exit". In the
// kernel source (core.c device_for_each_child@6.11, lib/klist.c klist_next)
// the loop calls next_device() once more after the last callback returns 0;
// that klist_next drops the node and returns NULL, so klist_iter_exit has
// nothing left to put. The model follows the source: both are freed under
// klist_next, each before the next callback (or the loop's end).
TEST(CoreTest, TwoChildrenAreEachFreedAsTheIteratorAdvances) {
  TestWorld w({Controller("host0"), Bridge("bridge0", 0),
               Bridge("bridge1", 0, Style::kDevmProbe, 1)});
  ASSERT_TRUE(w.Apply(EventKind::kBind, "host0").ok());
  ASSERT_TRUE(w.Apply(EventKind::kBind, "bridge0").ok());
  ASSERT_TRUE(w.Apply(EventKind::kBind, "bridge1").ok());
  std::vector<ObjId> dsi = LiveObjects(w.state(), ObjType::kMipiDsiDevice);
  ASSERT_EQ(dsi.size(), 2u);
  UnbindHostTraced(w);

  for (ObjId id : dsi) {
    const RecordedFact free = FreeOf(w, id);
    EXPECT_TRUE(free.InStack("klist_next")) << StackText(free.stack);
    EXPECT_FALSE(free.InStack("mipi_dsi_remove_device_fn"));
    EXPECT_FALSE(free.InStack("klist_iter_exit"));
  }
  // Order: callback(dsi0), free(dsi0), callback(dsi1), free(dsi1).
  std::vector<int> callbacks;
  for (size_t i = 0; i < w.log.facts().size(); ++i) {
    const RecordedFact& f = w.log.facts()[i];
    if (f.kind == FactKind::kCall && f.what == "mipi_dsi_remove_device_fn")
      callbacks.push_back(static_cast<int>(i));
  }
  ASSERT_EQ(callbacks.size(), 2u);
  auto freed = [&](ObjId id) {
    return w.log.Find([id](const RecordedFact& f) {
      return f.kind == FactKind::kFree && f.obj == id;
    });
  };
  EXPECT_LT(callbacks[0], freed(dsi[0]));
  EXPECT_LT(freed(dsi[0]), callbacks[1]);
  EXPECT_LT(callbacks[1], freed(dsi[1]));
}

// A callback that stops the walk: the child the iterator still holds is
// put by klist_iter_exit.
class StopKernel : public Kernel {
 public:
  using Kernel::Kernel;
  int RemoveAndStop(DevPtr d, void* data) {
    mipi_dsi_remove_device_fn(d, data);
    return 1;
  }
};

std::unique_ptr<Kernel> MakeStopKernel(State& s, const Topology& t,
                                       FactSink* sink) {
  return std::make_unique<StopKernel>(s, t, sink);
}

TEST(CoreTest, IteratorExitPutsTheChildAnEarlyStopLeavesHeld) {
  Topology topo{{Controller("host0"), Bridge("bridge0", 0)}};
  test::FactLog log;
  World world(topo, &MakeStopKernel, &log);
  world.Setup();
  ASSERT_TRUE(world.Apply(Event{EventKind::kBind, 0}).ok());
  ASSERT_TRUE(world.Apply(Event{EventKind::kBind, 1}).ok());
  const ObjId dsi = LiveObjects(world.state(), ObjType::kMipiDsiDevice).at(0);
  auto& k = static_cast<StopKernel&>(world.kernel());
  const int ret = k.device_for_each_child(
      DevPtr{world.DeviceOf(0)}, nullptr,
      static_cast<Kernel::ChildFn>(&StopKernel::RemoveAndStop));
  EXPECT_EQ(ret, 1);
  std::vector<RecordedFact> frees = log.Of(FactKind::kFree, -1, dsi);
  ASSERT_EQ(frees.size(), 1u);
  EXPECT_TRUE(frees[0].InStack("klist_iter_exit")) << StackText(frees[0].stack);
  EXPECT_FALSE(frees[0].InStack("klist_next"));
}

// B5's path: device_add fails inside mipi_dsi_device_register_full, which
// then kfree()s the initialised device instead of put_device().
TEST(CoreTest, DeviceAddFailureIsFreedWithoutRelease) {
  TestWorld w({Controller("host0"), Bridge("bridge0", 0, Style::kManual)});
  ASSERT_TRUE(w.Apply(EventKind::kBind, "host0").ok());
  const ObjId host = w.Dev("host0");
  const int host_refs = Refcount(w.state(), host);
  ASSERT_TRUE(w.Fail(FaultSite::kDeviceAdd).ok());
  ASSERT_TRUE(w.Apply(EventKind::kBind, "bridge0").ok());
  const int ev = w.world().events();

  EXPECT_EQ(w.log.Count(FactKind::kFaultHit, ev), 1);
  std::vector<ObjId> dsi = Objects(w.state(), ObjType::kMipiDsiDevice);
  ASSERT_EQ(dsi.size(), 1u);
  EXPECT_FALSE(w.state().heap.slot(dsi[0]).live);
  const RecordedFact free = FreeOf(w, dsi[0]);
  EXPECT_TRUE(free.InStack("mipi_dsi_device_register_full"));
  EXPECT_FALSE(free.InStack("mipi_dsi_dev_release")) << StackText(free.stack);
  EXPECT_EQ(w.log.Count(FactKind::kRelease, -1, dsi[0]), 0);
  EXPECT_EQ(w.log.Count(FactKind::kDeviceAdd, -1, dsi[0]), 0);

  // device_add's own error path: dev->p freed, parent reference returned.
  int privs_freed = 0;
  for (ObjId p : Objects(w.state(), ObjType::kDevicePrivate)) {
    const Slot& s = w.state().heap.slot(p);
    if (s.alloc_event == ev) {
      EXPECT_FALSE(s.live);
      ++privs_freed;
    }
  }
  EXPECT_EQ(privs_freed, 1);
  EXPECT_EQ(Refcount(w.state(), host), host_refs);
  std::vector<RecordedFact> probe = w.log.Of(FactKind::kProbeResult, ev);
  ASSERT_EQ(probe.size(), 1u);
  EXPECT_EQ(probe[0].value, -ENOMEM);
  EXPECT_FALSE(w.Bound("bridge0"));

  // At teardown the name set by dev_set_name("host0.0") is a leak.
  w.world().Teardown();
  int name_leaks = 0;
  for (const RecordedFact& f : w.log.Of(FactKind::kLeak)) {
    const Slot& s = w.state().heap.slot(f.obj);
    EXPECT_EQ(s.type, ObjType::kKobjName) << "only the name leaks";
    if (s.type != ObjType::kKobjName) continue;
    const kobj_name& n = test::Object<kobj_name>(w.state(), f.obj);
    EXPECT_EQ(n.label.base, 0);    // host0
    EXPECT_EQ(n.label.suffix, 0);  // .0
    ++name_leaks;
  }
  EXPECT_EQ(name_leaks, 1);
}

}  // namespace
}  // namespace dsifuzz
