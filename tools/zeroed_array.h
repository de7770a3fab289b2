// The memory of the explorer's big tables (tools/explore_states.h) and
// frontier blocks (tools/explore.cc): anonymous pages, zero until written
// (no zero fill by hand), optionally advised to be 2 MiB pages where the
// kernel allows it (MADV_HUGEPAGE; Debian's default "madvise" mode of
// transparent huge pages). The tables probed at random (the table of
// states, the transition cache, the index and blocks of SiblingBlocks) gain
// from huge pages: fewer TLB misses, each a page walk in the VM, and a
// software prefetch waits for its walk (measured on the project's VM:
// 7.6 s against 7.3 s to depth 10 on four devm bridges). A buffer may set
// address space aside (no memory) to grow into in place: the tables double
// there (tools/probe_table.h) and keep the pages they have.
//
//   ZeroedArray<Entry> table(size_t{1} << 20, /*huge=*/true);  // all zero
//   table[i] = ...;
//   HugeBuffer block(4 << 20, /*huge=*/false);  // zeroed bytes
//   ZeroedArray<Entry> t(1 << 16, true, /*reserve=*/1 << 24);
//   t.Grow(1 << 17);  // in place, the new half zero
#ifndef DSIFUZZ_TOOLS_ZEROED_ARRAY_H_
#define DSIFUZZ_TOOLS_ZEROED_ARRAY_H_

#include <sys/mman.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <type_traits>
#include <utility>

namespace dsifuzz {

// `bytes` of zeroed memory from mmap; with `huge`, aligned to 2 MiB when it
// (or its reservation) is at least that big and advised to be huge pages.
// Memory read in order (the frontier's keys) gains nothing from huge pages, and
// a huge page costs more to fault in (the kernel zeroes 2 MiB, and may compact
// memory first).
class HugeBuffer {
 public:
  HugeBuffer() = default;
  // With `reserve` more than `bytes`, address space for `reserve` bytes is
  // set aside (no memory: PROT_NONE), so that Grow() up to it keeps the
  // pages faulted in already where they are.
  explicit HugeBuffer(size_t bytes, bool huge = true, size_t reserve = 0)
      : size_(bytes) {
    if (bytes == 0) return;
    reserved_ = Round(std::max(bytes, reserve));
    huge_ = huge && reserved_ >= kHugePage;
    const size_t align = huge_ ? kHugePage : kPage;
    // Over-allocated by the alignment, the ends trimmed. Without room for
    // the reservation (a limit on address space), only what is asked.
    void* p = mmap(nullptr, reserved_ + align, PROT_NONE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED && reserved_ > Round(bytes)) {
      reserved_ = Round(bytes);
      p = mmap(nullptr, reserved_ + align, PROT_NONE,
               MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    }
    if (p == MAP_FAILED) throw std::bad_alloc();
    const auto start = reinterpret_cast<uintptr_t>(p);
    const uintptr_t aligned = (start + align - 1) & ~(align - 1);
    if (aligned > start) munmap(p, aligned - start);
    if (start + reserved_ + align > aligned + reserved_)
      munmap(reinterpret_cast<void*>(aligned + reserved_),
             start + reserved_ + align - (aligned + reserved_));
    data_ = reinterpret_cast<char*>(aligned);
    if (!MapMore(Round(bytes))) {
      munmap(data_, reserved_);
      throw std::bad_alloc();
    }
  }
  // Grows to `bytes` in place, the bytes added zero; false (and no change)
  // if that is past the reservation.
  bool Grow(size_t bytes) {
    if (bytes <= size_) return true;
    if (Round(bytes) > reserved_ || !MapMore(Round(bytes))) return false;
    size_ = bytes;
    return true;
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
    if (data_ != nullptr) munmap(data_, reserved_);
  }

  char* data() const { return data_; }
  size_t size() const { return size_; }
  void Swap(HugeBuffer& o) noexcept {
    std::swap(data_, o.data_);
    std::swap(size_, o.size_);
    std::swap(mapped_, o.mapped_);
    std::swap(reserved_, o.reserved_);
    std::swap(huge_, o.huge_);
  }

 private:
  static constexpr size_t kPage = 4096;
  static constexpr size_t kHugePage = size_t{2} << 20;
  static size_t Round(size_t bytes) {
    return (bytes + kPage - 1) & ~(kPage - 1);
  }
  // Makes [mapped_, length) readable and writable, and faults it in.
  bool MapMore(size_t length) {
    if (length <= mapped_) return true;
    char* from = data_ + mapped_;
    const size_t n = length - mapped_;
    if (mprotect(from, n, PROT_READ | PROT_WRITE) != 0) return false;
    if (huge_) madvise(from, n, MADV_HUGEPAGE);
    // Every page is written soon (a table is probed at random, a frontier
    // block filled in order): faulted in at once, which costs the kernel
    // less than a fault per page (Linux 5.14; refused before, harmlessly).
    madvise(from, n, MADV_POPULATE_WRITE);
    mapped_ = length;
    return true;
  }

  char* data_ = nullptr;
  size_t size_ = 0;
  size_t mapped_ = 0;    // readable and writable
  size_t reserved_ = 0;  // the address space set aside
  bool huge_ = false;
};

// A fixed-size array of T whose elements start as all zero bytes, which
// must be T{} (the tables' "empty entry"), on a HugeBuffer.
template <class T>
class ZeroedArray {
  static_assert(std::is_trivially_copyable_v<T>);

 public:
  ZeroedArray() = default;
  // With room set aside for `reserve` elements: Grow() keeps them in place
  // up to that.
  explicit ZeroedArray(size_t n, bool huge, size_t reserve = 0)
      : buf_(n * sizeof(T), huge, reserve * sizeof(T)), n_(n) {}

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
  // Grows to `n` elements in place, those added zero; false (and no
  // change) past the reservation.
  bool Grow(size_t n) {
    if (!buf_.Grow(n * sizeof(T))) return false;
    n_ = std::max(n_, n);
    return true;
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
