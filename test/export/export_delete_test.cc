// Export after Store::Delete: the deleted experiments' folders and
// storage.sqlite rows go on the next export into the same directory.
#include <filesystem>

#include <doctest/doctest.h>

#include "export_test_util.h"
#include "labstore/data.h"
#include "labstore/record.h"

namespace labstore::test {
namespace {

namespace fs = std::filesystem;

struct Exported {
  TempDir tmp;
  Store store = OpenStore(tmp.Sub("store"));
  std::string out = tmp.Sub("out");

  Exported() {
    ImportGolden(store);
    Run();
  }

  ExportStats Run(const std::string& dest = "") {
    auto stats = Export(store, dest.empty() ? out : dest);
    REQUIRE_MESSAGE(stats.ok(), stats.status().ToString());
    return *stats;
  }
  std::string Db() const { return out + "/storage.sqlite"; }
};

TEST_SUITE("export") {

TEST_CASE("The next export removes a deleted experiment's folder and rows, and moves its execution") {
  Exported x;
  // a5AEr5 is derived from rm3SAJ and the last member of execution 2 (with HzaTkK).
  REQUIRE(fs::exists(x.out + "/rm3SAJ/derived/a5AEr5/experiment.json"));
  REQUIRE(x.store.Delete("a5AEr5").ok());
  ExportStats stats = x.Run();
  CHECK(stats.experiments_removed == 1);
  CHECK(stats.experiments == 4);
  CHECK_FALSE(fs::exists(x.out + "/rm3SAJ/derived/a5AEr5"));
  CHECK(fs::exists(x.out + "/rm3SAJ/experiment.json"));
  CHECK(Query(x.Db(), "SELECT count(*) FROM experiments WHERE experiment_id = 'a5AEr5'") == "0\n");
  CHECK(Query(x.Db(), "SELECT count(*) FROM experiments") == "4\n");
  CHECK(Query(x.Db(), "SELECT count(*) FROM elements WHERE experiment_id NOT IN (SELECT id FROM experiments)") ==
        "0\n");
  CHECK(Query(x.Db(), "SELECT count(*) FROM records WHERE experiment_id = 'a5AEr5'") == "0\n");
  CHECK(Query(x.Db(), "SELECT count(*) FROM labstore_record_progress WHERE experiment_id = 'a5AEr5'") == "0\n");
  // Execution 2 now lives in its other member's folder, once.
  const std::string folder = "execution-2023-02-24T150020_123454_0000";
  CHECK(Query(x.Db(), "SELECT storage_id FROM executions WHERE storage_id LIKE '%150020%'") ==
        x.out + "/HzaTkK/" + folder + "\n");
  CHECK(Query(x.Db(), "SELECT count(*) FROM executions") == "4\n");
  CHECK(Query(x.Db(), "SELECT count(*) FROM experiments e JOIN executions x ON e.execution_id = x.id "
                      "WHERE e.experiment_id = 'HzaTkK' AND x.storage_id LIKE '%150020%'") == "1\n");
  CHECK(fs::exists(x.out + "/HzaTkK/" + folder + "/resources-HzaTkK.json"));
  CHECK_FALSE(fs::exists(x.out + "/HzaTkK/" + folder + "/resources-a5AEr5.json"));
  CHECK(ReadFile(x.out + "/" + kExportManifest).find("a5AEr5") == std::string::npos);
  // The result is what a fresh export of the store writes, and stays put.
  std::string fresh = x.tmp.Sub("fresh");
  x.Run(fresh);
  CHECK(Tree(x.out) == Tree(fresh));
  stats = x.Run();
  CHECK(stats.experiments_removed == 0);
  CHECK(stats.files_written == 0);
}

TEST_CASE("Deleting an ancestor with its derived experiments removes the whole folder tree") {
  Exported x;
  REQUIRE(x.store.Delete("rm3SAJ", {.derived = true}).ok());
  ExportStats stats = x.Run();
  CHECK(stats.experiments_removed == 2);
  CHECK_FALSE(fs::exists(x.out + "/rm3SAJ"));
  CHECK(Query(x.Db(), "SELECT experiment_id FROM experiments ORDER BY experiment_id") == "6qjs64\nHzaTkK\nUM9Dki\n");
  CHECK(Query(x.Db(), "SELECT count(*) FROM records WHERE experiment_id IN ('rm3SAJ', 'a5AEr5')") == "0\n");
  CHECK(Query(x.Db(), "SELECT count(*) FROM executions WHERE storage_id LIKE '%/rm3SAJ/%'") == "0\n");
  for (const auto& entry : fs::directory_iterator(x.out)) {
    CHECK(entry.path().filename().string().rfind(".labstore-tmp.", 0) == std::string::npos);
  }
}

TEST_CASE("Records in a separate records.sqlite lose a deleted experiment's rows too") {
  Exported x;
  ExportOptions separate{.records_sql = RecordsSql::kSeparateFile};
  std::string dest = x.tmp.Sub("separate");
  REQUIRE(Export(x.store, dest, separate).ok());
  REQUIRE(Query(dest + "/records.sqlite", "SELECT count(*) > 0 FROM records WHERE experiment_id = 'rm3SAJ'") == "1\n");
  REQUIRE(x.store.Delete("rm3SAJ", {.derived = true}).ok());
  REQUIRE(Export(x.store, dest, separate).ok());
  CHECK(Query(dest + "/records.sqlite", "SELECT count(*) FROM records WHERE experiment_id = 'rm3SAJ'") == "0\n");
}

TEST_CASE("An export leaves folders alone that no labstore export of this store wrote") {
  Exported x;
  auto e = x.store.Create({.module = "m", .id = "Zz9999"});
  REQUIRE(e.ok());
  REQUIRE(x.store.Delete("Zz9999").ok());  // deleted before any export
  fs::create_directories(x.out + "/Zz9999");
  WriteFile(x.out + "/Zz9999/mine.txt", "someone else's");
  ExportStats stats = x.Run();
  CHECK(stats.experiments_removed == 0);
  CHECK(ReadFile(x.out + "/Zz9999/mine.txt") == "someone else's");
}

TEST_CASE("An id stored again after its delete is exported afresh, once") {
  Exported x;
  REQUIRE(x.store.Delete("UM9Dki").ok());
  auto e = x.store.Create({.module = "reborn", .config = R"({"n": 2})", .id = "UM9Dki"});
  REQUIRE(e.ok());
  ExportStats stats = x.Run();
  CHECK(stats.experiments_removed == 1);
  CHECK(ReadFile(x.out + "/UM9Dki/experiment.json").find("\"reborn\"") != std::string::npos);
  CHECK(Query(x.Db(), "SELECT module FROM experiments WHERE experiment_id = 'UM9Dki'") == "reborn\n");
  stats = x.Run();
  CHECK(stats.experiments_removed == 0);
  CHECK(stats.files_written == 0);
}

}  // TEST_SUITE

}  // namespace
}  // namespace labstore::test
