// A small deterministic random number generator (SplitMix64). The same seed
// gives the same stream on every platform and standard library, which
// std::uniform_int_distribution does not promise.
#ifndef DSIFUZZ_TOOLS_RNG_H_
#define DSIFUZZ_TOOLS_RNG_H_

#include <cstdint>

namespace dsifuzz {

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}

  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n) for n > 0 (the modulo bias is below 2^-40 here).
  uint32_t Below(uint32_t n) { return static_cast<uint32_t>(Next() % n); }
  // Uniform in [lo, hi].
  int Range(int lo, int hi) {
    return lo + static_cast<int>(Below(static_cast<uint32_t>(hi - lo + 1)));
  }

 private:
  uint64_t state_;
};

// The seed of run `run` of a fuzz campaign started with `seed`.
inline uint64_t RunSeed(uint64_t seed, uint64_t run) {
  Rng r(seed ^ (run * 0xD1B54A32D192ED03ull));
  return r.Next();
}

}  // namespace dsifuzz

#endif  // DSIFUZZ_TOOLS_RNG_H_
