// A growable byte buffer written through raw pointers: Room(n) promises n
// writable bytes at End(), Advance(p) keeps what was written up to p. Unlike
// std::string (C++20 has no resize_and_overwrite) nothing is zero-filled, and
// the capacity is kept across Clear(), so a formatter that reuses one buffer
// allocates only while it grows.
//
//   TextBuffer buf;
//   char* p = buf.Room(20);
//   buf.Advance(std::to_chars(p, p + 20, n).ptr);
#ifndef LABSTORE_LIB_UTIL_TEXT_BUFFER_H_
#define LABSTORE_LIB_UTIL_TEXT_BUFFER_H_

#include <cstddef>
#include <cstring>
#include <memory>
#include <string_view>

namespace labstore::internal {

class TextBuffer {
 public:
  TextBuffer() = default;
  TextBuffer(const TextBuffer&) = delete;
  TextBuffer& operator=(const TextBuffer&) = delete;

  // A pointer to at least `n` writable bytes after the text.
  char* Room(size_t n) {
    if (cap_ - size_ < n) [[unlikely]] Grow(n);
    return data_.get() + size_;
  }
  // Keeps the bytes written from End() up to `end` (which Room allowed).
  void Advance(char* end) { size_ = static_cast<size_t>(end - data_.get()); }
  void Append(std::string_view s) {
    char* p = Room(s.size());
    std::memcpy(p, s.data(), s.size());
    size_ += s.size();
  }
  void Push(char c) {
    *Room(1) = c;
    ++size_;
  }
  void Clear() { size_ = 0; }
  size_t size() const { return size_; }
  size_t capacity() const { return cap_; }
  std::string_view view() const { return {data_.get(), size_}; }

 private:
  void Grow(size_t n) {
    size_t cap = cap_ < 4096 ? 4096 : cap_;
    while (cap - size_ < n) cap *= 2;
    std::unique_ptr<char[]> data(new char[cap]);
    if (size_ != 0) std::memcpy(data.get(), data_.get(), size_);
    data_ = std::move(data);
    cap_ = cap;
  }

  std::unique_ptr<char[]> data_;
  size_t size_ = 0;
  size_t cap_ = 0;
};

// Bytes held (for ThreadSpare).
inline size_t Footprint(const TextBuffer& b) { return b.capacity(); }

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_UTIL_TEXT_BUFFER_H_
