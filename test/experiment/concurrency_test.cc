#include <set>
#include <thread>
#include <vector>

#include <doctest/doctest.h>

#include "labstore/labstore.h"
#include "test_util.h"

namespace labstore {
namespace {

TEST_SUITE("experiment") {

TEST_CASE("Many threads creating, finding and marking experiments at once store each exactly once") {
  test::TempDir tmp;
  Store store = test::OpenStore(tmp.Sub("s"));
  constexpr int kThreads = 8;
  constexpr int kPerThread = 150;
  std::vector<std::vector<std::string>> ids(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        // Every thread also creates the same shared config: all copies are kept.
        std::string config = i % 10 == 0 ? R"({"shared": true})"
                                         : "{\"t\": " + std::to_string(t) + ", \"i\": " + std::to_string(i) + "}";
        auto e = store.Create({.module = "m", .config = config});
        if (!e.ok()) continue;
        ids[t].push_back(e->id);
        (void)store.MarkStarted(e->id);
        (void)store.AppendOutput(e->id, "x");
        (void)store.Get("m", config);
      }
    });
  }
  for (auto& th : threads) th.join();
  std::set<std::string> unique;
  for (const auto& v : ids) {
    CHECK(v.size() == kPerThread);
    unique.insert(v.begin(), v.end());
  }
  CHECK(unique.size() == kThreads * kPerThread);
  auto all = store.List();
  REQUIRE(all.ok());
  CHECK(all->size() == kThreads * kPerThread);
  for (const auto& id : unique) {
    auto st = store.GetStatus(id);
    REQUIRE(st.ok());
    CHECK(st->started_at.size() == 1);
    auto out = store.ReadOutput(id);
    REQUIRE(out.ok());
    CHECK(*out == "x");
  }
  auto shared = store.Get("m", R"({"shared": true})");
  REQUIRE(shared.ok());
  CHECK(shared->stored);
}

}  // TEST_SUITE
}  // namespace
}  // namespace labstore
