// DecodeChunk and PeekChunk: a chunk value (grammar in chunk.h) checked and
// decoded into views over its decompressed payload.
#include <lz4.h>
#include <zstd.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <unordered_set>
#include <utility>

#include <fmt/format.h>

#include "record/chunk.h"
#include "record/value_json.h"
#include "util/coding.h"
#include "util/hash.h"

namespace labstore::internal {
namespace {

constexpr uint32_t kMaxRawSize = 1u << 30;

// The thread's zstd decompression context, kept between chunks.
struct ZstdDecompressor {
  ZSTD_DCtx* d = nullptr;
  ~ZstdDecompressor() { ZSTD_freeDCtx(d); }
};
thread_local ZstdDecompressor tls_decompressor;

// Reads the decompressed payload front to back.
struct Cursor {
  const char* p;
  const char* end;
  bool Varint(uint64_t* v) { return GetVarint(&p, end, v); }
  bool Take(size_t n, const char** at) {
    if (static_cast<size_t>(end - p) < n) return false;
    *at = p;
    p += n;
    return true;
  }
};

// Counts set bits of a bitmap of `rows` bits; false if an unused bit is set.
bool CountBitmap(const uint8_t* bits, uint32_t rows, uint32_t* n) {
  uint32_t total = 0;
  size_t full = rows / 8;
  for (size_t i = 0; i < full; ++i) total += std::popcount(static_cast<unsigned>(bits[i]));
  if ((rows & 7) != 0) {
    unsigned last = bits[full];
    if ((last >> (rows & 7)) != 0) return false;
    total += std::popcount(last);
  }
  *n = total;
  return true;
}

}  // namespace

bool PeekChunk(std::string_view chunk, uint32_t* rows, uint64_t* first_row) {
  if (chunk.size() < kChunkHeaderSize + kChunkChecksumSize ||
      chunk[kChunkFormatOffset] != static_cast<char>(kChunkFormat)) {
    return false;
  }
  std::memcpy(rows, chunk.data() + kChunkRowCountOffset, 4);
  std::memcpy(first_row, chunk.data() + kChunkFirstRowOffset, 8);
  return true;
}

bool DecodeChunk(std::string_view chunk, DecodedChunk* out, std::string* reason) {
  auto fail = [&](std::string why) {
    *reason = std::move(why);
    return false;
  };
  if (chunk.size() < kChunkHeaderSize + kChunkChecksumSize) {
    return fail(fmt::format("value of {} bytes is too short", chunk.size()));
  }
  std::string_view body = chunk.substr(0, chunk.size() - kChunkChecksumSize);
  if (GetFixed64(chunk.substr(body.size())) != Hash64(body)) return fail("checksum mismatch");
  if (chunk[kChunkFormatOffset] != static_cast<char>(kChunkFormat)) {
    return fail(fmt::format("unknown chunk format {}", int(uint8_t(chunk[kChunkFormatOffset]))));
  }
  uint8_t codec = static_cast<uint8_t>(chunk[kChunkCodecOffset]);
  uint32_t rows, raw_size, payload_size;
  std::memcpy(&rows, chunk.data() + kChunkRowCountOffset, 4);
  std::memcpy(&out->first_row, chunk.data() + kChunkFirstRowOffset, 8);
  std::memcpy(&raw_size, chunk.data() + kChunkRawSizeOffset, 4);
  std::memcpy(&payload_size, chunk.data() + kChunkPayloadSizeOffset, 4);
  if (rows == 0) return fail("chunk has no rows");
  if (payload_size != body.size() - kChunkHeaderSize) return fail("payload size does not match the value size");
  if (raw_size > kMaxRawSize) return fail("raw size too large");
  // Every row takes at least one byte (its timestamp varint): checked before
  // anything is allocated by the header's sizes.
  if (rows > raw_size) return fail("timestamps are truncated");
  std::string_view payload = body.substr(kChunkHeaderSize);
  if (codec == kChunkCodecNone && payload.size() != raw_size) return fail("raw size does not match the payload");
  // LZ4 expands at most 255-fold; a zstd frame states its size.
  if (codec == kChunkCodecLz4 && raw_size / 255 > payload.size()) return fail("LZ4 data is damaged");
  if (codec == kChunkCodecZstd) {
    unsigned long long stated = ZSTD_getFrameContentSize(payload.data(), payload.size());
    if (stated == ZSTD_CONTENTSIZE_ERROR || (stated != ZSTD_CONTENTSIZE_UNKNOWN && stated != raw_size)) {
      return fail("zstd data is damaged");
    }
  }
  out->rows = rows;
  out->codec = codec;
  out->raw.resize(raw_size);
  switch (codec) {
    case kChunkCodecNone:
      std::memcpy(out->raw.data(), payload.data(), raw_size);
      break;
    case kChunkCodecLz4: {
      int n = LZ4_decompress_safe(payload.data(), out->raw.data(), static_cast<int>(payload.size()),
                                  static_cast<int>(raw_size));
      if (n < 0 || static_cast<uint32_t>(n) != raw_size) return fail("LZ4 data is damaged");
      break;
    }
    case kChunkCodecZstd: {
      if (tls_decompressor.d == nullptr) tls_decompressor.d = ZSTD_createDCtx();
      size_t n = ZSTD_decompressDCtx(tls_decompressor.d, out->raw.data(), raw_size, payload.data(), payload.size());
      if (ZSTD_isError(n) || n != raw_size) return fail("zstd data is damaged");
      break;
    }
    default:
      return fail(fmt::format("unknown codec {}", codec));
  }

  Cursor cur{out->raw.data(), out->raw.data() + out->raw.size()};
  out->micros.resize(rows);
  int64_t prev = 0;
  for (uint32_t i = 0; i < rows; ++i) {
    uint64_t v;
    if (!cur.Varint(&v)) return fail("timestamps are truncated");
    prev = static_cast<int64_t>(static_cast<uint64_t>(prev) + static_cast<uint64_t>(UnZigZag(v)));
    out->micros[i] = prev;
  }
  const char* at;
  if (!cur.Take(1, &at)) return fail("timestamps are truncated");
  uint8_t mode = static_cast<uint8_t>(*at);
  if (mode > 1) return fail("bad utc offset mode");
  out->utc_offsets.resize(rows);
  if (mode == 0) {
    if (!cur.Take(4, &at)) return fail("utc offsets are truncated");
    std::fill(out->utc_offsets.begin(), out->utc_offsets.end(), static_cast<int32_t>(GetFixed32({at, 4})));
  } else {
    if (!cur.Take(size_t{4} * rows, &at)) return fail("utc offsets are truncated");
    for (uint32_t i = 0; i < rows; ++i) out->utc_offsets[i] = static_cast<int32_t>(GetFixed32({at + 4 * i, 4}));
  }

  uint64_t ncols;
  if (!cur.Varint(&ncols) || ncols > kMaxRecordColumns) return fail("bad column count");
  out->columns.resize(ncols);
  const size_t bitmap_bytes = (rows + 7) / 8;
  std::unordered_set<std::string_view> names;
  for (uint64_t c = 0; c < ncols; ++c) {
    DecodedColumn& col = out->columns[c];
    uint64_t len;
    if (!cur.Varint(&len) || len == 0 || len > kMaxRecordNameLength || !cur.Take(len, &at)) {
      return fail("bad column name");
    }
    col.name = std::string_view(at, len);
    if (!names.insert(col.name).second) return fail(fmt::format("column \"{}\" appears twice", col.name));
    if (!cur.Take(2, &at)) return fail("column header is truncated");
    uint8_t type = static_cast<uint8_t>(at[0]), flags = static_cast<uint8_t>(at[1]);
    if (type > static_cast<uint8_t>(ValueType::kJson) || flags > 7 ||
        ((flags & kColumnHasInts) && type != static_cast<uint8_t>(ValueType::kDouble))) {
      return fail(fmt::format("bad type or flags of column \"{}\"", col.name));
    }
    col.type = static_cast<ValueType>(type);
    col.present = col.valid = nullptr;
    col.int_bits = nullptr;
    uint32_t npresent = rows, nvalid;
    if (flags & kColumnHasPresence) {
      if (!cur.Take(bitmap_bytes, &at)) return fail("bitmap is truncated");
      col.present = reinterpret_cast<const uint8_t*>(at);
      if (!CountBitmap(col.present, rows, &npresent) || npresent == 0) {
        return fail(fmt::format("bad presence bitmap of column \"{}\"", col.name));
      }
    }
    nvalid = npresent;
    if (flags & kColumnHasValidity) {
      if (col.type == ValueType::kNull || !cur.Take(bitmap_bytes, &at)) return fail("bad validity bitmap");
      col.valid = reinterpret_cast<const uint8_t*>(at);
      if (!CountBitmap(col.valid, rows, &nvalid)) return fail("bad validity bitmap");
      for (size_t i = 0; i < bitmap_bytes; ++i) {
        uint8_t p = col.present ? col.present[i] : 0xff;
        if ((col.valid[i] & ~p) != 0) {
          return fail(fmt::format("column \"{}\" has values in rows it does not have", col.name));
        }
      }
    }
    if (col.type == ValueType::kNull) nvalid = 0;
    col.count = nvalid;
    const uint32_t k = nvalid;
    if (flags & kColumnHasInts) {
      uint32_t nints = 0;
      if (!cur.Take((k + 7) / 8, &at)) return fail(fmt::format("values of column \"{}\" are truncated", col.name));
      col.int_bits = reinterpret_cast<const uint8_t*>(at);
      if (k == 0 || !CountBitmap(col.int_bits, k, &nints) || nints == 0) {
        return fail(fmt::format("bad int bitmap of column \"{}\"", col.name));
      }
      col.ints.assign(k, 0);
      col.numbers.resize(k);
      for (uint32_t i = 0; i < k; ++i) {
        if (col.IntAt(i)) {
          uint64_t v;
          if (!cur.Varint(&v)) return fail(fmt::format("values of column \"{}\" are truncated", col.name));
          col.ints[i] = UnZigZag(v);
          col.numbers[i] = static_cast<double>(col.ints[i]);
        } else {
          if (!cur.Take(8, &at)) return fail(fmt::format("values of column \"{}\" are truncated", col.name));
          std::memcpy(&col.numbers[i], at, 8);
        }
      }
      col.doubles = reinterpret_cast<const char*>(col.numbers.data());
      continue;
    }
    switch (col.type) {
      case ValueType::kNull: break;
      case ValueType::kInt64: {
        col.ints.resize(k);
        uint64_t p = 0;
        for (uint32_t i = 0; i < k; ++i) {
          uint64_t v;
          if (!cur.Varint(&v)) return fail(fmt::format("values of column \"{}\" are truncated", col.name));
          p += static_cast<uint64_t>(UnZigZag(v));
          col.ints[i] = static_cast<int64_t>(p);
        }
        break;
      }
      case ValueType::kDouble:
        if (!cur.Take(size_t{8} * k, &col.doubles)) {
          return fail(fmt::format("values of column \"{}\" are truncated", col.name));
        }
        break;
      case ValueType::kBool:
        if (!cur.Take((k + 7) / 8, &at)) return fail(fmt::format("values of column \"{}\" are truncated", col.name));
        col.bools = reinterpret_cast<const uint8_t*>(at);
        break;
      case ValueType::kString:
      case ValueType::kJson: {
        col.str_offsets.resize(k + 1);
        col.str_offsets[0] = 0;
        uint64_t total = 0;
        for (uint32_t i = 0; i < k; ++i) {
          uint64_t v;
          if (!cur.Varint(&v)) return fail(fmt::format("values of column \"{}\" are truncated", col.name));
          total += v;
          if (total > raw_size) return fail(fmt::format("values of column \"{}\" are truncated", col.name));
          col.str_offsets[i + 1] = static_cast<uint32_t>(total);
        }
        if (!cur.Take(total, &col.str_bytes)) {
          return fail(fmt::format("values of column \"{}\" are truncated", col.name));
        }
        break;
      }
    }
  }
  if (cur.p != cur.end) return fail("trailing bytes after the last column");
  return true;
}

Value DecodedColumn::Get(uint32_t i) const {
  switch (type) {
    case ValueType::kInt64: return Value(ints[i]);
    case ValueType::kDouble: return IntAt(i) ? Value(ints[i]) : Value(DoubleAt(i));
    case ValueType::kBool: return Value(BoolAt(i));
    case ValueType::kString: return Value(StringAt(i));
    case ValueType::kJson: return StoredJsonValue(StringAt(i));
    case ValueType::kNull: break;
  }
  return Value();
}

}  // namespace labstore::internal
