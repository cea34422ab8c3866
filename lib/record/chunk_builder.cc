// ColumnBuffer and ChunkBuffer (chunk_builder.h): the rows of a chunk being
// built, in dense or sparse columns.
#include "record/chunk_builder.h"

#include <algorithm>
#include <utility>

#include "record/value_json.h"

namespace labstore::internal {
namespace {

inline bool BitAt(const std::vector<uint64_t>& words, uint32_t row) {
  size_t w = row >> 6;
  return w < words.size() && ((words[w] >> (row & 63)) & 1);
}

}  // namespace

void ColumnBuffer::Reset() {
  type = ValueType::kNull;
  dense_next = 0;
  count = 0;
  ends.clear();
  bytes.clear();
  if (bytes.capacity() > (64u << 20)) bytes.shrink_to_fit();
  present.clear();
  valid.clear();
  int_values.clear();
}

void ColumnBuffer::MakeSparse() {
  if (sparse()) return;
  uint32_t n = dense_next;
  size_t words = (n + 64) / 64 + 1;
  present.assign(words, 0);
  for (uint32_t i = 0; i < n / 64; ++i) present[i] = ~uint64_t{0};
  if ((n & 63) != 0) present[n / 64] = (uint64_t{1} << (n & 63)) - 1;
  valid = present;
  dense_next = kSparse;
}

bool ColumnBuffer::Present(uint32_t row) const { return sparse() ? BitAt(present, row) : row < dense_next; }
bool ColumnBuffer::Valid(uint32_t row) const { return sparse() ? BitAt(valid, row) : row < dense_next; }

uint32_t ColumnBuffer::ValueIndex(uint32_t row) const {
  return sparse() ? static_cast<uint32_t>(CountBits(valid, row)) : row;
}

bool ColumnBuffer::AnyPresent(uint32_t rows) const {
  return sparse() ? CountBits(present, rows) > 0 : dense_next > 0 && rows > 0;
}

uint32_t ColumnBuffer::ValuesBefore(uint32_t rows) const {
  if (type == ValueType::kNull) return 0;
  return sparse() ? static_cast<uint32_t>(CountBits(valid, rows)) : std::min(dense_next, rows);
}

void ColumnBuffer::GrowFixed() { fixed.resize(std::max<size_t>(64, fixed.size() * 2)); }

Value ColumnBuffer::Get(uint32_t i) const {
  switch (type) {
    case ValueType::kInt64: return Value(static_cast<int64_t>(fixed[i]));
    case ValueType::kDouble:
      if (IntAt(i)) return Value(static_cast<int64_t>(fixed[i]));
      return Value(std::bit_cast<double>(fixed[i]));
    case ValueType::kBool: return Value(fixed[i] != 0);
    case ValueType::kString: return Value(StringAt(i));
    case ValueType::kJson: return StoredJsonValue(StringAt(i));
    case ValueType::kNull: break;
  }
  return Value();
}

void ColumnBuffer::ConvertToJson() {
  if (type == ValueType::kJson) return;
  std::vector<uint32_t> new_ends;
  std::string new_bytes;
  new_ends.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    AppendStoredJson(&new_bytes, Get(i));
    new_ends.push_back(static_cast<uint32_t>(new_bytes.size()));
  }
  ends = std::move(new_ends);
  bytes = std::move(new_bytes);
  type = ValueType::kJson;
  int_values.clear();
}

void ColumnBuffer::MarkInt(uint32_t i, bool is_int) {
  size_t w = i >> 6;
  uint64_t bit = uint64_t{1} << (i & 63);
  if (!is_int) {
    if (w < int_values.size()) int_values[w] &= ~bit;
    return;
  }
  if (w >= int_values.size()) int_values.resize(w + 1 + int_values.size(), 0);
  int_values[w] |= bit;
}

void ColumnBuffer::PromoteToDouble() {
  int_values.assign((count + 63) / 64, 0);
  for (uint32_t i = 0; i < count / 64; ++i) int_values[i] = ~uint64_t{0};
  if ((count & 63) != 0) int_values[count / 64] = (uint64_t{1} << (count & 63)) - 1;
  type = ValueType::kDouble;
}

void ChunkBuffer::Reset() {
  rows = 0;
  value_bytes = 0;
  for (auto& c : columns) c.Reset();
}

}  // namespace labstore::internal
