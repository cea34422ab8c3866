// The durability promise under kill -9: a child process logs rows and flushes
// (test/record/crash_child.cc); it is SIGKILLed at random moments; after each
// kill the store must open cleanly, pass CheckStore, and hold every stored row
// exactly once, in order, with at least as many rows as the child last
// reported stored. 15 trials by default (about 10 s); LABSTORE_LONG=1 runs
// 1000, LABSTORE_CRASH_TRIALS=N runs N (test/test_util.h, CrashTrials).
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <random>
#include <thread>

#include "record/record_test_util.h"

namespace labstore {
namespace {

using test::TempDir;

// The last complete line of the side file as a number; 0 if none.
uint64_t LastReported(const std::string& path) {
  std::string text = test::ReadFile(path);
  if (text.empty()) return 0;
  size_t end = text.rfind('\n');
  if (end == std::string::npos) return 0;
  size_t begin = text.rfind('\n', end - 1);
  begin = begin == std::string::npos ? 0 : begin + 1;
  return std::strtoull(text.substr(begin, end - begin).c_str(), nullptr, 10);
}

TEST_SUITE("record") {

TEST_CASE("kill -9 at random moments loses no stored row and never half a row" * doctest::test_suite("slow")) {
  const int trials = test::CrashTrials(15);
  MESSAGE("record crash trials: " << trials);
  std::mt19937_64 rng(test::CrashSeed());
  TempDir tmp;
  const std::string dir = tmp.Sub("s"), side = tmp.Sub("stored.txt");
  std::string id;
  {
    Store store = test::OpenStore(dir);
    id = test::NewExperiment(store);
    REQUIRE(store.Close().ok());
  }
  uint64_t previous = 0;
  for (int t = 0; t < trials; ++t) {
    CAPTURE(t);
    std::string child_seed = std::to_string(rng());
    // The kill comes 10-260 ms after the start. On a loaded machine the child
    // may need longer than that to store its first row; then the last trial
    // gives it 5 s, so that the suite always checks some stored rows.
    auto kill_after = std::chrono::milliseconds(10 + rng() % 250);
    if (t == trials - 1 && previous == 0) kill_after = std::chrono::milliseconds(5000);
    const int status =
        test::RunChild({LABSTORE_CRASH_CHILD, dir, id, "default", side, std::to_string(rng())}, kill_after);
    // A child that exited by itself failed (it loops until killed).
    REQUIRE_MESSAGE(WIFSIGNALED(status), "crash_child exited with status " << WEXITSTATUS(status));
    uint64_t reported = LastReported(side);

    auto store = Store::Open({.create_if_missing = false}, dir);
    REQUIRE_MESSAGE(store.ok(), store.status().ToString());
    auto check = CheckStore(*store);
    REQUIRE_MESSAGE(check.ok(), check.status().ToString());
    for (const Damage& d : check->damage) FAIL_CHECK("trial " << t << ": " << d.ToString());
    CHECK(check->rows == CountRows(*store, id, "default").value());
    auto cols = ReadColumns(*store, id, "default");
    REQUIRE_MESSAGE(cols.ok(), cols.status().ToString());
    const uint64_t rows = cols->rows;
    CHECK(rows >= reported);
    CHECK(rows >= previous);
    CHECK(CountRows(*store, id, "default").value() == rows);
    const ColumnData* n = cols->Find("n");
    const ColumnData* x = cols->Find("x");
    const ColumnData* s = cols->Find("s");
    const ColumnData* j = cols->Find("j");
    bool ok = true;
    for (uint64_t k = 0; k < rows && ok; ++k) {
      ok = n->IsValid(k) && n->ints[k] == static_cast<int64_t>(k) && x->IsValid(k) && x->doubles[k] == k / 2.0 &&
           s->IsPresent(k) == (k % 3 == 0) && (k % 3 != 0 || s->StringAt(k) == "row-" + std::to_string(k)) &&
           j->IsPresent(k) == (k % 7 == 0) &&
           (k % 7 != 0 || j->StringAt(k) == "[" + std::to_string(k) + ",\"" + std::to_string(k) + "\"]");
      if (!ok) FAIL_CHECK("row " << k << " is wrong after trial " << t);
    }
    previous = rows;
    REQUIRE(store->Close().ok());
  }
  MESSAGE("rows stored after the last trial: " << previous);
  CHECK(previous > 0);
}

}  // TEST_SUITE

}  // namespace
}  // namespace labstore
