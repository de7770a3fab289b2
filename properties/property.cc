// The shared part of every property: turning the fact that breaks a property
// into a Violation carrying what a KASAN-shaped report shows (the event, the
// model call stack, the object and its allocation and free tracks).
#include "properties/property.h"

#include <algorithm>
#include <cstring>

#include <string>

namespace dsifuzz {
namespace {

// Copies a stack recorded in `heap` into a Stack, outermost frame first.
Stack CopyStack(const model::Heap& heap, model::StackRef ref) {
  Stack out;
  out.reserve(ref.len);
  for (uint32_t i = 0; i < ref.len; ++i) out.push_back(heap.Frame(ref, i));
  return out;
}

}  // namespace

Violation MakeViolation(const model::Fact& f, std::string_view property,
                        std::string_view kind) {
  Violation v;
  v.property = std::string(property);
  v.kind = std::string(kind);
  v.function = (f.func != nullptr && f.func[0] != '\0') ? f.func : "(world)";
  // As KASAN does, a bad kfree() is reported in the function calling it.
  if (v.function == "kfree" && f.depth >= 2) v.function = f.stack[f.depth - 2];
  v.detail = f.what != nullptr ? f.what : "";
  v.event = f.event;
  v.seq = f.seq;
  v.teardown = f.teardown;
  if (f.stack != nullptr && f.depth > 0) {
    v.stack.assign(f.stack, f.stack + f.depth);
  }
  v.obj = f.obj;
  if (f.slot != nullptr) {
    const model::Slot& slot = *f.slot;
    v.object = std::string(model::ObjTypeName(slot.type)) + "#" +
               std::to_string(slot.ordinal);
    v.alloc_event = slot.alloc_event;
    if (f.heap != nullptr) v.alloc_stack = CopyStack(*f.heap, slot.alloc_stack);
    if (slot.free_event >= 0) {
      v.free_event = slot.free_event;
      if (f.heap != nullptr) v.free_stack = CopyStack(*f.heap, slot.free_stack);
    }
  }
  return v;
}

void AppendIdSet(std::vector<model::ObjId> ids, std::string& out) {
  std::sort(ids.begin(), ids.end());
  AppendIds(ids, out);
}

void AppendIds(const std::vector<model::ObjId>& ids, std::string& out) {
  auto put = [&](uint32_t v) {
    out.append(reinterpret_cast<const char*>(&v), sizeof(v));
  };
  put(static_cast<uint32_t>(ids.size()));
  for (model::ObjId id : ids) put(id);
}

std::vector<model::ObjId> ReadIds(std::string_view& in) {
  auto get = [&]() {
    uint32_t v = 0;
    if (in.size() >= sizeof(v)) {
      std::memcpy(&v, in.data(), sizeof(v));
      in.remove_prefix(sizeof(v));
    }
    return v;
  };
  std::vector<model::ObjId> ids(get());
  for (model::ObjId& id : ids) id = get();
  return ids;
}

}  // namespace dsifuzz
