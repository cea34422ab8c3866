// ClearRecords: a scope emptied in one batch, so that an unfinished experiment can run again.
#include <memory>

#include <doctest/doctest.h>

#include "record/record_test_util.h"
#include "record/scope.h"
#include "store/store_state.h"

namespace labstore {
namespace {

using test::Code;
using test::TempDir;

// Writes rows {i: first..first+n-1} in `scope`, in chunks of 100 rows.
void WriteRows(Store& store, const std::string& id, const std::string& scope, int first, int n) {
  RecordWriter w = test::OpenWriter(store, id, scope, {.flush_rows = 100});
  for (int i = first; i < first + n; ++i) {
    w.Set("i", i);
    REQUIRE(w.Save().ok());
  }
  REQUIRE(w.Close().ok());
}

// Keys left in the records column family under the experiment's scope prefix.
size_t ChunkKeys(Store& store, const std::string& id, const std::string& scope) {
  auto e = store.Find(id);
  REQUIRE(e.ok());
  internal::StoreState* st = internal::StateOf(store);
  std::string prefix = internal::RecordPrefix(e->key, scope);
  std::unique_ptr<rocksdb::Iterator> it(st->db->NewIterator(rocksdb::ReadOptions(), st->handle(internal::kCfRecords)));
  size_t n = 0;
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) ++n;
  return n;
}

TEST_SUITE("record") {

TEST_CASE("ClearRecords removes a scope's chunks and metadata; a new writer starts again at row 0") {
  TempDir tmp;
  Store store = test::OpenStore(tmp.Sub("s"));
  std::string id = test::NewExperiment(store);
  std::string other = test::NewExperiment(store);
  WriteRows(store, id, "default", 0, 1000);
  WriteRows(store, id, "validation", 0, 10);
  WriteRows(store, other, "default", 0, 5);
  REQUIRE(ChunkKeys(store, id, "default") == 10);

  REQUIRE(Code(ClearRecords(store, id, "default")) == "OK");
  CHECK(ChunkKeys(store, id, "default") == 0);
  CHECK(*CountRows(store, id, "default") == 0);
  CHECK(test::Rows(store, id, "default").empty());
  auto scopes = ListScopes(store, id);
  REQUIRE(scopes.ok());
  REQUIRE(scopes->size() == 1);
  CHECK((*scopes)[0].name == "validation");
  CHECK(*CountRows(store, id, "validation") == 10);  // nothing else is touched
  CHECK(*CountRows(store, other, "default") == 5);

  // The rerun writes fewer rows than before: none of the old ones show through.
  WriteRows(store, id, "default", 500, 150);
  auto rows = test::Rows(store, id, "default");
  REQUIRE(rows.size() == 150);
  CHECK(rows[0].index == 0);
  CHECK(test::Show(rows[0]) == "i=500");
  CHECK(test::Show(rows[149]) == "i=649");
  CHECK(ChunkKeys(store, id, "default") == 2);

  CHECK(Code(ClearRecords(store, id, "never_written")) == "OK");  // nothing to do
}

TEST_CASE("ClearRecords refuses bad ids and scope names, unknown experiments and read-only stores") {
  TempDir tmp;
  std::string id;
  {
    Store store = test::OpenStore(tmp.Sub("s"));
    id = test::NewExperiment(store);
    WriteRows(store, id, "default", 0, 10);
    CHECK(Code(ClearRecords(store, "bad id", "default")) == "InvalidArgument");
    CHECK(Code(ClearRecords(store, "zzzzzz", "default")) == "NotFound");
    Status slash = ClearRecords(store, id, "a/b");
    CHECK(Code(slash) == "InvalidArgument");
    CHECK(slash.message().find("a/b") != std::string::npos);
    CHECK(Code(ClearRecords(store, id, "")) == "InvalidArgument");
    CHECK(*CountRows(store, id, "default") == 10);
  }
  auto ro = Store::Open({.read_only = true}, tmp.Sub("s"));
  REQUIRE(ro.ok());
  Status s = ClearRecords(*ro, id, "default");
  CHECK(Code(s) == "InvalidArgument");
  CHECK(s.message().find("read-only") != std::string::npos);
  CHECK(*CountRows(*ro, id, "default") == 10);
}

TEST_CASE("ClearRecords refuses a scope with an open writer (Busy) and keeps its rows") {
  TempDir tmp;
  Store store = test::OpenStore(tmp.Sub("s"));
  std::string id = test::NewExperiment(store);
  WriteRows(store, id, "default", 0, 10);
  RecordWriter w = test::OpenWriter(store, id, "default");
  w.Set("i", 10);
  REQUIRE(w.Save().ok());
  REQUIRE(w.Flush().ok());
  Status s = ClearRecords(store, id, "default");
  CHECK(Code(s) == "Busy");
  CHECK(s.message().find("open writer") != std::string::npos);
  CHECK(*CountRows(store, id, "default") == 11);
  CHECK(Code(ClearRecords(store, id, "validation")) == "OK");  // another scope is free
  REQUIRE(w.Close().ok());
  CHECK(Code(ClearRecords(store, id, "default")) == "OK");
  CHECK(*CountRows(store, id, "default") == 0);
  // The claim was released: a writer opens again.
  WriteRows(store, id, "default", 0, 3);
  CHECK(*CountRows(store, id, "default") == 3);
}

}  // TEST_SUITE

}  // namespace
}  // namespace labstore
