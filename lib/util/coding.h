// Integer encodings: fixed-width big-endian for keys (sorts like the numbers),
// fixed-width little-endian for values, and varints with zigzag for small
// signed deltas.
//
// varint := LEB128: 7 bits per byte, least significant first, high bit = more
// zigzag := (v << 1) ^ (v >> 63): 0 -> 0, -1 -> 1, 1 -> 2, ...
#ifndef LABSTORE_LIB_UTIL_CODING_H_
#define LABSTORE_LIB_UTIL_CODING_H_

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace labstore::internal {

inline void PutBigEndian64(std::string* dst, uint64_t v) {
  char buf[8];
  for (int i = 7; i >= 0; --i) { buf[i] = static_cast<char>(v & 0xff); v >>= 8; }
  dst->append(buf, 8);
}

inline void PutBigEndian32(std::string* dst, uint32_t v) {
  char buf[4];
  for (int i = 3; i >= 0; --i) { buf[i] = static_cast<char>(v & 0xff); v >>= 8; }
  dst->append(buf, 4);
}

inline uint64_t GetBigEndian64(std::string_view s) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(s[i]);
  return v;
}

inline uint32_t GetBigEndian32(std::string_view s) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(s[i]);
  return v;
}

// Signed values shifted by 2^63 so that byte order equals numeric order.
inline void PutOrderedInt64(std::string* dst, int64_t v) {
  PutBigEndian64(dst, static_cast<uint64_t>(v) ^ (uint64_t{1} << 63));
}
inline int64_t GetOrderedInt64(std::string_view s) {
  return static_cast<int64_t>(GetBigEndian64(s) ^ (uint64_t{1} << 63));
}

// Varints (LEB128) and zigzag, for small numbers and signed deltas in values.
inline void PutVarint(std::string* dst, uint64_t v) {
  char buf[10];
  int n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<char>(v | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<char>(v);
  dst->append(buf, n);
}

// Reads a varint at *p (< end); false if truncated or longer than 10 bytes.
inline bool GetVarint(const char** p, const char* end, uint64_t* v) {
  if (*p < end && static_cast<unsigned char>(**p) < 0x80) [[likely]] {
    *v = static_cast<unsigned char>(*(*p)++);
    return true;
  }
  uint64_t result = 0;
  for (int shift = 0; shift <= 63 && *p < end; shift += 7) {
    uint64_t byte = static_cast<unsigned char>(**p);
    ++*p;
    result |= (byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      *v = result;
      return true;
    }
  }
  return false;
}

inline uint64_t ZigZag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }
inline int64_t UnZigZag(uint64_t v) { return static_cast<int64_t>((v >> 1) ^ (~(v & 1) + 1)); }

// Little-endian fixed width, for values.
inline void PutFixed64(std::string* dst, uint64_t v) {
  char buf[8];
  std::memcpy(buf, &v, 8);  // x86-64 and aarch64 are little-endian; see doc/format.md
  dst->append(buf, 8);
}
inline uint64_t GetFixed64(std::string_view s) {
  uint64_t v;
  std::memcpy(&v, s.data(), 8);
  return v;
}
inline void PutFixed32(std::string* dst, uint32_t v) {
  char buf[4];
  std::memcpy(buf, &v, 4);
  dst->append(buf, 4);
}
inline uint32_t GetFixed32(std::string_view s) {
  uint32_t v;
  std::memcpy(&v, s.data(), 4);
  return v;
}

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_UTIL_CODING_H_
