// The variants: kernels under test, each a Kernel subclass that overrides
// the functions a patch changes. Adding one is a file in this folder plus
// one line in variants.def.
#ifndef DSIFUZZ_MODEL_VARIANTS_VARIANTS_H_
#define DSIFUZZ_MODEL_VARIANTS_VARIANTS_H_

#include <memory>

#include "model/kernel.h"

namespace dsifuzz::model {

// The factory of each variant of variants.def.
#define DSIFUZZ_VARIANT(name, factory) \
  std::unique_ptr<Kernel> factory(State& s, const Topology& t, FactSink* sink);
#include "model/variants/variants.def"
#undef DSIFUZZ_VARIANT

}  // namespace dsifuzz::model

#endif  // DSIFUZZ_MODEL_VARIANTS_VARIANTS_H_
