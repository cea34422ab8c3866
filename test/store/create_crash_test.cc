// Creating a store under kill -9: a child process (test/store/create_child.cc)
// creates a store and is SIGKILLed at a random moment, mostly inside
// Store::Open. After each kill:
//  - a read-only open either works (the store is whole) or says NotFound (no
//    store yet, or "being created"), never anything else;
//  - a writer open succeeds (finishing or redoing an unfinished creation),
//    CheckStore finds no damage, and the store takes an experiment;
//  - afterwards a read-only open works.
// Half the trials create a missing directory, half an existing empty one.
// 40 trials by default (a few seconds); LABSTORE_LONG=1 runs 1000,
// LABSTORE_CRASH_TRIALS=N runs N (test/test_util.h, CrashTrials).
#include <doctest/doctest.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <random>

#include "labstore/labstore.h"
#include "test_util.h"

namespace labstore {
namespace {

using test::Code;
using test::TempDir;

// How long the child's Open takes, measured once: kills are spread over it.
std::chrono::microseconds MeasureCreation(const std::string& dir) {
  auto start = std::chrono::steady_clock::now();
  const int status = test::RunChild({LABSTORE_CREATE_CHILD, dir});
  REQUIRE_MESSAGE((WIFEXITED(status) && WEXITSTATUS(status) == 0), "create_child failed: status " << status);
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
}

TEST_SUITE("store") {

TEST_CASE("kill -9 while a store is created leaves no store, a whole one, or one the next writer finishes" *
          doctest::test_suite("slow")) {
  const int trials = test::CrashTrials(40);
  MESSAGE("store creation crash trials: " << trials);
  std::mt19937_64 rng(test::CrashSeed());
  TempDir tmp;
  const auto full = MeasureCreation(tmp.Sub("measure"));
  MESSAGE("an uninterrupted create_child takes " << full.count() / 1000 << " ms");
  int no_store = 0, being_created = 0, whole = 0;
  for (int t = 0; t < trials; ++t) {
    CAPTURE(t);
    const std::string dir = tmp.Sub("s" + std::to_string(t));
    if (t % 2 == 1) std::filesystem::create_directories(dir);
    // Mostly inside Open; one trial in eight lets the child finish.
    const auto after = std::chrono::microseconds(1 + rng() % (full.count() * 9 / 8 + 1));
    const int status = test::RunChild({LABSTORE_CREATE_CHILD, dir}, after);
    if (WIFEXITED(status)) REQUIRE_MESSAGE(WEXITSTATUS(status) == 0, "create_child failed");

    auto reader = Store::Open({.read_only = true}, dir);
    if (reader.ok()) {
      ++whole;
    } else {
      REQUIRE_MESSAGE(Code(reader) == "NotFound", reader.status().ToString());
      bool creating = reader.status().message().find("is being created") != std::string::npos;
      CHECK_MESSAGE((creating || reader.status().message().find("no store at") != std::string::npos),
                    reader.status().ToString());
      ++(creating ? being_created : no_store);
    }
    reader = Status::NotFound("closed");

    {
      auto store = Store::Open({.create_if_missing = true}, dir);
      REQUIRE_MESSAGE(store.ok(), store.status().ToString());
      auto check = CheckStore(*store);
      REQUIRE_MESSAGE(check.ok(), check.status().ToString());
      for (const Damage& d : check->damage) FAIL_CHECK(d.ToString());
      auto e = store->Create({.module = "after", .config = "{}"});
      REQUIRE_MESSAGE(e.ok(), e.status().ToString());
      CHECK(store->Find(e->id).ok());
      REQUIRE(store->Close().ok());
    }
    CHECK_FALSE(std::filesystem::exists(dir + "/LABSTORE.creating"));
    auto again = Store::Open({.read_only = true}, dir);
    CHECK_MESSAGE(again.ok(), again.status().ToString());
    std::filesystem::remove_all(dir);
  }
  MESSAGE("after the kill: " << no_store << " no store, " << being_created << " being created, " << whole
                             << " whole");
}

}  // TEST_SUITE

}  // namespace
}  // namespace labstore
