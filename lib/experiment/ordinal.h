// Experiment ordinals, unique across the parts of a store without
// coordination (doc/many-writers.md, "Numbers"; experiment_key in keys.h).
//
//   main database (part 0):  0 .. 2^31 - 1, the definition's count as before
//   shard n:                 2^31 | n << 19 | local,  local 0 .. 2^19 - 2
//
// A shard's `local` is one more than the highest ordinal of its range found
// in its own database and in the main database (an earlier holder of number
// n was this shard, taken over, or merged into the main database). Its
// `definitions` entry holds count := ordinal + 1, so that the latest
// experiment's key is count - 1 in every part.
#ifndef LABSTORE_LIB_EXPERIMENT_ORDINAL_H_
#define LABSTORE_LIB_EXPERIMENT_ORDINAL_H_

#include <cstdint>
#include <string_view>

#include "labstore/status.h"
#include "store/store_state.h"

namespace labstore::internal {

inline constexpr uint32_t kShardOrdinalBit = uint32_t{1} << 31;
inline constexpr int kShardLocalBits = 19;
// Experiments of one definition one shard number holds: local 0 .. 2^19 - 2
// (the last one would make count = ordinal + 1 overflow in shard 4095).
inline constexpr uint32_t kMaxShardLocal = (uint32_t{1} << kShardLocalBits) - 1;

// The lowest ordinal of shard `part`'s range.
inline uint32_t ShardOrdinalBase(int part) {
  return kShardOrdinalBit | (static_cast<uint32_t>(part) << kShardLocalBits);
}

// The ordinal for the next experiment of definition `hash` in the handle's
// own part; `count` is the own part's definitions count (main: the next
// ordinal). The caller holds st.write_mu.
// Errors: InvalidArgument (the definition's range in this part is full);
// IOError.
Result<uint32_t> DrawOrdinal(const StoreState& st, std::string_view hash, uint32_t count, std::string_view module);

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_EXPERIMENT_ORDINAL_H_
