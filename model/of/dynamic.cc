// of_node_get()/of_node_put() of drivers/of/dynamic.c@6.11,
// reduced to a count of extra references per node. Model: the nodes are
// static (no OF_DYNAMIC release); the count only has to return to its base.
#include "model/kernel.h"

namespace dsifuzz::model {

OfNode Kernel::of_node_get(OfNode node) {
  if (node >= 0) ++s_.of_refcount[node];
  return node;
}

void Kernel::of_node_put(OfNode node) {
  if (node < 0) return;
  if (--s_.of_refcount[node] < 0) {
    // kref underflow on the node's kobject (lib/refcount.c).
    WARN("lib/refcount.c: refcount_t: underflow; use-after-free (of_node_put)");
  }
}

}  // namespace dsifuzz::model
