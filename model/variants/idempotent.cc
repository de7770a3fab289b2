// idempotent: Sima's first idea on its own; the class is in idempotent.h.
#include "model/variants/idempotent.h"

#include "model/variants/variants.h"

namespace dsifuzz::model {

std::unique_ptr<Kernel> MakeIdempotent(State& s, const Topology& t,
                                       FactSink* sink) {
  return std::make_unique<Idempotent>(s, t, sink);
}

}  // namespace dsifuzz::model
