// The rows of a chunk being built, column by column, before EncodeChunk
// writes them (grammar in chunk.h). Private to lib/record.
#ifndef LABSTORE_LIB_RECORD_CHUNK_BUILDER_H_
#define LABSTORE_LIB_RECORD_CHUNK_BUILDER_H_

#include <bit>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "labstore/record.h"
#include "record/chunk.h"

namespace labstore::internal {

// Bits [0, rows) of `words` that are set.
inline uint64_t CountBits(const std::vector<uint64_t>& words, uint32_t rows) {
  uint64_t n = 0;
  size_t full = rows >> 6;
  for (size_t i = 0; i < full && i < words.size(); ++i) n += std::popcount(words[i]);
  if ((rows & 63) != 0 && full < words.size()) n += std::popcount(words[full] & ((uint64_t{1} << (rows & 63)) - 1));
  return n;
}

inline constexpr uint32_t kSparse = UINT32_MAX;

// One column of a chunk being built. Dense mode (dense_next != kSparse): the
// column has a non-null value in each of rows [0, dense_next) and in no other.
// Sparse mode: bitmaps tell which rows have it and which of those are non-null.
struct ColumnBuffer {
  std::string name;
  ValueType type = ValueType::kNull;
  uint32_t dense_next = 0;
  uint32_t count = 0;               // non-null values stored
  std::vector<uint64_t> fixed;      // int64 / double bits / bool 0-1; size() is the capacity
  std::vector<uint32_t> ends;       // string / json: end offset of each value in `bytes`
  std::string bytes;
  std::vector<uint64_t> present;    // sparse mode, one bit per row
  std::vector<uint64_t> valid;
  // Type double: bit i set when value i is an int64 (its bits in `fixed`);
  // empty while every value is a double. Bits at i >= count are 0.
  std::vector<uint64_t> int_values;

  bool sparse() const { return dense_next == kSparse; }
  void Reset();
  // Switches a dense column to sparse mode.
  void MakeSparse();
  bool Present(uint32_t row) const;
  bool Valid(uint32_t row) const;
  // Index among the stored values of the value of `row` (which must be valid).
  uint32_t ValueIndex(uint32_t row) const;
  // Whether any of rows [0, rows) has the column; values stored for them.
  bool AnyPresent(uint32_t rows) const;
  uint32_t ValuesBefore(uint32_t rows) const;
  Value Get(uint32_t value_index) const;
  std::string_view StringAt(uint32_t value_index) const {
    uint32_t begin = value_index == 0 ? 0 : ends[value_index - 1];
    return std::string_view(bytes).substr(begin, ends[value_index] - begin);
  }
  void GrowFixed();
  // Rewrites every stored value as JSON text (type becomes kJson).
  void ConvertToJson();
  // Type double: whether value i is an int64.
  bool IntAt(uint32_t i) const {
    size_t w = i >> 6;
    return w < int_values.size() && ((int_values[w] >> (i & 63)) & 1);
  }
  // Type double: marks value i an int64 (set) or a double (clear).
  void MarkInt(uint32_t i, bool is_int);
  // An int64 column becomes a double column whose values are all ints.
  void PromoteToDouble();
};

// The rows of one chunk being built.
struct ChunkBuffer {
  uint32_t rows = 0;
  std::vector<int64_t> micros;       // one per row
  std::vector<int32_t> utc_offsets;  // one per row
  std::vector<ColumnBuffer> columns;  // indexed by ColumnId
  size_t value_bytes = 0;            // approximate bytes of the values
  void Reset();
};

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_RECORD_CHUNK_BUILDER_H_
