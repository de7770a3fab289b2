// The shadow heap: slots are never reused and remember their allocation and
// free; recorded stacks read back frame by frame; ERR_PTR encoding; kfree()
// and deref() of the Kernel on top of it.
#include "model/mm/heap.h"

#include <cerrno>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "model/kernel.h"
#include "model/testing.h"

namespace dsifuzz {
namespace {

using namespace dsifuzz::model;  // NOLINT(build/namespaces)
using test::FactLog;

StackRef RecordStack(Heap& heap, const std::vector<const char*>& frames) {
  return heap.Record(frames.data(), static_cast<int>(frames.size()));
}

std::vector<std::string> Frames(const Heap& heap, StackRef s) {
  std::vector<std::string> out;
  for (uint32_t i = 0; i < s.len; ++i) out.emplace_back(heap.Frame(s, i));
  return out;
}

TEST(HeapTest, SlotZeroIsNull) {
  Heap heap;
  EXPECT_EQ(heap.size(), 1u);
  EXPECT_FALSE(heap.Valid(0));
  EXPECT_FALSE(heap.Valid(1));
  EXPECT_EQ(heap.slot(0).type, ObjType::kNull);
}

TEST(HeapTest, IdsIncreaseAndRetiredSlotsAreNeverReused) {
  Heap heap;
  StackRef alloc = RecordStack(heap, {"probe", "kzalloc"});
  ObjId a = heap.NewSlot(ObjType::kMipiDsiDevice, 1, 2, alloc);
  ObjId b = heap.NewSlot(ObjType::kDevicePrivate, 1, 2, alloc);
  EXPECT_EQ(a, 1u);
  EXPECT_EQ(b, 2u);

  StackRef free = RecordStack(heap, {"remove", "put_device", "kfree"});
  heap.Retire(a, 5, free);
  ObjId c = heap.NewSlot(ObjType::kMipiDsiDevice, 2, 6, alloc);
  EXPECT_EQ(c, 3u) << "a retired slot must not be handed out again";
  EXPECT_EQ(heap.size(), 4u);

  const Slot& dead = heap.slot(a);
  EXPECT_FALSE(dead.live);
  EXPECT_TRUE(heap.Valid(a)) << "a tombstone stays addressable";
  EXPECT_EQ(dead.type, ObjType::kMipiDsiDevice);
  EXPECT_EQ(dead.alloc_event, 2);
  EXPECT_EQ(dead.free_event, 5);
  EXPECT_EQ(Frames(heap, dead.alloc_stack),
            (std::vector<std::string>{"probe", "kzalloc"}));
  EXPECT_EQ(Frames(heap, dead.free_stack),
            (std::vector<std::string>{"remove", "put_device", "kfree"}));

  EXPECT_TRUE(heap.slot(b).live);
  EXPECT_EQ(heap.slot(b).free_event, -1);
  EXPECT_TRUE(heap.slot(c).live);
}

TEST(HeapTest, OrdinalsCountPerType) {
  Heap heap;
  StackRef s = RecordStack(heap, {});
  ObjId d1 = heap.NewSlot(ObjType::kMipiDsiDevice, 1, 0, s);
  ObjId p1 = heap.NewSlot(ObjType::kDevicePrivate, 1, 0, s);
  ObjId d2 = heap.NewSlot(ObjType::kMipiDsiDevice, 2, 0, s);
  EXPECT_EQ(heap.slot(d1).ordinal, 1u);
  EXPECT_EQ(heap.slot(p1).ordinal, 1u);
  EXPECT_EQ(heap.slot(d2).ordinal, 2u);
  EXPECT_EQ(heap.slot(d2).index, 2u);
}

TEST(HeapTest, RecordAndFrameRoundTrip) {
  Heap heap;
  std::vector<const char*> first = {"a", "b", "c"};
  std::vector<const char*> second = {"x", "y"};
  StackRef r1 = RecordStack(heap, first);
  StackRef r2 = RecordStack(heap, second);
  StackRef empty = RecordStack(heap, {});
  EXPECT_EQ(r1.len, 3u);
  EXPECT_EQ(r2.len, 2u);
  EXPECT_EQ(empty.len, 0u);
  EXPECT_EQ(Frames(heap, r1), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(Frames(heap, r2), (std::vector<std::string>{"x", "y"}));
  // The pool is a copy: changing the caller's frames later changes nothing.
  first[0] = "changed";
  EXPECT_STREQ(heap.Frame(r1, 0), "a");
}

TEST(HeapTest, ErrPtrRoundTrip) {
  for (int err : {-ENOMEM, -EPROBE_DEFER, -EINVAL, -EEXIST, -1, -4095}) {
    Ptr<mipi_dsi_device> p = ERR_PTR<mipi_dsi_device>(err);
    EXPECT_TRUE(IS_ERR(p)) << err;
    EXPECT_TRUE(IS_ERR_OR_NULL(p)) << err;
    EXPECT_EQ(PTR_ERR(p), err);
    EXPECT_TRUE(static_cast<bool>(p)) << "an ERR_PTR is not NULL";
  }
  EXPECT_EQ(PTR_ERR(ERR_PTR<device_private>(-EPROBE_DEFER)), -517);
  EXPECT_EQ(ERR_PTR<device_private>(-4095).id, kErrPtrBase + 1);

  Ptr<mipi_dsi_device> null;
  EXPECT_FALSE(IS_ERR(null));
  EXPECT_TRUE(IS_ERR_OR_NULL(null));
  Ptr<mipi_dsi_device> valid{7};
  EXPECT_FALSE(IS_ERR(valid));
  EXPECT_FALSE(IS_ERR_OR_NULL(valid));
}

TEST(HeapTest, ObjTypeNames) {
  EXPECT_STREQ(ObjTypeName(ObjType::kMipiDsiDevice), "struct mipi_dsi_device");
  EXPECT_STREQ(ObjTypeName(ObjType::kDevicePrivate), "struct device_private");
  EXPECT_STREQ(ObjTypeName(ObjType::kKobjName), "kobject name");
  EXPECT_STREQ(ObjTypeName(ObjType::kNull), "NULL");
}

// kzalloc/kfree/deref of the Kernel on the shadow heap.
class KernelHeapTest : public ::testing::Test {
 protected:
  KernelHeapTest() : kernel_(state_, topo_, &log_) {}

  State state_;
  Topology topo_;
  FactLog log_;
  Kernel kernel_;
};

TEST_F(KernelHeapTest, KfreeRecordsEventsAndStacks) {
  Ptr<device_private> p;
  {
    kernel_.SetEvent(3, false);
    Kernel::Frame caller(&kernel_, "test_alloc");
    p = kernel_.kzalloc<device_private>();
  }
  {
    kernel_.SetEvent(5, false);
    Kernel::Frame caller(&kernel_, "test_free");
    kernel_.kfree(p);
  }
  const Slot& slot = state_.heap.slot(p.id);
  EXPECT_FALSE(slot.live);
  EXPECT_EQ(slot.alloc_event, 3);
  EXPECT_EQ(slot.free_event, 5);
  EXPECT_EQ(Frames(state_.heap, slot.alloc_stack),
            (std::vector<std::string>{"test_alloc", "kzalloc"}));
  EXPECT_EQ(Frames(state_.heap, slot.free_stack),
            (std::vector<std::string>{"test_free", "kfree"}));
  ASSERT_EQ(log_.Count(FactKind::kAlloc), 1);
  ASSERT_EQ(log_.Count(FactKind::kFree), 1);
  EXPECT_EQ(log_.Of(FactKind::kFree)[0].obj, p.id);
  EXPECT_EQ(log_.Of(FactKind::kFree)[0].event, 5);

  // The next allocation gets a new slot; the tombstone keeps its records.
  Ptr<device_private> q = kernel_.kzalloc<device_private>();
  EXPECT_GT(q.id, p.id);
  EXPECT_FALSE(state_.heap.slot(p.id).live);
  EXPECT_EQ(state_.heap.slot(p.id).free_event, 5);
}

TEST_F(KernelHeapTest, DoubleFreeAndUseAfterFreeAreFacts) {
  Ptr<device_private> p = kernel_.kzalloc<device_private>();
  kernel_.deref(p).dead = true;
  kernel_.kfree(p);
  kernel_.kfree(p);
  EXPECT_EQ(log_.Count(FactKind::kFree), 1);
  EXPECT_EQ(log_.Count(FactKind::kDoubleFree, -1, p.id), 1);

  // A freed object reads back stale, after a kBadAccess fact.
  EXPECT_TRUE(kernel_.deref(p, "read p->dead").dead);
  std::vector<test::RecordedFact> bad = log_.Of(FactKind::kBadAccess);
  ASSERT_EQ(bad.size(), 1u);
  EXPECT_EQ(bad[0].obj, p.id);
  EXPECT_EQ(bad[0].what, "read p->dead");

  kernel_.kfree(0);  // kfree(NULL) is a no-op
  EXPECT_EQ(log_.Count(FactKind::kDoubleFree), 1);
  EXPECT_EQ(log_.Count(FactKind::kInvalidFree), 0);
}

TEST_F(KernelHeapTest, ArmedKzallocFaultFailsTheNthCall) {
  state_.faults.kzalloc = 2;
  EXPECT_TRUE(kernel_.kzalloc<device_private>());
  EXPECT_FALSE(kernel_.kzalloc<device_private>());
  EXPECT_TRUE(kernel_.kzalloc<device_private>()) << "a fault fires once";
  ASSERT_EQ(log_.Count(FactKind::kFaultHit), 1);
  EXPECT_EQ(log_.Of(FactKind::kFaultHit)[0].what, "kzalloc");
  EXPECT_EQ(log_.Count(FactKind::kAlloc), 2);
}

}  // namespace
}  // namespace dsifuzz
