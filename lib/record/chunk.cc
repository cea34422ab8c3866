// Record chunk encoding; the grammar is at the top of chunk.h.
#include "record/chunk.h"

#include <lz4.h>
#include <zstd.h>

#include <algorithm>
#include <bit>
#include <memory>
#include <unordered_set>

#include <fmt/format.h>

#include "json/py_json.h"
#include "util/coding.h"
#include "util/hash.h"

namespace labstore::internal {
namespace {

constexpr uint32_t kMaxRawSize = 1u << 30;

inline bool BitAt(const std::vector<uint64_t>& words, uint32_t row) {
  size_t w = row >> 6;
  return w < words.size() && ((words[w] >> (row & 63)) & 1);
}

// Bits [0, rows) of `words`.
uint64_t CountBits(const std::vector<uint64_t>& words, uint32_t rows) {
  uint64_t n = 0;
  size_t full = rows >> 6;
  for (size_t i = 0; i < full && i < words.size(); ++i) n += std::popcount(words[i]);
  if ((rows & 63) != 0 && full < words.size()) n += std::popcount(words[full] & ((uint64_t{1} << (rows & 63)) - 1));
  return n;
}

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

struct ZstdCtx {
  ZSTD_CCtx* c = nullptr;
  ZSTD_DCtx* d = nullptr;
  ~ZstdCtx() {
    ZSTD_freeCCtx(c);
    ZSTD_freeDCtx(d);
  }
};
thread_local ZstdCtx tls_zstd;

}  // namespace

// ---- ColumnBuffer ------------------------------------------------------------

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
    case ValueType::kJson: {
      auto v = ParseStoredJson(StringAt(i));
      return v.ok() ? std::move(*v) : Value();
    }
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

// ---- encoding ----------------------------------------------------------------

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
  uint8_t codec = 0;
  if (compression == Compression::kLz4) {
    int bound = LZ4_compressBound(static_cast<int>(raw.size()));
    out->resize(kChunkHeaderSize + bound);
    int n = LZ4_compress_default(raw.data(), out->data() + kChunkHeaderSize, static_cast<int>(raw.size()), bound);
    if (n > 0 && static_cast<size_t>(n) < raw.size()) {
      codec = 1;
      out->resize(kChunkHeaderSize + n);
    }
  } else if (compression == Compression::kZstd) {
    if (tls_zstd.c == nullptr) tls_zstd.c = ZSTD_createCCtx();
    size_t bound = ZSTD_compressBound(raw.size());
    out->resize(kChunkHeaderSize + bound);
    size_t n = ZSTD_compressCCtx(tls_zstd.c, out->data() + kChunkHeaderSize, bound, raw.data(), raw.size(), 1);
    if (!ZSTD_isError(n) && n < raw.size()) {
      codec = 2;
      out->resize(kChunkHeaderSize + n);
    }
  }
  if (codec == 0) {
    out->resize(kChunkHeaderSize);
    out->append(raw);
  }
  uint32_t payload_size = static_cast<uint32_t>(out->size() - kChunkHeaderSize);
  char* h = out->data();
  h[0] = static_cast<char>(kChunkFormat);
  h[1] = static_cast<char>(codec);
  h[2] = h[3] = 0;
  uint32_t r = rows, rs = static_cast<uint32_t>(raw.size());
  std::memcpy(h + 4, &r, 4);
  std::memcpy(h + 8, &first_row, 8);
  std::memcpy(h + 16, &rs, 4);
  std::memcpy(h + 20, &payload_size, 4);
  PutFixed64(out, Hash64(*out));
}

// ---- decoding ----------------------------------------------------------------

bool PeekChunk(std::string_view chunk, uint32_t* rows, uint64_t* first_row) {
  if (chunk.size() < kChunkHeaderSize + kChunkChecksumSize || chunk[0] != static_cast<char>(kChunkFormat)) return false;
  std::memcpy(rows, chunk.data() + 4, 4);
  std::memcpy(first_row, chunk.data() + 8, 8);
  return true;
}

namespace {

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

bool DecodeChunk(std::string_view chunk, DecodedChunk* out, std::string* reason) {
  auto fail = [&](std::string why) {
    *reason = std::move(why);
    return false;
  };
  if (chunk.size() < kChunkHeaderSize + kChunkChecksumSize) return fail(fmt::format("value of {} bytes is too short", chunk.size()));
  std::string_view body = chunk.substr(0, chunk.size() - kChunkChecksumSize);
  if (GetFixed64(chunk.substr(body.size())) != Hash64(body)) return fail("checksum mismatch");
  if (chunk[0] != static_cast<char>(kChunkFormat)) return fail(fmt::format("unknown chunk format {}", int(uint8_t(chunk[0]))));
  uint8_t codec = static_cast<uint8_t>(chunk[1]);
  uint32_t rows, raw_size, payload_size;
  std::memcpy(&rows, chunk.data() + 4, 4);
  std::memcpy(&out->first_row, chunk.data() + 8, 8);
  std::memcpy(&raw_size, chunk.data() + 16, 4);
  std::memcpy(&payload_size, chunk.data() + 20, 4);
  if (rows == 0) return fail("chunk has no rows");
  if (payload_size != body.size() - kChunkHeaderSize) return fail("payload size does not match the value size");
  if (raw_size > kMaxRawSize) return fail("raw size too large");
  // Every row takes at least one byte (its timestamp varint): checked before
  // anything is allocated by the header's sizes.
  if (rows > raw_size) return fail("timestamps are truncated");
  std::string_view payload = body.substr(kChunkHeaderSize);
  if (codec == 0 && payload.size() != raw_size) return fail("raw size does not match the payload");
  // LZ4 expands at most 255-fold; a zstd frame states its size.
  if (codec == 1 && raw_size / 255 > payload.size()) return fail("LZ4 data is damaged");
  if (codec == 2) {
    unsigned long long stated = ZSTD_getFrameContentSize(payload.data(), payload.size());
    if (stated == ZSTD_CONTENTSIZE_ERROR || (stated != ZSTD_CONTENTSIZE_UNKNOWN && stated != raw_size)) {
      return fail("zstd data is damaged");
    }
  }
  out->rows = rows;
  out->codec = codec;
  out->raw.resize(raw_size);
  switch (codec) {
    case 0:
      std::memcpy(out->raw.data(), payload.data(), raw_size);
      break;
    case 1: {
      int n = LZ4_decompress_safe(payload.data(), out->raw.data(), static_cast<int>(payload.size()),
                                  static_cast<int>(raw_size));
      if (n < 0 || static_cast<uint32_t>(n) != raw_size) return fail("LZ4 data is damaged");
      break;
    }
    case 2: {
      if (tls_zstd.d == nullptr) tls_zstd.d = ZSTD_createDCtx();
      size_t n = ZSTD_decompressDCtx(tls_zstd.d, out->raw.data(), raw_size, payload.data(), payload.size());
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
    if (!cur.Varint(&len) || len == 0 || len > kMaxRecordNameLength || !cur.Take(len, &at)) return fail("bad column name");
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
      if (!CountBitmap(col.present, rows, &npresent) || npresent == 0) return fail(fmt::format("bad presence bitmap of column \"{}\"", col.name));
    }
    nvalid = npresent;
    if (flags & kColumnHasValidity) {
      if (col.type == ValueType::kNull || !cur.Take(bitmap_bytes, &at)) return fail("bad validity bitmap");
      col.valid = reinterpret_cast<const uint8_t*>(at);
      if (!CountBitmap(col.valid, rows, &nvalid)) return fail("bad validity bitmap");
      for (size_t i = 0; i < bitmap_bytes; ++i) {
        uint8_t p = col.present ? col.present[i] : 0xff;
        if ((col.valid[i] & ~p) != 0) return fail(fmt::format("column \"{}\" has values in rows it does not have", col.name));
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
        if (!cur.Take(size_t{8} * k, &col.doubles)) return fail(fmt::format("values of column \"{}\" are truncated", col.name));
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
        if (!cur.Take(total, &col.str_bytes)) return fail(fmt::format("values of column \"{}\" are truncated", col.name));
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
    case ValueType::kJson: {
      auto v = ParseStoredJson(StringAt(i));
      return v.ok() ? std::move(*v) : Value();
    }
    case ValueType::kNull: break;
  }
  return Value();
}

// ---- JSON values ---------------------------------------------------------------

void AppendStoredJson(std::string* out, const Value& v) {
  switch (v.type()) {
    case ValueType::kNull: *out += "null"; break;
    case ValueType::kInt64: AppendPyInt(out, v.as_int64()); break;
    case ValueType::kDouble: AppendPyFloat(out, v.as_double()); break;
    case ValueType::kBool: *out += v.as_bool() ? "true" : "false"; break;
    case ValueType::kString: AppendPyString(out, v.as_string(), /*ensure_ascii=*/true); break;
    case ValueType::kJson: *out += v.json_text(); break;
  }
}

Result<Value> ParseStoredJson(std::string_view text) {
  auto j = ParsePyJson(text, "record value");
  if (!j.ok()) return j.status();
  switch (j->type()) {
    case PyJson::Type::kNull: return Value();
    case PyJson::Type::kBool: return Value(j->boolean());
    case PyJson::Type::kInt: {
      auto i = j->AsInt64();
      if (i) return Value(*i);
      return Value::FromJsonText(j->text());
    }
    case PyJson::Type::kFloat: return Value(j->number());
    case PyJson::Type::kString: return Value(j->text());
    case PyJson::Type::kArray:
    case PyJson::Type::kObject: return Value::FromJsonText(DumpPyJson(*j, PyDialect::kSql));
  }
  return Value();
}

}  // namespace labstore::internal
