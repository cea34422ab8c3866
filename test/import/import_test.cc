// Import (labstore/import.h): the golden storage, idempotence, and bad input
// reported per experiment, each experiment imported whole or not at all.
#include "labstore/import.h"

#include <cmath>
#include <filesystem>

#include <doctest/doctest.h>

#include "export/export_test_util.h"
#include "import/source.h"
#include "labstore/data.h"
#include "labstore/record_reader.h"

namespace labstore::test {
namespace {

TEST_SUITE("import") {

TEST_CASE("The golden storage imports with all its fields and relations") {
  TempDir tmp;
  Store store = OpenStore(tmp.Sub("store"));
  auto report = Import(store, kGolden);
  REQUIRE(report.ok());
  INFO(report->ToString());
  CHECK(report->clean());
  CHECK(report->recorded_root == kGoldenRoot);
  CHECK(report->imported == std::vector<std::string>{"rm3SAJ", "HzaTkK", "a5AEr5", "UM9Dki", "6qjs64"});
  CHECK(report->executions == 4);
  CHECK(report->record_rows == 11);
  CHECK(report->files == 8);

  auto e = store.Find("a5AEr5");
  REQUIRE(e.ok());
  CHECK(e->ancestor == "rm3SAJ");
  CHECK(e->ancestor_timestamp == 1677250801);
  CHECK(e->seed == 287953916);
  CHECK(e->timestamp == 1677250819);
  CHECK(e->group_path == "2023_08_Fri/");
  CHECK(e->group_pattern == "%Y_%U_%a/");
  CHECK(e->project == "lab");
  CHECK(e->project_directory == "/srv/lab");
  CHECK(store.Find("HzaTkK")->group_path == "lab-reports/2023");
  CHECK(store.Find("rm3SAJ")->uses ==
        R"([{"module":"dataset","version":[{"name":"cifar"}],"config":null,"predicate":null,)"
        R"("lineage":["machinable.element"]}])");
  // Found again by config, as machinable's get() would.
  auto got = store.Get("estimate_gravity", R"({"time_dilation": 2.0, "verbose": true})");
  REQUIRE(got.ok());
  CHECK(got->id == "rm3SAJ");

  auto status = store.GetStatus("6qjs64");
  REQUIRE(status.ok());
  CHECK(status->started_at.size() == 2);
  CHECK(!status->IsFinished());
  CHECK(FormatIso(*status->heartbeat_at) == "2023-02-24T10:00:54.567895-05:00");
  CHECK(store.ReadOutput("rm3SAJ").value() == ReadFile(kGolden + "/rm3SAJ/output.log"));

  auto xs = store.Executions("6qjs64");
  REQUIRE(xs.ok());
  REQUIRE(xs->size() == 2);
  CHECK((*xs)[0].nickname == "ecru_butterfly");
  CHECK((*xs)[1].timestamp == 1677250852.345673);
  auto shared = store.Executions("HzaTkK");
  REQUIRE(shared.ok());
  REQUIRE(shared->size() == 1);
  CHECK((*shared)[0].members == std::vector<std::string>{"HzaTkK", "a5AEr5"});
  CHECK((*shared)[0].env.size() == 1);

  // Records of every JSON type, exactly.
  auto rows = ReadRows(store, "rm3SAJ", "validation");
  REQUIRE(rows.ok());
  REQUIRE(rows->size() == 2);
  const Row& r0 = (*rows)[0];
  CHECK(r0.Find("big")->as_int64() == 9007199254740993);
  CHECK(std::isnan(r0.Find("nan")->as_double()));
  CHECK(std::isinf(r0.Find("inf")->as_double()));
  CHECK(r0.Find("tiny")->as_double() == 1e-7);
  CHECK(r0.Find("none")->is_null());
  CHECK(r0.Find("str")->as_string() == "µ naïve 🚀 \"q\" \\ tab\t");
  CHECK((*rows)[1].Find("big")->as_int64() == INT64_MIN);
  CHECK((*rows)[1].Find("tiny")->as_double() == 5e-324);
  CHECK(std::signbit((*rows)[1].Find("float")->as_double()));
  CHECK(FormatIso(r0.timestamp) == "2023-02-24T10:00:13.456788-05:00");
  // Data files verbatim.
  CHECK(LoadFile(store, "rm3SAJ", "data/inputs.npy").value() == ReadFile(kGolden + "/rm3SAJ/data/inputs.npy"));
  CHECK(LoadFile(store, "rm3SAJ", "data/nested/notes.txt").value() == "line 1\nline 2\n");
}

TEST_CASE("Importing the same source twice adds nothing") {
  TempDir tmp;
  Store store = OpenStore(tmp.Sub("store"));
  ImportGolden(store);
  auto again = Import(store, kGolden);
  REQUIRE(again.ok());
  CHECK(again->imported.empty());
  CHECK(again->skipped.size() == 5);
  CHECK(again->executions == 0);
  CHECK(again->executions_skipped == 4);
  CHECK(again->clean());
  CHECK(store.List()->size() == 5);
  CHECK(store.Executions("6qjs64")->size() == 2);
  CHECK(CountRows(store, "rm3SAJ", "default").value() == 3);
}

TEST_CASE("Bad input is reported per experiment; each experiment is imported whole or not at all") {
  TempDir tmp;
  std::string src = CopyGolden(tmp);
  Append(src + "/HzaTkK/records/default.jsonl", "{\"__timestamp\": \"2023-02-24T10:00:30-05:00\", \"g\": \n");
  std::filesystem::remove(src + "/UM9Dki/experiment.json");
  Append(src + "/6qjs64/started_at", "yesterday\n");
  WriteFile(src + "/rm3SAJ/derived/a5AEr5/records/bad.jsonl", "null\n\n[1]\n");
  Store store = OpenStore(tmp.Sub("store"));
  auto report = Import(store, src);
  REQUIRE(report.ok());
  INFO(report->ToString());
  CHECK(report->imported == std::vector<std::string>{"rm3SAJ"});
  CHECK(report->failed == std::vector<std::string>{"HzaTkK", "a5AEr5", "UM9Dki", "6qjs64"});
  CHECK(Contains(Errors(*report, "HzaTkK"), "HzaTkK/records/default.jsonl: line 4: invalid JSON"));
  CHECK(Contains(Errors(*report, "UM9Dki"), "UM9Dki/experiment.json"));
  CHECK(Contains(Errors(*report, "6qjs64"), "6qjs64/started_at: line 3: invalid timestamp \"yesterday\""));
  auto a5 = Errors(*report, "a5AEr5");
  CHECK(Contains(a5, "bad.jsonl: line 1: not a JSON object"));
  CHECK(Contains(a5, "bad.jsonl: line 2: invalid JSON"));
  CHECK(Contains(a5, "bad.jsonl: line 3: not a JSON object"));
  // Nothing of a failed experiment is in the store.
  for (const char* id : {"HzaTkK", "a5AEr5", "UM9Dki", "6qjs64"}) CHECK(Code(store.Find(id)) == "NotFound");
  // Executions keep the members that were imported.
  CHECK(report->executions == 1);
  CHECK(report->ToString().find("error: ") != std::string::npos);

  // Mend the source: the rest comes in, nothing twice.
  std::filesystem::remove_all(src);
  src = CopyGolden(tmp);
  auto second = Import(store, src);
  REQUIRE(second.ok());
  INFO(second->ToString());
  CHECK(second->clean());
  CHECK(second->skipped == std::vector<std::string>{"rm3SAJ"});
  CHECK(second->imported.size() == 4);
  CHECK(second->executions == 3);
  CHECK(second->executions_skipped == 1);
}

TEST_CASE("A path that escapes the storage, or a symbolic link, leaves the experiment out") {
  TempDir tmp;
  std::string src = CopyGolden(tmp);
  Sql(src + "/storage.sqlite",
      "UPDATE experiments SET storage_id = '/srv/lab/storage/../../../etc' WHERE experiment_id = 'UM9Dki'");
  std::filesystem::create_directory_symlink("/etc", src + "/rm3SAJ/data/etc");
  Store store = OpenStore(tmp.Sub("store"));
  auto report = Import(store, src);
  REQUIRE(report.ok());
  INFO(report->ToString());
  CHECK(Contains(Errors(*report, "UM9Dki"), "escapes the storage"));
  CHECK(Contains(Errors(*report, "rm3SAJ"), "rm3SAJ/data/etc: a symbolic link"));
  CHECK(Contains(Errors(*report, "a5AEr5"), "its ancestor rm3SAJ was not imported"));
  CHECK(report->imported == std::vector<std::string>{"HzaTkK", "6qjs64"});
}

TEST_CASE("With a broken storage.sqlite the folders are scanned, and export still reproduces the golden") {
  TempDir tmp;
  std::string src = CopyGolden(tmp);
  WriteFile(src + "/storage.sqlite", "this is not a database, and it is long enough to look like one");
  Store store = OpenStore(tmp.Sub("store"));
  auto report = Import(store, src, {.recorded_root = kGoldenRoot});
  REQUIRE(report.ok());
  INFO(report->ToString());
  CHECK(report->scanned_folders);
  REQUIRE(report->problems.size() == 1);
  CHECK(report->problems[0].path == "storage.sqlite");
  CHECK(!report->problems[0].fatal);
  CHECK(report->failed.empty());
  CHECK(report->imported.size() == 5);
  CHECK(report->executions == 4);
  auto stats = Export(store, tmp.Sub("out"));
  REQUIRE(stats.ok());
  CHECK(Tree(tmp.Sub("out")) == Tree(kGolden));
  CHECK(MachinableContent(tmp.Sub("out/storage.sqlite"), tmp.Sub("out")) ==
        MachinableContent(kGolden + "/storage.sqlite", kGoldenRoot));
}

TEST_CASE("Integers beyond 64 bits survive import and export") {
  TempDir tmp;
  std::string src = CopyGolden(tmp);
  std::string line =
      R"({"__timestamp": "2023-02-24T10:00:15-05:00", "big": 123456789012345678901234567890, )"
      R"("neg": -99999999999999999999})";
  Append(src + "/rm3SAJ/records/validation.jsonl", line + "\n");
  Store store = OpenStore(tmp.Sub("store"));
  auto report = Import(store, src);
  REQUIRE(report.ok());
  CHECK(report->clean());
  auto stats = Export(store, tmp.Sub("out"));
  REQUIRE(stats.ok());
  CHECK(ReadFile(tmp.Sub("out/rm3SAJ/records/validation.jsonl")) == ReadFile(src + "/rm3SAJ/records/validation.jsonl"));
}

TEST_CASE("An id already used by another experiment is not imported over it") {
  TempDir tmp;
  Store store = OpenStore(tmp.Sub("store"));
  REQUIRE(store.Create({.module = "other", .timestamp = 5, .id = "UM9Dki"}).ok());
  auto report = Import(store, kGolden);
  REQUIRE(report.ok());
  CHECK(report->failed == std::vector<std::string>{"UM9Dki"});
  CHECK(Contains(Errors(*report, "UM9Dki"), "already used in the store by an experiment with timestamp 5"));
  CHECK(store.Find("UM9Dki")->module == "other");
}

TEST_CASE("Import refuses a missing source, a file, and a read-only store") {
  TempDir tmp;
  Store store = OpenStore(tmp.Sub("store"));
  CHECK(Code(Import(store, tmp.Sub("missing"))) == "NotFound");
  WriteFile(tmp.Sub("file"), "x");
  CHECK(Code(Import(store, tmp.Sub("file"))) == "InvalidArgument");
  REQUIRE(store.Close().ok());
  auto reader = Store::Open({.read_only = true}, tmp.Sub("store"));
  REQUIRE(reader.ok());
  CHECK(Code(Import(*reader, kGolden)) == "InvalidArgument");
}

TEST_CASE("Lineage, execution fields and a NaN config survive import and export byte for byte") {
  TempDir tmp;
  std::string src = CopyGolden(tmp);
  auto edit = [&](const std::string& rel, const std::string& from, const std::string& to) {
    std::string text = ReadFile(src + "/" + rel);
    REQUIRE(text.find(from) != std::string::npos);
    text.replace(text.find(from), from.size(), to);
    WriteFile(src + "/" + rel, text);
  };
  edit("UM9Dki/experiment.json", R"("lineage": ["machinable.experiment", "machinable.element"])",
       R"("lineage": ["lab.base", "machinable.experiment", "machinable.element"])");
  edit("UM9Dki/experiment.json", R"("verbose": true)", R"("verbose": NaN)");
  const std::string x = "rm3SAJ/execution-2023-02-24T150002_345678_0000/execution.json";
  edit(x, R"("version": [], "config": null, "predicate": null, "lineage": ["machinable.element"], "resources": null)",
       R"("version": [{"gpus": 2}], "config": {"gpus": 2, "queue": "long"}, "predicate": {"gpus": 2}, )"
       R"("lineage": ["lab.slurm", "machinable.execution", "machinable.element"], "resources": {"gpus": Infinity})");
  Store store = OpenStore(tmp.Sub("store"));
  auto report = Import(store, src);
  REQUIRE(report.ok());
  CHECK(report->failed.empty());
  CHECK(report->problems.empty());
  auto e = store.Find("UM9Dki");
  REQUIRE(e.ok());
  CHECK(e->lineage == R"(["lab.base","machinable.experiment","machinable.element"])");
  CHECK(e->config.find("NaN") != std::string::npos);
  auto again = store.Get(e->module, e->config);  // a NaN config is found like any other
  REQUIRE(again.ok());
  CHECK(again->id == "UM9Dki");
  REQUIRE(Export(store, tmp.Sub("out")).ok());
  for (const std::string& rel : {std::string("UM9Dki/experiment.json"), x}) {
    CAPTURE(rel);
    CHECK(ReadFile(tmp.Sub("out") + "/" + rel) == ReadFile(src + "/" + rel));
  }
  CHECK(Query(tmp.Sub("out") + "/storage.sqlite",
              "SELECT config, version, predicate FROM executions WHERE storage_id LIKE '%150002_345678_0000'") ==
        R"({"gpus":2,"queue":"long"}|[{"gpus":2}]|{"gpus":2})" "\n");
}

TEST_CASE("Details labstore does not store are reported as warnings") {
  TempDir tmp;
  std::string src = CopyGolden(tmp);
  std::string model = ReadFile(src + "/UM9Dki/group.json");
  model.replace(model.find("[\"machinable.element\"]"), std::string("[\"machinable.element\"]").size(),
                "[\"lab.group\", \"machinable.element\"]");
  WriteFile(src + "/UM9Dki/group.json", model);
  Store store = OpenStore(tmp.Sub("store"));
  auto report = Import(store, src);
  REQUIRE(report.ok());
  CHECK(report->failed.empty());
  REQUIRE(report->problems.size() == 1);
  CHECK(!report->problems[0].fatal);
  CHECK(report->problems[0].path == "UM9Dki/group.json");
  CHECK(report->problems[0].message.find("will be exported differently") != std::string::npos);
}

TEST_CASE("The recorded root is the folder of the non-derived experiments") {
  using internal::DetectRoot;
  CHECK(DetectRoot({}) == "");
  CHECK(DetectRoot({{"rm3SAJ", "/srv/lab/storage/rm3SAJ"},
                    {"a5AEr5", "/srv/lab/storage/rm3SAJ/derived/a5AEr5"},
                    {"HzaTkK", "/srv/lab/storage/HzaTkK"}}) == "/srv/lab/storage");
  CHECK(DetectRoot({{"a5AEr5", "/x/rm3SAJ/derived/a5AEr5"}}) == "/x");
  CHECK(DetectRoot({{"a5AEr5", "/x/rm3SAJ/derived/b5AEr5/derived/a5AEr5"}}) == "/x");
  CHECK(DetectRoot({{"rm3SAJ", "/rm3SAJ"}}) == "/");
  // A row that does not follow the layout does not vote.
  CHECK(DetectRoot({{"rm3SAJ", "/a/rm3SAJ"}, {"HzaTkK", "/a/HzaTkK"}, {"UM9Dki", "/b/c"}}) == "/a");
}

}  // TEST_SUITE

}  // namespace
}  // namespace labstore::test
