// Import under kill -9: a child process imports a source (the golden storage
// plus generated experiments with records, large files, markers and derived
// experiments) into an empty store and is SIGKILLed at a random moment. After
// each kill: the store opens, CheckStore finds no damage, every experiment of
// the source is absent, whole (equal to a complete import), or left
// part-written with its import marked pending (lib/import/pending.h); no
// execution is there twice; importing again completes the store to exactly
// the complete import, with nothing twice and no import left pending.
// 10 trials by default; LABSTORE_LONG=1 runs 1000, LABSTORE_CRASH_TRIALS=N runs N.
#include <algorithm>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <random>
#include <thread>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "export/export_test_util.h"
#include "export/store_content.h"
#include "import/pending.h"

namespace labstore::test {
namespace {

constexpr int kGenerated = 10;

Timestamp At(int64_t seconds, int64_t millis = 0) { return Timestamp{seconds * 1000000 + millis * 1000, 0}; }

size_t CountExecutions(const std::string& content) {
  size_t n = 0;
  for (size_t at = content.find("\nexecution "); at != std::string::npos; at = content.find("\nexecution ", at + 1)) {
    ++n;
  }
  return n;
}

// <tmp>/src: the golden storage and kGenerated more experiments, exported.
void MakeSource(const std::string& gen_dir, const std::string& src) {
  Store gen = OpenStore(gen_dir);
  ImportGolden(gen);
  std::string previous;
  for (int i = 0; i < kGenerated; ++i) {
    auto e = gen.Create({.module = "gen",
                         .config = fmt::format(R"({{"i": {}}})", i),
                         .timestamp = 1700000000 + i,
                         .ancestor = i % 4 == 3 ? previous : std::string()});
    REQUIRE_MESSAGE(e.ok(), e.status().ToString());
    previous = e->id;
    REQUIRE(gen.MarkStarted(e->id, At(1700000000 + i)).ok());
    if (i % 2 == 0) REQUIRE(gen.MarkFinished(e->id, At(1700000100 + i)).ok());
    REQUIRE(gen.AppendOutput(e->id, fmt::format("experiment {} says hello\n", i)).ok());
    auto w = RecordWriter::Open(gen, e->id, i % 3 == 0 ? "train" : "default");
    REQUIRE(w.ok());
    for (int r = 0; r < 600 + 60 * i; ++r) {
      w->SetTimestamp(At(1700000000 + i, r));
      w->Set("step", r);
      w->Set("loss", 1.0 / (r + 1));
      if (r % 5 == 0) w->Set("note", fmt::format("row {} of {}", r, i));
      REQUIRE(w->Save().ok());
    }
    REQUIRE(w->Close().ok());
    std::string big((512u << 10) * (1 + i % 4), '\0');
    for (size_t k = 0; k < big.size(); ++k) big[k] = static_cast<char>((k * 131 + i) >> 3);
    REQUIRE(SaveFile(gen, e->id, "data/big.bin", big).ok());
    REQUIRE(SaveData(gen, e->id, "data/result.json", DataValue::Json(fmt::format(R"({{"i": {}}})", i))).ok());
  }
  auto stats = Export(gen, src);
  REQUIRE_MESSAGE(stats.ok(), stats.status().ToString());
  REQUIRE(gen.Close().ok());
}

void MakeEmptyStore(const std::string& dir) {
  std::filesystem::remove_all(dir);
  Store store = OpenStore(dir);
  REQUIRE(store.Close().ok());
}

// Runs import_child to the end or until `kill_after`; returns its wait status.
int RunImport(const std::string& store_dir, const std::string& src, std::chrono::microseconds kill_after) {
  return RunChild({LABSTORE_IMPORT_CHILD, store_dir, src}, kill_after);
}

TEST_SUITE("import") {

TEST_CASE("An import killed at any moment leaves each experiment whole, absent or pending, "
          "and importing again completes it" * doctest::test_suite("slow")) {
  TempDir tmp;
  const std::string src = tmp.Sub("src"), dir = tmp.Sub("store");
  MakeSource(tmp.Sub("gen"), src);
  // The reference: a complete import by the child, timed.
  MakeEmptyStore(dir);
  auto began = std::chrono::steady_clock::now();
  int status = RunImport(dir, src, std::chrono::microseconds(0));
  auto full = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - began);
  REQUIRE_MESSAGE(WIFEXITED(status), "import_child died");
  REQUIRE(WEXITSTATUS(status) == 0);
  std::map<std::string, std::string> reference, reference_alone;
  {
    Store store = OpenStore(dir);
    reference = StoreContent(store);
    for (const auto& [id, content] : reference) reference_alone[id] = ExperimentContent(store, id, false);
  }
  REQUIRE(reference.size() == 5 + kGenerated);

  const int trials = CrashTrials(10);
  MESSAGE("import crash trials: " << trials << "; a complete import takes " << full.count() / 1000 << " ms");
  std::mt19937_64 rng(CrashSeed());
  int whole = 0, absent = 0, pending = 0, finished_before_kill = 0;
  for (int t = 0; t < trials; ++t) {
    CAPTURE(t);
    MakeEmptyStore(dir);
    auto delay = std::chrono::microseconds(1 + rng() % (full.count() + full.count() / 10));
    status = RunImport(dir, src, delay);
    if (!WIFSIGNALED(status)) {
      REQUIRE_MESSAGE(WEXITSTATUS(status) == 0, "import_child failed");
      ++finished_before_kill;
    }
    Store store = OpenStore(dir);
    auto check = CheckStore(store);
    REQUIRE_MESSAGE(check.ok(), check.status().ToString());
    for (const Damage& d : check->damage) FAIL_CHECK(d.ToString());
    for (const auto& [id, content] : StoreContent(store)) {
      CHECK_MESSAGE(reference.count(id), id << " is not in the source");
    }
    for (const auto& [id, expected] : reference_alone) {
      CAPTURE(id);
      const std::string content = ExperimentContent(store, id, false);
      if (content == "<NotFound>") {
        ++absent;
      } else if (content == expected) {
        ++whole;
        CHECK(store.Executions(id).value().size() <= CountExecutions(reference.at(id)));
      } else {
        ++pending;
        CHECK_MESSAGE(internal::IsImportPending(*internal::StateOf(store), id).value(),
                      "experiment " << id << " is part-written and not marked pending");
        const auto& listed = check->incomplete_imports;
        CHECK_MESSAGE(std::find(listed.begin(), listed.end(), id) != listed.end(),
                      "check does not list part-written experiment " << id);
      }
    }
    // Importing again completes it.
    auto report = Import(store, src);
    REQUIRE_MESSAGE(report.ok(), report.status().ToString());
    CHECK_MESSAGE(report->failed.empty(), report->ToString());
    CHECK(StoreContent(store) == reference);
    for (const auto& [id, content] : reference) {
      CHECK_FALSE(internal::IsImportPending(*internal::StateOf(store), id).value());
    }
    CHECK(CheckStore(store).value().incomplete_imports.empty());
    REQUIRE(store.Close().ok());
  }
  MESSAGE("experiments after the kills: " << whole << " whole, " << absent << " absent, " << pending
                                          << " part-written and pending; imports that finished before the kill: "
                                          << finished_before_kill);
  CHECK(whole + absent + pending == trials * (5 + kGenerated));
}

}  // TEST_SUITE

}  // namespace
}  // namespace labstore::test
