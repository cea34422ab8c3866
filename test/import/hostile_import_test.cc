// Import of hostile machinable folders: one mutation of a copy of the golden
// storage per case. Each case checks that the report names the file and the
// problem, that the other experiments still import, and that nothing outside
// the store is created or changed (neither a sibling "outside" folder, which
// links and paths point into, nor the source itself).
// (import_test.cc covers a records line with bad JSON, a missing
// experiment.json, a ".." storage id of an experiment and a link to /etc.)
#include <sys/stat.h>

#include <filesystem>
#include <algorithm>
#include <map>
#include <set>

#include <doctest/doctest.h>

#include "export/export_test_util.h"
#include "json/py_json.h"
#include "labstore/data.h"

namespace labstore::test {
namespace {

namespace fs = std::filesystem;
using internal::PyJson;

const std::vector<std::string> kAll = {"rm3SAJ", "HzaTkK", "a5AEr5", "UM9Dki", "6qjs64"};

// Every entry below `dir`, links not followed: kind, bytes, mode and mtime.
std::map<std::string, std::string> Snapshot(const std::string& dir) {
  std::map<std::string, std::string> out;
  for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator(); ++it) {
    struct stat st;
    REQUIRE(::lstat(it->path().c_str(), &st) == 0);
    std::string what = std::to_string(st.st_mode) + " " + std::to_string(st.st_mtim.tv_sec) + "." +
                       std::to_string(st.st_mtim.tv_nsec) + " ";
    if (it->is_symlink()) {
      what += "-> " + fs::read_symlink(it->path()).string();
    } else if (it->is_regular_file()) {
      what += ReadFile(it->path().string());
    }
    out[fs::relative(it->path(), dir).string()] = what;
  }
  return out;
}

// The ids in `all` but not in `but`, in the golden's order.
std::vector<std::string> AllBut(const std::vector<std::string>& but) {
  std::vector<std::string> out;
  for (const std::string& id : kAll) {
    if (std::find(but.begin(), but.end(), id) == but.end()) out.push_back(id);
  }
  return out;
}

// A copy of the golden in tmp/src, a folder tmp/outside holding a secret, a
// records file and a copy of one experiment; Run imports into tmp/store.
struct Hostile {
  TempDir tmp;
  std::string src = CopyGolden(tmp);
  std::string outside = tmp.Sub("outside");
  Store store = OpenStore(tmp.Sub("store"));

  Hostile() {
    fs::create_directory(outside);
    WriteFile(outside + "/secret.txt", "not for the store\n");
    WriteFile(outside + "/stolen.jsonl", "{\"__timestamp\": \"2023-02-24T10:00:26-05:00\", \"secret\": 1}\n");
    fs::copy(src + "/HzaTkK", outside + "/HzaTkK", fs::copy_options::recursive);
  }

  // Replaces (or adds) `key` of the JSON object in `rel`.
  void SetField(const std::string& rel, const std::string& key, PyJson value) {
    auto model = internal::ParsePyJson(ReadFile(src + "/" + rel));
    REQUIRE(model.ok());
    model->Set(key, std::move(value));
    WriteFile(src + "/" + rel, internal::DumpPyJson(*model, internal::PyDialect::kFile));
  }

  // Imports src; checks that only the store changed.
  ImportReport Run() {
    auto outside_before = Snapshot(outside);
    auto src_before = Snapshot(src);
    auto report = Import(store, src);
    REQUIRE_MESSAGE(report.ok(), report.status().ToString());
    CHECK(Snapshot(outside) == outside_before);
    CHECK(Snapshot(src) == src_before);
    std::set<std::string> top;
    for (const auto& e : fs::directory_iterator(tmp.path())) top.insert(e.path().filename().string());
    CHECK(top == std::set<std::string>{"outside", "src", "store"});
    for (const std::string& id : report->imported) CHECK(store.Find(id).ok());
    for (const std::string& id : report->failed) CHECK(Code(store.Find(id)) == "NotFound");
    return std::move(*report);
  }
};

TEST_SUITE("import") {

TEST_CASE("Hostile: bad JSON in experiment.json is named with its position; the others import") {
  Hostile h;
  WriteFile(h.src + "/HzaTkK/experiment.json",
            "{\"module\": \"estimate_gravity\", \"config\": {\"time_dilation\": 0.5,,}");
  ImportReport r = h.Run();
  INFO(r.ToString());
  CHECK(r.failed == std::vector<std::string>{"HzaTkK"});
  CHECK(r.imported == AllBut({"HzaTkK"}));
  CHECK(Contains(Errors(r, "HzaTkK"), "HzaTkK/experiment.json: invalid JSON in HzaTkK/experiment.json: Expecting "
                                      "property name enclosed in double quotes at line 1 column 64 (byte 63)"));
}

TEST_CASE("Hostile: a 64 MiB records line is refused by its length; the others import" * doctest::test_suite("slow")) {
  Hostile h;
  std::string line = "{\"__timestamp\": \"2023-02-24T10:00:26-05:00\", \"s\": \"";
  line.append(64u << 20, 'x');
  line += "\"}\n";
  WriteFile(h.src + "/HzaTkK/records/huge.jsonl", line);
  ImportReport r = h.Run();
  INFO(r.ToString().substr(0, 2000));
  CHECK(r.failed == std::vector<std::string>{"HzaTkK"});
  CHECK(r.imported == AllBut({"HzaTkK"}));
  CHECK(Contains(Errors(r, "HzaTkK"), "HzaTkK/records/huge.jsonl: line 1: longer than 4194304 bytes"));
}

TEST_CASE("Hostile: a seed, config or timestamp of the wrong type is named; the others import") {
  Hostile h;
  h.SetField("HzaTkK/experiment.json", "seed", PyJson::String("1100667722"));
  h.SetField("UM9Dki/experiment.json", "config", PyJson::Array({PyJson::Int(1), PyJson::Int(2)}));
  h.SetField("6qjs64/experiment.json", "timestamp", PyJson::String("1677250816"));
  ImportReport r = h.Run();
  INFO(r.ToString());
  CHECK(r.failed == std::vector<std::string>{"HzaTkK", "UM9Dki", "6qjs64"});
  CHECK(r.imported == AllBut({"HzaTkK", "UM9Dki", "6qjs64"}));
  CHECK(Contains(Errors(r, "HzaTkK"), "HzaTkK/experiment.json: \"seed\" is missing or not an integer"));
  CHECK(Contains(Errors(r, "UM9Dki"), "UM9Dki/experiment.json: \"config\" is not an object"));
  CHECK(Contains(Errors(r, "6qjs64"), "6qjs64/experiment.json: \"timestamp\" is missing or not an integer"));
}

TEST_CASE("Hostile: absolute and '..' paths in storage.sqlite leave their rows out; nothing is read there") {
  Hostile h;
  const std::string x45 = "execution-2023-02-24T150045_679007_0000", x52 = "execution-2023-02-24T150052_345673_0000";
  fs::copy(h.src + "/6qjs64/" + x45, h.outside + "/" + x45, fs::copy_options::recursive);
  Sql(h.src + "/storage.sqlite", "UPDATE experiments SET storage_id = '" + h.outside + "/HzaTkK' WHERE id = 2;"
                                 "UPDATE executions SET storage_id = '/srv/lab/storage/6qjs64/../../../.." + h.outside +
                                     "/" + x45 + "' WHERE id = 3;"
                                     "UPDATE executions SET storage_id = '/" + x52 + "' WHERE id = 4;");
  ImportReport r = h.Run();
  INFO(r.ToString());
  CHECK(r.failed == std::vector<std::string>{"HzaTkK"});
  CHECK(r.imported == AllBut({"HzaTkK"}));
  CHECK(Contains(Errors(r, "HzaTkK"), "storage id \"" + h.outside + "/HzaTkK\" is not below the recorded root"));
  CHECK(Contains(Errors(r, ""), "6qjs64/../../../.." + h.outside + "/" + x45 + "\" escapes the storage"));
  CHECK(Contains(Errors(r, ""), "storage id \"/" + x52 + "\" is not below the recorded root"));
  CHECK(r.executions == 2);
}

TEST_CASE("Hostile: symbolic links in data/ and records/ pointing outside leave their experiments out") {
  Hostile h;
  fs::create_symlink(h.outside + "/secret.txt", h.src + "/HzaTkK/data/leak.txt");
  fs::create_directory(h.src + "/UM9Dki/records");
  fs::create_symlink("../../../outside/stolen.jsonl", h.src + "/UM9Dki/records/stolen.jsonl");
  ImportReport r = h.Run();
  INFO(r.ToString());
  CHECK(r.failed == std::vector<std::string>{"HzaTkK", "UM9Dki"});
  CHECK(r.imported == AllBut({"HzaTkK", "UM9Dki"}));
  CHECK(Contains(Errors(r, "HzaTkK"), "HzaTkK/data/leak.txt: a symbolic link"));
  CHECK(Contains(Errors(r, "UM9Dki"), "UM9Dki/records/stolen.jsonl: a symbolic link"));
}

TEST_CASE("Hostile: a symbolic link in place of an experiment folder is not followed") {
  Hostile h;
  fs::remove_all(h.src + "/HzaTkK");
  fs::create_directory_symlink(h.outside + "/HzaTkK", h.src + "/HzaTkK");
  SUBCASE("listed in storage.sqlite") {
    ImportReport r = h.Run();
    INFO(r.ToString());
    CHECK(r.failed == std::vector<std::string>{"HzaTkK"});
    CHECK(r.imported == AllBut({"HzaTkK"}));
    CHECK(Contains(Errors(r, "HzaTkK"), "HzaTkK/experiment.json: refusing to follow the symbolic link"));
  }
  SUBCASE("found by scanning the folders") {
    WriteFile(h.src + "/storage.sqlite", "not a database");
    ImportReport r = h.Run();
    INFO(r.ToString());
    CHECK(r.failed.empty());
    CHECK(r.imported.size() == 4);
    CHECK(Contains(Errors(r, ""), "HzaTkK: a symbolic link"));
  }
}

}  // TEST_SUITE

}  // namespace
}  // namespace labstore::test
