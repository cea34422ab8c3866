// Many writers end to end (doc/many-writers.md): what one writer stores in
// its part is seen by the others, through the union of the parts, after their
// Refresh; a reader and check, stats and export see every part.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "labstore/labstore.h"
#include "store/store_state.h"
#include "test_util.h"

namespace labstore {
namespace {

using internal::StateOf;
using test::TempDir;

void WriteRows(Store& s, const std::string& id, const std::string& scope, int64_t first, int count) {
  auto w = RecordWriter::Open(s, id, scope);
  REQUIRE_MESSAGE(w.ok(), w.status().ToString());
  for (int64_t i = first; i < first + count; ++i) {
    w->Set("step", i);
    REQUIRE(w->Save().ok());
  }
  REQUIRE(w->Close().ok());
}

std::vector<std::string> ListedIds(const Store& s) {
  auto listed = s.List();
  REQUIRE(listed.ok());
  std::vector<std::string> ids;
  for (const auto& e : *listed) ids.push_back(e.id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

// Runs shard_child in another process: it stores one experiment of `module`
// in a shard of its own, marks it started and exits; its id.
std::string StoreInChildProcess(const std::string& dir, const std::string& module) {
  int out[2];
  REQUIRE(::pipe2(out, O_CLOEXEC) == 0);
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    int null_in = ::open("/dev/null", O_RDONLY);  // stdin at EOF: the child closes at once
    ::dup2(null_in, 0);
    ::dup2(out[1], 1);
    ::execl(LABSTORE_SHARD_CHILD, LABSTORE_SHARD_CHILD, dir.c_str(), module.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(out[1]);
  std::string line;
  char ch = 0;
  while (::read(out[0], &ch, 1) == 1 && ch != '\n') line += ch;
  ::close(out[0]);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  REQUIRE_MESSAGE(line.rfind("ready ", 0) == 0, line);
  return line.substr(6);
}

TEST_SUITE("store") {

TEST_CASE("many writers: another process's experiment is found, listed and checked after Refresh") {
  TempDir tmp;
  std::string dir = tmp.Sub("s");
  Store main = test::OpenStore(dir);
  auto mine = main.Create({.module = "in_main"});
  REQUIRE(mine.ok());
  std::string theirs = StoreInChildProcess(dir, "in_child");
  CHECK(std::filesystem::exists(dir + "/shards/1/SHARD"));

  CHECK(main.Find(theirs).status().IsNotFound());  // not before Refresh
  REQUIRE(main.Refresh().ok());
  auto found = main.Find(theirs);
  REQUIRE_MESSAGE(found.ok(), found.status().ToString());
  CHECK(found->module == "in_child");
  auto status = main.GetStatus(theirs);
  REQUIRE(status.ok());
  CHECK(!status->started_at.empty());
  std::vector<std::string> both{mine->id, theirs};
  std::sort(both.begin(), both.end());
  CHECK(ListedIds(main) == both);
  auto got = main.Get("in_child", R"({"n": 1})");
  REQUIRE(got.ok());
  CHECK(got->id == theirs);

  auto reader = Store::Open({.read_only = true}, dir);
  REQUIRE(reader.ok());
  CHECK(ListedIds(*reader) == both);
  auto report = CheckStore(*reader);
  REQUIRE(report.ok());
  CHECK(report->experiments == 2);
  CHECK(report->damage.empty());

  auto exported = Export(*reader, tmp.Sub("storage"));
  REQUIRE_MESSAGE(exported.ok(), exported.status().ToString());
  CHECK(std::filesystem::is_directory(tmp.Sub("storage") + "/" + theirs));
  CHECK(std::filesystem::is_directory(tmp.Sub("storage") + "/" + mine->id));
}

TEST_CASE("many writers: rows and markers a second writer stores for the main part's experiment") {
  TempDir tmp;
  std::string dir = tmp.Sub("s");
  Store main = test::OpenStore(dir);
  auto e = main.Create({.module = "sim"});
  REQUIRE(e.ok());
  WriteRows(main, e->id, "first", 0, 10);

  auto second = Store::Open({}, dir);
  REQUIRE(second.ok());
  REQUIRE(StateOf(*second)->part == 1);
  REQUIRE(second->Find(e->id).ok());  // the main part's experiment, through the view
  REQUIRE(second->MarkStarted(e->id).ok());
  WriteRows(*second, e->id, "second", 100, 25);
  CHECK(CountRows(*second, e->id, "second").value() == 25);
  CHECK(CountRows(*second, e->id, "first").value() == 10);

  REQUIRE(main.Refresh().ok());
  CHECK(CountRows(main, e->id, "second").value() == 25);
  auto columns = ReadColumns(main, e->id, "second");
  REQUIRE(columns.ok());
  CHECK(columns->rows == 25);
  CHECK(!main.GetStatus(e->id).value().started_at.empty());
  // The experiment is the main part's, its rows the shard's: deleting it
  // from the main writer would leave the shard's rows, so it is refused.
  Status deleted = main.Delete(e->id).status();
  CHECK(deleted.IsBusy());
  CHECK_MESSAGE(deleted.ToString().find("shards/1") != std::string::npos, deleted.ToString());
  CHECK(main.Find(e->id).ok());
}

}  // TEST_SUITE

}  // namespace
}  // namespace labstore
