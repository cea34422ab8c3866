// kill -9 during Store::Delete: afterwards the experiments are whole or gone,
// never a mix, and the store checks clean.
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <random>

#include <doctest/doctest.h>

#include "labstore/labstore.h"
#include "store/store_state.h"
#include "test_util.h"

namespace labstore {
namespace {

using test::Code;

constexpr uint64_t kRows = 50000;

struct Ids {
  std::string a, c, b;  // c is derived from a; b shares a file with a
  uint64_t execution = 0;  // of a and b
};

Ids MakeTemplate(const std::string& dir) {
  Store store = test::OpenStore(dir);
  Ids ids;
  ids.a = store.Create({.module = "m", .config = R"({"a": 1})"})->id;
  ids.c = store.Create({.module = "m", .config = R"({"c": 1})", .ancestor = ids.a})->id;
  ids.b = store.Create({.module = "m", .config = R"({"b": 1})"})->id;
  auto w = RecordWriter::Open(store, ids.a, "default");
  REQUIRE(w.ok());
  for (uint64_t i = 0; i < kRows; ++i) {
    w->Set("step", static_cast<int64_t>(i));
    REQUIRE(w->Save().ok());
  }
  REQUIRE(w->Close().ok());
  REQUIRE(SaveFile(store, ids.a, "shared.txt", "shared").ok());
  REQUIRE(SaveFile(store, ids.b, "shared.txt", "shared").ok());
  REQUIRE(SaveFile(store, ids.a, "own.bin", std::string(2 << 20, 'a')).ok());
  REQUIRE(SaveFile(store, ids.c, "child.txt", "child").ok());
  REQUIRE(store.MarkFinished(ids.a).ok());
  auto x = store.CreateExecution({.members = {ids.a, ids.b}});
  REQUIRE(x.ok());
  ids.execution = x->number;
  REQUIRE(store.Close().ok());
  return ids;
}

// Keys anywhere that start with `key` or have it as value.
size_t Traces(Store& store, const std::string& key) {
  size_t n = 0;
  for (int cf = 1; cf < internal::kCfCount; ++cf) {
    auto pairs = internal::ScanPairs(*internal::StateOf(store), static_cast<internal::Cf>(cf));
    REQUIRE(pairs.ok());
    for (const auto& [k, v] : *pairs) n += k.starts_with(key) || v == key;
  }
  return n;
}

TEST_SUITE("experiment") {

TEST_CASE("kill -9 during Delete leaves the experiments whole or gone, and the store clean" *
          doctest::test_suite("slow")) {
  const int trials = test::CrashTrials(12);
  const uint64_t seed = test::CrashSeed();
  std::mt19937_64 rng(seed);
  test::TempDir tmp;
  const std::string tmpl = tmp.Sub("template");
  const Ids ids = MakeTemplate(tmpl);
  std::string key_a, key_c;
  {
    auto store = Store::Open({.read_only = true}, tmpl);
    REQUIRE(store.ok());
    auto pairs = internal::ScanPairs(*internal::StateOf(*store), internal::kCfIds);
    for (const auto& [id, key] : *pairs) {
      if (id == ids.a) key_a = key;
      if (id == ids.c) key_c = key;
    }
  }
  int whole = 0, gone = 0;
  // Trial 0 runs the child to its end; its duration (open, delete, compact,
  // close) is the window the later kills fall into, whatever the machine's load.
  int64_t window_us = 0;
  for (int t = 0; t <= trials; ++t) {
    CAPTURE(t);
    const std::string dir = tmp.Sub("s" + std::to_string(t));
    std::filesystem::copy(tmpl, dir, std::filesystem::copy_options::recursive);
    const auto kill_after = std::chrono::microseconds(t == 0 ? 0 : 1 + rng() % static_cast<uint64_t>(window_us));
    const auto start = std::chrono::steady_clock::now();
    const int status = test::RunChild({LABSTORE_DELETE_CHILD, dir, ids.a}, kill_after);
    if (t == 0) {
      window_us = std::max<int64_t>(1000, std::chrono::duration_cast<std::chrono::microseconds>(
                                              std::chrono::steady_clock::now() - start).count());
      REQUIRE(WIFEXITED(status));
      REQUIRE(WEXITSTATUS(status) == 0);
    }
    const bool killed_or_done = WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) == 0);
    REQUIRE_MESSAGE(killed_or_done, "status " << status);
    auto store = Store::Open({.create_if_missing = false}, dir);
    REQUIRE_MESSAGE(store.ok(), store.status().ToString());
    auto check = CheckStore(*store);
    REQUIRE(check.ok());
    for (const Damage& d : check->damage) FAIL_CHECK(d.ToString());
    if (store->Find(ids.a).ok()) {
      ++whole;
      CHECK(store->Find(ids.c).ok());
      CHECK(*CountRows(*store, ids.a, "default") == kRows);
      CHECK(LoadFile(*store, ids.a, "own.bin")->size() == (2u << 20));
      CHECK(*LoadFile(*store, ids.c, "child.txt") == "child");
      CHECK(store->FindExecution(ids.execution)->members.size() == 2);
    } else {
      ++gone;
      CHECK(Code(store->Find(ids.c)) == "NotFound");
      CHECK(Traces(*store, key_a) == 0);
      CHECK(Traces(*store, key_c) == 0);
      CHECK(store->FindExecution(ids.execution)->members == std::vector<std::string>{ids.b});
    }
    CHECK(*LoadFile(*store, ids.b, "shared.txt") == "shared");
    auto gc = GarbageCollect(*store);
    REQUIRE(gc.ok());
    CHECK(gc->references_fixed == 0);
    REQUIRE(store->Close().ok());
    std::filesystem::remove_all(dir);
  }
  MESSAGE("delete crash trials: " << trials << " kills within " << window_us / 1000 << " ms (seed " << seed << "): "
                                  << whole << " whole, " << gone - 1 << " gone");
  CHECK(whole + gone == trials + 1);
}

}  // TEST_SUITE

}  // namespace
}  // namespace labstore
