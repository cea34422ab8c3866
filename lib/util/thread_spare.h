// ThreadSpare<T>: borrows the calling thread's spare T (made on first use)
// and gives it back on destruction, so that buffers which grow to hundreds of
// kilobytes per call (decoded record chunks, text being written) keep their
// capacity from one call to the next. Without it, every call allocates them
// anew and, once glibc has trimmed the freed memory, the kernel zero-fills
// every page again on first touch: in an export of records that cost as much
// CPU as formatting the text.
//
// A borrower nested in another on the same thread gets a fresh T (there is
// one spare per thread, not a pool). A T whose Footprint() exceeds
// `kMaxKeptBytes` is dropped rather than kept, bounding what an idle thread
// holds.
//
//   ThreadSpare<TextBuffer> text;   // text->Clear() first: it may hold old text
#ifndef LABSTORE_LIB_UTIL_THREAD_SPARE_H_
#define LABSTORE_LIB_UTIL_THREAD_SPARE_H_

#include <cstddef>
#include <memory>

namespace labstore::internal {

template <typename T>
class ThreadSpare {
 public:
  static constexpr size_t kMaxKeptBytes = size_t{16} << 20;

  ThreadSpare() : value_(Slot() ? std::move(Slot()) : std::make_unique<T>()) {}
  ~ThreadSpare() {
    if (value_ && Footprint(*value_) <= kMaxKeptBytes) Slot() = std::move(value_);
  }
  ThreadSpare(ThreadSpare&&) noexcept = default;
  ThreadSpare& operator=(ThreadSpare&&) noexcept = default;

  T& operator*() { return *value_; }
  T* operator->() { return value_.get(); }
  const T& operator*() const { return *value_; }
  const T* operator->() const { return value_.get(); }

 private:
  static std::unique_ptr<T>& Slot() {
    thread_local std::unique_ptr<T> slot;
    return slot;
  }

  std::unique_ptr<T> value_;
};

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_UTIL_THREAD_SPARE_H_
