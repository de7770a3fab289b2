// The memory of the explorer's big tables (tools/explore_states.h) and
// frontier blocks (tools/explore.cc): anonymous pages, zero until written
// (no zero fill by hand), optionally advised to be 2 MiB pages where the
// kernel allows it (MADV_HUGEPAGE; Debian's default "madvise" mode of
// transparent huge pages). The tables probed at random (the table of
// states, the transition cache, the index and blocks of SiblingBlocks) gain
// from huge pages: fewer TLB misses, each a page walk in the VM, and a
// software prefetch waits for its walk (measured on the project's VM:
// 7.6 s against 7.3 s to depth 10 on four devm bridges).
//
//   ZeroedArray<Entry> table(size_t{1} << 20, /*huge=*/true);  // all zero
//   table[i] = ...;
//   HugeBuffer block(4 << 20, /*huge=*/false);  // zeroed bytes
#ifndef DSIFUZZ_TOOLS_ZEROED_ARRAY_H_
#define DSIFUZZ_TOOLS_ZEROED_ARRAY_H_

#include <sys/mman.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <type_traits>
#include <utility>

namespace dsifuzz {

// `bytes` of zeroed memory from mmap; with `huge`, aligned to 2 MiB when it
// is at least that big and advised to be huge pages. Memory read in order
// (the frontier) gains nothing from huge pages, and a huge page costs more
// to fault in (the kernel zeroes 2 MiB, and may compact memory first).
class HugeBuffer {
 public:
  HugeBuffer() = default;
  explicit HugeBuffer(size_t bytes, bool huge = true) : size_(bytes) {
    if (bytes == 0) return;
    constexpr size_t kHuge = size_t{2} << 20;
    const size_t align = huge && bytes >= kHuge ? kHuge : 4096;
    // Over-allocated by the alignment, the ends trimmed.
    const size_t mapped = bytes + align;
    void* p = mmap(nullptr, mapped, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    const auto start = reinterpret_cast<uintptr_t>(p);
    const uintptr_t aligned = (start + align - 1) & ~(align - 1);
    const size_t length = (bytes + 4095) & ~size_t{4095};
    if (aligned > start) munmap(p, aligned - start);
    if (start + mapped > aligned + length)
      munmap(reinterpret_cast<void*>(aligned + length),
             start + mapped - (aligned + length));
    data_ = reinterpret_cast<char*>(aligned);
    mapped_ = length;
    if (align == kHuge) madvise(data_, mapped_, MADV_HUGEPAGE);
    // Every page is written soon (a table is probed at random, a frontier
    // block filled in order): faulted in at once, which costs the kernel
    // less than a fault per page (Linux 5.14; refused before, harmlessly).
    madvise(data_, mapped_, MADV_POPULATE_WRITE);
  }
  HugeBuffer(HugeBuffer&& o) noexcept { Swap(o); }
  HugeBuffer& operator=(HugeBuffer&& o) noexcept {
    HugeBuffer gone;
    gone.Swap(o);
    Swap(gone);
    return *this;
  }
  HugeBuffer(const HugeBuffer&) = delete;
  HugeBuffer& operator=(const HugeBuffer&) = delete;
  ~HugeBuffer() {
    if (data_ != nullptr) munmap(data_, mapped_);
  }

  char* data() const { return data_; }
  size_t size() const { return size_; }
  void Swap(HugeBuffer& o) noexcept {
    std::swap(data_, o.data_);
    std::swap(size_, o.size_);
    std::swap(mapped_, o.mapped_);
  }

 private:
  char* data_ = nullptr;
  size_t size_ = 0;
  size_t mapped_ = 0;
};

// A fixed-size array of T whose elements start as all zero bytes, which
// must be T{} (the tables' "empty entry"), on a HugeBuffer.
template <class T>
class ZeroedArray {
  static_assert(std::is_trivially_copyable_v<T>);

 public:
  ZeroedArray() = default;
  explicit ZeroedArray(size_t n, bool huge)
      : buf_(n * sizeof(T), huge), n_(n) {}

  T& operator[](size_t i) { return data()[i]; }
  const T& operator[](size_t i) const { return data()[i]; }
  size_t size() const { return n_; }
  T* begin() { return data(); }
  T* end() { return data() + n_; }
  const T* begin() const { return data(); }
  const T* end() const { return data() + n_; }
  void swap(ZeroedArray& o) noexcept {
    buf_.Swap(o.buf_);
    std::swap(n_, o.n_);
  }
  // Every element back to zero bytes.
  void Clear() { std::memset(static_cast<void*>(data()), 0, n_ * sizeof(T)); }

 private:
  T* data() const { return reinterpret_cast<T*>(buf_.data()); }

  HugeBuffer buf_;
  size_t n_ = 0;
};

}  // namespace dsifuzz

#endif  // DSIFUZZ_TOOLS_ZEROED_ARRAY_H_
