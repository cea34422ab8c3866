// Export (labstore/export.h): the golden round trip, the fixed point,
// incremental and crash-safe writing, confinement to the destination, and the
// records as SQL.
#include "labstore/export.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "export_test_util.h"
#include "labstore/data.h"
#include "labstore/import.h"
#include "labstore/record.h"

namespace labstore::test {
namespace {

// The golden storage imported into a fresh store and exported to <tmp>/out.
struct GoldenExport {
  TempDir tmp;
  Store store = OpenStore(tmp.Sub("store"));
  std::string out = tmp.Sub("out");

  GoldenExport() { ImportGolden(store); }

  ExportStats Run(const ExportOptions& options = {}) {
    auto stats = Export(store, out, options);
    REQUIRE_MESSAGE(stats.ok(), stats.status().ToString());
    return *stats;
  }
};

std::string Id(Store& store, const std::string& module, const std::string& config) {
  auto e = store.Create({.module = module, .config = config});
  REQUIRE(e.ok());
  return e->id;
}

TEST_SUITE("export") {

TEST_CASE("Import the golden storage, export it: every file is byte for byte the golden's") {
  GoldenExport g;
  ExportStats stats = g.Run();
  CHECK(stats.experiments == 5);
  CHECK(stats.experiments_added == 5);
  CHECK(stats.record_rows == 11);
  CHECK(stats.warnings.empty());
  auto golden = Tree(kGolden);
  auto ours = Tree(g.out);
  CHECK(golden.size() == 59);  // 60 files but storage.sqlite, compared by content
  for (const auto& [path, bytes] : golden) {
    CAPTURE(path);
    REQUIRE(ours.count(path) == 1);
    CHECK(ours.at(path) == bytes);
  }
  for (const auto& [path, bytes] : ours) {
    CAPTURE(path);
    CHECK(golden.count(path) == 1);
  }
  CHECK(std::filesystem::exists(g.out + "/" + kExportManifest));
}

TEST_CASE("Import the golden storage, export it: storage.sqlite has the golden's content") {
  GoldenExport g;
  g.Run();
  std::string ours = MachinableContent(g.out + "/storage.sqlite", g.out);
  CHECK(ours == MachinableContent(kGolden + "/storage.sqlite", kGoldenRoot));
  // Absolute storage ids, as machinable writes them.
  CHECK(Query(g.out + "/storage.sqlite", "SELECT storage_id FROM experiments WHERE id = 3") ==
        g.out + "/rm3SAJ/derived/a5AEr5\n");
  // Journal mode and page size as machinable's (SQLite defaults).
  CHECK(Query(g.out + "/storage.sqlite", "PRAGMA journal_mode") == "delete\n");
  CHECK(Query(g.out + "/storage.sqlite", "PRAGMA page_size") == "4096\n");
}

TEST_CASE("Export, import, export is a fixed point") {
  GoldenExport g;
  g.Run();
  TempDir tmp;
  Store second = OpenStore(tmp.Sub("store"));
  auto report = Import(second, g.out);
  REQUIRE(report.ok());
  INFO(report->ToString());
  CHECK(report->clean());
  CHECK(report->recorded_root == g.out);
  auto again = Export(second, tmp.Sub("out"));
  REQUIRE(again.ok());
  CHECK(Tree(tmp.Sub("out")) == Tree(g.out));
  CHECK(AllContent(tmp.Sub("out/storage.sqlite"), tmp.Sub("out")) == AllContent(g.out + "/storage.sqlite", g.out));
}

TEST_CASE("Exporting again writes only what changed") {
  GoldenExport g;
  g.Run();
  struct stat before;
  REQUIRE(stat((g.out + "/rm3SAJ/experiment.json").c_str(), &before) == 0);
  ExportStats nothing = g.Run();
  CHECK(nothing.files_written == 0);
  CHECK(nothing.experiments_added == 0);
  CHECK(nothing.record_rows == 0);
  CHECK(nothing.record_sql_rows == 0);

  // New rows, a new marker, a new file, a new experiment, a new execution.
  {
    auto w = RecordWriter::Open(g.store, "HzaTkK", "default");
    REQUIRE(w.ok());
    w->Set("iteration", 3);
    w->Set("g", 1.5);
    REQUIRE(w->Save().ok());
    REQUIRE(w->Close().ok());
  }
  REQUIRE(g.store.MarkStarted("UM9Dki").ok());
  REQUIRE(SaveFile(g.store, "UM9Dki", "data/late.txt", "late").ok());
  std::string fresh = Id(g.store, "estimate_gravity", R"({"time_dilation": 9.0})");
  auto x = g.store.CreateExecution({.members = {fresh, "UM9Dki"}});
  REQUIRE(x.ok());
  ExportStats stats = g.Run();
  CHECK(stats.experiments_added == 1);
  CHECK(stats.record_rows == 1);
  CHECK(stats.record_sql_rows == 1);
  // HzaTkK: records file; UM9Dki: started_at, data/late.txt, execution.json,
  // resources x2 (last member); fresh: 4 model files + execution.json.
  CHECK(stats.files_written == 1 + 5 + 5);

  std::string records = ReadFile(g.out + "/HzaTkK/records/default.jsonl");
  CHECK(records.starts_with(ReadFile(kGolden + "/HzaTkK/records/default.jsonl")));
  CHECK(records.ends_with(", \"g\": 1.5, \"iteration\": 3}\n"));
  CHECK(ReadFile(g.out + "/UM9Dki/data/late.txt") == "late");
  CHECK(std::filesystem::exists(g.out + "/UM9Dki/started_at"));
  CHECK(std::filesystem::exists(g.out + "/" + fresh + "/experiment.json"));
  struct stat after;
  REQUIRE(stat((g.out + "/rm3SAJ/experiment.json").c_str(), &after) == 0);
  CHECK(after.st_ino == before.st_ino);  // untouched
  std::string db = g.out + "/storage.sqlite";
  CHECK(Query(db, "SELECT count(*) FROM experiments") == "6\n");
  CHECK(Query(db, "SELECT count(*) FROM executions") == "5\n");
  CHECK(Query(db, "SELECT e.experiment_id FROM experiments e JOIN executions x ON x.id = e.execution_id "
                  "WHERE x.id = 5 ORDER BY e.id") == "UM9Dki\n" + fresh + "\n");
  CHECK(Query(db, "SELECT count(*) FROM records_default WHERE experiment_id = 'HzaTkK'") == "4\n");

  // And the result equals a fresh export of the same store.
  TempDir other;
  auto full = Export(g.store, other.Sub("out"));
  REQUIRE(full.ok());
  CHECK(Tree(other.Sub("out")) == Tree(g.out));
  CHECK(AllContent(other.Sub("out/storage.sqlite"), other.Sub("out")) == AllContent(db, g.out));
}

// Not named *thread*: scripts/test.sh runs those under TSan, which Debian's
// uninstrumented librocksdb can trip (see test/record/writer_test.cc); the
// workers share only read-only state and the Store's thread-safe reads.
TEST_CASE("An export on several workers writes what an export on one worker writes") {
  GoldenExport g;
  for (int i = 0; i < 20; ++i) {
    std::string id = Id(g.store, "estimate_gravity", fmt::format(R"({{"time_dilation": {}.5}})", i));
    auto w = RecordWriter::Open(g.store, id, "default");
    REQUIRE(w.ok());
    for (int r = 0; r < 50; ++r) {
      w->Set("iteration", r);
      REQUIRE(w->Save().ok());
    }
    REQUIRE(w->Close().ok());
    if (i % 3 == 0) REQUIRE(g.store.Create({.module = "child", .ancestor = id}).ok());
  }
  ExportStats many = g.Run({.threads = 4});
  TempDir one;
  auto single = Export(g.store, one.Sub("out"), {.threads = 1});
  REQUIRE(single.ok());
  CHECK(many.files_written == single->files_written);
  CHECK(many.record_rows == single->record_rows);
  CHECK(Tree(one.Sub("out")) == Tree(g.out));
  CHECK(AllContent(one.Sub("out/storage.sqlite"), one.Sub("out")) == AllContent(g.out + "/storage.sqlite", g.out));
  CHECK(g.Run({.threads = 4}).files_written == 0);
}

TEST_CASE("A deleted data file is removed from the export") {
  GoldenExport g;
  g.Run();
  REQUIRE(DeleteFile(g.store, "rm3SAJ", "data/prediction.txt").ok());
  ExportStats stats = g.Run();
  CHECK(stats.files_removed == 1);
  CHECK(!std::filesystem::exists(g.out + "/rm3SAJ/data/prediction.txt"));
}

TEST_CASE("A moved export is rebased on the next export") {
  GoldenExport g;
  g.Run();
  std::string moved = g.tmp.Sub("moved");
  std::filesystem::rename(g.out, moved);
  auto stats = Export(g.store, moved);
  REQUIRE(stats.ok());
  CHECK(stats->files_written == 0);
  CHECK(Query(moved + "/storage.sqlite", "SELECT storage_id FROM experiments WHERE id = 1") == moved + "/rm3SAJ\n");
  CHECK(Query(moved + "/storage.sqlite", "SELECT storage_id FROM executions WHERE id = 2") ==
        moved + "/rm3SAJ/derived/a5AEr5/execution-2023-02-24T150020_123454_0000\n");
}

TEST_CASE("A non-empty destination that is not an export is refused unless forced") {
  GoldenExport g;
  std::filesystem::create_directories(g.out);
  WriteFile(g.out + "/notes.txt", "mine");
  auto refused = Export(g.store, g.out);
  CHECK(Code(refused) == "InvalidArgument");
  CHECK(refused.status().message().find("not a labstore export") != std::string::npos);
  CHECK(Tree(g.out).size() == 1);
  CHECK(!std::filesystem::exists(g.out + "/" + kExportManifest));
  auto forced = Export(g.store, g.out, {.force = true});
  REQUIRE(forced.ok());
  CHECK(ReadFile(g.out + "/notes.txt") == "mine");
  CHECK(ReadFile(g.out + "/rm3SAJ/experiment.json") == ReadFile(kGolden + "/rm3SAJ/experiment.json"));
  // A file as destination.
  WriteFile(g.tmp.Sub("file"), "x");
  CHECK(Code(Export(g.store, g.tmp.Sub("file"))) == "InvalidArgument");
}

TEST_CASE("Exporting into a copy of machinable's storage adds to its storage.sqlite") {
  GoldenExport g;
  std::filesystem::copy(kGolden, g.out, std::filesystem::copy_options::recursive);
  std::string fresh = Id(g.store, "estimate_gravity", R"({"time_dilation": 7.0})");
  auto stats = Export(g.store, g.out, {.force = true});
  REQUIRE(stats.ok());
  std::string db = g.out + "/storage.sqlite";
  // machinable's rows stay (with their recorded root); the new one is added.
  CHECK(Query(db, "SELECT count(*) FROM experiments") == "6\n");
  CHECK(Query(db, "SELECT storage_id FROM experiments WHERE id = 1") == kGoldenRoot + "/rm3SAJ\n");
  CHECK(Query(db, "SELECT storage_id FROM experiments WHERE id = 6") == g.out + "/" + fresh + "\n");
}

TEST_CASE("A symbolic link inside the destination is not followed") {
  GoldenExport g;
  g.Run();
  std::string outside = g.tmp.Sub("outside");
  std::filesystem::create_directories(outside);
  std::filesystem::remove_all(g.out + "/HzaTkK/records");
  std::filesystem::create_directory_symlink(outside, g.out + "/HzaTkK/records");
  {
    auto w = RecordWriter::Open(g.store, "HzaTkK", "default");
    REQUIRE(w.ok());
    w->Set("iteration", 3);
    REQUIRE(w->Save().ok());
    REQUIRE(w->Close().ok());
  }
  auto stats = Export(g.store, g.out);
  CHECK(Code(stats) == "InvalidArgument");
  CHECK(stats.status().message().find("symbolic link") != std::string::npos);
  CHECK(std::filesystem::is_empty(outside));
}

TEST_CASE("Stored file paths and scope names that machinable owns are not exported") {
  TempDir tmp;
  Store store = OpenStore(tmp.Sub("store"));
  std::string id = Id(store, "m", "{}");
  REQUIRE(SaveFile(store, id, "records/x.jsonl", "{}\n").ok());
  REQUIRE(SaveFile(store, id, "experiment.json", "{}").ok());
  REQUIRE(SaveFile(store, id, "run.sh", "#!/bin/sh\n").ok());
  auto stats = Export(store, tmp.Sub("out"));
  REQUIRE(stats.ok());
  CHECK(stats->warnings.size() == 2);
  CHECK(!std::filesystem::exists(tmp.Sub("out/" + id + "/records/x.jsonl")));
  CHECK(ReadFile(tmp.Sub("out/" + id + "/experiment.json")).starts_with("{\"module\": \"m\""));
  // *.sh gets the owner's executable bit, as machinable's save_file.
  struct stat st;
  REQUIRE(stat(tmp.Sub("out/" + id + "/run.sh").c_str(), &st) == 0);
  CHECK((st.st_mode & S_IXUSR) != 0);
}

TEST_CASE("Selected experiments are exported with their ancestors") {
  GoldenExport g;
  auto stats = g.Run({.experiments = {"a5AEr5"}});
  CHECK(stats.experiments == 2);
  CHECK(std::filesystem::exists(g.out + "/rm3SAJ/derived/a5AEr5/experiment.json"));
  CHECK(!std::filesystem::exists(g.out + "/HzaTkK"));
  // Execution 2's storage member is the last exported one (a5AEr5), whose
  // folder holds the resources of both members.
  CHECK(std::filesystem::exists(
      g.out + "/rm3SAJ/derived/a5AEr5/execution-2023-02-24T150020_123454_0000/resources-HzaTkK.json"));
  CHECK(Query(g.out + "/storage.sqlite", "SELECT experiment_id FROM experiments ORDER BY id") == "rm3SAJ\na5AEr5\n");
  CHECK(Code(Export(g.store, g.tmp.Sub("x"), {.experiments = {"zzzzzz"}})) == "NotFound");
  CHECK(Code(Export(g.store, g.tmp.Sub("y"), {.experiments = {"../etc"}})) == "InvalidArgument");
}

TEST_CASE("Records are SQL tables: typed columns and a view over all scopes") {
  GoldenExport g;
  g.Run();
  std::string db = g.out + "/storage.sqlite";
  CHECK(Query(db,
              "SELECT experiment_id, AVG(g) FROM records WHERE scope = 'default' GROUP BY experiment_id ORDER BY 1") ==
        "HzaTkK|4622.22222222222(real)\na5AEr5|128.395061728395(real)\nrm3SAJ|288.888888888889(real)\n");
  CHECK(Query(db, "SELECT name, type FROM pragma_table_info('records_default')") ==
        "experiment_id|TEXT\nrow|INTEGER\n__timestamp|TEXT\naccuracy|REAL\ng|REAL\niteration|INTEGER\n");
  CHECK(Query(db,
              "SELECT \"__timestamp\", big, bool, dict, float, huge, inf, list, nan, none, str, tiny "
              "FROM records_validation ORDER BY row") ==
        "2023-02-24T10:00:13.456788-05:00|9007199254740993|1|{\"a\":{\"y\":[1],\"z\":0},\"b\":1}|0.25(real)|1.0e+16("
        "real)|Inf(real)|"
        "[1,2.5,\"x\",null,false]|NULL|NULL|\xc2\xb5 na\xc3\xafve \xf0\x9f\x9a\x80 \"q\" \\ tab\t|1.0e-07(real)\n"
        "2023-02-24T10:00:14.567899-05:00|-9223372036854775808|0|{}|0.0(real)|1.79769313486232e+308(real)|123456789.0("
        "real)|"
        "[]|-Inf(real)|NULL||4.94065645841247e-324(real)\n");
  CHECK(Query(db, "SELECT typeof(big), typeof(bool), typeof(dict) FROM records_validation LIMIT 1") ==
        "integer|integer|text\n");
  // SQLite keeps no sign on a zero REAL (-0.0 reads back as 0.0), and NaN is NULL.
  CHECK(Query(db, "SELECT count(*) FROM records") == "11\n");
}

TEST_CASE("Records can go to a separate records.sqlite, or nowhere") {
  GoldenExport g;
  g.Run({.records_sql = RecordsSql::kSeparateFile});
  CHECK(Query(g.out + "/records.sqlite", "SELECT count(*) FROM records") == "11\n");
  CHECK(Query(g.out + "/storage.sqlite", "SELECT count(*) FROM sqlite_master WHERE name LIKE 'records%'") == "0\n");
  TempDir none;
  auto stats = Export(g.store, none.Sub("out"), {.records_sql = RecordsSql::kNone});
  REQUIRE(stats.ok());
  CHECK(stats->record_sql_rows == 0);
  CHECK(Query(none.Sub("out/storage.sqlite"), "SELECT count(*) FROM sqlite_master") == "6\n");
}

TEST_CASE("A records column that changes type is re-declared; case-colliding names get a suffix") {
  TempDir tmp;
  Store store = OpenStore(tmp.Sub("store"));
  std::string id = Id(store, "m", "{}");
  auto log = [&](auto value) {
    auto w = RecordWriter::Open(store, id, "default");
    REQUIRE(w.ok());
    w->Set("v", value);
    w->Set("V", 1);
    w->Set("row", 7);
    REQUIRE(w->Save().ok());
    REQUIRE(w->Close().ok());
  };
  log(int64_t{1});
  auto first = Export(store, tmp.Sub("out"));
  REQUIRE_MESSAGE(first.ok(), first.status().ToString());
  std::string db = tmp.Sub("out/storage.sqlite");
  CHECK(Query(db, "SELECT name, type FROM pragma_table_info('records_default')") ==
        "experiment_id|TEXT\nrow|INTEGER\n__timestamp|TEXT\nv|INTEGER\nV_2|INTEGER\nrow_2|INTEGER\n");
  log("text");
  auto second = Export(store, tmp.Sub("out"));
  REQUIRE_MESSAGE(second.ok(), second.status().ToString());
  CHECK(Query(db, "SELECT name, type FROM pragma_table_info('records_default')") ==
        "experiment_id|TEXT\nrow|INTEGER\n__timestamp|TEXT\nv|\nV_2|INTEGER\nrow_2|INTEGER\n");
  CHECK(Query(db, "SELECT v, typeof(v), row_2 FROM records_default ORDER BY row") == "1|integer|7\ntext|text|7\n");
}

TEST_CASE("A records column of ints and doubles is REAL over every experiment; only mixed types go undeclared") {
  TempDir tmp;
  Store store = OpenStore(tmp.Sub("store"));
  auto log = [&](const std::string& id, const std::vector<std::pair<std::string, Value>>& cells) {
    auto w = RecordWriter::Open(store, id, "default");
    REQUIRE(w.ok());
    for (const auto& [name, value] : cells) w->Set(name, value);
    REQUIRE(w->Save().ok());
    REQUIRE(w->Close().ok());  // each row its own chunk
  };
  std::string a = Id(store, "m", R"({"a": 1})"), b = Id(store, "m", R"({"a": 2})");
  log(a, {{"loss", Value(0)}, {"n", Value(1)}, {"later", Value()}, {"tag", Value(1)}});
  log(a, {{"loss", Value(0.25)}});
  auto first = Export(store, tmp.Sub("out"), {.experiments = {a}});
  REQUIRE_MESSAGE(first.ok(), first.status().ToString());
  std::string db = tmp.Sub("out/storage.sqlite");
  auto types = [&] {
    return Query(db, "SELECT name, type FROM pragma_table_info('records_default') "
                     "WHERE name IN ('loss', 'n', 'later', 'tag') ORDER BY name");
  };
  CHECK(types() == "later|\nloss|REAL\nn|INTEGER\ntag|INTEGER\n");
  log(b, {{"n", Value(2.5)}, {"later", Value(3)}, {"tag", Value("x")}});
  auto second = Export(store, tmp.Sub("out"));
  REQUIRE_MESSAGE(second.ok(), second.status().ToString());
  CHECK(types() == "later|INTEGER\nloss|REAL\nn|REAL\ntag|\n");
  CHECK(
      Query(
          db,
          "SELECT loss, typeof(loss), n, typeof(n), tag, typeof(tag) FROM records_default ORDER BY experiment_id = '" +
              b + "', row") ==
      "0.0(real)|real|1.0(real)|real|1|integer\n0.25(real)|real|NULL|null|NULL|null\n"
      "NULL|null|2.5(real)|real|x|text\n");
  // The JSON lines keep each value as it was logged.
  CHECK(ReadFile(tmp.Sub("out/" + a + "/records/default.jsonl")).find("\"loss\": 0, ") != std::string::npos);
}

}  // TEST_SUITE

}  // namespace
}  // namespace labstore::test
