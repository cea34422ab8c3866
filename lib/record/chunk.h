// Record chunks: many rows of one scope packed column by column into one
// value of the `records` column family. Private to lib/record. This header
// owns the grammar and its constants; chunk_builder.h holds the rows being
// built, chunk_encode.cc writes them, chunk_decode.cc reads them back.
//
// chunk        := header payload checksum
// header       := format(1) = 1
//                 codec(1)            0 none, 1 LZ4 block, 2 zstd frame
//                 reserved(2) = 0
//                 row_count(4, LE)    >= 1
//                 first_row(8, LE)    scope row number of the chunk's first row (= key's chunk_start)
//                 raw_size(4, LE)     size of `raw` below
//                 payload_size(4, LE)
// payload      := raw compressed with codec (codec 0: raw itself)
// checksum     := XXH3-64 (seed 0) of header ‖ payload, 8 bytes LE
// raw          := timestamps column_count(varint) column{column_count}
// timestamps   := micros_delta{row_count}             zigzag varints: unix micros minus the previous
//                                                     row's (the first row's minus 0)
//                 offset_mode(1)  0: utc_offset(4, LE signed) for every row
//                                 1: utc_offset(4, LE signed){row_count}
// column       := name_length(varint) name type(1) flags(1)
//                 [present_bitmap]  if flags & 1, else every row has the column
//                 [valid_bitmap]    if flags & 2, else every present cell has a value (type null: none)
//                 [int_bitmap]      if flags & 4 (type double only): ceil(k / 8) bytes, bit i set
//                                   when value i was logged as an int64; unused bits 0
//                 values            one per valid row, in row order, by type (k values):
//   null         nothing (flags & 2 is 0)
//   int64        zigzag varint of (value - previous value), previous of the first = 0, wrapping
//   double       8 bytes LE (IEEE-754 bits); with flags & 4, value i is the zigzag varint of the
//                int64 (not a delta) when bit i of int_bitmap is set, else 8 bytes LE
//   bool         bitmap of the values
//   string/json  length(varint){k}, then the k byte strings concatenated
// bitmap       := ceil(row_count / 8) bytes; row i is bit (i mod 8) of byte i/8; unused bits 0
// varint       := LEB128: 7 bits per byte, least significant first, high bit = more (util/coding.h)
// type         := ValueType (labstore/record.h): 0 null 1 int64 2 double 3 bool 4 string 5 json
// A column appears at most once per chunk and only if some row of the chunk has it. A json
// value is JSON text in the compact sorted form (Python json.dumps(sort_keys=True,
// separators=(",", ":"))); in a column of mixed types every value is stored so. A column
// of ints and doubles is a double column with flags & 4 (each int keeps its spelling);
// chunks written before flag 4 existed hold such a column as json ("0", "0.25"), and
// readers treat a json column whose values are all numbers as numbers (record/numeric.h).
// Pinned by test/record/chunk_test.cc.
#ifndef LABSTORE_LIB_RECORD_CHUNK_H_
#define LABSTORE_LIB_RECORD_CHUNK_H_

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "labstore/record.h"
#include "labstore/status.h"

namespace labstore::internal {

inline constexpr uint8_t kChunkFormat = 1;

// Byte offsets of the header fields.
inline constexpr size_t kChunkFormatOffset = 0;
inline constexpr size_t kChunkCodecOffset = 1;
inline constexpr size_t kChunkReservedOffset = 2;  // 2 bytes
inline constexpr size_t kChunkRowCountOffset = 4;
inline constexpr size_t kChunkFirstRowOffset = 8;
inline constexpr size_t kChunkRawSizeOffset = 16;
inline constexpr size_t kChunkPayloadSizeOffset = 20;
inline constexpr size_t kChunkHeaderSize = 24;
inline constexpr size_t kChunkChecksumSize = 8;

// The header's codec ids (on disk: do not change existing values).
enum ChunkCodec : uint8_t { kChunkCodecNone = 0, kChunkCodecLz4 = 1, kChunkCodecZstd = 2 };

// The bits of a column's flags byte (on disk: do not change existing values).
enum ColumnFlag : uint8_t { kColumnHasPresence = 1, kColumnHasValidity = 2, kColumnHasInts = 4 };

struct ChunkBuffer;  // record/chunk_builder.h

// Encodes rows [0, buf.rows) of `buf` (cells of a row at index buf.rows, the
// row being built, are left out) as a chunk into `out` (replaced). `scratch`
// is reused between calls.
void EncodeChunk(const ChunkBuffer& buf, uint64_t first_row, Compression compression, std::string* scratch,
                 std::string* out);

// A decoded column: views into DecodedChunk::raw plus decoded integers.
struct DecodedColumn {
  std::string_view name;
  ValueType type = ValueType::kNull;
  const uint8_t* present = nullptr;  // nullptr: every row
  const uint8_t* valid = nullptr;    // nullptr: every present row (type null: none)
  uint32_t count = 0;                // values
  std::vector<int64_t> ints;         // int64; double with ints: count, the int64 where IntAt
  const char* doubles = nullptr;     // double: count * 8 bytes LE (ints converted)
  const uint8_t* int_bits = nullptr; // double: bitmap of the values logged as int64, or nullptr
  std::vector<double> numbers;       // double with ints: what `doubles` points at
  const uint8_t* bools = nullptr;    // bool: bitmap of count bits
  std::vector<uint32_t> str_offsets; // string/json: count + 1 offsets into str_bytes
  const char* str_bytes = nullptr;

  bool Present(uint32_t row) const { return present == nullptr || ((present[row >> 3] >> (row & 7)) & 1); }
  bool Valid(uint32_t row) const {
    if (type == ValueType::kNull) return false;
    if (valid != nullptr) return (valid[row >> 3] >> (row & 7)) & 1;
    return Present(row);
  }
  double DoubleAt(uint32_t i) const {
    double d;
    std::memcpy(&d, doubles + size_t{i} * 8, 8);
    return d;
  }
  bool BoolAt(uint32_t i) const { return (bools[i >> 3] >> (i & 7)) & 1; }
  bool IntAt(uint32_t i) const { return int_bits != nullptr && ((int_bits[i >> 3] >> (i & 7)) & 1); }
  std::string_view StringAt(uint32_t i) const {
    return std::string_view(str_bytes + str_offsets[i], str_offsets[i + 1] - str_offsets[i]);
  }
  Value Get(uint32_t value_index) const;
};

struct DecodedChunk {
  uint64_t first_row = 0;
  uint32_t rows = 0;
  uint8_t codec = 0;
  std::vector<int64_t> micros;
  std::vector<int32_t> utc_offsets;
  std::vector<DecodedColumn> columns;
  std::string raw;  // decompressed payload; the views point here
};

// Decodes a chunk. On failure returns false and sets `*reason` (e.g.
// "checksum mismatch"); the caller names the experiment, scope and rows.
bool DecodeChunk(std::string_view chunk, DecodedChunk* out, std::string* reason);

// The row count and first row from a chunk header without decoding; false if
// the value is too short or of an unknown format.
bool PeekChunk(std::string_view chunk, uint32_t* rows, uint64_t* first_row);

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_RECORD_CHUNK_H_
