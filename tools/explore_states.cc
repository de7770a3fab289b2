#include "tools/explore_states.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "tools/probe_table.h"

namespace dsifuzz {

ExploreSink::ExploreSink(std::vector<std::unique_ptr<Property>> props)
    : props_(std::move(props)) {
  for (const auto& p : props_) {
    p->set_limit(1);
    router_.Add(p.get());
  }
}

void ExploreSink::AppendMemory(std::string& out,
                               const model::Renaming& r) const {
  for (const auto& p : props_) p->SaveMemory(out, r);
}

void ExploreSink::Prime(std::string_view memory) {
  for (auto& p : props_) p->LoadMemory(memory);
}

uint32_t ExploreSink::Violated() const {
  uint32_t bits = 0;
  for (size_t i = 0; i < props_.size(); ++i) {
    if (!props_[i]->violations().empty()) bits |= uint32_t{1} << i;
  }
  return bits;
}

void ExploreSink::ClearViolations() {
  for (auto& p : props_) p->ClearViolations();
}

// Room set aside for 2^31 entries (32 GiB of address space, no memory):
// the table doubles in place (tools/probe_table.h).
FingerprintTable::FingerprintTable()
    : entries_(size_t{1} << 16, kHuge, size_t{1} << 31) {}

FingerprintTable::Entry FingerprintTable::Stored(const model::Fingerprint& fp) {
  // lo == 0 marks an empty entry: a fingerprint whose lo is 0 is kept as
  // 1 (it then stands for both, a 2^-64 chance).
  return Entry{fp.lo == 0 ? 1 : fp.lo, fp.hi & ~kFlagBits};
}

// XXH3's bits are uniform: the low ones of lo pick the first entry.
size_t FingerprintTable::Slot(const Entry& key) const {
  const size_t mask = entries_.size() - 1;
  size_t i = key.lo & mask;
  while (entries_[i].lo != 0 &&
         (entries_[i].lo != key.lo || (entries_[i].hi & ~kFlagBits) != key.hi))
    i = (i + 1) & mask;
  return i;
}

uint16_t FingerprintTable::Flags(const model::Fingerprint& fp) const {
  const Entry& e = entries_[Slot(Stored(fp))];
  return e.lo == 0 ? 0 : static_cast<uint16_t>(e.hi & kFlagBits);
}

uint16_t FingerprintTable::Or(const model::Fingerprint& fp, uint16_t bits) {
  const Entry key = Stored(fp);
  Entry* e = &entries_[Slot(key)];
  if (e->lo == 0) {
    // At most 70% full: linear probing stays short.
    if (10 * (size_ + 1) > 7 * entries_.size()) {
      Grow();
      e = &entries_[Slot(key)];
    }
    *e = key;
    ++size_;
  }
  const auto old = static_cast<uint16_t>(e->hi & kFlagBits);
  e->hi |= bits;
  return old;
}

void FingerprintTable::Grow() {
  DoubleTable(
      entries_, kHuge, [](const Entry& e) { return e.lo != 0; },
      [](const Entry& e) { return e.lo; });
}

States::States(model::World& world, ExploreSink& sink, bool share_teardowns)
    : world_(world), sink_(sink) {
  // A property that watched kTeardown could judge a teardown begun at a
  // state differently from one that passes through it; none does.
  share_teardowns_ =
      share_teardowns &&
      (sink.Interest() & model::FactBit(model::FactKind::kTeardown)) == 0;
}

model::Fingerprint States::Key(std::string_view* out,
                               model::Fingerprint* rest) {
  // key_ stays as long as the longest key so far: written over, never
  // filled again (model::EncodeCanonicalAt).
  const size_t end =
      model::EncodeCanonicalAt(world_.state(), key_, 0, renaming_);
  memory_.clear();
  sink_.AppendMemory(memory_, renaming_);
  const size_t size = end + memory_.size();
  if (key_.size() < size) key_.resize(size);
  std::memcpy(key_.data() + end, memory_.data(), memory_.size());
  *out = std::string_view(key_.data(), size);
  const model::Fingerprint r =
      model::RestFingerprint(std::span<char>(key_.data(), size));
  if (rest != nullptr) *rest = r;
  return model::WithFaults(r, world_.state().faults);
}

TransitionCache::TransitionCache(int max_log2)
    : young_(size_t{1} << std::min(16, max_log2), size_t{1} << max_log2),
      old_(1, size_t{1} << max_log2),
      max_(size_t{1} << max_log2) {}

model::Fingerprint TransitionCache::From(const model::Fingerprint& parent_rest,
                                         const model::Event& e) {
  // The event's three fields, packed one to one, then mixed like a fault.
  model::Faults f;
  f.kzalloc = static_cast<int>(e.kind);
  f.devres = static_cast<uint16_t>(e.arg);
  f.attach = e.count;
  return model::WithFaults(parent_rest, f);
}

int TransitionCache::FirstArmed(uint8_t order, uint8_t sites,
                                const model::Faults& faults, uint8_t* through) {
  *through = 0;
  const int n = __builtin_popcount(sites);
  for (int i = 0; i < n; ++i) {
    const int site = order >> (2 * i) & 3;
    *through = static_cast<uint8_t>(*through | 1 << site);
    if (faults.at(static_cast<model::FaultSite>(site)) != 0) return site;
  }
  return -1;
}

model::Fingerprint TransitionCache::Armed(const model::Fingerprint& from,
                                          int site, int countdown) {
  // Mixed like the faults, with other constants: no From() is an Armed().
  const uint64_t packed = (static_cast<uint64_t>(countdown) & 0xFFFF) |
                          static_cast<uint64_t>(site) << 16 |
                          uint64_t{0xD6E8FEB8} << 32;
  return model::Fingerprint{
      from.lo ^ model::internal::Mix64(packed ^ 0x2545F4914F6CDD1DULL),
      from.hi ^ model::internal::Mix64(packed ^ 0x94D049BB133111EBULL)};
}

bool TransitionCache::PackAfter(const model::Faults& faults, uint8_t sites,
                                uint16_t* packed) {
  *packed = 0;
  for (int i = 0; i < model::kFaultSites; ++i) {
    if ((sites >> i & 1) == 0) continue;
    const int v = faults.at(static_cast<model::FaultSite>(i));
    if (v < 0 || v > 15) return false;
    *packed = static_cast<uint16_t>(*packed | v << (4 * i));
  }
  return true;
}

model::Faults TransitionCache::Merge(model::Faults faults, uint8_t sites,
                                     uint16_t packed) {
  for (int i = 0; i < model::kFaultSites; ++i) {
    if ((sites >> i & 1) == 0) continue;
    faults.at(static_cast<model::FaultSite>(i)) = packed >> (4 * i) & 0xF;
  }
  return faults;
}

const TransitionCache::Entry* TransitionCache::Find(
    const model::Fingerprint& from) const {
  const Entry* entry = young_.Find(from);
  return entry != nullptr ? entry : old_.Find(from);
}

void TransitionCache::Put(const model::Fingerprint& from, const Entry& entry) {
  if (young_.Put(from, entry, max_)) return;
  // The young generation is full: it becomes the old one.
  std::swap(young_, old_);
  young_.Clear();
  young_.Put(from, entry, max_);
}

size_t TransitionCache::Generation::Slot(const model::Fingerprint& from) const {
  const size_t mask = entries_.size() - 1;
  size_t i = from.lo & mask;
  while (entries_[i].used && !(entries_[i].from == from)) i = (i + 1) & mask;
  return i;
}

bool TransitionCache::Generation::Put(const model::Fingerprint& from,
                                      const Entry& entry, size_t max) {
  Entry* slot = &entries_[Slot(from)];
  if (!slot->used) {
    // At most 70% full: linear probing stays short.
    if (10 * (size_ + 1) > 7 * entries_.size()) {
      if (entries_.size() >= max) return false;
      DoubleTable(
          entries_, kHuge, [](const Entry& e) { return e.used != 0; },
          [](const Entry& e) { return e.from.lo; });
      slot = &entries_[Slot(from)];
    }
    ++size_;
  }
  *slot = entry;
  slot->from = from;
  slot->used = true;
  return true;
}

void TransitionCache::Generation::Clear() {
  entries_.Clear();
  size_ = 0;
}

// Runs the teardown on the world, each step judged on its own (the
// properties' violations cleared in between, what they remember kept): a
// step's verdict depends only on the state it starts from. So the teardown
// from state S_k is its step k then the teardown from S_{k+1}, and once a
// state on the way has a verdict the rest is that verdict.
bool States::KnownTeardown(const model::Fingerprint& fp,
                           const model::Fingerprint& rest,
                           const model::Faults& faults, uint32_t* verdict) {
  if (!share_teardowns_) return false;
  if (const uint16_t flags = table_.Flags(fp); flags & kJudged) {
    *verdict = flags & kVerdict;
    return true;
  }
  const uint8_t armed = faults.Armed();
  if (armed == 0) return false;
  const uint16_t sibling = table_.Flags(model::WithFaults(rest, {}));
  if ((sibling & kJudged) == 0 || ((sibling & kSites) >> kSitesShift) & armed)
    return false;
  *verdict = sibling & kVerdict;
  table_.Or(fp, sibling & (kJudged | kSites | kVerdict));
  return true;
}

void States::LendStep(const model::Fingerprint& from,
                      const model::Fingerprint& to, uint32_t violated,
                      uint8_t sites, uint8_t order) {
  TransitionCache::Entry entry;
  entry.child_rest = to;
  entry.violated = violated & 0x3FF;
  entry.sites_called = sites & 0xF;
  entry.site_order = order;
  lend_->Put(from, entry);
}

uint32_t States::JudgeTeardown(const model::Fingerprint& fp,
                               const model::Fingerprint* rest0) {
  if (!share_teardowns_) {
    world_.Teardown();
    return sink_.Violated();
  }
  if (const uint16_t flags = table_.Flags(fp); flags & kJudged)
    return flags & kVerdict;
  chain_.clear();
  chain_.push_back(Step{fp, true, 0, 0});
  sink_.ClearViolations();
  world_.BeginTeardown();
  model::World::TeardownCursor c;
  model::Event e;
  uint32_t verdict = 0;
  uint8_t sites = 0;  // the sites the rest of the teardown calls
  // Whether the state the next step starts from is keyed, with rest
  // `from`, and has no fault armed: its step is then lent.
  bool lend = lend_ != nullptr && rest0 != nullptr &&
              world_.state().faults.Armed() == 0;
  model::Fingerprint from = lend ? *rest0 : model::Fingerprint{};
  for (;;) {
    if (!world_.NextTeardownStep(c, e)) {
      world_.ReportLeaks();
      verdict = sink_.Violated();
      break;
    }
    // Where a step lent goes: loading while it runs.
    model::Fingerprint lent_from;
    if (lend) {
      lent_from = TransitionCache::From(from, e);
      lend_->Prefetch(lent_from);
    }
    world_.TeardownStep(e);
    chain_.back().violated = sink_.Violated();
    chain_.back().sites = world_.kernel().fault_sites_called();
    sink_.ClearViolations();
    // The state reached has the verdict of a teardown begun there only if
    // the cursor skipped nothing that applies there.
    if (!world_.TeardownFromStart(c)) {
      chain_.push_back(Step{{}, false, 0, 0});
      lend = false;  // no key to lend from
      continue;
    }
    std::string_view key;
    model::Fingerprint rest;
    const model::Fingerprint next = Key(&key, &rest);
    if (lend)
      LendStep(lent_from, rest, chain_.back().violated, chain_.back().sites,
               world_.kernel().fault_site_order());
    lend = lend_ != nullptr && world_.state().faults.Armed() == 0;
    from = rest;
    // Both entries KnownTeardown() may read, loading together.
    table_.Prefetch(next);
    if (world_.state().faults.Armed() != 0)
      table_.Prefetch(model::WithFaults(rest, {}));
    uint32_t known;
    if (KnownTeardown(next, rest, world_.state().faults, &known)) {
      verdict = known;
      sites = (table_.Flags(next) & kSites) >> kSitesShift;
      break;
    }
    chain_.push_back(Step{next, true, 0, 0});
  }
  for (size_t k = chain_.size(); k-- > 0;) {
    verdict |= chain_[k].violated;
    sites |= chain_[k].sites;
    if (chain_[k].keyed) RecordTeardown(chain_[k].fp, verdict, sites);
  }
  return verdict;
}

}  // namespace dsifuzz
