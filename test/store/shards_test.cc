// Many writers (doc/many-writers.md): a second writer gets a shard of its
// own, the store becomes format 2, handles keep views of the other parts, and
// numbers drawn in different parts are distinct and follow the clock.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "labstore/labstore.h"
#include "store/creation.h"
#include "store/sequence.h"
#include "store/store_state.h"
#include "test_util.h"
#include "util/coding.h"

namespace labstore {
namespace {

using internal::StateOf;
using test::Code;
using test::TempDir;

// A shard_child process: stdin to stop it, its "ready <id>" line.
struct Child {
  pid_t pid = -1;
  int to_child = -1;
  std::string line;
};

Child StartChild(const std::string& dir, const std::string& module) {
  int in[2], out[2];
  // Close-on-exec: a later child must not keep this one's stdin open.
  REQUIRE(::pipe2(in, O_CLOEXEC) == 0);
  REQUIRE(::pipe2(out, O_CLOEXEC) == 0);
  Child c;
  c.pid = ::fork();
  REQUIRE(c.pid >= 0);
  if (c.pid == 0) {
    ::dup2(in[0], 0);
    ::dup2(out[1], 1);
    ::close(in[1]);
    ::close(out[0]);
    ::execl(LABSTORE_SHARD_CHILD, LABSTORE_SHARD_CHILD, dir.c_str(), module.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(in[0]);
  ::close(out[1]);
  c.to_child = in[1];
  char ch = 0;
  while (::read(out[0], &ch, 1) == 1 && ch != '\n') c.line += ch;
  ::close(out[0]);
  return c;
}

std::string IdOf(const Child& c) {
  REQUIRE_MESSAGE(c.line.rfind("ready ", 0) == 0, c.line);
  return c.line.substr(6, 6);
}

// Closes the child's stdin and waits: its exit code (-1 when it did not exit).
int Finish(Child& c) {
  ::close(c.to_child);
  int status = 0;
  REQUIRE(::waitpid(c.pid, &status, 0) == c.pid);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void Kill(Child& c) {
  ::kill(c.pid, SIGKILL);
  int status = 0;
  REQUIRE(::waitpid(c.pid, &status, 0) == c.pid);
  ::close(c.to_child);
}

std::string Meta(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* meta, const std::string& key) {
  std::string value;
  return db->Get(rocksdb::ReadOptions(), meta, key, &value).ok() ? value : "(none)";
}

std::string OwnMeta(const Store& s, const std::string& key) {
  auto* st = StateOf(s);
  return Meta(st->db.get(), st->handle(internal::kCfMeta), key);
}

std::vector<int> ViewNumbers(const Store& s) {
  std::vector<int> out;
  for (const auto& v : StateOf(s)->views) {
    CHECK(v->db != nullptr);
    out.push_back(v->number);
  }
  return out;
}

// True when part `db` holds experiment `id` in its ids column family.
bool Holds(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* ids, const std::string& id) {
  std::string value;
  return db->Get(rocksdb::ReadOptions(), ids, id, &value).ok();
}

uint32_t OrdinalOf(const Experiment& e) { return internal::GetBigEndian32(std::string_view(e.key).substr(16, 4)); }

TEST_SUITE("store") {

TEST_CASE("A second writer gets shards/1; the store says format 2; views follow Open and Refresh") {
  TempDir tmp;
  std::string dir = tmp.Sub("s");
  Store main = test::OpenStore(dir);
  CHECK(StateOf(main)->part == 0);
  CHECK(ViewNumbers(main).empty());
  CHECK(*internal::ReadMarker(dir) == 1);

  auto second = Store::Open({}, dir);
  REQUIRE(second.ok());
  CHECK(StateOf(*second)->part == 1);
  CHECK(std::filesystem::exists(dir + "/shards/1/SHARD"));
  CHECK_FALSE(std::filesystem::exists(dir + "/shards/1/SHARD.creating"));
  CHECK(test::ReadFile(dir + "/shards/1/SHARD").rfind("labstore shard\nformat 2\nuid ", 0) == 0);
  CHECK(test::ReadFile(dir + "/LABSTORE") == "labstore store\nformat 2\n");
  CHECK(OwnMeta(*second, "format_version") == "2");
  CHECK(ViewNumbers(*second) == std::vector<int>{0});

  auto e = second->Create({.module = "in_shard"});
  REQUIRE(e.ok());
  auto* st2 = StateOf(*second);
  CHECK(Holds(st2->db.get(), st2->handle(internal::kCfIds), e->id));

  // The main writer sees the shard after Refresh; a reader at Open.
  CHECK(main.Refresh().ok());
  CHECK(ViewNumbers(main) == std::vector<int>{1});
  auto& view = *StateOf(main)->views[0];
  CHECK(Holds(view.db.get(), view.handle(internal::kCfIds), e->id));
  auto reader = Store::Open({.read_only = true}, dir);
  REQUIRE(reader.ok());
  CHECK(ViewNumbers(*reader) == std::vector<int>{1});

  // A third writer: shards/2; the others see it after Refresh, unchanged views are kept.
  auto third = Store::Open({}, dir);
  REQUIRE(third.ok());
  CHECK(StateOf(*third)->part == 2);
  CHECK(ViewNumbers(*third) == std::vector<int>{0, 1});
  rocksdb::DB* kept = StateOf(main)->views[0]->db.get();
  CHECK(main.Refresh().ok());
  CHECK(ViewNumbers(main) == std::vector<int>{1, 2});
  CHECK(StateOf(main)->views[0]->db.get() == kept);
  CHECK(reader->Refresh().ok());
  CHECK(ViewNumbers(*reader) == std::vector<int>{1, 2});
  CHECK(second->Refresh().ok());
  CHECK(ViewNumbers(*second) == std::vector<int>{0, 2});

  // The main database's meta follows LABSTORE when its writer opens again;
  // after everything is closed, the main writer gets the main database back
  // and the shards stay as views (merging them is a later step).
  CHECK(third->Close().ok());
  CHECK(second->Close().ok());
  CHECK(main.Close().ok());
  CHECK(reader->Close().ok());
  Store again = test::OpenStore(dir);
  CHECK(StateOf(again)->part == 0);
  CHECK(OwnMeta(again, "format_version") == "2");
  CHECK(ViewNumbers(again) == std::vector<int>{1, 2});
  auto next = Store::Open({}, dir);
  REQUIRE(next.ok());
  CHECK(StateOf(*next)->part == 1);  // the lowest free shard, with its data
  auto* stn = StateOf(*next);
  CHECK(Holds(stn->db.get(), stn->handle(internal::kCfIds), e->id));
}

TEST_CASE("A format-1 store opened and closed without a second writer stays format 1") {
  TempDir tmp;
  std::string dir = tmp.Sub("s");
  {
    Store s = test::OpenStore(dir);
    REQUIRE(s.Create({.module = "m"}).ok());
    CHECK(s.Close().ok());
  }
  for (bool read_only : {false, true, false}) {
    auto s = Store::Open({.read_only = read_only}, dir);
    REQUIRE(s.ok());
    CHECK(OwnMeta(*s, "format_version") == "1");
    CHECK(ViewNumbers(*s).empty());
    CHECK(s->Refresh().ok());
    CHECK(s->Close().ok());
  }
  CHECK(test::ReadFile(dir + "/LABSTORE") == "labstore store\nformat 1\n");
  CHECK_FALSE(std::filesystem::exists(dir + "/shards"));
}

TEST_CASE("Sequences, execution numbers and ordinals are distinct across parts and follow the clock") {
  TempDir tmp;
  std::string dir = tmp.Sub("s");
  Store a = test::OpenStore(dir);
  auto b = Store::Open({}, dir);
  REQUIRE(b.ok());
  auto* sa = StateOf(a);
  auto* sb = StateOf(*b);
  REQUIRE(sb->part == 1);
  std::vector<uint64_t> drawn;
  for (int i = 0; i < 200; ++i) {
    // Across parts the order is the clock's, to the microsecond: each draw of
    // two numbers puts a part 2 us ahead, so let the clock pass that.
    ::usleep(50);
    auto* st = i % 2 == 0 ? sa : sb;
    internal::SequenceDraw draw(*st);
    uint64_t n = draw.Next();
    uint64_t m = draw.Next();
    CHECK(m == n + internal::kPartStride);
    CHECK((n & (internal::kPartStride - 1)) == static_cast<uint64_t>(st->part));
    draw.Commit();
    drawn.push_back(n);
  }
  for (size_t i = 1; i < drawn.size(); ++i) CHECK(drawn[i - 1] < drawn[i]);  // in the order drawn

  // Experiments of one definition: main 0, 1, ...; shard 1: 2^31 | 1 << 19 | 0, 1, ...
  auto a1 = a.Create({.module = "m", .config = R"({"x": 1})"});
  auto b1 = b->Create({.module = "m", .config = R"({"x": 1})"});
  auto a2 = a.Create({.module = "m", .config = R"({"x": 1})"});
  auto b2 = b->Create({.module = "m", .config = R"({"x": 1})"});
  REQUIRE((a1.ok() && a2.ok() && b1.ok() && b2.ok()));
  CHECK(OrdinalOf(*a1) == 0);
  CHECK(OrdinalOf(*a2) == 1);
  CHECK(OrdinalOf(*b1) == 0x80080000u);
  CHECK(OrdinalOf(*b2) == 0x80080001u);
  // Get in the shard finds its latest (its definitions count is ordinal + 1).
  auto latest = b->Get("m", R"({"x": 1})");
  REQUIRE(latest.ok());
  CHECK(latest->id == b2->id);

  auto xa = a.CreateExecution({.members = {a1->id}});
  auto xb = b->CreateExecution({.members = {b1->id}});
  auto xa2 = a.CreateExecution({.members = {a2->id}});
  REQUIRE((xa.ok() && xb.ok() && xa2.ok()));
  CHECK(xa->number < xb->number);
  CHECK(xb->number < xa2->number);
  CHECK((xb->number & (internal::kPartStride - 1)) == 1);
  CHECK((xa->number & (internal::kPartStride - 1)) == 0);
}

TEST_CASE("Writer processes opening one new directory at once all succeed, each in its own part") {
  TempDir tmp;
  std::string dir = tmp.Sub("s");
  std::vector<Child> children;
  for (int i = 0; i < 3; ++i) children.push_back(StartChild(dir, "child"));
  std::vector<std::string> ids;
  for (auto& c : children) ids.push_back(IdOf(c));
  CHECK(test::ReadFile(dir + "/LABSTORE") == "labstore store\nformat 2\n");
  for (int n : {1, 2}) CHECK(std::filesystem::exists(dir + "/shards/" + std::to_string(n) + "/SHARD"));
  CHECK_FALSE(std::filesystem::exists(dir + "/shards/3"));
  // A reader sees every part: each id is held by exactly one of them.
  auto reader = Store::Open({.read_only = true}, dir);
  REQUIRE(reader.ok());
  CHECK(ViewNumbers(*reader) == std::vector<int>{1, 2});
  auto* st = StateOf(*reader);
  for (const auto& id : ids) {
    int holders = Holds(st->db.get(), st->handle(internal::kCfIds), id) ? 1 : 0;
    for (const auto& v : st->views) holders += Holds(v->db.get(), v->handle(internal::kCfIds), id) ? 1 : 0;
    CHECK(holders == 1);
  }
  for (auto& c : children) CHECK(Finish(c) == 0);
}

TEST_CASE("A killed writer's shard is taken over by the next writer with its data") {
  TempDir tmp;
  std::string dir = tmp.Sub("s");
  Store main = test::OpenStore(dir);
  Child child = StartChild(dir, "victim");
  std::string id = IdOf(child);
  Kill(child);  // kill -9: its lock goes with it
  auto next = Store::Open({}, dir);
  REQUIRE(next.ok());
  auto* st = StateOf(*next);
  CHECK(st->part == 1);
  CHECK(Holds(st->db.get(), st->handle(internal::kCfIds), id));
  auto found = next->Find(id);  // in its own part now
  REQUIRE(found.ok());
  CHECK(found->module == "victim");
  // Its numbers continue above what the shard holds.
  auto again = next->Create({.module = "victim", .config = R"({"n": 1})"});
  REQUIRE(again.ok());
  CHECK(OrdinalOf(*again) == 0x80080001u);
  CHECK(main.Refresh().ok());
  CHECK(ViewNumbers(main) == std::vector<int>{1});
}

TEST_CASE("A half-created shard is skipped by readers and created again by its next claimer") {
  TempDir tmp;
  std::string dir = tmp.Sub("s");
  Store main = test::OpenStore(dir);
  std::filesystem::create_directories(dir + "/shards/1");
  test::WriteFile(dir + "/shards/1/SHARD.creating", "labstore shard being created\n");
  test::WriteFile(dir + "/shards/1/000003.log", "a log cut short by a kill");
  test::WriteFile(dir + "/shards/1/notes.txt", "not ours: kept");
  auto reader = Store::Open({.read_only = true}, dir);
  REQUIRE(reader.ok());
  CHECK(ViewNumbers(*reader).empty());
  CHECK(main.Refresh().ok());
  CHECK(ViewNumbers(main).empty());
  auto second = Store::Open({}, dir);
  REQUIRE(second.ok());
  CHECK(StateOf(*second)->part == 1);
  CHECK(std::filesystem::exists(dir + "/shards/1/SHARD"));
  CHECK_FALSE(std::filesystem::exists(dir + "/shards/1/SHARD.creating"));
  CHECK_FALSE(std::filesystem::exists(dir + "/shards/1/000003.log"));
  CHECK(test::ReadFile(dir + "/shards/1/notes.txt") == "not ours: kept");
  CHECK(reader->Refresh().ok());
  CHECK(ViewNumbers(*reader) == std::vector<int>{1});
}

TEST_CASE("A store of a newer format is refused by a writer that would take a shard") {
  TempDir tmp;
  std::string dir = tmp.Sub("s");
  Store main = test::OpenStore(dir);
  CHECK(internal::WriteMarker(dir, 3).ok());
  auto second = Store::Open({}, dir);
  CHECK(Code(second) == "NotSupported");
  CHECK(second.status().message().find("format version 3") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir + "/shards"));  // refused before anything was written
}

}  // TEST_SUITE

}  // namespace
}  // namespace labstore
