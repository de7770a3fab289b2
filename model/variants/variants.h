// The variants: kernels under test, each a Kernel subclass that overrides
// the functions a patch changes. Adding one is a file in this folder plus
// one line in variants.cc.
#ifndef DSIFUZZ_MODEL_VARIANTS_VARIANTS_H_
#define DSIFUZZ_MODEL_VARIANTS_VARIANTS_H_

#include <memory>

#include "model/kernel.h"

namespace dsifuzz::model {

std::unique_ptr<Kernel> MakeUpstream611(State& s, const Topology& t,
                                        FactSink* sink);
std::unique_ptr<Kernel> MakePreDetach(State& s, const Topology& t,
                                      FactSink* sink);
std::unique_ptr<Kernel> MakePreAttachedFlag(State& s, const Topology& t,
                                            FactSink* sink);
std::unique_ptr<Kernel> MakeTomiV1(State& s, const Topology& t, FactSink* sink);
std::unique_ptr<Kernel> MakeIdempotent(State& s, const Topology& t,
                                       FactSink* sink);
std::unique_ptr<Kernel> MakeMaxime(State& s, const Topology& t, FactSink* sink);
std::unique_ptr<Kernel> MakeIdempotentRefs(State& s, const Topology& t,
                                           FactSink* sink);
std::unique_ptr<Kernel> MakeDsifuzzFix(State& s, const Topology& t,
                                       FactSink* sink);

}  // namespace dsifuzz::model

#endif  // DSIFUZZ_MODEL_VARIANTS_VARIANTS_H_
