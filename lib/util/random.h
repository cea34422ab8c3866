// Random draws: experiment ids, seeds, execution nicknames.
#ifndef LABSTORE_LIB_UTIL_RANDOM_H_
#define LABSTORE_LIB_UTIL_RANDOM_H_

#include <cstdint>
#include <string>

namespace labstore::internal {

// Uniform in [lo, hi], from a per-thread generator seeded from the OS.
uint64_t RandomBetween(uint64_t lo, uint64_t hi);

// A seed as machinable draws it: uniform in [0, 2^31-1].
int32_t RandomSeed();

// "<colour>_<animal>", in the style of machinable's nicknames.
std::string RandomNickname();

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_UTIL_RANDOM_H_
