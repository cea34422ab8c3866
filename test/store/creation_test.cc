// The creation protocol of a store directory (doc/format.md, "Creating a
// store"), state by state: what a writer and a read-only Open do with each
// marker combination an interrupted creation can leave.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <rocksdb/db.h>

#include "labstore/labstore.h"
#include "test_util.h"

namespace labstore {
namespace {

namespace fs = std::filesystem;
using test::Code;
using test::TempDir;

bool Has(const Status& s, const std::string& needle) { return s.ToString().find(needle) != std::string::npos; }

// Opens for writing, stores an experiment, closes; fails the test on error.
void WriteOne(const std::string& dir) {
  auto store = Store::Open({}, dir);
  REQUIRE_MESSAGE(store.ok(), store.status().ToString());
  REQUIRE(store->Create({.module = "m"}).ok());
  auto check = CheckStore(*store);
  REQUIRE(check.ok());
  CHECK(check->damage.empty());
  REQUIRE(store->Close().ok());
}

TEST_SUITE("store") {

TEST_CASE("A new store has LABSTORE (golden text) and no LABSTORE.creating") {
  TempDir tmp;
  const std::string dir = tmp.Sub("s");
  WriteOne(dir);
  CHECK(test::ReadFile(dir + "/LABSTORE") == "labstore store\nformat 1\n");
  CHECK_FALSE(fs::exists(dir + "/LABSTORE.creating"));
  CHECK_FALSE(fs::exists(dir + "/LABSTORE.tmp"));
}

TEST_CASE("A directory with LABSTORE.creating only is being created: read-only is NotFound, a writer finishes it") {
  TempDir tmp;
  const std::string dir = tmp.Sub("s");
  fs::create_directories(dir);
  test::WriteFile(dir + "/LABSTORE.creating", "labstore store being created\n");
  auto reader = Store::Open({.read_only = true}, dir);
  CHECK(Code(reader) == "NotFound");
  CHECK(Has(reader.status(), "store " + dir + " is being created"));
  CHECK(Has(reader.status(), "a writer's Open finishes it"));
  WriteOne(dir);
  CHECK_FALSE(fs::exists(dir + "/LABSTORE.creating"));
  CHECK(Store::Open({.read_only = true}, dir).ok());
}

TEST_CASE("A writer removes what an interrupted creation left and keeps other names") {
  TempDir tmp;
  const std::string dir = tmp.Sub("s");
  fs::create_directories(dir);
  test::WriteFile(dir + "/LABSTORE.creating", "");
  test::WriteFile(dir + "/CURRENT", "MANIFEST-000099\n");  // names a MANIFEST that was never written
  test::WriteFile(dir + "/IDENTITY", "x");
  test::WriteFile(dir + "/000004.log", std::string(100, '\xff'));
  test::WriteFile(dir + "/LABSTORE.tmp", "labstore st");
  test::WriteFile(dir + "/notes.txt", "mine");
  WriteOne(dir);
  CHECK(test::ReadFile(dir + "/notes.txt") == "mine");
  CHECK(test::ReadFile(dir + "/LABSTORE") == "labstore store\nformat 1\n");
}

TEST_CASE("A directory holding only writer.lock (an older labstore killed before its marker) is created in") {
  TempDir tmp;
  const std::string dir = tmp.Sub("s");
  fs::create_directories(dir);
  test::WriteFile(dir + "/writer.lock", "12345\n");
  WriteOne(dir);
  CHECK(test::ReadFile(dir + "/LABSTORE") == "labstore store\nformat 1\n");
}

TEST_CASE("A LABSTORE.creating left next to LABSTORE (killed at the last step) is removed by the next writer") {
  TempDir tmp;
  const std::string dir = tmp.Sub("s");
  WriteOne(dir);
  test::WriteFile(dir + "/LABSTORE.creating", "");
  auto reader = Store::Open({.read_only = true}, dir);
  REQUIRE(reader.ok());
  CHECK(reader->List().value().size() == 1);
  WriteOne(dir);
  CHECK_FALSE(fs::exists(dir + "/LABSTORE.creating"));
  CHECK(reader->Close().ok());
}

TEST_CASE("A creation by an older labstore killed inside the database is finished by the next writer") {
  TempDir tmp;
  const std::string dir = tmp.Sub("s");
  fs::create_directories(dir);
  test::WriteFile(dir + "/LABSTORE", "labstore store\nformat 1\n");  // the old order: marker first
  {
    // The database as a kill left it: some column families, no format version.
    rocksdb::Options o;
    o.create_if_missing = true;
    o.create_missing_column_families = true;
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs = {{"default", {}}, {"meta", {}}, {"experiments", {}}};
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    REQUIRE(rocksdb::DB::Open(o, dir, cfs, &handles, &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    for (auto* h : handles) REQUIRE(db->DestroyColumnFamilyHandle(h).ok());
    REQUIRE(db->Close().ok());
  }
  auto reader = Store::Open({.read_only = true}, dir);
  CHECK(Code(reader) == "NotFound");
  CHECK(Has(reader.status(), "is being created"));
  WriteOne(dir);
  auto again = Store::Open({.read_only = true}, dir);
  REQUIRE_MESSAGE(again.ok(), again.status().ToString());
  CHECK(again->List().value().size() == 1);
}

TEST_CASE("A store with data but no format version stays Corruption") {
  TempDir tmp;
  const std::string dir = tmp.Sub("s");
  WriteOne(dir);
  {
    rocksdb::Options o;
    std::vector<std::string> names;
    REQUIRE(rocksdb::DB::ListColumnFamilies(o, dir, &names).ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
    for (const auto& n : names) cfs.emplace_back(n, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    REQUIRE(rocksdb::DB::Open(o, dir, cfs, &handles, &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    for (size_t i = 0; i < names.size(); ++i) {
      if (names[i] == "meta") REQUIRE(db->Delete(rocksdb::WriteOptions(), handles[i], "format_version").ok());
    }
    for (auto* h : handles) REQUIRE(db->DestroyColumnFamilyHandle(h).ok());
    REQUIRE(db->Close().ok());
  }
  auto store = Store::Open({}, dir);
  CHECK(Code(store) == "Corruption");
  CHECK(Has(store.status(), "has no format version"));
}

}  // TEST_SUITE

}  // namespace
}  // namespace labstore
