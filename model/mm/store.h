// The typed storage behind the shadow heap (model/mm/heap.h): one Store per
// object type, indexed by Slot::index.
//
//   Store<mipi_dsi_device> store;
//   mipi_dsi_device& dsi = store.emplace_back();   // a fresh object
//   store.emplace_back();                          // `dsi` stays valid
//   Store<mipi_dsi_device> copy = store;           // element by element
//
// Objects live in chunks that never move, so a reference to one stays
// valid while others are added (the model holds such references across
// calls that allocate); a Store is copied, never moved. Copying a Store copies
// its objects into the chunks the destination already has: the explorer copies
// a State for every transition it tries, and a std::deque's copy costs several
// times the objects'. Objects past size() are kept, stale, and reset when
// reused.
#ifndef DSIFUZZ_MODEL_MM_STORE_H_
#define DSIFUZZ_MODEL_MM_STORE_H_

#include <cstddef>
#include <memory>
#include <vector>

namespace dsifuzz::model {

template <class T>
class Store {
 public:
  using value_type = T;

  Store() = default;
  Store(const Store& other) { *this = other; }
  Store& operator=(const Store& other) {
    if (this != &other) AssignFrom(other, 0);
    return *this;
  }
  // A copy of `other` but for its first `from` objects, which are left as
  // they are (State's copy skips the stores' unused dummies).
  void AssignFrom(const Store& other, size_t from) {
    const size_t n = other.size_;
    if (n <= kChunk) {
      // The objects of a small world: the inline chunk only.
      for (size_t i = from; i < n; ++i) first_[i] = other.first_[i];
    } else {
      Reserve(n);
      for (size_t c = 0; c * kChunk < n; ++c) {
        const size_t m = std::min(kChunk, n - c * kChunk);
        const T* src = other.Chunk(c);
        T* to = Chunk(c);
        for (size_t i = c == 0 ? from : 0; i < m; ++i) to[i] = src[i];
      }
    }
    size_ = n;
  }

  T& operator[](size_t i) {
    return i < kChunk ? first_[i] : more_[i / kChunk - 1][i % kChunk];
  }
  const T& operator[](size_t i) const {
    return i < kChunk ? first_[i] : more_[i / kChunk - 1][i % kChunk];
  }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // A value-initialized object at the end.
  T& emplace_back() {
    Reserve(size_ + 1);
    T& x = (*this)[size_++];
    x = Fresh();
    return x;
  }
  // Grows with value-initialized objects, or drops the last ones.
  void resize(size_t n) {
    Reserve(n);
    for (size_t i = size_; i < n; ++i) (*this)[i] = Fresh();
    size_ = n;
  }
  void clear() { size_ = 0; }
  // A value-initialized object, to assign from (assigning a temporary
  // trips gcc 12's -Wmaybe-uninitialized inside absl::InlinedVector).
  static const T& Fresh() {
    static const T fresh{};
    return fresh;
  }

  template <class S, class U>
  class Iter {
   public:
    Iter(S* s, size_t i) : s_(s), i_(i) {}
    U& operator*() const { return (*s_)[i_]; }
    Iter& operator++() {
      ++i_;
      return *this;
    }
    friend bool operator==(const Iter& a, const Iter& b) {
      return a.i_ == b.i_;
    }

   private:
    S* s_;
    size_t i_;
  };
  Iter<Store, T> begin() { return {this, 0}; }
  Iter<Store, T> end() { return {this, size_}; }
  Iter<const Store, const T> begin() const { return {this, 0}; }
  Iter<const Store, const T> end() const { return {this, size_}; }

 private:
  // Power of two: indexing is a shift and a mask.
  static constexpr size_t kChunk = 16;

  T* Chunk(size_t c) { return c == 0 ? first_ : more_[c - 1].get(); }
  const T* Chunk(size_t c) const {
    return c == 0 ? first_ : more_[c - 1].get();
  }
  void Reserve(size_t n) {
    while ((1 + more_.size()) * kChunk < n)
      more_.push_back(std::make_unique<T[]>(kChunk));
  }

  // The first chunk is inline: the objects of a small world are found
  // without loading where their chunk is.
  T first_[kChunk];
  std::vector<std::unique_ptr<T[]>> more_;
  size_t size_ = 0;
};

}  // namespace dsifuzz::model

#endif  // DSIFUZZ_MODEL_MM_STORE_H_
