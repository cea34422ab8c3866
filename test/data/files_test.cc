// Files of an experiment: save, load, list, overwrite, delete, dedup, reclaim,
// deferred writes and corruption (lib/data/files.cc, content_*.cc).
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <rocksdb/db.h>

#include "data_test_util.h"
#include "util/coding.h"
#include "util/hash.h"

namespace labstore {
namespace {

using test::Code;
using data_test::CountBlobKeys;
using data_test::Load;

// `n` bytes that differ from file to file (seeded by `seed`).
std::string Bytes(size_t n, uint64_t seed) {
  std::string s(n, '\0');
  uint64_t x = seed * 0x9e3779b97f4a7c15ull + 1;
  for (size_t i = 0; i < n; ++i) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    s[i] = static_cast<char>(x);
  }
  return s;
}

TEST_SUITE("data") {

TEST_CASE("SaveFile and LoadFile round-trip bytes at any relative path") {
  data_test::DataFixture f;
  std::string binary("\0\x01\xff\n\r\x93NUMPY", 11);
  REQUIRE(SaveFile(f.store, f.id, "notes.txt", "hello").ok());
  REQUIRE(SaveFile(f.store, f.id, "data/nested/deep/bin", binary).ok());
  REQUIRE(SaveFile(f.store, f.id, "empty", "").ok());
  CHECK(Load(f.store, f.id, "notes.txt") == "hello");
  CHECK(Load(f.store, f.id, "data/nested/deep/bin") == binary);
  CHECK(Load(f.store, f.id, "empty") == "");
  CHECK(Load(f.store, f.id, "missing") == "<NotFound>");
  auto missing = LoadFile(f.store, f.id, "data/missing.json");
  CHECK(missing.status().ToString() ==
        "NotFound: no file \"data/missing.json\" in experiment \"" + f.id + "\"");
}

TEST_CASE("Files belong to one experiment") {
  data_test::DataFixture f;
  std::string other = data_test::NewExperiment(f.store);
  REQUIRE(SaveFile(f.store, f.id, "x", "mine").ok());
  CHECK(Load(f.store, other, "x") == "<NotFound>");
  CHECK(Code(SaveFile(f.store, "zzzzzz", "x", "y")) == "NotFound");
  CHECK(Code(SaveFile(f.store, "nope", "x", "y")) == "InvalidArgument");
  CHECK(Code(LoadFile(f.store, "zzzzzz", "x")) == "NotFound");
  CHECK(Code(ListFiles(f.store, "zzzzzz")) == "NotFound");
}

TEST_CASE("ListFiles gives path, size, format and content hash in path order") {
  data_test::DataFixture f;
  REQUIRE(SaveFile(f.store, f.id, "data/z.npy", "npy?").ok());
  REQUIRE(SaveFile(f.store, f.id, "data/a.json", "{}").ok());
  REQUIRE(SaveFile(f.store, f.id, "data/r.jsonl", "1\n").ok());
  REQUIRE(SaveFile(f.store, f.id, "data/results.p", "pickle").ok());
  REQUIRE(SaveFile(f.store, f.id, "run.sh", "#!/bin/sh\n").ok());
  REQUIRE(SaveFile(f.store, f.id, "data/.json", "hidden").ok());
  auto files = ListFiles(f.store, f.id);
  REQUIRE(files.ok());
  std::vector<std::string> got;
  for (const auto& fi : *files) got.push_back(fmt::format("{} {} {}", fi.path, fi.size, DataFormatName(fi.format)));
  CHECK(got == std::vector<std::string>{"data/.json 6 raw", "data/a.json 2 json", "data/r.jsonl 2 jsonl",
                                        "data/results.p 6 pickle", "data/z.npy 4 npy", "run.sh 10 raw"});
  CHECK((*files)[1].content_hash == internal::ToHex(internal::Hash128("{}")));
  CHECK((*files)[1].content_hash.size() == 32);
  auto data = ListFiles(f.store, f.id, "data/r");
  REQUIRE(data.ok());
  REQUIRE(data->size() == 2);
  CHECK((*data)[0].path == "data/r.jsonl");
  CHECK((*data)[1].path == "data/results.p");
  CHECK(data_test::ListFilesCount(f.store, data_test::NewExperiment(f.store)) == 0);
}

TEST_CASE("The content hash is XXH3-128 of the bytes (golden)") {
  data_test::DataFixture f;
  REQUIRE(SaveFile(f.store, f.id, "prediction.txt", "a string").ok());
  auto files = ListFiles(f.store, f.id);
  REQUIRE(files.ok());
  // XXH3-128("a string"), high 64 bits first, as `xxhsum -H2` prints it; pins the hash.
  CHECK((*files)[0].content_hash == internal::ToHex(internal::Hash128("a string")));
  CHECK((*files)[0].content_hash == "b9335fa2b45e8c0b96caed4c820c40f0");
}

TEST_CASE("Overwriting replaces the file and reclaims the old content") {
  data_test::DataFixture f;
  REQUIRE(SaveFile(f.store, f.id, "x", "first").ok());
  REQUIRE(SaveFile(f.store, f.id, "x", "second").ok());
  CHECK(Load(f.store, f.id, "x") == "second");
  CHECK(CountBlobKeys(f.store, 'h') == 1);
  CHECK(CountBlobKeys(f.store, 'd') == 1);
  REQUIRE(SaveFile(f.store, f.id, "x", "second").ok());  // same bytes again: nothing changes
  CHECK(CountBlobKeys(f.store, 'h') == 1);
  CHECK(Load(f.store, f.id, "x") == "second");
  REQUIRE(SaveFile(f.store, f.id, "x", "").ok());
  CHECK(Load(f.store, f.id, "x") == "");
  CHECK(CountBlobKeys(f.store, 'd') == 0);
}

TEST_CASE("DeleteFile removes the file and reclaims content no file refers to") {
  data_test::DataFixture f;
  std::string other = data_test::NewExperiment(f.store);
  REQUIRE(SaveFile(f.store, f.id, "a", "shared").ok());
  REQUIRE(SaveFile(f.store, other, "b", "shared").ok());
  REQUIRE(SaveFile(f.store, f.id, "c", "alone").ok());
  CHECK(CountBlobKeys(f.store, 'h') == 2);
  REQUIRE(DeleteFile(f.store, f.id, "a").ok());
  CHECK(Load(f.store, f.id, "a") == "<NotFound>");
  CHECK(Load(f.store, other, "b") == "shared");  // still referred to
  CHECK(CountBlobKeys(f.store, 'h') == 2);
  REQUIRE(DeleteFile(f.store, other, "b").ok());
  REQUIRE(DeleteFile(f.store, f.id, "c").ok());
  CHECK(CountBlobKeys(f.store, 'h') == 0);
  CHECK(CountBlobKeys(f.store, 'd') == 0);
  Status s = DeleteFile(f.store, f.id, "c");
  CHECK(s.ToString() == "NotFound: no file \"c\" in experiment \"" + f.id + "\"");
}

TEST_CASE("The same bytes saved in 1,000 experiments are stored once") {
  data_test::DataFixture f;
  std::string payload = Bytes(100000, 7);
  std::string big = Bytes(3 * (1 << 20) + 5, 8);  // several chunks
  std::vector<std::string> ids;
  for (int i = 0; i < 1000; ++i) {
    ids.push_back(data_test::NewExperiment(f.store, fmt::format(R"({{"i": {}}})", i)));
    REQUIRE(SaveFile(f.store, ids.back(), "data/payload.bin", payload).ok());
    if (i % 100 == 0) REQUIRE(SaveFile(f.store, ids.back(), "data/big.bin", big).ok());
  }
  CHECK(CountBlobKeys(f.store, 'h') == 2);
  CHECK(CountBlobKeys(f.store, 'd') ==
        data_test::Chunks(f.store, payload.size()) + data_test::Chunks(f.store, big.size()));
  CHECK(CountBlobKeys(f.store, 'u') == 0);
  CHECK(Load(f.store, ids[999], "data/payload.bin") == payload);
  CHECK(Load(f.store, ids[500], "data/big.bin") == big);
  // Dropping all but one reference keeps the content; dropping the last reclaims it.
  for (int i = 0; i < 999; ++i) REQUIRE(DeleteFile(f.store, ids[i], "data/payload.bin").ok());
  CHECK(CountBlobKeys(f.store, 'h') == 2);
  CHECK(Load(f.store, ids[999], "data/payload.bin") == payload);
  REQUIRE(DeleteFile(f.store, ids[999], "data/payload.bin").ok());
  CHECK(CountBlobKeys(f.store, 'h') == 1);
  CHECK(CountBlobKeys(f.store, 'd') == data_test::Chunks(f.store, big.size()));
}

TEST_CASE("Files and their contents survive reopening, and read-only handles read them") {
  test::TempDir tmp;
  std::string dir = tmp.Sub("s");
  std::string id;
  std::string big = Bytes(2 * (1 << 20) + 3, 1);
  {
    Store store = test::OpenStore(dir);
    id = data_test::NewExperiment(store);
    REQUIRE(SaveFile(store, id, "small", "s").ok());
    REQUIRE(SaveFile(store, id, "big", big).ok());
  }
  Store store = test::OpenStore(dir);
  CHECK(Load(store, id, "small") == "s");
  CHECK(Load(store, id, "big") == big);
  auto reader = Store::Open({.read_only = true}, dir);
  REQUIRE(reader.ok());
  CHECK(Load(*reader, id, "big") == big);
  CHECK(data_test::ListFilesCount(*reader, id) == 2);
  auto r = FileReader::Open(*reader, id, "small");
  REQUIRE(r.ok());
  CHECK(Code(SaveFile(*reader, id, "x", "y")) == "InvalidArgument");
  CHECK(Code(DeleteFile(*reader, id, "small")) == "InvalidArgument");
  CHECK(Code(FileWriter::Open(*reader, id, "x")) == "InvalidArgument");
  CHECK(Code(GarbageCollect(*reader)) == "InvalidArgument");
}

TEST_CASE("Saving on an unstored experiment is deferred until Commit") {
  data_test::DataFixture f;
  auto e = f.store.Make({.module = "m", .config = R"({"deferred": true})"});
  REQUIRE(e.ok());
  REQUIRE_FALSE(e->stored);
  REQUIRE(SaveData(f.store, *e, "result.json", DataValue::Json(R"({"a":1})")).ok());
  REQUIRE(SaveFile(f.store, *e, "notes.txt", "first").ok());
  REQUIRE(SaveFile(f.store, *e, "notes.txt", "second").ok());  // later writes win, in order
  CHECK(Code(SaveFile(f.store, *e, "../x", "y")) == "InvalidArgument");  // checked now
  CHECK(Code(SaveData(f.store, *e, "x.npy", DataValue::Bytes("y"))) == "InvalidArgument");
  CHECK(e->pending_files.size() == 3);
  REQUIRE(f.store.Commit(*e).ok());
  CHECK(e->pending_files.empty());
  CHECK(Load(f.store, e->id, "data/result.json") == R"({"a": 1})");
  CHECK(Load(f.store, e->id, "notes.txt") == "second");
  // Once stored, the same overloads write at once.
  REQUIRE(SaveFile(f.store, *e, "later.txt", "now").ok());
  CHECK(e->pending_files.empty());
  CHECK(Load(f.store, e->id, "later.txt") == "now");
}

TEST_CASE("A deferred write that fails stays pending and Commit retries it") {
  data_test::DataFixture f;
  auto e = f.store.Make({.module = "m"});
  REQUIRE(e.ok());
  REQUIRE(SaveFile(f.store, *e, "a/b", "1").ok());
  REQUIRE(SaveFile(f.store, *e, "a", "2").ok());  // conflicts with "a/b" once written
  Status s = f.store.Commit(*e);
  CHECK(s.ToString() == "InvalidArgument: cannot save \"a\": it is the folder of file \"a/b\"");
  CHECK(e->stored);
  REQUIRE(e->pending_files.size() == 1);
  e->pending_files[0].first.assign(1, 'c');
  REQUIRE(f.store.Commit(*e).ok());
  CHECK(e->pending_files.empty());
  CHECK(Load(f.store, e->id, "c") == "2");
}

TEST_CASE("Content that does not match its hash is Corruption naming the file") {
  data_test::DataFixture f;
  REQUIRE(SaveFile(f.store, f.id, "data/small.txt", "original").ok());
  REQUIRE(SaveFile(f.store, f.id, "data/big.bin", Bytes(2 * (1 << 20) + 1, 3)).ok());
  auto* st = internal::StateOf(f.store);
  // Overwrite every chunk with bytes of the same size, behind labstore's back.
  std::unique_ptr<rocksdb::Iterator> it(st->db->NewIterator(rocksdb::ReadOptions(), st->handle(internal::kCfBlobs)));
  std::vector<std::pair<std::string, size_t>> chunks;
  for (it->Seek("d"); it->Valid() && it->key()[0] == 'd'; it->Next())
    chunks.emplace_back(it->key().ToString(), it->value().size());
  REQUIRE(chunks.size() == data_test::Chunks(f.store, 8) + data_test::Chunks(f.store, 2 * (1 << 20) + 1));
  for (auto& [key, size] : chunks)
    REQUIRE(st->db->Put({}, st->handle(internal::kCfBlobs), key, std::string(size, 'X')).ok());
  auto small = LoadFile(f.store, f.id, "data/small.txt");
  CHECK(small.status().code() == Status::Code::kCorruption);
  CHECK(small.status().message().find("the content of file \"data/small.txt\" of experiment \"" + f.id +
                                      "\" does not match its hash") == 0);
  CHECK(Code(LoadData(f.store, f.id, "small.txt")) == "Corruption");
  auto big = LoadFile(f.store, f.id, "data/big.bin");
  CHECK(big.status().message().find("\"data/big.bin\"") != std::string::npos);
  CHECK(Code(big) == "Corruption");
  // A missing chunk too.
  REQUIRE(st->db->Delete({}, st->handle(internal::kCfBlobs), chunks[1].first).ok());
  big = LoadFile(f.store, f.id, "data/big.bin");
  CHECK(Code(big) == "Corruption");
  CHECK(big.status().message().find("data/big.bin") != std::string::npos);
  // A file whose content is gone altogether is Corruption too, and can still be deleted.
  REQUIRE(st->db->Delete({}, st->handle(internal::kCfBlobs), "h" + internal::Hash128("original")).ok());
  CHECK(LoadFile(f.store, f.id, "data/small.txt").status().message().find(
            "the content of file \"data/small.txt\" of experiment \"" + f.id + "\" is missing or damaged") == 0);
  CHECK(DeleteFile(f.store, f.id, "data/small.txt").ok());
  CHECK(SaveFile(f.store, f.id, "data/big.bin", "repaired").ok());
  CHECK(Load(f.store, f.id, "data/big.bin") == "repaired");
}

}  // TEST_SUITE
}  // namespace
}  // namespace labstore
