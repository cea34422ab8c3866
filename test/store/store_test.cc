#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include <doctest/doctest.h>

#include "labstore/labstore.h"
#include "test_util.h"

namespace labstore {
namespace {

using test::Code;
using test::TempDir;

// Starts lock_holder on `dir`; returns the pipe to its stdin (close it to stop it).
FILE* StartHolder(const std::string& dir, std::string* ready_line) {
  std::string cmd = std::string(LABSTORE_LOCK_HOLDER) + " " + dir + " > " + dir + ".ready";
  FILE* p = ::popen(cmd.c_str(), "w");
  REQUIRE(p != nullptr);
  for (int i = 0; i < 400; ++i) {
    *ready_line = test::ReadFile(dir + ".ready");
    if (ready_line->rfind("ready", 0) == 0) break;
    ::usleep(25000);
  }
  REQUIRE(ready_line->rfind("ready", 0) == 0);
  return p;
}

TEST_SUITE("store") {

TEST_CASE("Open creates a store directory with a marker and opens it again") {
  TempDir tmp;
  std::string dir = tmp.Sub("s");
  {
    auto store = Store::Open({}, dir);
    REQUIRE(store.ok());
    CHECK(store->dir() == dir);
    CHECK_FALSE(store->read_only());
    CHECK(store->Close().ok());
  }
  CHECK(test::ReadFile(dir + "/LABSTORE") == "labstore store\nformat 1\n");
  auto again = Store::Open({.create_if_missing = false}, dir);
  CHECK(again.ok());
}

TEST_CASE("Open without create_if_missing on a missing directory is NotFound") {
  TempDir tmp;
  auto store = Store::Open({.create_if_missing = false}, tmp.Sub("missing"));
  CHECK(Code(store) == "NotFound");
  CHECK(store.status().message().find("missing") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(tmp.Sub("missing")));
}

TEST_CASE("Open refuses a directory that is not a store and changes nothing") {
  TempDir tmp;
  std::string dir = tmp.Sub("notastore");
  std::filesystem::create_directories(dir);
  test::WriteFile(dir + "/thesis.tex", "\\section{x}");
  auto store = Store::Open({}, dir);
  CHECK(Code(store) == "InvalidArgument");
  CHECK(store.status().message().find("is not a labstore store") != std::string::npos);
  CHECK(store.status().message().find(dir) != std::string::npos);
  int entries = 0;
  for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator(dir)) ++entries;
  CHECK(entries == 1);
  CHECK(test::ReadFile(dir + "/thesis.tex") == "\\section{x}");
}

TEST_CASE("Open refuses a regular file as store directory") {
  TempDir tmp;
  test::WriteFile(tmp.Sub("file"), "x");
  CHECK(Code(Store::Open({}, tmp.Sub("file"))) == "InvalidArgument");
  CHECK(Code(Store::Open({}, "")) == "InvalidArgument");
}

TEST_CASE("Open refuses a store of a newer format version and changes nothing") {
  TempDir tmp;
  std::string dir = tmp.Sub("s");
  { CHECK(test::OpenStore(dir).Close().ok()); }
  test::WriteFile(dir + "/LABSTORE", "labstore store\nformat 99\n");
  auto before = std::filesystem::last_write_time(dir + "/CURRENT");
  auto store = Store::Open({}, dir);
  CHECK(Code(store) == "NotSupported");
  CHECK(store.status().message().find("format version 99") != std::string::npos);
  CHECK(std::filesystem::last_write_time(dir + "/CURRENT") == before);
  CHECK(Code(Store::Open({.read_only = true}, dir)) == "NotSupported");
}

TEST_CASE("A damaged marker file is Corruption") {
  TempDir tmp;
  std::string dir = tmp.Sub("s");
  { CHECK(test::OpenStore(dir).Close().ok()); }
  test::WriteFile(dir + "/LABSTORE", "garbage");
  CHECK(Code(Store::Open({}, dir)) == "Corruption");
}

TEST_CASE("A second writer in the same process gets a shard, not Busy; the main lock goes on Close") {
  TempDir tmp;
  std::string dir = tmp.Sub("s");
  Store first = test::OpenStore(dir);
  auto second = Store::Open({}, dir);
  REQUIRE(second.ok());
  CHECK(std::filesystem::exists(dir + "/shards/1/SHARD"));
  CHECK(second->Close().ok());
  CHECK(first.Close().ok());
  auto again = Store::Open({}, dir);  // the main database is free again
  REQUIRE(again.ok());
  CHECK_FALSE(std::filesystem::exists(dir + "/shards/2"));
}

TEST_CASE("A second process that opens the store for writing gets a shard of its own") {
  TempDir tmp;
  std::string dir = tmp.Sub("s");
  std::string ready;
  FILE* holder = StartHolder(dir, &ready);
  auto second = Store::Open({}, dir);
  REQUIRE(second.ok());
  CHECK(test::ReadFile(dir + "/LABSTORE") == "labstore store\nformat 2\n");
  CHECK(second->Close().ok());
  // A read-only open works meanwhile and sees what the writer stored.
  auto reader = Store::Open({.read_only = true}, dir);
  REQUIRE(reader.ok());
  std::string id = ready.substr(6, 6);
  auto found = reader->Find(id);
  CHECK(found.ok());
  CHECK(found->module == "holder");
  CHECK(::pclose(holder) == 0);
  CHECK(Store::Open({}, dir).ok());
}

TEST_CASE("A read-only handle sees new writes after Refresh") {
  TempDir tmp;
  std::string dir = tmp.Sub("s");
  Store writer = test::OpenStore(dir);
  auto first = writer.Create({.module = "m", .config = R"({"a": 1})"});
  REQUIRE(first.ok());
  auto reader = Store::Open({.read_only = true}, dir);
  REQUIRE(reader.ok());
  CHECK(reader->read_only());
  CHECK(reader->Find(first->id).ok());
  auto second = writer.Create({.module = "m", .config = R"({"a": 2})"});
  REQUIRE(second.ok());
  CHECK(Code(reader->Find(second->id)) == "NotFound");
  CHECK(reader->Refresh().ok());
  CHECK(reader->Find(second->id).ok());
  CHECK(writer.Refresh().ok());  // no-op on a writer
}

TEST_CASE("Refresh with nothing new keeps what the reader sees, and still catches up afterwards") {
  TempDir tmp;
  std::string dir = tmp.Sub("s");
  Store writer = test::OpenStore(dir);
  auto first = writer.Create({.module = "m", .config = R"({"a": 1})"});
  REQUIRE(first.ok());
  auto reader = Store::Open({.read_only = true}, dir);
  REQUIRE(reader.ok());
  CHECK(reader->Refresh().ok());  // nothing changed: the database is kept
  CHECK(reader->Find(first->id).ok());
  auto second = writer.Create({.module = "m", .config = R"({"a": 2})"});
  REQUIRE(second.ok());
  CHECK(reader->Refresh().ok());
  CHECK(reader->Find(second->id).ok());
  REQUIRE(writer.Close().ok());  // flushes: the MANIFEST changes, the logs go
  CHECK(reader->Refresh().ok());
  CHECK(reader->Find(first->id).ok());
  CHECK(reader->Find(second->id).ok());
}

TEST_CASE("Writes on a read-only handle are InvalidArgument and change nothing") {
  TempDir tmp;
  std::string dir = tmp.Sub("s");
  std::string id;
  {
    Store w = test::OpenStore(dir);
    auto e = w.Create({.module = "m"});
    REQUIRE(e.ok());
    id = e->id;
  }
  auto reader = Store::Open({.read_only = true}, dir);
  REQUIRE(reader.ok());
  auto created = reader->Create({.module = "m", .config = R"({"b": 1})"});
  CHECK(Code(created) == "InvalidArgument");
  CHECK(created.status().message().find("read-only") != std::string::npos);
  CHECK(Code(reader->MarkStarted(id)) == "InvalidArgument");
  CHECK(Code(reader->SetDefaultGroup("x/%Y")) == "InvalidArgument");
  auto all = reader->List();
  REQUIRE(all.ok());
  CHECK(all->size() == 1);
}

TEST_CASE("A read-only open of a missing or empty directory is NotFound") {
  TempDir tmp;
  CHECK(Code(Store::Open({.read_only = true}, tmp.Sub("none"))) == "NotFound");
  std::filesystem::create_directories(tmp.Sub("empty"));
  CHECK(Code(Store::Open({.read_only = true}, tmp.Sub("empty"))) == "NotFound");
}

TEST_CASE("Close reports success once and later calls see a closed store") {
  TempDir tmp;
  Store store = test::OpenStore(tmp.Sub("s"));
  CHECK(store.Close().ok());
  CHECK(store.Close().ok());
  CHECK(Code(store.Find("rm3SAJ")) == "InvalidArgument");
  CHECK(Code(store.Create({.module = "m"})) == "InvalidArgument");
}

TEST_CASE("Store is movable") {
  TempDir tmp;
  Store a = test::OpenStore(tmp.Sub("s"));
  auto e = a.Create({.module = "m"});
  REQUIRE(e.ok());
  Store b = std::move(a);
  CHECK(b.Find(e->id).ok());
}

TEST_CASE("Status names its code and message") {
  CHECK(Status().ToString() == "OK");
  CHECK(Status::NotFound("no experiment \"x\"").ToString() == "NotFound: no experiment \"x\"");
  CHECK(Status::InvalidArgument("bad", "rule").ToString() == "InvalidArgument: bad: rule");
  CHECK(Status::Busy("b").IsBusy());
  CHECK(Status::IOError("i").IsIOError());
  CHECK(Status::Corruption("c").IsCorruption());
  CHECK(Status::NotSupported("n").IsNotSupported());
  Result<int> r = Status::NotFound("gone");
  CHECK_FALSE(r.ok());
  CHECK(r.status().IsNotFound());
  Result<int> v = 3;
  CHECK(*v == 3);
}

}  // TEST_SUITE
}  // namespace
}  // namespace labstore
