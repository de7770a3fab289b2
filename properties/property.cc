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

// `ids` renamed by `r`, those it drops left out, in ascending order, into
// `set` (room for ids.size()); returns how many. Insertion sort: the sets
// are a handful of ids.
uint32_t RenamedSorted(std::span<const model::ObjId> ids,
                       const model::Renaming& r, model::ObjId* set) {
  uint32_t n = 0;
  for (model::ObjId id : ids) {
    const model::ObjId v = r(id);
    if (v == 0) continue;
    uint32_t k = n++;
    for (; k > 0 && set[k - 1] > v; --k) set[k] = set[k - 1];
    set[k] = v;
  }
  return n;
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

void AppendIds(std::span<const model::ObjId> ids, std::string& out) {
  // One append of the count and the ids, from the stack while they fit:
  // the explorer writes several of these lists for every key.
  const auto n = static_cast<uint32_t>(ids.size());
  constexpr uint32_t kOnStack = 31;
  if (n <= kOnStack) {
    model::ObjId buf[kOnStack + 1];
    buf[0] = n;
    if (n > 0) std::memcpy(buf + 1, ids.data(), sizeof(n) * n);
    out.append(reinterpret_cast<const char*>(buf), sizeof(n) * (n + 1));
    return;
  }
  out.append(reinterpret_cast<const char*>(&n), sizeof(n));
  out.append(reinterpret_cast<const char*>(ids.data()), sizeof(n) * n);
}

void AppendIdSet(std::span<const model::ObjId> ids, const model::Renaming& r,
                 std::string& out) {
  // Renamed and sorted on the stack while they fit.
  constexpr size_t kOnStack = 32;
  if (ids.size() <= kOnStack) {
    model::ObjId set[kOnStack];
    AppendIds({set, RenamedSorted(ids, r, set)}, out);
    return;
  }
  thread_local std::vector<model::ObjId> set;
  set.clear();
  for (model::ObjId id : ids) {
    if (r(id) != 0) set.push_back(r(id));
  }
  std::sort(set.begin(), set.end());
  AppendIds(set, out);
}

void AppendIdSets(std::initializer_list<std::span<const model::ObjId>> sets,
                  const model::Renaming& r, std::string& out) {
  // Each set's count then its ids, renamed and sorted, on the stack while
  // they fit.
  constexpr size_t kOnStack = 64;
  size_t total = 0;
  for (std::span<const model::ObjId> ids : sets) total += 1 + ids.size();
  if (total > kOnStack) {
    for (std::span<const model::ObjId> ids : sets) AppendIdSet(ids, r, out);
    return;
  }
  model::ObjId buf[kOnStack];
  size_t used = 0;
  for (std::span<const model::ObjId> ids : sets) {
    const uint32_t n = RenamedSorted(ids, r, buf + used + 1);
    buf[used] = n;
    used += 1 + n;
  }
  out.append(reinterpret_cast<const char*>(buf), sizeof(model::ObjId) * used);
}

void ReadIds(std::string_view& in, std::vector<model::ObjId>& ids) {
  uint32_t n = 0;
  ids.clear();
  if (in.size() < sizeof(n)) {
    in = {};
    return;
  }
  std::memcpy(&n, in.data(), sizeof(n));
  in.remove_prefix(sizeof(n));
  n = std::min<uint32_t>(n, in.size() / sizeof(n));
  ids.resize(n);
  if (n > 0) std::memcpy(ids.data(), in.data(), sizeof(n) * n);
  in.remove_prefix(sizeof(n) * n);
}

}  // namespace dsifuzz
