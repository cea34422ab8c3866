// Golden tests that pin the record formats of lib/record/chunk.h and scope.h
// (doc/format.md, "Records"). A change here is a format change: bump the
// chunk or scope metadata version and keep reading the old one.
#include <doctest/doctest.h>

#include <random>

#include <rocksdb/db.h>

#include "experiment/lookup.h"
#include "record/chunk.h"
#include "record/record_test_util.h"
#include "record/scope.h"
#include "store/store_state.h"
#include "util/coding.h"
#include "util/hash.h"

namespace labstore {
namespace {

using internal::ToHex;
using test::OpenWriter;
using test::TempDir;

std::string Get(Store& store, internal::Cf cf, const std::string& key) {
  std::string value;
  const internal::StoreState& st = *internal::StateOf(store);
  rocksdb::Status s = st.db->Get(rocksdb::ReadOptions(), st.handle(cf), key, &value);
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  return value;
}

TEST_SUITE("record") {

TEST_CASE("Golden: record keys, scope keys, a chunk and scope metadata, byte for byte") {
  TempDir tmp;
  Store store = test::OpenStore(tmp.Sub("s"));
  auto e = store.Create({.module = "golden", .config = R"({"a": 1})", .id = "rm3SAJ"});
  REQUIRE(e.ok());
  const std::string key = internal::LookupKey(*internal::StateOf(store), "rm3SAJ").value();
  CHECK(ToHex(internal::RecordKey(key, "default", 0x0102)) ==
        ToHex(key) + "6c5b964d9473ac1a" + "0000000000000102");
  CHECK(internal::Hash64("default") == 0x6c5b964d9473ac1aULL);  // = `printf default | xxhsum -H3`
  CHECK(internal::ScopeKey(key, "default") == key + "default");
  {
    RecordWriter w = OpenWriter(store, "rm3SAJ", "default", {.compression = Compression::kNone});
    w.SetTimestamp({1677250809012344, -5 * 3600});
    w.Set("i", 1);
    w.Set("x", 0.5);
    w.Set("s", "ab");
    w.Set("b", true);
    REQUIRE(w.Save().ok());
    w.SetTimestamp({1677250809012345, -5 * 3600});
    w.Set("i", 3);
    w.Set("s", nullptr);
    w.Set("j", Json{R"({"k": [1]})"});
    REQUIRE(w.Save().ok());
    REQUIRE(w.Close().ok());
  }
  const std::string chunk = Get(store, internal::kCfRecords, internal::RecordKey(key, "default", 0));
  // header: format 1, codec 0, reserved, 2 rows, first row 0, raw size, payload size
  // raw: timestamps (zigzag varint deltas, offset mode 0, -18000) and 5 columns:
  //   "i" int64 dense: zigzag deltas 1, 2 -> 02 04
  //   "x" double, present in row 0 only: flags 1, bitmap 01, 0.5
  //   "s" string, present in both rows, null in row 1: flags 2, valid 01, length 2, "ab"
  //   "b" bool, row 0: flags 1, bitmap 01, value bitmap 01
  //   "j" json, row 1: flags 1, bitmap 02, length 9, {"k":[1]}
  CHECK(ToHex(chunk) ==
        "01000000020000000000000000000000"  // format codec reserved rows(2) first_row(0)
        "3f0000003f000000"                   // raw_size payload_size (63)
        "f081ddaaecdcfa05" "02"              // micros: zigzag varints 1677250809012344, +1
        "00" "b0b9ffff"                      // utc offset mode 0: -18000 for every row
        "05"                                 // column count
        "016901" "00" "0204"                 // i: int64, dense, deltas 1 +2
        "017802" "01" "01" "000000000000e03f"  // x: double, presence 01, 0.5
        "017304" "02" "01" "02" "6162"       // s: string, validity 01, len 2, "ab"
        "016203" "01" "01" "01"              // b: bool, presence 01, true
        "016a05" "01" "02" "09" "7b226b223a5b315d7d"  // j: json, presence 02, {"k":[1]}
        "9c9dd25aa9bab749");                 // XXH3-64 of all the above, LE (= xxhsum -H3 49b7baa95ad29d9c)
  CHECK(internal::GetFixed64(chunk.substr(chunk.size() - 8)) == internal::Hash64(chunk.substr(0, chunk.size() - 8)));
  const std::string meta = Get(store, internal::kCfScopes, internal::ScopeKey(key, "default"));
  CHECK(ToHex(meta) ==
        "01" "0200000000000000" "0100000000000000" + ToHex(meta.substr(17, 8)) +
        "05" "016901" "017802" "017304" "016203" "016a05");
  CHECK(internal::GetFixed64(meta.substr(17, 8)) == chunk.size());
}

TEST_CASE("DecodeChunk rejects every flipped bit and every truncation") {
  TempDir tmp;
  Store store = test::OpenStore(tmp.Sub("s"));
  std::string id = test::NewExperiment(store);
  {
    RecordWriter w = OpenWriter(store, id, "default", {.compression = Compression::kLz4});
    for (int i = 0; i < 200; ++i) {
      w.Set("i", i);
      if (i % 2) w.Set("s", "text" + std::to_string(i));
      REQUIRE(w.Save().ok());
    }
    REQUIRE(w.Close().ok());
  }
  const std::string key = internal::LookupKey(*internal::StateOf(store), id).value();
  const std::string chunk = Get(store, internal::kCfRecords, internal::RecordKey(key, "default", 0));
  internal::DecodedChunk out;
  std::string reason;
  REQUIRE(internal::DecodeChunk(chunk, &out, &reason));
  CHECK(out.codec == 1);
  CHECK(out.rows == 200);
  int accepted = 0;
  for (size_t i = 0; i < chunk.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string bad = chunk;
      bad[i] = static_cast<char>(bad[i] ^ (1 << bit));
      accepted += internal::DecodeChunk(bad, &out, &reason);
    }
  }
  CHECK(accepted == 0);
  for (size_t n = 0; n < chunk.size(); ++n) CHECK_FALSE(internal::DecodeChunk(chunk.substr(0, n), &out, &reason));
}

TEST_CASE("DecodeChunk fails cleanly on damaged contents that carry a valid checksum") {
  // Mutate the raw (uncompressed) body and re-seal it: the decoder must
  // refuse or decode without reading out of bounds (run under ASan).
  TempDir tmp;
  Store store = test::OpenStore(tmp.Sub("s"));
  std::string id = test::NewExperiment(store);
  {
    RecordWriter w = OpenWriter(store, id, "default", {.compression = Compression::kNone});
    for (int i = 0; i < 40; ++i) {
      w.Set("i", i * 1000);
      if (i % 3) w.Set("d", i * 0.5);
      if (i % 5) w.Set("s", std::string(static_cast<size_t>(i % 7), 'q'));
      if (i % 4 == 0) w.Set("b", i % 8 == 0);
      if (i % 6 == 0) w.Set("n", nullptr);
      REQUIRE(w.Save().ok());
    }
    REQUIRE(w.Close().ok());
  }
  const std::string key = internal::LookupKey(*internal::StateOf(store), id).value();
  const std::string chunk = Get(store, internal::kCfRecords, internal::RecordKey(key, "default", 0));
  std::mt19937 rng(7);
  internal::DecodedChunk out;
  std::string reason;
  for (int trial = 0; trial < 20000; ++trial) {
    std::string bad = chunk.substr(0, chunk.size() - 8);
    int flips = 1 + static_cast<int>(rng() % 3);
    for (int f = 0; f < flips; ++f) {
      size_t at = internal::kChunkHeaderSize + rng() % (bad.size() - internal::kChunkHeaderSize);
      bad[at] = static_cast<char>(rng());
    }
    internal::PutFixed64(&bad, internal::Hash64(bad));
    if (internal::DecodeChunk(bad, &out, &reason)) {
      // Whatever decoded must be self-consistent.
      for (const auto& col : out.columns) {
        uint32_t valid = 0;
        for (uint32_t r = 0; r < out.rows; ++r) valid += col.Valid(r);
        CHECK(valid == col.count);
      }
    }
  }
}

TEST_CASE("DecodeChunk refuses header sizes its payload cannot hold before allocating them") {
  // Found by test/fuzz/chunk_fuzz.cc: a sealed header claiming 1.78e9 rows
  // made the decoder allocate 14 GB before it looked at the payload.
  TempDir tmp;
  Store store = test::OpenStore(tmp.Sub("s"));
  std::string id = test::NewExperiment(store);
  for (Compression c : {Compression::kNone, Compression::kZstd}) {
    const std::string scope = c == Compression::kNone ? "plain" : "zstd";
    {
      RecordWriter w = OpenWriter(store, id, scope, {.compression = c});
      for (int i = 0; i < 50; ++i) {
        w.Set("i", 7);
        REQUIRE(w.Save().ok());
      }
      REQUIRE(w.Close().ok());
    }
    const std::string key = internal::LookupKey(*internal::StateOf(store), id).value();
    const std::string chunk = Get(store, internal::kCfRecords, internal::RecordKey(key, scope, 0));
    // Header field at `offset` set to `value`, checksum renewed.
    auto sealed = [&](size_t offset, uint32_t value) {
      std::string bad = chunk.substr(0, chunk.size() - internal::kChunkChecksumSize);
      std::memcpy(bad.data() + offset, &value, 4);
      internal::PutFixed64(&bad, internal::Hash64(bad));
      return bad;
    };
    internal::DecodedChunk out;
    std::string reason;
    REQUIRE(internal::DecodeChunk(chunk, &out, &reason));
    CHECK(out.codec == static_cast<uint8_t>(c));
    CHECK_FALSE(internal::DecodeChunk(sealed(4, 0x6a000001), &out, &reason));
    CHECK(reason == "timestamps are truncated");
    CHECK_FALSE(internal::DecodeChunk(sealed(16, 1u << 30), &out, &reason));
    CHECK(reason == (c == Compression::kNone ? "raw size does not match the payload" : "zstd data is damaged"));
    CHECK(out.raw.capacity() < (1u << 20));
  }
}

}  // TEST_SUITE

}  // namespace
}  // namespace labstore
