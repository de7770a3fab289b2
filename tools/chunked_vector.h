// A vector of the explorer's (tools/explore.cc) that grows by chunks of
// 2^16 elements and never moves them: the nodes of the states met and the
// frontier's entries. A std::vector of millions of elements doubles into
// fresh memory each time it grows, copies itself, and hands the old array
// back; on the project's VM fresh memory costs about 2 ms per MiB at its
// first touch (tools/probe_table.h). A cleared ChunkedVector keeps its
// chunks for what comes next, as the frontier of the next depth.
//
//   ChunkedVector<Node> nodes;
//   nodes.push_back(Node{...});
//   const Node& n = nodes[i];
#ifndef DSIFUZZ_TOOLS_CHUNKED_VECTOR_H_
#define DSIFUZZ_TOOLS_CHUNKED_VECTOR_H_

#include <cstddef>
#include <vector>

namespace dsifuzz {

template <class T>
class ChunkedVector {
 public:
  static constexpr int kChunkLog2 = 16;
  static constexpr size_t kChunk = size_t{1} << kChunkLog2;

  void push_back(const T& v) {
    const size_t chunk = size_ >> kChunkLog2;
    if (chunk == chunks_.size()) {
      // Its pages are faulted in as it fills (malloc'd, not touched).
      chunks_.emplace_back();
      chunks_.back().reserve(kChunk);
    }
    chunks_[chunk].push_back(v);
    ++size_;
  }
  T& operator[](size_t i) { return chunks_[i >> kChunkLog2][i & (kChunk - 1)]; }
  const T& operator[](size_t i) const {
    return chunks_[i >> kChunkLog2][i & (kChunk - 1)];
  }
  size_t size() const { return size_; }
  // Empty, its chunks kept.
  void clear() {
    for (std::vector<T>& c : chunks_) c.clear();
    size_ = 0;
  }

 private:
  std::vector<std::vector<T>> chunks_;  // each of capacity kChunk
  size_t size_ = 0;
};

}  // namespace dsifuzz

#endif  // DSIFUZZ_TOOLS_CHUNKED_VECTOR_H_
