// Properties: small read-only observers of the model's facts.
//
// A property sees every Fact of a run (model/fact.h) through OnFact() and
// records Violations. It never reaches into the model. Adding one is one
// file (a class and its factory) plus one line in properties/properties.def.
//
//   class NoWarn : public Property {
//    public:
//     std::string_view name() const override { return "no-warn"; }
//     void Observe(const model::Fact& f) override {
//       if (f.kind == model::FactKind::kWarn)
//         Add(MakeViolation(f, name(), "WARNING"));
//     }
//   };
#ifndef DSIFUZZ_PROPERTIES_PROPERTY_H_
#define DSIFUZZ_PROPERTIES_PROPERTY_H_

#include <array>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/fact.h"
#include "model/state_canon.h"

namespace dsifuzz {

// One recorded model call stack, outermost frame first.
using Stack = std::vector<const char*>;

// One violation, with what a KASAN-shaped report needs.
struct Violation {
  std::string property;  // "use-after-free"
  std::string kind;      // "use-after-free", "double-free", "WARNING"...
  std::string function;  // where it happened
  std::string detail;    // "read dsi->host", "drm_mipi_dsi.c:397@6.11 ..."
  int event = 0;
  uint32_t seq = 0;  // the fact's position in the run (orders reports)
  bool teardown = false;
  Stack stack;
  // The object concerned (0 if none) and its heap records.
  model::ObjId obj = 0;
  std::string object;  // "struct mipi_dsi_device#1"
  int alloc_event = -1;
  Stack alloc_stack;
  int free_event = -1;
  Stack free_stack;

  // The stable title used to de-duplicate: "use-after-free in
  // mipi_dsi_detach".
  std::string Title() const { return kind + " in " + function; }
};

// Fills the common fields of a violation from a fact: event, stack,
// function, object and the object's allocation/free records.
Violation MakeViolation(const model::Fact& f, std::string_view property,
                        std::string_view kind);

// Memory encodings: a list of object ids as it is; a set of them renamed
// by `r` (the ids it drops left out) and sorted, so that equal sets encode
// equally; and the decoding of either, into `ids`. The explorer saves and
// loads memories on every transition: these allocate nothing once warm.
void AppendIds(std::span<const model::ObjId> ids, std::string& out);
void AppendIdSet(std::span<const model::ObjId> ids, const model::Renaming& r,
                 std::string& out);
void ReadIds(std::string_view& in, std::vector<model::ObjId>& ids);
// AppendIdSet() of each set in turn, the same bytes in one append.
void AppendIdSets(std::initializer_list<std::span<const model::ObjId>> sets,
                  const model::Renaming& r, std::string& out);

class Property : public model::FactSink {
 public:
  ~Property() override = default;
  virtual std::string_view name() const = 0;
  // One line for --help and the docs.
  virtual std::string_view description() const = 0;
  const std::vector<Violation>& violations() const { return violations_; }

  // Passes the fact to Observe() until `limit` violations are recorded (the
  // fuzz loop needs only the first; reports want them all).
  void OnFact(const model::Fact& f) final {
    if (violations_.size() < limit_) Observe(f);
  }
  void set_limit(size_t limit) { limit_ = limit; }
  // Forgets the run seen so far, to observe a new one.
  virtual void Reset() { violations_.clear(); }

  // What the property remembers of the run so far, besides its violations,
  // appended to `out` in a canonical encoding: two runs that leave equal
  // model states and equal memories have the same future for the property.
  // The explorer (tools/explore.cc) keys states by it, in the ids of the
  // State's canonical form (model/state_canon.h): each remembered id `id`
  // is written as r(id), and an object r drops (r(id) == 0: nothing will
  // name it again) is forgotten or kept as the property needs. A property
  // that remembers nothing keeps these defaults; one that remembers object
  // ids must rename them.
  virtual void SaveMemory(std::string& out, const model::Renaming& r) const {
    (void)out;
    (void)r;
  }
  void SaveMemory(std::string& out) const {
    SaveMemory(out, model::Renaming());
  }
  // Reset(), then take back a memory SaveMemory() wrote; `in` is advanced
  // past it.
  virtual void LoadMemory(std::string_view& in) {
    (void)in;
    Reset();
  }
  // Forgets the violations seen so far and keeps what the property
  // remembers: it observes again, as from a fresh start at this point of
  // the run (the explorer judges each step of a teardown on its own).
  void ClearViolations() { violations_.clear(); }

  // The fact kinds Observe() looks at (model::FactBit of each).
  uint64_t Interest() const override = 0;

 protected:
  virtual void Observe(const model::Fact& f) = 0;
  void Add(Violation v) { violations_.push_back(std::move(v)); }

 private:
  std::vector<Violation> violations_;
  size_t limit_ = static_cast<size_t>(-1);
};

// Facts routed to the properties that observe their kind (Interest()),
// in the order the properties were added: a fact goes to no property that
// would ignore it.
//
//   FactRouter router;
//   for (auto& p : props) router.Add(p.get());
//   router.OnFact(f);   // from a FactSink's OnFact()
class FactRouter {
 public:
  void Add(Property* p) {
    const uint64_t bits = p->Interest();
    interest_ |= bits;
    for (size_t k = 0; k < by_kind_.size(); ++k) {
      if (bits & (uint64_t{1} << k)) by_kind_[k].push_back(p);
    }
  }
  // Returns whether a property it went to now has a violation.
  bool OnFact(const model::Fact& f) {
    bool violated = false;
    for (Property* p : by_kind_[static_cast<size_t>(f.kind)]) {
      p->OnFact(f);
      violated = violated || !p->violations().empty();
    }
    return violated;
  }
  uint64_t Interest() const { return interest_; }

 private:
  std::array<std::vector<Property*>, 64> by_kind_;
  uint64_t interest_ = 0;
};

// Every property, in a fixed order: single-release, use-after-free,
// refcount-balance, no-warn, host-pairing.
std::vector<std::unique_ptr<Property>> MakeAllProperties();
// The names of all properties, in the same order.
std::vector<std::string> PropertyNames();

}  // namespace dsifuzz

#endif  // DSIFUZZ_PROPERTIES_PROPERTY_H_
