// Facts: what the model tells its observers while it runs.
//
// Data flows one way: events drive the kernel model, the model emits facts,
// properties (properties/) and the trace printer read them. A Fact is only
// valid during the OnFact() call that receives it: copy what you keep.
#ifndef DSIFUZZ_MODEL_FACT_H_
#define DSIFUZZ_MODEL_FACT_H_

#include <cstdint>

#include "model/mm/heap.h"

namespace dsifuzz::model {

enum class FactKind : uint8_t {
  kEvent,         // an event starts; `event` is its index
  kTeardown,      // the end-of-run teardown starts
  kCall,          // a model function was entered (depth = stack depth)
  kAlloc,         // obj allocated
  kFree,          // obj freed (first time)
  kBadAccess,     // access to a freed object (use-after-free) or to NULL /
                  // an ERR_PTR (null-ptr-deref); `what` says which
  kDoubleFree,    // kfree of an already freed object
  kInvalidFree,   // kfree of memory kmalloc did not return (devm memory)
  kGet,           // a device refcount went up: value = new count
  kPut,           // a device refcount went down: value = new count
  kDeviceAdd,     // device_add() succeeded on obj
  kDeviceDel,     // device_del() entered for obj
  kRelease,       // device_release() of obj
  kDevresAdd,     // a devres node was added (obj = node)
  kDevresRun,     // a devres node was released (obj = node)
  kDevresRemove,  // a devres node was removed without running (obj = node)
  kHostAttach,    // host ops->attach succeeded for DSI device obj;
                  // value = the host (dsi_controller ObjId)
  kHostDetach,    // host ops->detach ran for DSI device obj; value = the
                  // host (dsi_controller ObjId)
  kWarn,          // WARN()/WARN_ON() fired; `what` is file:line
  kOops,          // the kernel would oops here (e.g. NULL klist); `what`
  kHung,          // the task blocks forever (a mutex a dead task held)
  kPrintk,        // an error message the kernel prints (dev_err, pr_err)
  kProbeResult,   // a driver probe returned `value` (0 bound, <0 error)
  kFaultHit,      // an armed fault fired; `what` is the site
  kLeak,          // end of run: obj is still allocated
  kRefLeak,       // end of run: a count is not back to its base (`what`)
  kEnd,           // the run is over
};

struct Fact {
  FactKind kind = FactKind::kEnd;
  uint32_t seq = 0;       // position of the fact in the run
  int event = 0;          // index of the current event (0 = setup)
  bool teardown = false;  // emitted during the end-of-run teardown
  ObjId obj = 0;          // the object concerned, if any
  int value = 0;          // refcount, errno, stack depth...
  const char* func = "";  // innermost model function at the time
  const char* what = "";  // short static detail
  // The model call stack at the time, outermost first.
  const char* const* stack = nullptr;
  int depth = 0;
  // For kBadAccess/kDoubleFree/kFree/kLeak: the heap slot of `obj`, with its
  // allocation and free records (see Heap::Frame for the stacks).
  const Slot* slot = nullptr;
  const Heap* heap = nullptr;
};

constexpr uint64_t FactBit(FactKind k) {
  return uint64_t{1} << static_cast<int>(k);
}

// Receives facts. Implemented by properties and by the trace printer.
class FactSink {
 public:
  virtual ~FactSink() = default;
  virtual void OnFact(const Fact& fact) = 0;
  // The fact kinds this observer wants, one bit per FactKind: the model
  // does not even build the others.
  virtual uint64_t Interest() const { return ~uint64_t{0}; }
  // True once the observer has seen all it needs: a driver of the model may
  // then stop the run early (the fuzz loop stops at the first violation).
  virtual bool Done() const { return false; }
};

}  // namespace dsifuzz::model

#endif  // DSIFUZZ_MODEL_FACT_H_
