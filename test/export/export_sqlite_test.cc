// ExportSqlite: the SQLite view alone, and progress reports of Export, Import
// and RunWriteBench.
#include <filesystem>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "bench/write_bench.h"
#include "export_test_util.h"

namespace labstore::test {
namespace {

TEST_SUITE("export") {

TEST_CASE("ExportSqlite writes what Export writes into storage.sqlite, and no folders") {
  TempDir tmp;
  Store store = OpenStore(tmp.Sub("store"));
  ImportGolden(store);
  REQUIRE(Export(store, tmp.Sub("out")).ok());
  std::filesystem::create_directories(tmp.Sub("view"));
  auto stats = ExportSqlite(store, tmp.Sub("view/results.sqlite"));
  REQUIRE_MESSAGE(stats.ok(), stats.status().ToString());
  CHECK(stats->experiments == 5);
  CHECK(stats->record_sql_rows == 11);
  // Storage ids name the file's folder as the root; otherwise the same content.
  CHECK(AllContent(tmp.Sub("view/results.sqlite"), tmp.Sub("view")) ==
        AllContent(tmp.Sub("out/storage.sqlite"), tmp.Sub("out")));
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(tmp.Sub("view"))) names.push_back(e.path().filename());
  CHECK(names == std::vector<std::string>{"results.sqlite"});
}

TEST_CASE("ExportSqlite refuses an existing file unless forced, and a folder; selected ids and no records work") {
  TempDir tmp;
  Store store = OpenStore(tmp.Sub("store"));
  ImportGolden(store);
  WriteFile(tmp.Sub("taken.sqlite"), "my notes");
  auto taken = ExportSqlite(store, tmp.Sub("taken.sqlite"));
  CHECK(Code(taken) == "InvalidArgument");
  CHECK(taken.status().message().find("exists") != std::string::npos);
  CHECK(ReadFile(tmp.Sub("taken.sqlite")) == "my notes");
  std::filesystem::create_directories(tmp.Sub("folder"));
  CHECK(Code(ExportSqlite(store, tmp.Sub("folder"), {.force = true})) == "InvalidArgument");
  CHECK(Code(ExportSqlite(store, "")) == "InvalidArgument");
  CHECK(Code(ExportSqlite(store, tmp.Sub("x.sqlite"), {.experiments = {"zzzzzz"}})) == "NotFound");
  CHECK(!std::filesystem::exists(tmp.Sub("x.sqlite")));
  auto forced = ExportSqlite(store, tmp.Sub("taken.sqlite"),
                             {.experiments = {"a5AEr5"}, .force = true, .records_sql = RecordsSql::kNone});
  REQUIRE(forced.ok());
  CHECK(forced->experiments == 2);  // with its ancestor
  CHECK(Query(tmp.Sub("taken.sqlite"), "SELECT experiment_id FROM experiments ORDER BY id") == "rm3SAJ\na5AEr5\n");
  CHECK(Query(tmp.Sub("taken.sqlite"), "SELECT count(*) FROM sqlite_master WHERE name LIKE 'records%'") == "0\n");
}

// Collects reports as (stage, done, total, rows).
struct Recorder {
  struct Report {
    std::string stage;
    uint64_t done, total, rows;
  };
  std::vector<Report> reports;
  ProgressCallback Callback() {
    return [this](const Progress& p) { reports.push_back({p.stage, p.done, p.total, p.rows}); };
  }
  std::vector<Report> Of(const std::string& stage) const {
    std::vector<Report> out;
    for (const Report& r : reports) {
      if (r.stage == stage) out.push_back(r);
    }
    return out;
  }
};

TEST_CASE("Export and Import report progress per experiment, ending at done == total") {
  TempDir tmp;
  Store store = OpenStore(tmp.Sub("store"));
  Recorder imported;
  auto report = Import(store, kGolden, {.progress = imported.Callback()});
  REQUIRE(report.ok());
  auto import_reports = imported.Of("import");
  REQUIRE(import_reports.size() == 6);  // 5 experiments, then the end
  CHECK(import_reports.front().done == 1);
  CHECK(import_reports.back().done == 5);
  CHECK(import_reports.back().total == 5);
  CHECK(import_reports.back().rows == 11);
  Recorder exported;
  REQUIRE(Export(store, tmp.Sub("out"), {.threads = 2, .progress = exported.Callback()}).ok());
  for (const char* stage : {"folders", "sql"}) {
    CAPTURE(stage);
    auto r = exported.Of(stage);
    REQUIRE(r.size() == 6);
    for (size_t i = 1; i < r.size(); ++i) CHECK(r[i].done >= r[i - 1].done);  // never backwards, even on 2 threads
    CHECK(r.back().done == 5);
    CHECK(r.back().total == 5);
    CHECK(r.back().rows == 11);
  }
  CHECK(exported.reports.front().stage == std::string("folders"));
  CHECK(exported.reports.back().stage == std::string("sql"));
}

TEST_CASE("RunWriteBench reports each method's rows") {
  TempDir tmp;
  Recorder recorder;
  auto results = RunWriteBench({.rows = 200'000, .dir = tmp.path(), .progress = recorder.Callback()});
  REQUIRE(results.ok());
  for (const char* method : {"labstore", "RocksDB key per row", "SQLite WAL", "JSON lines"}) {
    CAPTURE(method);
    auto r = recorder.Of(method);
    REQUIRE(r.size() == 4);  // 3 x 65536 rows, then the end
    CHECK(r[0].done == 65536);
    CHECK(r.back().done == 200'000);
    CHECK(r.back().total == 200'000);
  }
}

}  // TEST_SUITE
}  // namespace
}  // namespace labstore::test
