// The model's short lists (devres lists, klists, the DSI host list): a
// vector of plain values that keeps up to N of them inline.
//
//   SmallVec<ObjId, 4> list;
//   list.push_back(id);                 // inline until a fifth
//   SmallVec<ObjId, 4> copy = list;     // one fixed-size copy while inline
//
// absl::InlinedVector does the same; this one exists for the explorer,
// which copies a whole State for every transition it tries: while both
// sides are inline, a copy is one copy of N elements, with no loop and no
// call. The values must be trivially copyable.
#ifndef DSIFUZZ_MODEL_MM_SMALL_VEC_H_
#define DSIFUZZ_MODEL_MM_SMALL_VEC_H_

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <type_traits>

namespace dsifuzz::model {

template <class T, uint32_t N>
class SmallVec {
  static_assert(std::is_trivially_copyable_v<T>);

 public:
  using value_type = T;
  using iterator = T*;
  using const_iterator = const T*;

  SmallVec() = default;
  SmallVec(const T* first, const T* last) {
    Reserve(static_cast<uint32_t>(last - first));
    std::copy(first, last, data());
    size_ = static_cast<uint32_t>(last - first);
  }
  SmallVec(std::initializer_list<T> values)
      : SmallVec(values.begin(), values.end()) {}
  SmallVec(const SmallVec& other) { *this = other; }
  SmallVec& operator=(const SmallVec& other) {
    if (this == &other) return *this;
    if (heap_ == nullptr && other.heap_ == nullptr) {
      std::memcpy(inline_, other.inline_, sizeof(inline_));
    } else {
      Reserve(other.size_);
      std::copy(other.begin(), other.end(), data());
    }
    size_ = other.size_;
    return *this;
  }
  SmallVec(SmallVec&& other) noexcept { swap(other); }
  SmallVec& operator=(SmallVec&& other) noexcept {
    if (this != &other) {
      SmallVec gone;
      gone.swap(other);
      swap(gone);
    }
    return *this;
  }
  ~SmallVec() = default;

  T* data() { return heap_ != nullptr ? heap_.get() : inline_; }
  const T* data() const { return heap_ != nullptr ? heap_.get() : inline_; }
  uint32_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T* begin() { return data(); }
  T* end() { return data() + size_; }
  const T* begin() const { return data(); }
  const T* end() const { return data() + size_; }
  std::reverse_iterator<T*> rbegin() { return std::reverse_iterator(end()); }
  std::reverse_iterator<T*> rend() { return std::reverse_iterator(begin()); }
  T& operator[](size_t i) { return data()[i]; }
  const T& operator[](size_t i) const { return data()[i]; }
  T& front() { return data()[0]; }
  T& back() { return data()[size_ - 1]; }
  const T& front() const { return data()[0]; }
  const T& back() const { return data()[size_ - 1]; }

  void push_back(const T& v) {
    Reserve(size_ + 1);
    data()[size_++] = v;
  }
  void pop_back() { --size_; }
  void clear() { size_ = 0; }
  void resize(uint32_t n) {
    Reserve(n);
    std::fill(data() + std::min(n, size_), data() + n, T{});
    size_ = n;
  }
  T* erase(T* at) { return erase(at, at + 1); }
  T* erase(T* first, T* last) {
    std::copy(last, end(), first);
    size_ -= static_cast<uint32_t>(last - first);
    return first;
  }
  void swap(SmallVec& other) noexcept {
    std::swap(size_, other.size_);
    std::swap(capacity_, other.capacity_);
    heap_.swap(other.heap_);
    T tmp[N];
    std::memcpy(tmp, inline_, sizeof(inline_));
    std::memcpy(inline_, other.inline_, sizeof(inline_));
    std::memcpy(other.inline_, tmp, sizeof(inline_));
  }

  friend bool operator==(const SmallVec& a, const SmallVec& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
  }

 private:
  // Room for n values; moving out of line keeps what is there.
  void Reserve(uint32_t n) {
    if (n <= capacity_) return;
    const uint32_t grown = std::max(n, 2 * capacity_);
    std::unique_ptr<T[]> bigger(new T[grown]);
    std::copy(begin(), end(), bigger.get());
    heap_ = std::move(bigger);
    capacity_ = grown;
  }

  uint32_t size_ = 0;
  uint32_t capacity_ = N;
  std::unique_ptr<T[]> heap_;  // null while the values are inline
  T inline_[N] = {};
};

}  // namespace dsifuzz::model

#endif  // DSIFUZZ_MODEL_MM_SMALL_VEC_H_
