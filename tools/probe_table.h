// Growing the explorer's open-addressed tables (the table of states, the
// transition cache, the index of the sibling blocks) in place: linear
// probing over a ZeroedArray whose size is a power of two, an entry going
// first to home(entry) & (size - 1), an unused entry being all zero bytes.
//
//   ZeroedArray<Entry> t(1 << 16, /*huge=*/true, /*reserve=*/1 << 24);
//   DoubleTable(t, /*huge=*/true, [](const Entry& e) { return e.used; },
//               [](const Entry& e) { return e.key.lo; });
//
// Doubling in place (ZeroedArray::Grow, within its reservation) keeps the
// pages of the table where they are: only the new half is fresh memory,
// where a new table would be twice the old one's size in fresh pages, and
// the old one's handed back. On the project's VM a first touch of a page
// costs about 2 ms per MiB (the host backs it then, and takes back what is
// freed within seconds), against 0.1 ms for a page the process still has.
#ifndef DSIFUZZ_TOOLS_PROBE_TABLE_H_
#define DSIFUZZ_TOOLS_PROBE_TABLE_H_

#include <cstddef>
#include <vector>

#include "tools/zeroed_array.h"

namespace dsifuzz {

// Doubles `table`, every used entry moved to where a lookup in the doubled
// table finds it (a new table, with `huge`, past the reservation).
template <class T, class Used, class Home>
void DoubleTable(ZeroedArray<T>& table, bool huge, Used used, Home home) {
  const size_t n = table.size();
  const size_t mask = 2 * n - 1;
  auto insert = [&](const T& e) {
    size_t i = home(e) & mask;
    while (used(table[i])) i = (i + 1) & mask;
    table[i] = e;
  };
  if (!table.Grow(2 * n)) {
    ZeroedArray<T> old(2 * n, huge);
    old.swap(table);
    for (const T& e : old) {
      if (used(e)) insert(e);
    }
    return;
  }
  // In place: each entry of the old half taken out and put back, in
  // order, so that every slot a lookup passes on its way to an entry put
  // back holds an entry that is never moved again. The entries before the
  // old half's first unused slot (a run that may have wrapped from its
  // end) are set aside first, and put back last. Every other entry, at i,
  // has its home h with no unused slot between them: h <= i, and it goes
  // to h or h + n. From h it passes only slots in [h, i), done already,
  // and lands at i at the latest (free now). From h + n it passes only
  // entries put back in the new half, and then, if it wraps, slots below
  // i: done already.
  std::vector<T> later;
  size_t first_unused = 0;
  while (first_unused < n && used(table[first_unused])) {
    later.push_back(table[first_unused]);
    table[first_unused++] = T{};
  }
  for (size_t i = first_unused; i < n; ++i) {
    if (!used(table[i])) continue;
    const T e = table[i];
    table[i] = T{};
    insert(e);
  }
  for (const T& e : later) insert(e);
}

}  // namespace dsifuzz

#endif  // DSIFUZZ_TOOLS_PROBE_TABLE_H_
