#include "model/state_canon.h"

#include <string>
#include <string_view>

#include "model/state_hash.h"

namespace dsifuzz::model {

bool SysfsBefore(const State::SysfsEntry& a, const State::SysfsEntry& b) {
  return SysfsKey(a) < SysfsKey(b);
}

void Canonicalize(State& s, Renaming& r) {
  thread_local std::string key;
  key.clear();
  EncodeCanonical(s, key, r);
  std::string_view in = key;
  // The encoding is ours: it decodes.
  DecodeState(in, s);
}

}  // namespace dsifuzz::model
