// machinable's files made from labstore's experiments (lib/layout/layout.h),
// against the golden storage.
#include "layout/layout.h"

#include <doctest/doctest.h>

#include "export/export_test_util.h"

namespace labstore::internal {
namespace {

using test::kGolden;

PyJson Parse(const std::string& text) {
  auto v = ParsePyJson(text);
  REQUIRE(v.ok());
  return *v;
}

TEST_SUITE("layout") {

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
        R"({"config_update": {"lr": 0.1, "net": {"width": 2}}, )"
        R"("config_update_": {"lr": 0.1, "net": {"width": 2}, "x_": 1}, )"
        R"("config": {"lr": 0.1, "net": {"width": 2}}, )"
        R"("config_": {"lr": 0.1, "hidden_": 3, "net": {"width": 2, "seed_": 1}}, )"
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
  e.uses = R"([{"module": "dataset", "version": [{"name": "cifar"}], "config": null, "predicate": null, )"
           R"("lineage": ["machinable.element"]}])";
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

}  // TEST_SUITE

}  // namespace
}  // namespace labstore::internal
