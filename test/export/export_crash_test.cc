// Export under kill -9. A destination holds the export of state A of a store;
// the store then changes to state B (new rows, markers, files, experiments
// and an execution); a child process (export_child.cc) exports B into a copy
// of A's destination and is SIGKILLed at a random moment. After each kill:
// the store opens and CheckStore finds no damage; each experiment folder of
// the destination holds exactly A's files or exactly B's, never a mix
// (temporary ".labstore-tmp.*" names aside, which the next export removes,
// and SQLite's storage.sqlite-journal of an interrupted transaction);
// storage.sqlite opens (a reader rolls back an interrupted transaction) and
// has A's content or B's; exporting again gives B.
// 15 trials by default; LABSTORE_LONG=1 runs 1000, LABSTORE_CRASH_TRIALS=N runs N.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <set>
#include <thread>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "export_test_util.h"
#include "labstore/data.h"
#include "labstore/record.h"

namespace labstore::test {
namespace {

using Files = std::map<std::string, std::string>;

// Folder of an experiment (relative to dest) -> its own files (relative to
// the folder; a derived experiment's files are its own, not its ancestor's).
std::map<std::string, Files> ByExperiment(const Files& tree, const std::set<std::string>& folders) {
  std::map<std::string, Files> out;
  for (const std::string& f : folders) out[f];
  for (const auto& [path, bytes] : tree) {
    if (path.find(".labstore-tmp.") != std::string::npos) continue;
    std::string owner;
    for (const std::string& f : folders) {
      if (path.starts_with(f + "/") && f.size() > owner.size()) owner = f;
    }
    out[owner][owner.empty() ? path : path.substr(owner.size() + 1)] = bytes;
  }
  return out;
}

std::set<std::string> ExperimentFolders(const Files& tree) {
  std::set<std::string> out;
  for (const auto& [path, bytes] : tree) {
    if (path.ends_with("/experiment.json") && path.find(".labstore-tmp.") == std::string::npos) {
      out.insert(path.substr(0, path.size() - 16));
    }
  }
  return out;
}

// State A -> state B: something in every kind of thing an export writes.
void ChangeStore(Store& store) {
  auto w = RecordWriter::Open(store, "HzaTkK", "default");
  REQUIRE(w.ok());
  for (int i = 0; i < 200; ++i) {
    w->Set("iteration", 3 + i);
    w->Set("g", 1.5 * i);
    REQUIRE(w->Save().ok());
  }
  REQUIRE(w->Close().ok());
  REQUIRE(store.MarkStarted("UM9Dki").ok());
  REQUIRE(store.MarkFinished("UM9Dki").ok());
  REQUIRE(SaveFile(store, "UM9Dki", "data/late.txt", "late").ok());
  REQUIRE(SaveFile(store, "rm3SAJ", "data/big.bin", std::string(3 << 20, 'b')).ok());
  REQUIRE(store.AppendOutput("6qjs64", "more output\n").ok());
  for (int i = 0; i < 6; ++i) {
    auto e = store.Create({.module = "late", .config = fmt::format(R"({{"i": {}}})", i),
                           .ancestor = i % 2 ? "rm3SAJ" : ""});
    REQUIRE(e.ok());
    REQUIRE(SaveFile(store, e->id, "data/blob.bin", std::string(1 << 20, static_cast<char>('a' + i))).ok());
    auto r = RecordWriter::Open(store, e->id, "default");
    REQUIRE(r.ok());
    for (int k = 0; k < 500; ++k) {
      r->Set("k", k);
      REQUIRE(r->Save().ok());
    }
    REQUIRE(r->Close().ok());
  }
  REQUIRE(store.CreateExecution({.members = {"UM9Dki"}}).ok());
}

// Exports store `dir` into `dest` in a child process, killed after `after`
// (never, if zero); returns the wait status.
int RunExport(const std::string& dir, const std::string& dest, std::chrono::microseconds after) {
  return RunChild({LABSTORE_EXPORT_CHILD, dir, dest}, after);
}

// Opens the database read-write as any SQLite reader would, which rolls back
// the journal of a transaction the kill interrupted; then its content.
std::string DatabaseAfterKill(const std::string& dest) {
  const std::string path = dest + "/storage.sqlite";
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr);
  if (rc == SQLITE_OK) rc = sqlite3_exec(db, "SELECT count(*) FROM sqlite_master", nullptr, nullptr, nullptr);
  std::string error = rc == SQLITE_OK ? "" : std::string("cannot read ") + path + ": " + sqlite3_errmsg(db);
  sqlite3_close(db);
  return error.empty() ? AllContent(path, dest) : error;
}

void CopyTree(const std::string& from, const std::string& to) {
  std::filesystem::remove_all(to);
  std::filesystem::copy(from, to, std::filesystem::copy_options::recursive);
}

TEST_SUITE("export") {

TEST_CASE("An export killed at any moment leaves each experiment folder as before or as after, never a mix" *
          doctest::test_suite("slow")) {
  TempDir tmp;
  const std::string dir = tmp.Sub("store"), a_dest = tmp.Sub("a"), b_dest = tmp.Sub("b"), dest = tmp.Sub("out");
  {
    Store store = OpenStore(dir);
    ImportGolden(store);
    REQUIRE(Export(store, a_dest).ok());
    ChangeStore(store);
    REQUIRE(store.Close().ok());
  }
  // B: A's destination brought up to date by a complete export in the child, timed.
  CopyTree(a_dest, b_dest);
  auto began = std::chrono::steady_clock::now();
  int status = RunExport(dir, b_dest, std::chrono::microseconds(0));
  auto full = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - began);
  REQUIRE((WIFEXITED(status) && WEXITSTATUS(status) == 0));
  const Files a_tree = Tree(a_dest), b_tree = Tree(b_dest);
  std::set<std::string> folders = ExperimentFolders(a_tree);
  for (const std::string& f : ExperimentFolders(b_tree)) folders.insert(f);
  const auto a_parts = ByExperiment(a_tree, folders), b_parts = ByExperiment(b_tree, folders);
  const std::string b_db = AllContent(b_dest + "/storage.sqlite", b_dest);
  REQUIRE(AllContent(a_dest + "/storage.sqlite", a_dest) != b_db);

  const int trials = CrashTrials(15);
  MESSAGE("export crash trials: " << trials << "; a complete export takes " << full.count() / 1000 << " ms");
  std::mt19937_64 rng(CrashSeed());
  int as_before = 0, as_after = 0, db_after = 0;
  for (int t = 0; t < trials; ++t) {
    CAPTURE(t);
    CopyTree(a_dest, dest);
    const std::string before_db = AllContent(dest + "/storage.sqlite", dest);  // A's, paths still under a_dest
    status = RunExport(dir, dest, std::chrono::microseconds(1 + rng() % (full.count() + full.count() / 10)));
    REQUIRE((WIFSIGNALED(status) || WEXITSTATUS(status) == 0));
    {
      auto store = Store::Open({.create_if_missing = false}, dir);
      REQUIRE_MESSAGE(store.ok(), store.status().ToString());
      auto check = CheckStore(*store);
      REQUIRE_MESSAGE(check.ok(), check.status().ToString());
      for (const Damage& d : check->damage) FAIL_CHECK(d.ToString());
    }
    for (const auto& [folder, files] : ByExperiment(Tree(dest), folders)) {
      CAPTURE(folder);
      if (folder.empty()) {  // outside every experiment folder
        for (const auto& [name, bytes] : files) {
          CHECK_MESSAGE(name == "storage.sqlite-journal", name << " is left at the top of the destination");
        }
        continue;
      }
      REQUIRE(a_parts.count(folder) == 1);
      if (files == a_parts.at(folder)) {
        ++as_before;
      } else if (files == b_parts.at(folder)) {
        ++as_after;
      } else {
        std::string diff;
        for (const auto& [rel, bytes] : files) {
          auto in_a = a_parts.at(folder).find(rel), in_b = b_parts.at(folder).find(rel);
          diff += fmt::format(" {}:{}", rel,
                              in_b != b_parts.at(folder).end() && in_b->second == bytes   ? "B"
                              : in_a != a_parts.at(folder).end() && in_a->second == bytes ? "A"
                                                                                          : "neither");
        }
        FAIL_CHECK("folder \"" << folder << "\" is a mix of before and after:" << diff);
      }
    }
    const std::string db = DatabaseAfterKill(dest);
    CHECK_MESSAGE((db == before_db || db == b_db), "storage.sqlite is neither before nor after: " << db.substr(0, 300));
    db_after += db == b_db;
    // The next export completes it.
    status = RunExport(dir, dest, std::chrono::microseconds(0));
    REQUIRE((WIFEXITED(status) && WEXITSTATUS(status) == 0));
    CHECK(Tree(dest) == b_tree);
    CHECK(AllContent(dest + "/storage.sqlite", dest) == b_db);
  }
  MESSAGE("experiment folders after the kills: " << as_before << " as before, " << as_after
                                                 << " as after; storage.sqlite as after in " << db_after << " trials");
}

}  // TEST_SUITE

}  // namespace
}  // namespace labstore::test
