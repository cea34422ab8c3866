// Everything at once: 8 writer threads create experiments, log records, save
// files, mark and run executions; reader threads check what was already
// acknowledged; exports run back to back into one destination — for a
// bounded time (5 s and 25 experiments per writer; 30 s and 250 with
// LABSTORE_LONG=1). Afterwards the store holds
// exactly what a sequential run of the same operations stores, and the
// destination equals an export of that sequential store.
#include <atomic>
#include <chrono>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "export_test_util.h"
#include "store_content.h"

namespace labstore::test {
namespace {

constexpr int kWriters = 8, kReaders = 2;

// Operations of experiment j of writer w, all deterministic.
struct Plan {
  int w, j;
  std::string id() const { return fmt::format("w{}x{:03}", w, j); }
  std::string config() const { return fmt::format(R"({{"w": {}, "j": {}}})", w, j); }
  int64_t seconds() const { return 1700000000 + w * 1000 + j; }
  int rows() const { return 20 + (w * 37 + j * 11) % 200; }
  std::string file() const {
    return std::string(1000 + (w * 7919 + j * 104729) % 60000, static_cast<char>('a' + (w + j) % 26));
  }
};

Timestamp At(int64_t seconds, int64_t millis = 0) { return Timestamp{seconds * 1000000 + millis * 1000, 0}; }

// Runs plan p; CHECKs each step.
void Perform(Store& store, const Plan& p) {
  auto e = store.Create(
      {.module = "mixed", .config = p.config(), .seed = p.w * 1000 + p.j, .timestamp = p.seconds(), .id = p.id()});
  REQUIRE_MESSAGE(e.ok(), e.status().ToString());
  CHECK(store.MarkStarted(p.id(), At(p.seconds())).ok());
  auto w = RecordWriter::Open(store, p.id(), "default");
  REQUIRE(w.ok());
  for (int r = 0; r < p.rows(); ++r) {
    w->SetTimestamp(At(p.seconds(), r));
    w->Set("r", r);
    w->Set("half", r / 2.0);
    if (r % 4 == 0) w->Set("tag", fmt::format("{}-{}", p.id(), r));
    CHECK(w->Save().ok());
  }
  CHECK(w->Close().ok());
  CHECK(SaveFile(store, p.id(), "data/blob.bin", p.file()).ok());
  CHECK(SaveData(store, p.id(), "meta.json", DataValue::Json(p.config())).ok());
  CHECK(store.AppendOutput(p.id(), fmt::format("done {}\n", p.id())).ok());
  CHECK(store.CreateExecution({.members = {p.id()}, .nickname = p.id(), .timestamp = p.seconds() + 0.5}).ok());
  CHECK(store.MarkFinished(p.id(), At(p.seconds() + 1)).ok());
}

// Checks what a reader sees of an acknowledged plan; FAILs and returns false on a difference.
bool Verify(Store& store, const Plan& p) {
  auto e = store.Find(p.id());
  const std::string minified = fmt::format(R"({{"w":{},"j":{}}})", p.w, p.j);
  if (!e.ok() || e->module != "mixed" || e->config != minified || e->timestamp != p.seconds()) {
    FAIL_CHECK(p.id() << ": " << (e.ok() ? e->module + " " + e->config : e.status().ToString()));
    return false;
  }
  return true;
}

bool VerifyData(Store& store, const Plan& p) {
  bool ok = true;
  auto rows = ReadRows(store, p.id(), "default");
  if (!rows.ok() || rows->size() != static_cast<size_t>(p.rows())) {
    FAIL_CHECK(p.id() << ": rows " << (rows.ok() ? std::to_string(rows->size()) : rows.status().ToString()));
    return false;
  }
  for (const Row& row : *rows) {
    const Value* r = row.Find("r");
    const Value* half = row.Find("half");
    ok = ok && r != nullptr && r->as_int64() == static_cast<int64_t>(row.index) && half != nullptr &&
         half->as_double() == row.index / 2.0 && row.timestamp == At(p.seconds(), static_cast<int64_t>(row.index));
  }
  if (!ok) FAIL_CHECK(p.id() << ": a row differs");
  auto blob = LoadFile(store, p.id(), "data/blob.bin");
  if (!blob.ok() || *blob != p.file()) {
    FAIL_CHECK(p.id() << ": data/blob.bin " << (blob.ok() ? "differs" : blob.status().ToString()));
    ok = false;
  }
  auto meta = LoadData(store, p.id(), "meta.json");
  if (!meta.ok() || meta->json() != p.config()) {
    FAIL_CHECK(p.id() << ": data/meta.json " << (meta.ok() ? meta->json() : meta.status().ToString()));
    ok = false;
  }
  auto status = store.GetStatus(p.id());
  if (!status.ok() || !status->IsFinished()) {
    FAIL_CHECK(p.id() << ": not finished");
    ok = false;
  }
  return ok;
}

TEST_SUITE("export") {

TEST_CASE("Writers, readers and exports running concurrently store what a sequential run stores" *
          doctest::test_suite("slow")) {
  const auto duration = std::chrono::seconds(LongMode() ? 30 : 5);
  const int max_per_writer = LongMode() ? 250 : 25;
  TempDir tmp;
  Store store = OpenStore(tmp.Sub("store"));
  const std::string dest = tmp.Sub("out");
  const auto deadline = std::chrono::steady_clock::now() + duration;
  std::mutex mu;
  std::vector<Plan> acknowledged;
  std::vector<int> done(kWriters, 0);
  std::atomic<int> writers_left{kWriters};
  std::atomic<uint64_t> reads{0}, exports{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      for (int j = 0; j < max_per_writer && std::chrono::steady_clock::now() < deadline; ++j) {
        Perform(store, Plan{w, j});
        std::lock_guard<std::mutex> lock(mu);
        acknowledged.push_back(Plan{w, j});
        done[w] = j + 1;
      }
      --writers_left;
    });
  }
  for (int r = 0; r < kReaders; ++r) {
    threads.emplace_back([&, r] {
      std::mt19937_64 rng(r);
      while (writers_left > 0) {
        Plan p{0, 0};
        {
          std::lock_guard<std::mutex> lock(mu);
          if (acknowledged.empty()) continue;
          p = acknowledged[rng() % acknowledged.size()];
        }
        if (!Verify(store, p) || !VerifyData(store, p)) break;
        auto listed = store.List({.module = "mixed", .since = p.seconds(), .until = p.seconds() + 1});
        CHECK((listed.ok() && !listed->empty()));
        ++reads;
      }
    });
  }
  threads.emplace_back([&] {
    while (writers_left > 0) {
      auto stats = Export(store, dest, {.threads = 2});
      if (!stats.ok()) FAIL_CHECK("export while writing: " << stats.status().ToString());
      ++exports;
    }
  });
  for (std::thread& t : threads) t.join();
  auto last = Export(store, dest, {.threads = 2});
  REQUIRE_MESSAGE(last.ok(), last.status().ToString());
  MESSAGE("concurrent run: " << acknowledged.size() << " experiments, " << reads.load() << " verified reads, "
                             << exports.load() << " exports");
  CHECK(acknowledged.size() >= kWriters);
  CHECK(exports.load() >= 1);

  // The same operations, one after another, in a second store.
  Store sequential = OpenStore(tmp.Sub("sequential"));
  for (int w = 0; w < kWriters; ++w) {
    for (int j = 0; j < done[w]; ++j) Perform(sequential, Plan{w, j});
  }
  const auto content = StoreContent(store);
  CHECK(content.size() == acknowledged.size());
  CheckSameMaps(content, StoreContent(sequential), "store content");
  REQUIRE(Export(sequential, tmp.Sub("sequential-out")).ok());
  CheckSameMaps(Tree(dest), Tree(tmp.Sub("sequential-out")), "export tree");
  const std::string experiments =
      "SELECT experiment_id, timestamp, module, config FROM experiments ORDER BY experiment_id";
  CHECK(Query(dest + "/storage.sqlite", experiments) == Query(tmp.Sub("sequential-out/storage.sqlite"), experiments));
}

}  // TEST_SUITE

}  // namespace
}  // namespace labstore::test
