// upstream-6.11: the baseline. The DSI core as in v6.11, unchanged in the
// functions the model covers through 7.1-rc3 (reference §0, §6.3): the
// Kernel class itself, with no override.
#include "model/variants/variants.h"

namespace dsifuzz::model {

std::unique_ptr<Kernel> MakeUpstream611(State& s, const Topology& t,
                                        FactSink* sink) {
  return std::make_unique<Kernel>(s, t, sink);
}

}  // namespace dsifuzz::model
