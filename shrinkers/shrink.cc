#include "shrinkers/shrink.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "model/world.h"
#include "tools/judge.h"

namespace dsifuzz {

using model::DeviceKind;
using model::Event;
using model::EventKind;
using model::OnDevice;

namespace {

Scenario WithoutEvents(const Scenario& s, size_t from, size_t count) {
  Scenario c = s;
  c.events.erase(c.events.begin() + static_cast<ptrdiff_t>(from),
                 c.events.begin() + static_cast<ptrdiff_t>(from + count));
  c.event_lines.assign(c.events.size(), 0);
  return c;
}

}  // namespace

bool Shrinker::Fails(const Scenario& s) {
  ++attempts_;
  Verdict v = Judge(s, properties_);
  if (!v.valid || v.title != title_) return false;
  if (clean_on_.empty()) return true;
  Scenario other = s;
  other.SetVariant(clean_on_);
  Verdict o = Judge(other, properties_);
  return o.valid && o.failed.empty();
}

Scenario Shrinker::DropDevice(const Scenario& s, int i) {
  const model::Topology& t = s.topology;
  std::vector<bool> drop(t.devices.size(), false);
  drop[i] = true;
  for (size_t j = 0; j < t.devices.size(); ++j) {
    if (t.devices[j].host == i) drop[j] = true;
  }
  std::vector<int> index(t.devices.size(), -1);
  Scenario c = s;
  c.topology.devices.clear();
  for (size_t j = 0; j < t.devices.size(); ++j) {
    if (drop[j]) continue;
    index[j] = static_cast<int>(c.topology.devices.size());
    c.topology.devices.push_back(t.devices[j]);
  }
  for (model::TopoDevice& d : c.topology.devices) {
    if (d.host >= 0) d.host = static_cast<int16_t>(index[d.host]);
  }
  c.events.clear();
  for (const Event& e : s.events) {
    if (OnDevice(e)) {
      if (drop[e.arg]) continue;
      Event m = e;
      m.arg = static_cast<int16_t>(index[e.arg]);
      c.events.push_back(m);
    } else {
      c.events.push_back(e);
    }
  }
  c.event_lines.assign(c.events.size(), 0);
  return c;
}

bool Shrinker::DropDevices(Scenario& s) {
  bool progress = false;
  for (int i = static_cast<int>(s.topology.devices.size()) - 1; i >= 0; --i) {
    if (i >= static_cast<int>(s.topology.devices.size())) continue;
    Scenario c = DropDevice(s, i);
    if (Fails(c)) {
      s = std::move(c);
      progress = true;
    }
  }
  return progress;
}

// Removes two events at once, at any distance: a bind and its unbind, an
// insmod and its rmmod, a fault and the event it hits. Single removals may
// each break the precondition of the other; the pair does not.
bool Shrinker::DropPairs(Scenario& s) {
  bool progress = false;
  for (size_t i = 0; i < s.events.size(); ++i) {
    for (size_t j = i + 1; j < s.events.size(); ++j) {
      Scenario c = WithoutEvents(s, j, 1);
      c = WithoutEvents(c, i, 1);
      if (Fails(c)) {
        s = std::move(c);
        progress = true;
        j = i;  // the pair at i is gone: look at the new event i
        if (i >= s.events.size()) break;
      }
    }
  }
  return progress;
}

// Delta debugging, reduce-to-complement form: remove chunks of size n/2,
// n/4, ... 1, keeping every removal that still fails.
bool Shrinker::DeltaDebug(Scenario& s) {
  bool progress = false;
  for (size_t chunk = std::max<size_t>(s.events.size() / 2, 1); chunk >= 1;
       chunk /= 2) {
    for (size_t from = 0; from + chunk <= s.events.size();) {
      Scenario c = WithoutEvents(s, from, chunk);
      if (Fails(c)) {
        s = std::move(c);
        progress = true;
      } else {
        from += chunk;
      }
    }
    if (chunk == 1) break;
  }
  return progress;
}

bool Shrinker::LowerCounts(Scenario& s) {
  bool progress = false;
  for (size_t i = 0; i < s.events.size(); ++i) {
    while (s.events[i].kind == EventKind::kFail && s.events[i].count > 1) {
      Scenario c = s;
      --c.events[i].count;
      if (!Fails(c)) break;
      s = std::move(c);  // invalidates references into s.events: index only
      progress = true;
    }
  }
  return progress;
}

namespace {
bool Smaller(const Event& a, const Event& b) {
  if (a.kind != b.kind) return a.kind < b.kind;
  if (a.arg != b.arg) return a.arg < b.arg;
  return a.count < b.count;
}
}  // namespace

bool Shrinker::Simplify(Scenario& s) {
  bool progress = false;
  const int n = static_cast<int>(s.topology.devices.size());
  for (size_t i = 0; i < s.events.size(); ++i) {
    // Candidates in increasing order: the first that still fails wins.
    std::vector<Event> candidates;
    for (EventKind k : {EventKind::kBind, EventKind::kUnbind}) {
      for (int d = 0; d < n; ++d)
        candidates.push_back(Event{k, static_cast<int16_t>(d)});
    }
    for (const Event& e : candidates) {
      if (!Smaller(e, s.events[i])) break;
      Scenario c = s;
      c.events[i] = e;
      if (Fails(c)) {
        s = std::move(c);
        progress = true;
        break;
      }
    }
  }
  return progress;
}

Scenario Shrinker::Canonical(const Scenario& s, bool reorder) {
  const model::Topology& t = s.topology;
  const int n = static_cast<int>(t.devices.size());
  // Order of first use: devices named by events, hosts before their
  // peripherals' first use; unused devices last, in declaration order.
  std::vector<int> order;
  auto use = [&](int i) {
    if (std::find(order.begin(), order.end(), i) == order.end())
      order.push_back(i);
  };
  for (const Event& e : s.events) {
    if (!OnDevice(e)) continue;
    use(e.arg);
  }
  for (int i = 0; i < n; ++i) use(i);
  std::vector<int> pos(n);  // new index of device i
  if (reorder) {
    // Controllers first (a host precedes its peripherals), each group in
    // order of first use.
    std::vector<int> sorted;
    for (int i : order)
      if (t.devices[i].kind == DeviceKind::kDsiController) sorted.push_back(i);
    for (int i : order)
      if (t.devices[i].kind != DeviceKind::kDsiController) sorted.push_back(i);
    order = sorted;
  } else {
    std::sort(order.begin(), order.end());
  }
  for (int k = 0; k < n; ++k) pos[order[k]] = k;
  // Names by kind, numbered in order of first use.
  std::map<DeviceKind, int> counter;
  std::vector<std::string> names(n);
  std::vector<int> first_use;
  for (const Event& e : s.events)
    if (OnDevice(e) &&
        std::find(first_use.begin(), first_use.end(), e.arg) == first_use.end())
      first_use.push_back(e.arg);
  for (int i = 0; i < n; ++i)
    if (std::find(first_use.begin(), first_use.end(), i) == first_use.end())
      first_use.push_back(i);
  for (int i : first_use) {
    const DeviceKind k = t.devices[i].kind;
    const char* prefix = k == DeviceKind::kDsiController ? "host"
                         : k == DeviceKind::kI2cBridge   ? "bridge"
                                                         : "panel";
    names[i] = absl::StrCat(prefix, counter[k]++);
  }
  Scenario c = s;
  c.topology.devices.assign(n, model::TopoDevice{});
  for (int i = 0; i < n; ++i) {
    model::TopoDevice d = t.devices[i];
    d.name = names[i];
    if (d.host >= 0) d.host = static_cast<int16_t>(pos[d.host]);
    c.topology.devices[pos[i]] = d;
  }
  for (Event& e : c.events)
    if (OnDevice(e)) e.arg = static_cast<int16_t>(pos[e.arg]);
  return c;
}

namespace {
struct SearchState {
  Shrinker* self;
  const Scenario* base;
  std::vector<Event> prefix;
  int target;
  int budget;
  std::optional<Scenario> found;
};
}  // namespace

static bool Search(SearchState& st) {
  if (st.budget-- <= 0) return false;
  // The events that apply after the prefix, smallest first.
  model::World w(st.base->topology, model::FindVariant(st.base->variant()),
                 nullptr);
  w.Setup();
  for (const Event& e : st.prefix) w.Apply(e).IgnoreError();
  std::vector<Event> enabled;
  w.EnabledEvents(enabled);
  std::sort(enabled.begin(), enabled.end(), Smaller);
  for (const Event& e : enabled) {
    st.prefix.push_back(e);
    if (static_cast<int>(st.prefix.size()) == st.target) {
      Scenario c = *st.base;
      c.events = st.prefix;
      c.event_lines.assign(c.events.size(), 0);
      if (st.budget-- <= 0) return false;
      if (st.self->Fails(c)) {
        st.found = std::move(c);
        return true;
      }
    } else if (Search(st)) {
      return true;
    }
    st.prefix.pop_back();
    if (st.budget <= 0) return false;
  }
  return false;
}

std::optional<Scenario> Shrinker::Shortest(const Scenario& s, int max_len,
                                           int budget) {
  SearchState st{this, &s, {}, 0, budget, std::nullopt};
  for (int len = 1; len <= max_len; ++len) {
    st.target = len;
    st.prefix.clear();
    if (Search(st)) return st.found;
    if (st.budget <= 0) return std::nullopt;
  }
  return std::nullopt;
}

Scenario Shrinker::Shrink(const Scenario& failing) {
  Scenario s = failing;
  s.event_lines.assign(s.events.size(), 0);
  // A 1-minimal result may still be longer than the shortest failure
  // (remove+add where one bind would do): after the passes, look for a
  // shorter sequence and, if there is one, run the passes on it again.
  constexpr int kSearchBudget = 4000;
  for (;;) {
    bool progress = true;
    while (progress) {
      progress = false;
      progress |= DropDevices(s);
      progress |= DeltaDebug(s);
      progress |= DropPairs(s);
      progress |= LowerCounts(s);
      progress |= Simplify(s);
    }
    std::optional<Scenario> shorter =
        Shortest(s, static_cast<int>(s.events.size()) - 1, kSearchBudget);
    if (!shorter) break;
    s = std::move(*shorter);
  }
  Scenario c = Canonical(s, true);
  if (Fails(c)) return c;
  c = Canonical(s, false);
  if (Fails(c)) return c;
  return s;
}

bool Shrinker::IsOneMinimal(const Scenario& s) {
  for (size_t i = 0; i < s.events.size(); ++i) {
    if (Fails(WithoutEvents(s, i, 1))) return false;
  }
  for (size_t i = 0; i < s.topology.devices.size(); ++i) {
    if (Fails(DropDevice(s, static_cast<int>(i)))) return false;
  }
  return true;
}

}  // namespace dsifuzz
