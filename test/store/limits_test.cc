// The limits of the README's "Limits" table, at their edge (exactly the limit
// is stored and reads back) and one past it (InvalidArgument naming the input
// and the limit, nothing stored changes). Record limits (scope and column
// names, columns per scope, row bytes) are tested the same way in
// test/record/writer_test.cc; path rules in test/data/path_test.cc.
#include <string>

#include <doctest/doctest.h>

#include "data/content_store.h"
#include "data/file_limit.h"
#include "experiment/id.h"
#include "store/store_state.h"
#include "labstore/data.h"
#include "labstore/labstore.h"
#include "test_util.h"

namespace labstore {
namespace {

using test::Code;
using test::TempDir;

// The message of a failed Result or Status, for one-line checks.
template <typename T>
std::string Message(const Result<T>& r) {
  return r.ok() ? "OK" : r.status().ToString();
}
std::string Message(const Status& s) { return s.ToString(); }

bool Has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

size_t Count(Store& store) {
  auto all = store.List();
  REQUIRE_MESSAGE(all.ok(), all.status().ToString());
  return all->size();
}

// A JSON object of exactly `n` bytes: {"k":"xxx..."}.
std::string ConfigOfSize(size_t n) { return R"({"k":")" + std::string(n - 8, 'x') + R"("})"; }

TEST_SUITE("store") {

TEST_CASE("Module names, configs, group patterns and project names are stored at their limit and refused past it") {
  TempDir tmp;
  Store store = test::OpenStore(tmp.Sub("s"));
  const std::string module(kMaxModuleLength, 'm');
  auto at = store.Create({.module = module, .config = ConfigOfSize(kMaxConfigBytes),
                          .group = std::string(kMaxNameLength, 'g'), .project = std::string(kMaxNameLength, 'p')});
  REQUIRE_MESSAGE(at.ok(), at.status().ToString());
  auto found = store.Find(at->id);
  REQUIRE(found.ok());
  CHECK(found->module == module);
  CHECK(found->config.size() == kMaxConfigBytes);
  CHECK(found->group_pattern == std::string(kMaxNameLength, 'g'));
  CHECK(found->project == std::string(kMaxNameLength, 'p'));
  CHECK(store.Get(module, ConfigOfSize(kMaxConfigBytes))->id == at->id);

  auto long_module = store.Create({.module = module + "m"});
  CHECK(Code(long_module) == "InvalidArgument");
  CHECK(Has(Message(long_module), "a module name is at most 256 bytes"));
  auto big_config = store.Create({.module = "m", .config = ConfigOfSize(kMaxConfigBytes + 1)});
  CHECK(Code(big_config) == "InvalidArgument");
  CHECK(Has(Message(big_config), "config of 1048577 bytes is too large: the limit is 1048576 bytes"));
  CHECK(Code(store.Get("m", ConfigOfSize(kMaxConfigBytes + 1))) == "InvalidArgument");
  auto long_group = store.Create({.module = "m", .group = std::string(kMaxNameLength + 1, 'g')});
  CHECK(Code(long_group) == "InvalidArgument");
  CHECK(Has(Message(long_group), "invalid group pattern \"gggg"));
  CHECK(Has(Message(long_group), "it is at most 256 bytes"));
  auto long_project = store.Create({.module = "m", .project = std::string(kMaxNameLength + 1, 'p')});
  CHECK(Code(long_project) == "InvalidArgument");
  CHECK(Has(Message(long_project), "invalid project name"));
  CHECK(Code(store.SetDefaultGroup(std::string(kMaxNameLength + 1, 'd'))) == "InvalidArgument");
  CHECK(store.SetDefaultGroup(std::string(kMaxNameLength, 'd')).ok());
  CHECK(Count(store) == 1);
}

TEST_CASE("A data path of exactly kMaxPathBytes bytes is stored and one byte more is refused") {
  TempDir tmp;
  Store store = test::OpenStore(tmp.Sub("s"));
  std::string id = store.Create({.module = "m"})->id;
  // "data/" + 3 segments of 255 + 1 of 249, joined by '/': 1024 bytes.
  std::string rest = std::string(255, 'a') + "/" + std::string(255, 'b') + "/" + std::string(255, 'c') + "/";
  std::string at = "data/" + rest + std::string(kMaxPathBytes - 5 - rest.size(), 'd');
  REQUIRE(at.size() == kMaxPathBytes);
  REQUIRE(SaveFile(store, id, at, "edge").ok());
  CHECK(*LoadFile(store, id, at) == "edge");
  Status past = SaveFile(store, id, at + "e", "past");
  CHECK(Code(past) == "InvalidArgument");
  CHECK(Has(Message(past), "a path may have at most 1024 bytes, this one has 1025"));
  Status segment = SaveFile(store, id, std::string(kMaxSegmentBytes + 1, 's'), "past");
  CHECK(Has(Message(segment), "a path segment may have at most 255 bytes"));
  CHECK(ListFiles(store, id)->size() == 1);
}

TEST_CASE("kMaxFileBytes fits the chunk numbering of the format") {
  TempDir tmp;
  Store store = test::OpenStore(tmp.Sub("s"));
  // Chunk numbers are 32 bits (doc/format.md): the limit must be reachable.
  CHECK(kMaxFileBytes <= (uint64_t{1} << 32) * internal::ChunkSizeFor(*internal::StateOf(store)));
  CHECK(internal::MaxFileBytes() == kMaxFileBytes);
}

TEST_CASE("A file of exactly the size limit is stored and one byte more is refused, also when streamed") {
  TempDir tmp;
  Store store = test::OpenStore(tmp.Sub("s"));
  std::string id = store.Create({.module = "m"})->id;
  // Lowered so the edge is reachable: 3 MiB + 5, past the 1 MiB that is
  // written in one batch, so the streamed case goes through an upload.
  const uint64_t limit = (uint64_t{3} << 20) + 5;
  internal::ScopedFileLimit scoped(limit);
  const std::string edge(limit, 'e');
  REQUIRE(SaveFile(store, id, "a.bin", edge).ok());
  CHECK(*LoadFile(store, id, "a.bin") == edge);
  Status past = SaveFile(store, id, "a.bin", edge + "!");
  CHECK(Code(past) == "InvalidArgument");
  CHECK(Has(Message(past), "file \"a.bin\" of experiment \"" + id + "\" is too large at 3145734 bytes"));
  CHECK(Has(Message(past), "a file may have at most 3145733 bytes (kMaxFileBytes)"));
  CHECK(Code(SaveData(store, id, "b.json", DataValue::Json("\"" + std::string(limit, 'j') + "\""))) ==
        "InvalidArgument");
  Experiment unstored = *store.Make({.module = "m2"});
  CHECK(Code(SaveFile(store, unstored, "c.bin", edge + "!")) == "InvalidArgument");
  CHECK(unstored.pending_files.empty());

  auto w = FileWriter::Open(store, id, "s.bin");
  REQUIRE(w.ok());
  REQUIRE(w->Append(edge.substr(0, limit - 1)).ok());
  REQUIRE(w->Append("e").ok());
  REQUIRE(w->Close().ok());
  CHECK(*LoadFile(store, id, "s.bin") == edge);

  auto over = FileWriter::Open(store, id, "s.bin");
  REQUIRE(over.ok());
  REQUIRE(over->Append(edge).ok());
  Status s = over->Append("!");
  CHECK(Code(s) == "InvalidArgument");
  CHECK(Has(Message(s), "file \"s.bin\" of experiment \"" + id + "\" is too large at 3145734 bytes"));
  CHECK(Code(over->Append("x")) == "InvalidArgument");  // the writer is closed
  CHECK(Code(over->Close()) == "InvalidArgument");
  CHECK(*LoadFile(store, id, "s.bin") == edge);  // the stored file is untouched
  CHECK(ListFiles(store, id)->size() == 2);
  auto gc = GarbageCollect(store);
  REQUIRE(gc.ok());
  CHECK(gc->uploads_removed == 0);  // the refused stream left nothing behind
}

TEST_CASE("Experiments per store are bounded by the id space, 62^6 - 62^5 ids, and both ends of it are usable") {
  // Ids are 6 base62 digits not starting with '0': [62^5, 62^6 - 1].
  CHECK(internal::kIdMin == 916132832ull);
  CHECK(internal::kIdMax == 56800235583ull);
  CHECK(internal::kIdMax - internal::kIdMin + 1 == kMaxExperiments);  // the most experiments a store can hold
  TempDir tmp;
  Store store = test::OpenStore(tmp.Sub("s"));
  auto low = store.Create({.module = "m", .id = internal::EncodeId(internal::kIdMin)});
  auto high = store.Create({.module = "m", .id = internal::EncodeId(internal::kIdMax)});
  REQUIRE_MESSAGE(low.ok(), low.status().ToString());
  REQUIRE_MESSAGE(high.ok(), high.status().ToString());
  CHECK(store.Find("100000")->id == "100000");
  CHECK(store.Find("zzzzzz")->id == "zzzzzz");
  auto below = store.Create({.module = "m", .id = "0zzzzz"});
  CHECK(Code(below) == "InvalidArgument");
  CHECK(Has(Message(below), "an id may not start with '0'"));
  CHECK(Code(store.Create({.module = "m", .id = "zzzzzz"})) == "InvalidArgument");  // taken
  CHECK(Code(store.Create({.module = "m", .id = "1000000"})) == "InvalidArgument");   // 7 digits
  CHECK(Count(store) == 2);
}

TEST_CASE("A definition holds at most 2^31 experiments in the main database; past it Commit stores nothing") {
  TempDir tmp;
  Store store = test::OpenStore(tmp.Sub("s"));
  auto first = store.Create({.module = "m", .config = R"({"x": 1})"});
  REQUIRE(first.ok());
  // Set the definition's count to the limit, as if 2^31 had been stored.
  internal::StoreState& st = *internal::StateOf(store);
  const std::string hash = first->key.substr(0, 16);
  std::string value;
  REQUIRE(st.db->Get(rocksdb::ReadOptions(), st.handle(internal::kCfDefinitions), hash, &value).ok());
  value.replace(0, 4, std::string("\x80\x00\x00\x00", 4));
  REQUIRE(st.db->Put(rocksdb::WriteOptions(), st.handle(internal::kCfDefinitions), hash, value).ok());
  auto over = store.Create({.module = "m", .config = R"({"x": 1.0})"});
  CHECK(Code(over) == "InvalidArgument");
  CHECK(Has(Message(over), "at most 2147483648 experiments"));
  CHECK(Count(store) == 1);
  CHECK(store.Create({.module = "m", .config = R"({"x": 2})"}).ok());  // other definitions are not affected
}

}  // TEST_SUITE("store")

}  // namespace
}  // namespace labstore
