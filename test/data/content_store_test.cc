// A byte golden of the content store (lib/data/content_entry.h, doc/format.md
// "Data files"): the raw keys and values of the files and blobs column
// families after a few saves, written out in hex. A change to the encoding
// fails here; change the golden, the grammar and doc/format.md together.
#include <string>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "data_test_util.h"
#include "store/sequence.h"
#include "util/coding.h"
#include "util/hash.h"

namespace labstore {
namespace {

using internal::ToHex;

// Every pair of column family `cf`, one "key = value" line each, in hex.
std::string Dump(Store& store, internal::Cf cf) {
  auto pairs = internal::ScanPairs(*internal::StateOf(store), cf);
  REQUIRE_MESSAGE(pairs.ok(), pairs.status().ToString());
  std::string out;
  for (const auto& [key, value] : *pairs) out += ToHex(key) + " = " + ToHex(value) + "\n";
  return out;
}

std::string Repeat(const std::string& s, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

// The experiment key of module "m" with config {} (data_test::NewExperiment):
// XXH3-128 of "m\0{}", then ordinal 0.
const std::string kExperimentKey = "d63382b0347dbf0404437efa4a32b4f6" "00000000";
const std::string kHelloHash = "6bba86c7e069f56d5a10b435f1c8e49c";  // XXH3-128 of "hello\n"
const std::string kXHash = "8cdc46abfd21f3ac854c667088efe093";      // XXH3-128 of 4096 'x'

TEST_SUITE("data") {

TEST_CASE("Saved files are stored as the bytes doc/format.md describes") {
  data_test::DataFixture f;  // the experiment draws a sequence number (store/sequence.h)
  REQUIRE(SaveFile(f.store, f.id, "a.txt", "hello\n").ok());           // data id d1
  REQUIRE(SaveFile(f.store, f.id, "b/c.txt", "hello\n").ok());         // the same content: refcount 2
  REQUIRE(SaveFile(f.store, f.id, "x.bin", std::string(4096, 'x')).ok());  // data id d2 > d1, two chunks
  REQUIRE(internal::ChunkSizeFor(*internal::StateOf(f.store)) == 4095);  // min_blob_size 4096 - 1

  // files key := experiment_key(20) path        value := content_hash(16) size(8, LE)
  CHECK(Dump(f.store, internal::kCfFiles) ==
        kExperimentKey + "612e747874" " = " + kHelloHash + "0600000000000000\n" +      // "a.txt"
        kExperimentKey + "622f632e747874" " = " + kHelloHash + "0600000000000000\n" +  // "b/c.txt"
        kExperimentKey + "782e62696e" " = " + kXHash + "0010000000000000\n");          // "x.bin"

  // 'd' data_id(8, BE) chunk_no(4, BE) -> bytes; 'h' content_hash(16) -> refcount(8, LE) size(8, LE)
  // data_id(8, LE) chunk_size(4, LE). 'd' sorts before 'h'.
  // Data ids are sequence numbers: (unix_micros << 12) | part, part 0 here.
  auto blobs = internal::ScanPairs(*internal::StateOf(f.store), internal::kCfBlobs);
  REQUIRE(blobs.ok());
  REQUIRE(blobs->size() == 5);
  uint64_t d1 = internal::GetFixed64(std::string_view((*blobs)[3].second).substr(16, 8));
  uint64_t d2 = internal::GetFixed64(std::string_view((*blobs)[4].second).substr(16, 8));
  CHECK(d1 < d2);
  CHECK(d1 % 4096 == 0);
  CHECK(d2 % 4096 == 0);
  auto be = [](uint64_t v) { return fmt::format("{:016x}", v); };
  auto le = [](uint64_t v) {
    std::string out;
    internal::PutFixed64(&out, v);
    return ToHex(out);
  };
  CHECK(Dump(f.store, internal::kCfBlobs) ==
        "64" + be(d1) + "00000000" " = " "68656c6c6f0a\n"
        "64" + be(d2) + "00000000" " = " + Repeat("78", 4095) + "\n" +
        "64" + be(d2) + "00000001" " = " "78\n"
        "68" + kHelloHash + " = " "0200000000000000" "0600000000000000" + le(d1) + "ff0f0000\n" +
        "68" + kXHash + " = " "0100000000000000" "0010000000000000" + le(d2) + "ff0f0000\n");

  // meta "next_sequence" := fixed64 LE, the lowest number the part may draw next.
  auto meta = internal::ScanPairs(*internal::StateOf(f.store), internal::kCfMeta);
  REQUIRE(meta.ok());
  std::string next;
  for (const auto& [key, value] : *meta) {
    if (key == internal::kNextSequenceKey) next = ToHex(value);
  }
  CHECK(next == le(d2 + 4096));
}

TEST_CASE("Deleting a file lowers its content's refcount; the last one removes header and chunks") {
  data_test::DataFixture f;
  REQUIRE(SaveFile(f.store, f.id, "a.txt", "hello\n").ok());
  REQUIRE(SaveFile(f.store, f.id, "b.txt", "hello\n").ok());
  REQUIRE(DeleteFile(f.store, f.id, "a.txt").ok());
  CHECK(Dump(f.store, internal::kCfFiles) == kExperimentKey + "622e747874" " = " + kHelloHash + "0600000000000000\n");
  auto blobs = internal::ScanPairs(*internal::StateOf(f.store), internal::kCfBlobs);
  REQUIRE(blobs.ok());
  REQUIRE(blobs->size() == 2);
  std::string data_id = (*blobs)[1].second.substr(16, 8);  // the header's, little-endian
  std::string data_id_be(data_id.rbegin(), data_id.rend());
  CHECK(Dump(f.store, internal::kCfBlobs) ==
        "64" + ToHex(data_id_be) + "00000000" " = " "68656c6c6f0a\n"
        "68" + kHelloHash + " = " "0100000000000000" "0600000000000000" + ToHex(data_id) + "ff0f0000\n");
  REQUIRE(DeleteFile(f.store, f.id, "b.txt").ok());
  CHECK(Dump(f.store, internal::kCfFiles).empty());
  CHECK(Dump(f.store, internal::kCfBlobs).empty());
}

}  // TEST_SUITE

}  // namespace
}  // namespace labstore
