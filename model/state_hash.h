// The encoding of a State for the explorer (tools/explore.h): two States
// with equal canonical encodings have the same future, whatever path led
// to them. The explorer keys states by EncodeCanonical(), the encoding of
// their canonical form (state_canon.h), so that states differing only in
// history encode equally. The encoding holds everything the model reads
// when it runs an event, and leaves out only history that no model code
// reads:
//
//  - the heap records of where and when each object was allocated and
//    freed (Slot::alloc_event, free_event, alloc_stack, free_stack) and the
//    frame pool behind them, Slot::ordinal and Slot::label: reports print
//    them, no event reads them;
//  - State::deferred_trigger_count: dd.c reads it only to compare it with a
//    copy taken earlier in the same event, so only its increments matter;
//  - dsi_controller::transfers: a counter that ops->transfer increments
//    and nothing reads;
//  - the stores' dummy elements while no bad access was handed one
//    (State::dummies_used): they are then as State() made them.
//
// Everything else is encoded field by field: the drivers, buses, host and
// deferred lists, of_node counts, armed faults, the world's topology
// devices and sysfs names, then every object kept (live and freed: a
// use-after-free reads stale contents), its slot's type and flags first.
// One field list per struct (state_fields.h) drives the encoders, the
// decoder and the canonical walk.
//
// Each encoded struct has a static_assert on its size in state_hash.cc, so
// that adding a field to one fails the build until the encoding says
// whether the field is encoded or left out (and docs/explore.md says why).
#ifndef DSIFUZZ_MODEL_STATE_HASH_H_
#define DSIFUZZ_MODEL_STATE_HASH_H_

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "model/state.h"
#include "model/state_canon.h"

namespace dsifuzz::model {

// Appends the encoding of `s` to `out`, as it is: ids as they are, every
// slot with its store index, sysfs in its order (for tests that compare
// States).
void EncodeState(const State& s, std::string& out);
// Appends the encoding of the canonical form of `s` (state_canon.h) to
// `out`, without changing `s`; `r` says how the canonical form renames the
// ids of `s`, for what the observers remember (Property::SaveMemory).
void EncodeCanonical(const State& s, std::string& out, Renaming& r);
// The same, written from out[at] on, into a string reused from call to
// call: `out` grows if it must and is never cut back (what follows the
// encoding is left as it was, so that a long string is not filled again
// each time). Returns where the encoding ends.
size_t EncodeCanonicalAt(const State& s, std::string& out, size_t at,
                         Renaming& r);
// The inverse of EncodeCanonical: makes `s` the canonical State `in`
// starts with and advances `in` past it. What the encoding leaves out
// comes back empty (no allocation or free records, ordinals from 1 in slot
// order, no labels on slots, counters at 0), which changes no run of the
// model, only the names reports would give. False if `in` is not an
// encoding (`s` is then unusable).
bool DecodeState(std::string_view& in, State& s);
// Rewrites, in a canonical encoding, the countdown of fault site `site`
// (the fields of Faults in order) to `count`: the result is the canonical
// encoding of the same State with that one field changed (the faults hold
// no ids, so the numbering is the same; they sit at the same place in
// every encoding).
void RewriteFault(std::string& encoding, int site, int count);

// A 128-bit fingerprint of an encoding (XXH3-128): what the explorer keeps
// of each visited state.
struct Fingerprint {
  uint64_t lo = 0;
  uint64_t hi = 0;
  friend bool operator==(const Fingerprint&, const Fingerprint&) = default;
  template <class H>
  friend H AbslHashValue(H h, const Fingerprint& f) {
    return H::combine(std::move(h), f.lo, f.hi);
  }
};
Fingerprint FingerprintOf(std::string_view bytes);

// The explorer's fingerprint of a canonical key, in two parts: the
// fingerprint of the key with its faults zeroed (its "rest"), and the
// faults, mixed in by WithFaults() (an exclusive or with a bijective mix of
// the four countdowns). So a state that differs from another only in its
// armed faults has its fingerprint from the other's rest, without hashing
// its key. RestFingerprint zeroes the faults of `key` while it hashes, and
// puts them back.
Fingerprint RestFingerprint(std::span<char> key);

namespace internal {
// splitmix64's finalizer: a bijection of 64-bit words.
inline uint64_t Mix64(uint64_t x) {
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}
}  // namespace internal

inline Fingerprint WithFaults(const Fingerprint& rest, const Faults& f) {
  // A countdown is at most a `fail` event's count (16 bits) and only goes
  // down, so the packing is one to one, and so is the mix.
  auto c = [](int v) { return static_cast<uint64_t>(v) & 0xFFFF; };
  const uint64_t packed = c(f.kzalloc) | c(f.devres) << 16 | c(f.attach) << 32 |
                          c(f.device_add) << 48;
  return Fingerprint{rest.lo ^ internal::Mix64(packed),
                     rest.hi ^ internal::Mix64(packed ^ 0x9E3779B97F4A7C15ULL)};
}

}  // namespace dsifuzz::model

#endif  // DSIFUZZ_MODEL_STATE_HASH_H_
