// EncodeChunk: the rows of a ChunkBuffer as one chunk value (grammar in
// chunk.h), compressed when that makes it smaller.
#include <lz4.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>

#include "record/chunk.h"
#include "record/chunk_builder.h"
#include "util/coding.h"
#include "util/hash.h"

namespace labstore::internal {
namespace {

// Whether bits [0, rows) of `a` and `b` are equal.
bool SameBits(const std::vector<uint64_t>& a, const std::vector<uint64_t>& b, uint32_t rows) {
  size_t words = (rows + 63) >> 6;
  for (size_t i = 0; i < words; ++i) {
    uint64_t mask = (i + 1) * 64 <= rows ? ~uint64_t{0} : (uint64_t{1} << (rows & 63)) - 1;
    uint64_t x = i < a.size() ? a[i] : 0;
    uint64_t y = i < b.size() ? b[i] : 0;
    if (((x ^ y) & mask) != 0) return false;
  }
  return true;
}

// Appends bits [0, rows) of `words` as a bitmap of ceil(rows/8) bytes.
void AppendBitmap(std::string* out, const std::vector<uint64_t>& words, uint32_t rows) {
  size_t nbytes = (rows + 7) / 8;
  size_t at = out->size();
  out->resize(at + nbytes, '\0');
  char* dst = out->data() + at;
  for (size_t i = 0; i < nbytes; ++i) {
    size_t w = i / 8;
    uint64_t word = w < words.size() ? words[w] : 0;
    dst[i] = static_cast<char>((word >> (8 * (i % 8))) & 0xff);
  }
  if ((rows & 7) != 0) dst[nbytes - 1] = static_cast<char>(dst[nbytes - 1] & ((1 << (rows & 7)) - 1));
}

// A bitmap with bits [0, n) set, of ceil(rows/8) bytes.
void AppendPrefixBitmap(std::string* out, uint32_t n, uint32_t rows) {
  size_t nbytes = (rows + 7) / 8;
  size_t at = out->size();
  out->resize(at + nbytes, '\0');
  char* dst = out->data() + at;
  std::memset(dst, 0xff, n / 8);
  if ((n & 7) != 0) dst[n / 8] = static_cast<char>((1 << (n & 7)) - 1);
}

// The thread's zstd compression context, kept between chunks.
struct ZstdCompressor {
  ZSTD_CCtx* c = nullptr;
  ~ZstdCompressor() { ZSTD_freeCCtx(c); }
};
thread_local ZstdCompressor tls_compressor;

}  // namespace

void EncodeChunk(const ChunkBuffer& buf, uint64_t first_row, Compression compression, std::string* scratch,
                 std::string* out) {
  const uint32_t rows = buf.rows;
  std::string& raw = *scratch;
  raw.clear();
  int64_t prev = 0;
  for (uint32_t i = 0; i < rows; ++i) {
    PutVarint(&raw, ZigZag(static_cast<int64_t>(static_cast<uint64_t>(buf.micros[i]) - static_cast<uint64_t>(prev))));
    prev = buf.micros[i];
  }
  bool same_offset = std::all_of(buf.utc_offsets.begin(), buf.utc_offsets.begin() + rows,
                                 [&](int32_t o) { return o == buf.utc_offsets[0]; });
  raw.push_back(same_offset ? 0 : 1);
  for (uint32_t i = 0; i < (same_offset ? 1u : rows); ++i) PutFixed32(&raw, static_cast<uint32_t>(buf.utc_offsets[i]));

  // Columns with at least one row in [0, rows).
  std::vector<uint32_t> used;
  for (uint32_t c = 0; c < buf.columns.size(); ++c) {
    if (buf.columns[c].AnyPresent(rows)) used.push_back(c);
  }
  PutVarint(&raw, used.size());
  for (uint32_t c : used) {
    const ColumnBuffer& col = buf.columns[c];
    const uint32_t k = col.ValuesBefore(rows);  // values to write
    const ValueType type = k == 0 ? ValueType::kNull : col.type;
    // Ints among the doubles (not counting the row being built).
    const bool has_ints = type == ValueType::kDouble && !col.int_values.empty() && CountBits(col.int_values, k) > 0;
    const uint8_t ints_flag = has_ints ? kColumnHasInts : 0;
    PutVarint(&raw, col.name.size());
    raw += col.name;
    raw.push_back(static_cast<char>(type));
    if (!col.sparse()) {
      uint32_t n = std::min(col.dense_next, rows);
      raw.push_back(static_cast<char>((n < rows ? kColumnHasPresence : 0) | ints_flag));
      if (n < rows) AppendPrefixBitmap(&raw, n, rows);
    } else {
      bool all_present = CountBits(col.present, rows) == rows;
      bool has_validity = type != ValueType::kNull && !SameBits(col.present, col.valid, rows);
      raw.push_back(static_cast<char>((all_present ? 0 : kColumnHasPresence) | (has_validity ? kColumnHasValidity : 0) |
                                      ints_flag));
      if (!all_present) AppendBitmap(&raw, col.present, rows);
      if (has_validity) AppendBitmap(&raw, col.valid, rows);
    }
    if (has_ints) {
      AppendBitmap(&raw, col.int_values, k);
      for (uint32_t i = 0; i < k; ++i) {
        if (col.IntAt(i)) {
          PutVarint(&raw, ZigZag(static_cast<int64_t>(col.fixed[i])));
        } else {
          raw.append(reinterpret_cast<const char*>(&col.fixed[i]), 8);
        }
      }
      continue;
    }
    switch (type) {
      case ValueType::kNull: break;
      case ValueType::kInt64: {
        uint64_t p = 0;
        for (uint32_t i = 0; i < k; ++i) {
          PutVarint(&raw, ZigZag(static_cast<int64_t>(col.fixed[i] - p)));
          p = col.fixed[i];
        }
        break;
      }
      case ValueType::kDouble:
        raw.append(reinterpret_cast<const char*>(col.fixed.data()), size_t{k} * 8);
        break;
      case ValueType::kBool: {
        size_t at = raw.size();
        raw.resize(at + (k + 7) / 8, '\0');
        for (uint32_t i = 0; i < k; ++i) {
          if (col.fixed[i] != 0) raw[at + i / 8] = static_cast<char>(raw[at + i / 8] | (1 << (i % 8)));
        }
        break;
      }
      case ValueType::kString:
      case ValueType::kJson: {
        uint32_t begin = 0;
        for (uint32_t i = 0; i < k; ++i) {
          PutVarint(&raw, col.ends[i] - begin);
          begin = col.ends[i];
        }
        raw.append(col.bytes.data(), begin);
        break;
      }
    }
  }

  // Compress; keep the raw bytes when compression does not help.
  out->clear();
  out->resize(kChunkHeaderSize);
  uint8_t codec = kChunkCodecNone;
  if (compression == Compression::kLz4) {
    int bound = LZ4_compressBound(static_cast<int>(raw.size()));
    out->resize(kChunkHeaderSize + bound);
    int n = LZ4_compress_default(raw.data(), out->data() + kChunkHeaderSize, static_cast<int>(raw.size()), bound);
    if (n > 0 && static_cast<size_t>(n) < raw.size()) {
      codec = kChunkCodecLz4;
      out->resize(kChunkHeaderSize + n);
    }
  } else if (compression == Compression::kZstd) {
    if (tls_compressor.c == nullptr) tls_compressor.c = ZSTD_createCCtx();
    size_t bound = ZSTD_compressBound(raw.size());
    out->resize(kChunkHeaderSize + bound);
    size_t n = ZSTD_compressCCtx(tls_compressor.c, out->data() + kChunkHeaderSize, bound, raw.data(), raw.size(), 1);
    if (!ZSTD_isError(n) && n < raw.size()) {
      codec = kChunkCodecZstd;
      out->resize(kChunkHeaderSize + n);
    }
  }
  if (codec == kChunkCodecNone) {
    out->resize(kChunkHeaderSize);
    out->append(raw);
  }
  uint32_t payload_size = static_cast<uint32_t>(out->size() - kChunkHeaderSize);
  char* h = out->data();
  h[kChunkFormatOffset] = static_cast<char>(kChunkFormat);
  h[kChunkCodecOffset] = static_cast<char>(codec);
  h[kChunkReservedOffset] = h[kChunkReservedOffset + 1] = 0;
  uint32_t r = rows, rs = static_cast<uint32_t>(raw.size());
  std::memcpy(h + kChunkRowCountOffset, &r, 4);
  std::memcpy(h + kChunkFirstRowOffset, &first_row, 8);
  std::memcpy(h + kChunkRawSizeOffset, &rs, 4);
  std::memcpy(h + kChunkPayloadSizeOffset, &payload_size, 4);
  PutFixed64(out, Hash64(*out));
}

}  // namespace labstore::internal
