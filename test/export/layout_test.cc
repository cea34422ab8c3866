// machinable's files made from labstore's experiments (lib/export/layout.h),
// against the golden storage.
#include "export/layout.h"

#include <doctest/doctest.h>

#include "export/manifest.h"
#include "export/safe_dir.h"
#include "export_test_util.h"

namespace labstore::internal {
namespace {

using test::kGolden;

PyJson Parse(const std::string& text) {
  auto v = ParsePyJson(text);
  REQUIRE(v.ok());
  return *v;
}

TEST_SUITE("export") {

TEST_CASE("Execution folders are named by the UTC time of the float timestamp") {
  CHECK(ExecutionFolder(1677250802.345678) == "execution-2023-02-24T150002_345678_0000");
  CHECK(ExecutionFolder(1677250820.123454) == "execution-2023-02-24T150020_123454_0000");
  CHECK(ExecutionFolder(1677250845.679007) == "execution-2023-02-24T150045_679007_0000");
  CHECK(ExecutionFolder(0.0) == "execution-1970-01-01T000000_000000_0000");
  // Microseconds round half-even as datetime.utcfromtimestamp, carrying into the second.
  CHECK(ExecutionFolder(1677250802.9999996) == "execution-2023-02-24T150003_000000_0000");
  CHECK(ExecutionFolder(0.0000005) == "execution-1970-01-01T000000_000000_0000");
  CHECK(ExecutionFolder(0.0000015) == "execution-1970-01-01T000000_000002_0000");
}

TEST_CASE("The derived predicate equals machinable's for every golden experiment") {
  for (const char* folder : {"rm3SAJ", "HzaTkK", "rm3SAJ/derived/a5AEr5", "UM9Dki", "6qjs64"}) {
    PyJson model = Parse(test::ReadFile(kGolden + "/" + folder + "/experiment.json"));
    PyJson derived = DerivePredicate(*model.Find("config"), *model.Find("version"));
    CHECK(DumpPyJson(derived, PyDialect::kFile) == DumpPyJson(*model.Find("predicate"), PyDialect::kFile));
  }
}

TEST_CASE("The derived predicate of a config without machinable's introspection keys") {
  PyJson config = Parse(R"({"lr": 0.1, "hidden_": 3, "net": {"width": 2, "seed_": 1}})");
  PyJson version = Parse(R"([{"lr": 0.1}, "~fast", "dbg_", {"net": {"width": 2}}, {"x_": 1}])");
  CHECK(DumpPyJson(DerivePredicate(config, version), PyDialect::kFile) ==
        R"({"config_update": {"lr": 0.1, "net": {"width": 2}}, "config_update_": {"lr": 0.1, "net": {"width": 2}, "x_": 1}, )"
        R"("config": {"lr": 0.1, "net": {"width": 2}}, "config_": {"lr": 0.1, "hidden_": 3, "net": {"width": 2, "seed_": 1}}, )"
        R"("version": [{"lr": 0.1}, "~fast", {"net": {"width": 2}}], )"
        R"("version_": [{"lr": 0.1}, "~fast", "dbg_", {"net": {"width": 2}}, {"x_": 1}]})");
}

TEST_CASE("Model files of an experiment are machinable's, byte for byte") {
  Experiment e;
  e.id = "rm3SAJ";
  e.module = "estimate_gravity";
  PyJson golden = Parse(test::ReadFile(kGolden + "/rm3SAJ/experiment.json"));
  e.config = DumpPyJson(*golden.Find("config"), PyDialect::kFile);
  e.version = R"([{"time_dilation": 2.0}])";
  e.uses = R"([{"module": "dataset", "version": [{"name": "cifar"}], "config": null, "predicate": null, "lineage": ["machinable.element"]}])";
  e.seed = 252105539;
  e.timestamp = 1677250801;
  e.group_pattern = "%Y_%U_%a/";
  e.group_path = "2023_08_Fri/";
  e.project = "lab";
  e.project_directory = "/srv/lab";
  auto m = ModelOf(e);  // no stored predicate: derived
  REQUIRE(m.ok());
  CHECK(ExperimentJson(e, *m) == test::ReadFile(kGolden + "/rm3SAJ/experiment.json"));
  CHECK(ProjectJson(e) == test::ReadFile(kGolden + "/rm3SAJ/project.json"));
  CHECK(GroupJson(e) == test::ReadFile(kGolden + "/rm3SAJ/group.json"));
  CHECK(UsesJson(*m) == test::ReadFile(kGolden + "/rm3SAJ/uses.json"));

  Execution x{.number = 1, .module = "machinable.execution", .nickname = "falu_ivy", .timestamp = 1677250802.345678};
  x.host_info = test::ReadFile(kGolden + "/rm3SAJ/execution-2023-02-24T150002_345678_0000/env.json");
  auto json = ExecutionJson(x);
  REQUIRE(json.ok());
  CHECK(*json == test::ReadFile(kGolden + "/rm3SAJ/execution-2023-02-24T150002_345678_0000/execution.json"));

  auto started = ParseIso("2023-02-24T10:00:47.901229-05:00");
  auto again = ParseIso("2023-02-24T10:00:53.456784-05:00");
  REQUIRE(started.ok());
  REQUIRE(again.ok());
  CHECK(StartedAtFile({*started, *again}) == test::ReadFile(kGolden + "/6qjs64/started_at"));
  CHECK(InstantFile(*again) == "2023-02-24T10:00:53.456784-05:00");
}

TEST_CASE("A stored predicate is exported as stored, a broken one is an error") {
  Experiment e{.id = "rm3SAJ", .module = "m", .config = "{}", .version = "[]", .predicate = R"({"b": 1, "a": 2})"};
  auto m = ModelOf(e);
  REQUIRE(m.ok());
  CHECK(DumpPyJson(m->predicate, PyDialect::kFile) == R"({"b": 1, "a": 2})");
  e.predicate = "{";
  CHECK(test::Code(ModelOf(e)) == "InvalidArgument");
}

TEST_CASE("The export manifest round-trips and rejects damage") {
  Manifest m;
  m.root = "/data/out";
  m.experiments["rm3SAJ"] = {.folder = "rm3SAJ",
                             .files = {{"experiment.json", ContentTag("x")}},
                             .data = {{"data/a.txt", "00ff"}},
                             .records = {{"default", {3, 345}}}};
  auto back = DecodeManifest(EncodeManifest(m));
  REQUIRE(back.ok());
  CHECK(back->root == "/data/out");
  CHECK(back->experiments.at("rm3SAJ").files.at("experiment.json") == ContentTag("x"));
  CHECK(back->experiments.at("rm3SAJ").records.at("default") == std::make_pair(uint64_t{3}, uint64_t{345}));
  CHECK(test::Code(DecodeManifest("{")) == "Corruption");
  CHECK(test::Code(DecodeManifest(R"({"labstore_export": 99, "root": "/", "experiments": {}})")) == "NotSupported");
  CHECK(test::Code(DecodeManifest(R"({"labstore_export": 1, "root": 3, "experiments": {}})")) == "Corruption");
}

TEST_CASE("SafeDir refuses paths that leave the root and does not follow links") {
  test::TempDir tmp;
  std::filesystem::create_directories(tmp.Sub("root/a"));
  std::filesystem::create_directories(tmp.Sub("outside"));
  std::filesystem::create_directory_symlink(tmp.Sub("outside"), tmp.Sub("root/link"));
  auto root = SafeDir::Open(tmp.Sub("root"), false);
  REQUIRE(root.ok());
  for (const char* bad : {"", "/etc/passwd", "../x", "a/../../x", "a//b", "a/./b", "a/"}) {
    CAPTURE(bad);
    CHECK(test::Code(root->WriteAtomic(bad, "x", 0644, false)) == "InvalidArgument");
  }
  CHECK(test::Code(root->WriteAtomic(std::string("a\0b", 3), "x", 0644, false)) == "InvalidArgument");
  Status s = root->WriteAtomic("link/x", "x", 0644, false);
  CHECK(test::Code(s) == "InvalidArgument");
  CHECK(s.message().find("symbolic link") != std::string::npos);
  CHECK(test::Code(root->Read("link/x")) == "InvalidArgument");
  CHECK(!std::filesystem::exists(tmp.Sub("outside/x")));
  // A symlink as the final name is replaced, not written through.
  std::filesystem::create_symlink(tmp.Sub("outside/target"), tmp.Sub("root/a/file"));
  REQUIRE(root->WriteAtomic("a/file", "new", 0644, false).ok());
  CHECK(!std::filesystem::exists(tmp.Sub("outside/target")));
  CHECK(!std::filesystem::is_symlink(tmp.Sub("root/a/file")));
  CHECK(test::ReadFile(tmp.Sub("root/a/file")) == "new");
  // RemoveTree removes a link, not what it points to.
  test::WriteFile(tmp.Sub("outside/keep"), "k");
  REQUIRE(root->RemoveTree("link").ok());
  CHECK(std::filesystem::exists(tmp.Sub("outside/keep")));
}

TEST_CASE("SafeDir writes atomically and sweeps temporaries") {
  test::TempDir tmp;
  auto root = SafeDir::Open(tmp.Sub("root"), true);
  REQUIRE(root.ok());
  REQUIRE(root->WriteAtomic("a/b/c.txt", "one", 0644, true).ok());
  auto f = root->CreateAtomic("a/b/c.txt", 0644);
  REQUIRE(f.ok());
  REQUIRE(f->CopyExisting().ok());
  REQUIRE(f->Append("+two").ok());
  CHECK(test::ReadFile(tmp.Sub("root/a/b/c.txt")) == "one");  // not yet committed
  REQUIRE(f->Commit(false).ok());
  CHECK(test::ReadFile(tmp.Sub("root/a/b/c.txt")) == "one+two");
  {
    auto abandoned = root->CreateAtomic("a/d.txt", 0644);
    REQUIRE(abandoned.ok());
    REQUIRE(abandoned->Append("x").ok());
  }
  CHECK(!std::filesystem::exists(tmp.Sub("root/a/d.txt")));
  CHECK(root->List("a")->size() == 1);  // the abandoned temporary is gone
  test::WriteFile(tmp.Sub("root/a/.labstore-tmp.left.123"), "partial");
  std::filesystem::create_directories(tmp.Sub("root/.labstore-tmp.dir/x"));
  auto swept = root->SweepTemporaries();
  REQUIRE(swept.ok());
  CHECK(*swept == 2);
  CHECK(test::Tree(tmp.Sub("root")).size() == 1);
}

}  // TEST_SUITE

}  // namespace
}  // namespace labstore::internal
