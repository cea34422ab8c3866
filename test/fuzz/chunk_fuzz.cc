// Fuzz target: DecodeChunk (lib/record/chunk.h). The first byte picks a mode:
//   0  the rest is a stored value, decoded as is;
//   1  the rest is a chunk without its checksum: the checksum is appended, so
//      that damaged headers and columns get past it;
//   2  the rest describes rows: they are encoded (EncodeChunk) and must decode
//      to the same cells; then the chunk is damaged (a bit flipped, with or
//      without a fresh checksum, or cut short) and must decode cleanly or fail.
// Whenever a decode succeeds every cell is read back.
// Seeds: chunk_fuzz --write-seeds=DIR writes encoded chunks for modes 0 and 1.
#include <fuzzer/FuzzedDataProvider.h>

#include <bit>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <set>

#include "fuzz_check.h"
#include "record/chunk.h"
#include "record/chunk_builder.h"
#include "record/value_json.h"
#include "util/coding.h"
#include "util/hash.h"

using labstore::Compression;
using labstore::kMaxRecordNameLength;
using labstore::Value;
using labstore::ValueType;
using labstore::fuzz::Check;
using namespace labstore::internal;  // NOLINT: a fuzz target over internals

namespace {

// Reads every cell of a decoded chunk; checks the counts agree.
void ReadAll(const DecodedChunk& chunk) {
  Check(chunk.micros.size() == chunk.rows && chunk.utc_offsets.size() == chunk.rows, "timestamps per row");
  for (const DecodedColumn& col : chunk.columns) {
    uint32_t index = 0;
    for (uint32_t row = 0; row < chunk.rows; ++row) {
      if (!col.Valid(row)) continue;
      Check(col.Present(row), "a valid cell is not present", col.name);
      Check(index < col.count, "more valid rows than values", col.name);
      Value v = col.Get(index++);
      (void)v;
    }
    Check(index == col.count, "fewer valid rows than values", col.name);
  }
}

bool Decode(std::string_view value, DecodedChunk* out, std::string* reason) {
  bool ok = DecodeChunk(value, out, reason);
  if (ok) {
    ReadAll(*out);
  } else {
    Check(!reason->empty(), "a failed decode gives no reason");
  }
  return ok;
}

void SetBit(std::vector<uint64_t>* words, uint32_t row) {
  if (words->size() <= row / 64) words->resize(row / 64 + 1, 0);
  (*words)[row / 64] |= uint64_t{1} << (row % 64);
}

void AddValue(ColumnBuffer* col, FuzzedDataProvider* in) {
  auto push_fixed = [&](uint64_t bits) {
    if (col->fixed.size() <= col->count) col->fixed.resize(col->count + 1);
    col->fixed[col->count] = bits;
  };
  switch (col->type) {
    case ValueType::kNull: return;
    case ValueType::kInt64: push_fixed(in->ConsumeIntegral<uint64_t>()); break;
    case ValueType::kDouble: push_fixed(std::bit_cast<uint64_t>(in->ConsumeFloatingPoint<double>())); break;
    case ValueType::kBool: push_fixed(in->ConsumeBool() ? 1 : 0); break;
    case ValueType::kString:
      col->bytes += in->ConsumeRandomLengthString(40);
      col->ends.push_back(static_cast<uint32_t>(col->bytes.size()));
      break;
    case ValueType::kJson:
      AppendStoredJson(&col->bytes, in->ConsumeBool() ? Value(in->ConsumeRandomLengthString(20))
                                                      : Value(in->ConsumeIntegral<int64_t>()));
      col->ends.push_back(static_cast<uint32_t>(col->bytes.size()));
      break;
  }
  ++col->count;
}

// Rows and columns as the writer leaves them in a ChunkBuffer.
ChunkBuffer MakeRows(FuzzedDataProvider* in) {
  ChunkBuffer buf;
  buf.rows = in->ConsumeIntegralInRange<uint32_t>(1, 70);
  const bool same_offset = in->ConsumeBool();
  for (uint32_t r = 0; r < buf.rows; ++r) {
    buf.micros.push_back(in->ConsumeIntegral<int64_t>());
    buf.utc_offsets.push_back(same_offset && r > 0 ? buf.utc_offsets[0] : in->ConsumeIntegral<int32_t>());
  }
  std::set<std::string> names;
  const uint32_t ncols = in->ConsumeIntegralInRange<uint32_t>(0, 6);
  for (uint32_t c = 0; c < ncols; ++c) {
    ColumnBuffer col;
    col.name = in->ConsumeRandomLengthString(kMaxRecordNameLength);
    for (int k = 0; col.name.empty() || !names.insert(col.name).second; ++k) col.name = "c" + std::to_string(k);
    col.type = static_cast<ValueType>(in->ConsumeIntegralInRange<int>(0, 5));
    // The writer may hold one more row (the one being built), which is not encoded.
    const uint32_t span = buf.rows + (in->ConsumeBool() ? 1 : 0);
    if (col.type != ValueType::kNull && in->ConsumeBool()) {
      col.dense_next = in->ConsumeIntegralInRange<uint32_t>(0, span);
      for (uint32_t r = 0; r < col.dense_next; ++r) AddValue(&col, in);
    } else {
      col.dense_next = kSparse;
      for (uint32_t r = 0; r < span; ++r) {
        if (!in->ConsumeBool()) continue;
        SetBit(&col.present, r);
        if (col.type == ValueType::kNull || !in->ConsumeBool()) continue;
        SetBit(&col.valid, r);
        AddValue(&col, in);
      }
    }
    buf.columns.push_back(std::move(col));
  }
  return buf;
}

// The decoded chunk holds exactly rows [0, buf.rows) of `buf`.
void CheckSame(const ChunkBuffer& buf, uint64_t first_row, const DecodedChunk& got) {
  Check(got.rows == buf.rows && got.first_row == first_row, "row count or first row");
  for (uint32_t r = 0; r < buf.rows; ++r) {
    Check(got.micros[r] == buf.micros[r] && got.utc_offsets[r] == buf.utc_offsets[r], "a timestamp");
  }
  size_t at = 0;
  for (const ColumnBuffer& want : buf.columns) {
    if (!want.AnyPresent(buf.rows)) continue;
    Check(at < got.columns.size(), "a column is missing", want.name);
    const DecodedColumn& col = got.columns[at++];
    Check(col.name == want.name, "column names", want.name);
    uint32_t index = 0;
    for (uint32_t r = 0; r < buf.rows; ++r) {
      Check(col.Present(r) == want.Present(r), "presence", want.name);
      const bool valid = want.type != ValueType::kNull && want.Valid(r);
      Check(col.Valid(r) == valid, "validity", want.name);
      if (valid) Check(col.Get(index++) == want.Get(want.ValueIndex(r)), "a value", want.name);
    }
  }
  Check(at == got.columns.size(), "an extra column");
}

void Structured(FuzzedDataProvider* in) {
  ChunkBuffer buf = MakeRows(in);
  const uint64_t first_row = in->ConsumeIntegral<uint64_t>();
  const auto compression = static_cast<Compression>(in->ConsumeIntegralInRange<int>(0, 2));
  std::string scratch, chunk;
  EncodeChunk(buf, first_row, compression, &scratch, &chunk);
  DecodedChunk got;
  std::string reason;
  Check(Decode(chunk, &got, &reason), "an encoded chunk does not decode:", reason);
  CheckSame(buf, first_row, got);
  // Damage it.
  const size_t pos = in->ConsumeIntegralInRange<size_t>(0, chunk.size() - 1);
  switch (in->ConsumeIntegralInRange<int>(0, 2)) {
    case 0: chunk[pos] = static_cast<char>(chunk[pos] ^ (1 << in->ConsumeIntegralInRange<int>(0, 7))); break;
    case 1:
      chunk[pos] = static_cast<char>(chunk[pos] ^ (1 << in->ConsumeIntegralInRange<int>(0, 7)));
      chunk.resize(chunk.size() - kChunkChecksumSize);
      PutFixed64(&chunk, Hash64(chunk));
      break;
    default: chunk.resize(pos); break;
  }
  DecodedChunk damaged;
  Decode(chunk, &damaged, &reason);
}

void WriteSeeds(const std::string& dir) {
  int n = 0;
  for (uint32_t rows : {1u, 3u, 20u}) {
    for (Compression compression : {Compression::kNone, Compression::kLz4, Compression::kZstd}) {
      ChunkBuffer buf;
      buf.rows = rows;
      for (uint32_t r = 0; r < rows; ++r) {
        buf.micros.push_back(1677250809012344 + r * 1000);
        buf.utc_offsets.push_back(r % 2 == 0 ? -18000 : 3600);
      }
      ColumnBuffer i{.name = "loss", .type = ValueType::kDouble};
      ColumnBuffer s{.name = "phase", .type = ValueType::kString};
      for (uint32_t r = 0; r < rows; ++r) {
        i.fixed.push_back(std::bit_cast<uint64_t>(0.5 / (r + 1)));
        s.bytes += r % 3 == 0 ? "train" : "eval";
        s.ends.push_back(static_cast<uint32_t>(s.bytes.size()));
      }
      i.count = i.dense_next = rows;
      s.count = s.dense_next = rows;
      ColumnBuffer j{.name = "extra", .type = ValueType::kJson, .dense_next = kSparse};
      SetBit(&j.present, 0);
      SetBit(&j.valid, 0);
      j.bytes = R"({"k":[1,2.5,null]})";
      j.ends.push_back(static_cast<uint32_t>(j.bytes.size()));
      j.count = 1;
      if (rows > 1) SetBit(&j.present, rows - 1);
      buf.columns = {i, s, j};
      std::string scratch, chunk;
      EncodeChunk(buf, rows * 7, compression, &scratch, &chunk);
      std::ofstream(dir + "/raw-" + std::to_string(n), std::ios::binary) << '\0' << chunk;
      std::ofstream(dir + "/body-" + std::to_string(n), std::ios::binary)
          << '\1' << chunk.substr(0, chunk.size() - kChunkChecksumSize);
      ++n;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  for (int i = 1; i < *argc; ++i) {
    std::string_view arg = (*argv)[i];
    if (arg.starts_with("--write-seeds=")) {
      WriteSeeds(std::string(arg.substr(14)));
      std::exit(0);
    }
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view rest = labstore::fuzz::AsText(data + 1, size - 1);
  DecodedChunk out;
  std::string reason;
  switch (data[0] % 3) {
    case 0: Decode(rest, &out, &reason); break;
    case 1: {
      std::string chunk(rest);
      PutFixed64(&chunk, Hash64(chunk));
      Decode(chunk, &out, &reason);
      break;
    }
    default: {
      FuzzedDataProvider in(data + 1, size - 1);
      Structured(&in);
      break;
    }
  }
  return 0;
}
