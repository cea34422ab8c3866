#include "util/hash.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "util/coding.h"

namespace labstore::internal {

std::string Hash128(std::string_view data) {
  XXH128_hash_t h = XXH3_128bits(data.data(), data.size());
  std::string out;
  out.reserve(kHashSize);
  PutBigEndian64(&out, h.high64);
  PutBigEndian64(&out, h.low64);
  return out;
}

uint64_t Hash64(std::string_view data) { return XXH3_64bits(data.data(), data.size()); }

std::string ToHex(std::string_view bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

}  // namespace labstore::internal
