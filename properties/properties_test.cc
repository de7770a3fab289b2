// Unit tests of the properties on hand-built fact traces: for each property
// a trace that must break it (with the exact kind, title, event and heap
// records of the violation) and one that must not, plus the registry.
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "model/fact.h"
#include "model/mm/heap.h"
#include "properties/property.h"
#include "properties/registry.h"

namespace dsifuzz {
namespace {

using model::Fact;
using model::FactKind;
using model::Heap;
using model::ObjId;
using model::ObjType;
using model::StackRef;

// Builds facts against one heap. Stacks passed in must outlive the facts.
class Trace {
 public:
  // Allocates a slot of `type` at `event`, allocated from `stack`.
  ObjId Alloc(ObjType type, int event, const Stack& stack) {
    return heap_.NewSlot(type, 0, event, Record(stack));
  }
  void Free(ObjId id, int event, const Stack& stack) {
    heap_.Retire(id, event, Record(stack));
  }

  // A fact of `kind` at `event` on `obj` with the model stack `stack`
  // (outermost first); func is its innermost frame.
  Fact Make(FactKind kind, int event, ObjId obj, const Stack& stack,
            const char* what = "") const {
    Fact f;
    f.kind = kind;
    f.event = event;
    f.obj = obj;
    f.func = stack.empty() ? "" : stack.back();
    f.what = what;
    f.stack = stack.data();
    f.depth = static_cast<int>(stack.size());
    if (heap_.Valid(obj)) f.slot = &heap_.slot(obj);
    f.heap = &heap_;
    return f;
  }

 private:
  StackRef Record(const Stack& stack) {
    return heap_.Record(stack.data(), static_cast<int>(stack.size()));
  }

  Heap heap_;
};

std::vector<std::string> Strings(const Stack& s) {
  return std::vector<std::string>(s.begin(), s.end());
}

// ---- MakeViolation ----------------------------------------------------------

TEST(MakeViolationTest, CopiesFactAndHeapRecords) {
  Trace t;
  const Stack alloc = {"bind", "mipi_dsi_device_register_full", "kzalloc"};
  const Stack free = {"mipi_dsi_host_unregister", "kfree"};
  const Stack at = {"unbind", "mipi_dsi_detach"};
  ObjId dsi = t.Alloc(ObjType::kMipiDsiDevice, 2, alloc);
  t.Free(dsi, 3, free);
  Fact f = t.Make(FactKind::kBadAccess, 4, dsi, at, "read dsi->host");
  f.teardown = true;

  Violation v = MakeViolation(f, "prop", "kind");
  EXPECT_EQ(v.property, "prop");
  EXPECT_EQ(v.kind, "kind");
  EXPECT_EQ(v.function, "mipi_dsi_detach");
  EXPECT_EQ(v.detail, "read dsi->host");
  EXPECT_EQ(v.event, 4);
  EXPECT_TRUE(v.teardown);
  EXPECT_EQ(Strings(v.stack), Strings(at));
  EXPECT_EQ(v.obj, dsi);
  EXPECT_EQ(v.object, "struct mipi_dsi_device#1");
  EXPECT_EQ(v.alloc_event, 2);
  EXPECT_EQ(Strings(v.alloc_stack), Strings(alloc));
  EXPECT_EQ(v.free_event, 3);
  EXPECT_EQ(Strings(v.free_stack), Strings(free));
}

TEST(MakeViolationTest, WorldFactWithoutObject) {
  Trace t;
  Fact f = t.Make(FactKind::kWarn, 1, 0, {}, "core.c:1");
  Violation v = MakeViolation(f, "p", "WARNING");
  EXPECT_EQ(v.function, "(world)");
  EXPECT_EQ(v.Title(), "WARNING in (world)");
  EXPECT_TRUE(v.stack.empty());
  EXPECT_EQ(v.object, "");
  EXPECT_EQ(v.alloc_event, -1);
  EXPECT_EQ(v.free_event, -1);
}

TEST(MakeViolationTest, LiveObjectHasNoFreeRecord) {
  Trace t;
  const Stack alloc = {"probe", "kzalloc"};
  t.Alloc(ObjType::kMipiDsiDevice, 1, alloc);
  ObjId second = t.Alloc(ObjType::kMipiDsiDevice, 2, alloc);
  Violation v =
      MakeViolation(t.Make(FactKind::kLeak, 9, second, {}), "p", "leak");
  EXPECT_EQ(v.object, "struct mipi_dsi_device#2");
  EXPECT_EQ(v.alloc_event, 2);
  EXPECT_EQ(v.free_event, -1);
  EXPECT_TRUE(v.free_stack.empty());
}

// ---- single-release ---------------------------------------------------------

TEST(SingleReleaseTest, DoubleUnregisterIsReportedInTheCaller) {
  Trace t;
  const Stack alloc = {"bind", "mipi_dsi_device_register_full", "kzalloc"};
  const Stack del = {"unbind", "mipi_dsi_host_unregister",
                     "mipi_dsi_device_unregister", "device_unregister",
                     "device_del"};
  ObjId dsi = t.Alloc(ObjType::kMipiDsiDevice, 1, alloc);
  auto p = MakeSingleRelease();
  p->OnFact(t.Make(FactKind::kDeviceDel, 3, dsi, del));
  EXPECT_TRUE(p->violations().empty());
  p->OnFact(t.Make(FactKind::kDeviceDel, 5, dsi, del));
  ASSERT_EQ(p->violations().size(), 1u);
  const Violation& v = p->violations()[0];
  EXPECT_EQ(v.property, "single-release");
  EXPECT_EQ(v.kind, "double-unregister");
  EXPECT_EQ(v.Title(), "double-unregister in mipi_dsi_device_unregister");
  EXPECT_EQ(v.event, 5);
  EXPECT_EQ(v.object, "struct mipi_dsi_device#1");
  EXPECT_EQ(Strings(v.stack), Strings(del));
}

TEST(SingleReleaseTest, DeviceDelOfTwoObjectsIsFine) {
  Trace t;
  const Stack alloc = {"bind", "kzalloc"};
  const Stack del = {"unbind", "device_unregister", "device_del"};
  ObjId a = t.Alloc(ObjType::kMipiDsiDevice, 1, alloc);
  ObjId b = t.Alloc(ObjType::kMipiDsiDevice, 1, alloc);
  auto p = MakeSingleRelease();
  p->OnFact(t.Make(FactKind::kDeviceDel, 2, a, del));
  p->OnFact(t.Make(FactKind::kDeviceDel, 3, b, del));
  p->OnFact(t.Make(FactKind::kRelease, 3, a, {"device_release"}));
  p->OnFact(t.Make(FactKind::kRelease, 3, b, {"device_release"}));
  p->OnFact(t.Make(FactKind::kDevresRun, 3, 0, {"devres_release_all"}));
  p->OnFact(t.Make(FactKind::kDevresRun, 3, 0, {"devres_release_all"}));
  EXPECT_TRUE(p->violations().empty());
}

TEST(SingleReleaseTest, DoubleUnregisterFallsBackToFunc) {
  Trace t;
  const Stack del = {"device_unregister", "device_del"};
  auto p = MakeSingleRelease();
  p->OnFact(t.Make(FactKind::kDeviceDel, 1, 7, del));
  p->OnFact(t.Make(FactKind::kDeviceDel, 2, 7, del));
  ASSERT_EQ(p->violations().size(), 1u);
  EXPECT_EQ(p->violations()[0].Title(), "double-unregister in device_del");
}

TEST(SingleReleaseTest, DoubleFree) {
  Trace t;
  const Stack alloc = {"probe", "kzalloc"};
  const Stack free = {"remove", "kfree"};
  ObjId o = t.Alloc(ObjType::kPanelPriv, 1, alloc);
  t.Free(o, 2, free);
  auto p = MakeSingleRelease();
  p->OnFact(t.Make(FactKind::kDoubleFree, 3, o, {"unbind", "kfree"}));
  ASSERT_EQ(p->violations().size(), 1u);
  const Violation& v = p->violations()[0];
  EXPECT_EQ(v.kind, "double-free");
  EXPECT_EQ(v.event, 3);
  EXPECT_EQ(v.object, "struct panel_priv#1");
  EXPECT_EQ(v.free_event, 2);
  EXPECT_EQ(Strings(v.free_stack), Strings(free));
}

TEST(SingleReleaseTest, DoubleDevresReleaseAndDoubleRelease) {
  Trace t;
  auto p = MakeSingleRelease();
  const Stack run = {"device_del", "devres_release_all"};
  const Stack rel = {"put_device", "device_release"};
  p->OnFact(t.Make(FactKind::kDevresRun, 2, 11, run));
  p->OnFact(t.Make(FactKind::kDevresRun, 2, 12, run));
  p->OnFact(t.Make(FactKind::kRelease, 3, 5, rel));
  EXPECT_TRUE(p->violations().empty());
  p->OnFact(t.Make(FactKind::kDevresRun, 4, 11, run));
  p->OnFact(t.Make(FactKind::kRelease, 6, 5, rel));
  ASSERT_EQ(p->violations().size(), 2u);
  EXPECT_EQ(p->violations()[0].Title(),
            "double-devres-release in devres_release_all");
  EXPECT_EQ(p->violations()[0].event, 4);
  EXPECT_EQ(p->violations()[1].Title(), "double-release in device_release");
  EXPECT_EQ(p->violations()[1].event, 6);
}

// ---- use-after-free ---------------------------------------------------------

TEST(UseAfterFreeTest, AccessToFreedObject) {
  Trace t;
  const Stack alloc = {"bind", "mipi_dsi_device_register_full", "kzalloc"};
  const Stack free = {"mipi_dsi_host_unregister", "kfree"};
  const Stack at = {"unbind", "mipi_dsi_detach"};
  ObjId dsi = t.Alloc(ObjType::kMipiDsiDevice, 2, alloc);
  t.Free(dsi, 3, free);
  auto p = MakeUseAfterFree();
  p->OnFact(t.Make(FactKind::kBadAccess, 4, dsi, at, "read dsi->host"));
  ASSERT_EQ(p->violations().size(), 1u);
  const Violation& v = p->violations()[0];
  EXPECT_EQ(v.property, "use-after-free");
  EXPECT_EQ(v.kind, "use-after-free");
  EXPECT_EQ(v.Title(), "use-after-free in mipi_dsi_detach");
  EXPECT_EQ(v.event, 4);
  EXPECT_EQ(v.detail, "read dsi->host");
  EXPECT_EQ(v.alloc_event, 2);
  EXPECT_EQ(Strings(v.alloc_stack), Strings(alloc));
  EXPECT_EQ(v.free_event, 3);
  EXPECT_EQ(Strings(v.free_stack), Strings(free));
}

TEST(UseAfterFreeTest, NullErrPtrTypeConfusionInvalidFreeAndOops) {
  Trace t;
  ObjId live = t.Alloc(ObjType::kKobjName, 1, {"kvasprintf_const"});
  auto p = MakeUseAfterFree();
  const Stack at = {"probe", "mipi_dsi_attach"};
  p->OnFact(t.Make(FactKind::kBadAccess, 2, 0, at, "read dsi->host"));
  p->OnFact(t.Make(FactKind::kBadAccess, 3, model::ERR_PTR<int>(-517).id, at,
                   "read dsi"));
  p->OnFact(t.Make(FactKind::kBadAccess, 4, live, at, "type confusion"));
  p->OnFact(t.Make(FactKind::kInvalidFree, 5, 0xFFFFFFF0u, {"kfree"}));
  p->OnFact(t.Make(FactKind::kOops, 6, 0, {"klist_del"}, "NULL klist"));
  ASSERT_EQ(p->violations().size(), 5u);
  EXPECT_EQ(p->violations()[0].Title(), "null-ptr-deref in mipi_dsi_attach");
  EXPECT_EQ(p->violations()[1].Title(), "null-ptr-deref in mipi_dsi_attach");
  EXPECT_EQ(p->violations()[1].event, 3);
  EXPECT_EQ(p->violations()[2].Title(),
            "wild-memory-access in mipi_dsi_attach");
  EXPECT_EQ(p->violations()[2].object, "kobject name#1");
  EXPECT_EQ(p->violations()[3].Title(), "invalid-free in kfree");
  EXPECT_EQ(p->violations()[4].Title(), "oops in klist_del");
  EXPECT_EQ(p->violations()[4].detail, "NULL klist");
}

TEST(UseAfterFreeTest, CleanTraceHasNoViolation) {
  Trace t;
  ObjId o = t.Alloc(ObjType::kMipiDsiDevice, 1, {"bind", "kzalloc"});
  auto p = MakeUseAfterFree();
  p->OnFact(t.Make(FactKind::kAlloc, 1, o, {"bind", "kzalloc"}));
  t.Free(o, 2, {"unbind", "kfree"});
  p->OnFact(t.Make(FactKind::kFree, 2, o, {"unbind", "kfree"}));
  p->OnFact(t.Make(FactKind::kWarn, 2, 0, {"unbind"}, "core.c:1"));
  p->OnFact(t.Make(FactKind::kEnd, 3, 0, {}));
  EXPECT_TRUE(p->violations().empty());
}

// ---- refcount-balance -------------------------------------------------------

TEST(RefcountBalanceTest, LeakIsReportedInTheAllocatingCaller) {
  Trace t;
  const Stack alloc = {"probe", "mipi_dsi_device_register_full", "devm_kzalloc",
                       "devres_alloc", "kzalloc"};
  ObjId o = t.Alloc(ObjType::kMipiDsiDevice, 2, alloc);
  auto p = MakeRefcountBalance();
  Fact f = t.Make(FactKind::kLeak, 7, o, {});
  f.teardown = true;
  p->OnFact(f);
  ASSERT_EQ(p->violations().size(), 1u);
  const Violation& v = p->violations()[0];
  EXPECT_EQ(v.property, "refcount-balance");
  EXPECT_EQ(v.kind, "leak");
  EXPECT_EQ(v.Title(), "leak in mipi_dsi_device_register_full");
  EXPECT_EQ(v.detail, "unreferenced object");
  EXPECT_EQ(v.event, 7);
  EXPECT_TRUE(v.teardown);
  EXPECT_EQ(v.object, "struct mipi_dsi_device#1");
  EXPECT_EQ(v.alloc_event, 2);
  EXPECT_EQ(Strings(v.alloc_stack), Strings(alloc));
  EXPECT_EQ(v.free_event, -1);
}

TEST(RefcountBalanceTest, RefLeak) {
  Trace t;
  auto p = MakeRefcountBalance();
  p->OnFact(t.Make(FactKind::kRefLeak, 8, 3, {}, "kobject refcount 2"));
  p->OnFact(t.Make(FactKind::kRefLeak, 8, 3, {"mipi_dsi_host_unregister"},
                   "of_node refcount 1"));
  ASSERT_EQ(p->violations().size(), 2u);
  EXPECT_EQ(p->violations()[0].Title(), "leak in (teardown)");
  EXPECT_EQ(p->violations()[0].detail, "kobject refcount 2");
  EXPECT_EQ(p->violations()[0].event, 8);
  EXPECT_EQ(p->violations()[1].Title(), "leak in mipi_dsi_host_unregister");
  EXPECT_EQ(p->violations()[1].detail, "of_node refcount 1");
}

TEST(RefcountBalanceTest, BalancedTraceHasNoViolation) {
  Trace t;
  ObjId o = t.Alloc(ObjType::kPlatformDevice, 1, {"setup", "kzalloc"});
  auto p = MakeRefcountBalance();
  p->OnFact(t.Make(FactKind::kGet, 1, o, {"get_device"}));
  p->OnFact(t.Make(FactKind::kPut, 2, o, {"put_device"}));
  t.Free(o, 2, {"put_device", "kfree"});
  p->OnFact(t.Make(FactKind::kFree, 2, o, {"put_device", "kfree"}));
  p->OnFact(t.Make(FactKind::kEnd, 3, 0, {}));
  EXPECT_TRUE(p->violations().empty());
}

// ---- no-warn ----------------------------------------------------------------

TEST(NoWarnTest, WarnIsReported) {
  Trace t;
  auto p = MakeNoWarn();
  const Stack at = {"unbind", "mipi_dsi_host_unregister", "device_release"};
  p->OnFact(t.Make(FactKind::kWarn, 5, 0, at, "drivers/base/core.c:2573@6.11"));
  ASSERT_EQ(p->violations().size(), 1u);
  const Violation& v = p->violations()[0];
  EXPECT_EQ(v.property, "no-warn");
  EXPECT_EQ(v.kind, "WARNING");
  EXPECT_EQ(v.Title(), "WARNING in device_release");
  EXPECT_EQ(v.detail, "drivers/base/core.c:2573@6.11");
  EXPECT_EQ(v.event, 5);
  EXPECT_EQ(Strings(v.stack), Strings(at));
}

TEST(NoWarnTest, OtherFactsAreFine) {
  Trace t;
  auto p = MakeNoWarn();
  p->OnFact(t.Make(FactKind::kPrintk, 1, 0, {"probe"}, "failed"));
  p->OnFact(t.Make(FactKind::kOops, 2, 0, {"klist_del"}, "NULL klist"));
  p->OnFact(t.Make(FactKind::kBadAccess, 3, 0, {"attach"}, "read"));
  EXPECT_TRUE(p->violations().empty());
}

// ---- host-pairing -----------------------------------------------------------

// A host fact: `value` carries the host's ObjId.
Fact HostFact(const Trace& t, FactKind kind, int event, ObjId dsi, ObjId host,
              const Stack& stack) {
  Fact f = t.Make(kind, event, dsi, stack);
  f.value = static_cast<int>(host);
  return f;
}

const Stack kAttachStack = {"bind", "bridge_probe", "mipi_dsi_attach",
                            "dsictl_host_attach"};
const Stack kDetachStack = {"unbind", "mipi_dsi_host_unregister",
                            "mipi_dsi_remove_device_fn", "mipi_dsi_detach",
                            "dsictl_host_detach"};

TEST(HostPairingTest, DetachWithoutAttachIsReportedInTheCaller) {
  Trace t;
  const Stack alloc = {"bind", "mipi_dsi_device_register_full", "kzalloc"};
  ObjId host = t.Alloc(ObjType::kDsiController, 1, {"probe", "devm_kzalloc"});
  ObjId dsi = t.Alloc(ObjType::kMipiDsiDevice, 2, alloc);
  auto p = MakeHostPairing();
  p->OnFact(HostFact(t, FactKind::kHostDetach, 3, dsi, host, kDetachStack));
  ASSERT_EQ(p->violations().size(), 1u);
  const Violation& v = p->violations()[0];
  EXPECT_EQ(v.property, "host-pairing");
  EXPECT_EQ(v.kind, "unpaired detach");
  EXPECT_EQ(v.Title(), "unpaired detach in mipi_dsi_detach");
  EXPECT_EQ(v.event, 3);
  EXPECT_EQ(v.object, "struct mipi_dsi_device#1");
  EXPECT_EQ(v.detail, "ops->detach (not attached)");
  EXPECT_EQ(v.alloc_event, 2);
  EXPECT_EQ(Strings(v.stack), Strings(kDetachStack));
}

TEST(HostPairingTest, SecondDetachAfterOneAttachIsUnpaired) {
  Trace t;
  ObjId host = t.Alloc(ObjType::kDsiController, 1, {"probe"});
  ObjId dsi = t.Alloc(ObjType::kMipiDsiDevice, 2, {"bind"});
  auto p = MakeHostPairing();
  p->OnFact(HostFact(t, FactKind::kHostAttach, 2, dsi, host, kAttachStack));
  p->OnFact(HostFact(t, FactKind::kHostDetach, 3, dsi, host, kDetachStack));
  EXPECT_TRUE(p->violations().empty());
  p->OnFact(HostFact(t, FactKind::kHostDetach, 4, dsi, host, kDetachStack));
  ASSERT_EQ(p->violations().size(), 1u);
  EXPECT_EQ(p->violations()[0].event, 4);
}

TEST(HostPairingTest, DetachFromAnotherHostIsUnpaired) {
  Trace t;
  ObjId host0 = t.Alloc(ObjType::kDsiController, 1, {"probe"});
  ObjId host1 = t.Alloc(ObjType::kDsiController, 1, {"probe"});
  ObjId dsi = t.Alloc(ObjType::kMipiDsiDevice, 2, {"bind"});
  auto p = MakeHostPairing();
  p->OnFact(HostFact(t, FactKind::kHostAttach, 2, dsi, host0, kAttachStack));
  p->OnFact(HostFact(t, FactKind::kHostDetach, 3, dsi, host1, kDetachStack));
  ASSERT_EQ(p->violations().size(), 1u);
  EXPECT_EQ(p->violations()[0].kind, "unpaired detach");
}

TEST(HostPairingTest, HostFreedWhileADeviceIsAttached) {
  Trace t;
  const Stack host_alloc = {"bind", "dsictl_probe", "devm_kzalloc"};
  const Stack host_free = {"unbind", "devres_release_all", "release_nodes",
                           "kfree"};
  ObjId host = t.Alloc(ObjType::kDsiController, 1, host_alloc);
  ObjId dsi = t.Alloc(ObjType::kMipiDsiDevice, 2, {"bind"});
  auto p = MakeHostPairing();
  p->OnFact(HostFact(t, FactKind::kHostAttach, 2, dsi, host, kAttachStack));
  t.Free(host, 3, host_free);
  p->OnFact(t.Make(FactKind::kFree, 3, host, host_free));
  ASSERT_EQ(p->violations().size(), 1u);
  const Violation& v = p->violations()[0];
  EXPECT_EQ(v.kind, "host freed with attached device");
  EXPECT_EQ(v.Title(), "host freed with attached device in release_nodes");
  EXPECT_EQ(v.detail, "kfree (struct mipi_dsi_device#1 still attached)");
  EXPECT_EQ(v.object, "struct dsi_controller#1");
  EXPECT_EQ(v.event, 3);
  EXPECT_EQ(v.alloc_event, 1);
  EXPECT_EQ(v.free_event, 3);
}

TEST(HostPairingTest, PairedAttachDetachThenHostFreeIsFine) {
  Trace t;
  ObjId host0 = t.Alloc(ObjType::kDsiController, 1, {"probe"});
  ObjId host1 = t.Alloc(ObjType::kDsiController, 1, {"probe"});
  ObjId a = t.Alloc(ObjType::kMipiDsiDevice, 2, {"bind"});
  ObjId b = t.Alloc(ObjType::kMipiDsiDevice, 2, {"bind"});
  auto p = MakeHostPairing();
  // a attaches twice in a row (nothing guards it, reference §7 B9): one
  // detach undoes it. b stays attached to host1, which is not freed.
  p->OnFact(HostFact(t, FactKind::kHostAttach, 2, a, host0, kAttachStack));
  p->OnFact(HostFact(t, FactKind::kHostAttach, 2, a, host0, kAttachStack));
  p->OnFact(HostFact(t, FactKind::kHostAttach, 2, b, host1, kAttachStack));
  p->OnFact(HostFact(t, FactKind::kHostDetach, 3, a, host0, kDetachStack));
  t.Free(a, 3, {"kfree"});
  p->OnFact(t.Make(FactKind::kFree, 3, a, {"put_device", "kfree"}));
  t.Free(host0, 3, {"kfree"});
  p->OnFact(t.Make(FactKind::kFree, 3, host0, {"release_nodes", "kfree"}));
  EXPECT_TRUE(p->violations().empty());
  // Reset forgets the attached devices.
  p->Reset();
  p->OnFact(HostFact(t, FactKind::kHostDetach, 1, b, host1, kDetachStack));
  EXPECT_EQ(p->violations().size(), 1u);
}

// ---- registry ---------------------------------------------------------------

TEST(RegistryTest, OrderAndNames) {
  const std::vector<std::string> want = {"single-release", "use-after-free",
                                         "refcount-balance", "no-warn",
                                         "host-pairing"};
  EXPECT_EQ(PropertyNames(), want);
  auto all = MakeAllProperties();
  ASSERT_EQ(all.size(), want.size());
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i]->name(), want[i]);
    EXPECT_FALSE(all[i]->description().empty());
    EXPECT_TRUE(all[i]->violations().empty());
  }
  EXPECT_EQ(all[0]->description(),
            "each object is freed once, each device deleted once, each "
            "devres node released once");
  EXPECT_EQ(all[1]->description(),
            "no access to freed memory, NULL or an ERR_PTR (KASAN)");
  EXPECT_EQ(all[2]->description(),
            "after the teardown nothing is leaked and every count is back to "
            "its base");
  EXPECT_EQ(all[3]->description(), "no WARN()/WARN_ON() fires");
  EXPECT_EQ(all[4]->description(),
            "the host's attach and detach are paired per device, and no host "
            "is freed with a device attached");
}

TEST(RegistryTest, PropertiesSeeTheSameTraceIndependently) {
  Trace t;
  auto all = MakeAllProperties();
  for (auto& p : all) {
    p->OnFact(t.Make(FactKind::kWarn, 1, 0, {"probe"}, "x.c:1"));
  }
  EXPECT_TRUE(all[0]->violations().empty());
  EXPECT_TRUE(all[1]->violations().empty());
  EXPECT_TRUE(all[2]->violations().empty());
  ASSERT_EQ(all[3]->violations().size(), 1u);
  EXPECT_EQ(all[3]->violations()[0].Title(), "WARNING in probe");
  EXPECT_TRUE(all[4]->violations().empty());
}

}  // namespace
}  // namespace dsifuzz

// ---- Memories (Property::SaveMemory/LoadMemory, used by the explorer) ------
namespace dsifuzz {
namespace {

std::string MemoryOf(const Property& p) {
  std::string out;
  p.SaveMemory(out);
  return out;
}

TEST(PropertyMemoryTest, SingleReleaseRemembersAcrossASaveAndLoad) {
  Trace t;
  const Stack del = {"unbind", "device_unregister", "device_del"};
  ObjId a = t.Alloc(ObjType::kMipiDsiDevice, 1, {"bind"});
  ObjId b = t.Alloc(ObjType::kMipiDsiDevice, 1, {"bind"});
  auto p = MakeSingleRelease(), q = MakeSingleRelease();
  // The same set reached in two orders encodes equally.
  p->OnFact(t.Make(FactKind::kDeviceDel, 2, a, del));
  p->OnFact(t.Make(FactKind::kDeviceDel, 2, b, del));
  q->OnFact(t.Make(FactKind::kDeviceDel, 2, b, del));
  q->OnFact(t.Make(FactKind::kDeviceDel, 2, a, del));
  EXPECT_EQ(MemoryOf(*p), MemoryOf(*q));
  EXPECT_NE(MemoryOf(*p), MemoryOf(*MakeSingleRelease()));
  // A loaded property goes on from there: the next delete of `a` is the
  // second one.
  std::string memory = MemoryOf(*p);
  std::string_view in = memory;
  auto r = MakeSingleRelease();
  r->LoadMemory(in);
  EXPECT_TRUE(in.empty());
  EXPECT_EQ(MemoryOf(*r), memory);
  r->OnFact(t.Make(FactKind::kDeviceDel, 3, a, del));
  ASSERT_EQ(r->violations().size(), 1u);
  EXPECT_EQ(r->violations()[0].kind, "double-unregister");
}

TEST(PropertyMemoryTest, HostPairingRemembersWhatIsAttached) {
  Trace t;
  ObjId host = t.Alloc(ObjType::kDsiController, 1, {"probe"});
  ObjId dsi = t.Alloc(ObjType::kMipiDsiDevice, 2, {"bind"});
  auto p = MakeHostPairing();
  p->OnFact(HostFact(t, FactKind::kHostAttach, 2, dsi, host, kAttachStack));
  std::string memory = MemoryOf(*p);
  std::string_view in = memory;
  auto q = MakeHostPairing();
  q->LoadMemory(in);
  EXPECT_TRUE(in.empty());
  // Attached after the load: one detach is paired, a second is not.
  q->OnFact(HostFact(t, FactKind::kHostDetach, 3, dsi, host, kDetachStack));
  EXPECT_TRUE(q->violations().empty());
  EXPECT_EQ(MemoryOf(*q), MemoryOf(*MakeHostPairing()));
  q->OnFact(HostFact(t, FactKind::kHostDetach, 4, dsi, host, kDetachStack));
  EXPECT_EQ(q->violations().size(), 1u);
}

// Renamings: the explorer keys a state by its canonical form, which
// renumbers ids and drops objects nothing refers to (model/state_canon.h);
// a memory saved through the renaming and loaded means the same there.
std::unique_ptr<Property> Reloaded(const Property& p,
                                   std::unique_ptr<Property> fresh,
                                   std::vector<ObjId> to) {
  std::string memory;
  p.SaveMemory(memory, model::Renaming(std::move(to)));
  std::string_view in = memory;
  fresh->LoadMemory(in);
  EXPECT_TRUE(in.empty());
  return fresh;
}

TEST(PropertyMemoryTest, SingleReleaseFollowsARenamingAndForgetsTheDropped) {
  Trace t;
  const Stack del = {"unbind", "device_unregister", "device_del"};
  ObjId a = t.Alloc(ObjType::kMipiDsiDevice, 1, {"bind"});
  ObjId b = t.Alloc(ObjType::kMipiDsiDevice, 1, {"bind"});
  auto p = MakeSingleRelease();
  p->OnFact(t.Make(FactKind::kDeviceDel, 2, a, del));
  p->OnFact(t.Make(FactKind::kDeviceDel, 2, b, del));
  // a is dropped, b becomes a.
  std::vector<ObjId> to(b + 1, 0);
  to[b] = a;
  auto renamed = Reloaded(*p, MakeSingleRelease(), to);
  auto q = MakeSingleRelease();
  q->OnFact(t.Make(FactKind::kDeviceDel, 2, a, del));
  EXPECT_EQ(MemoryOf(*renamed), MemoryOf(*q));
  renamed->OnFact(t.Make(FactKind::kDeviceDel, 3, a, del));
  ASSERT_EQ(renamed->violations().size(), 1u);
  // The property itself is unchanged by a save.
  EXPECT_NE(MemoryOf(*p), MemoryOf(*q));
}

TEST(PropertyMemoryTest, HostPairingKeepsADroppedDeviceAttachedToItsHost) {
  Trace t;
  ObjId host = t.Alloc(ObjType::kDsiController, 1, {"probe"});
  ObjId dsi = t.Alloc(ObjType::kMipiDsiDevice, 2, {"bind"});
  ObjId other = t.Alloc(ObjType::kDsiController, 1, {"probe"});
  ObjId dsi2 = t.Alloc(ObjType::kMipiDsiDevice, 2, {"bind"});
  ObjId dsi3 = t.Alloc(ObjType::kMipiDsiDevice, 2, {"bind"});
  auto p = MakeHostPairing();
  p->OnFact(HostFact(t, FactKind::kHostAttach, 2, dsi, host, kAttachStack));
  p->OnFact(HostFact(t, FactKind::kHostAttach, 2, dsi3, host, kAttachStack));
  p->OnFact(HostFact(t, FactKind::kHostAttach, 2, dsi2, other, kAttachStack));
  // Two devices are dropped but their host stays (renumbered 1); the other
  // host is dropped, and its pair with it.
  std::vector<ObjId> to(dsi3 + 1, 0);
  to[host] = 1;
  to[dsi2] = 2;
  auto renamed = Reloaded(*p, MakeHostPairing(), to);
  auto q = MakeHostPairing();
  q->OnFact(HostFact(t, FactKind::kHostAttach, 2, 0, 1, kAttachStack));
  EXPECT_EQ(MemoryOf(*renamed), MemoryOf(*q));
  // Freeing the host is still the violation.
  renamed->OnFact(t.Make(FactKind::kFree, 3, 1, {"unbind", "kfree"}));
  EXPECT_EQ(renamed->violations().size(), 1u);
}

TEST(PropertyMemoryTest, StatelessPropertiesRememberNothing) {
  for (auto make : {&MakeUseAfterFree, &MakeRefcountBalance, &MakeNoWarn}) {
    auto p = make();
    EXPECT_EQ(MemoryOf(*p), "") << p->name();
  }
}

}  // namespace
}  // namespace dsifuzz
