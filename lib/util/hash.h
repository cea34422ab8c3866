// Content hashes: XXH3-128, written as 16 bytes big-endian (high 64 bits first).
#ifndef LABSTORE_LIB_UTIL_HASH_H_
#define LABSTORE_LIB_UTIL_HASH_H_

#include <string>
#include <string_view>

namespace labstore::internal {

inline constexpr size_t kHashSize = 16;

// XXH3-128 (seed 0) of `data` as 16 bytes, high half first.
std::string Hash128(std::string_view data);

// XXH3-64 (seed 0) of `data`.
uint64_t Hash64(std::string_view data);

// Lower-case hex of arbitrary bytes.
std::string ToHex(std::string_view bytes);

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_UTIL_HASH_H_
