#include <doctest/doctest.h>

#include "labstore/labstore.h"
#include "test_util.h"

namespace labstore {
namespace {

using test::Code;
using test::TempDir;

TEST_SUITE("experiment") {

TEST_CASE("An execution keeps nickname, timestamp, host info, members, resources and env") {
  TempDir tmp;
  Store store = test::OpenStore(tmp.Sub("s"));
  auto a = store.Create({.module = "m", .config = R"({"a": 1})"});
  auto b = store.Create({.module = "m", .config = R"({"b": 1})"});
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  auto x = store.CreateExecution({.members = {a->id, b->id},
                                  .host_info = R"({"hostname": "golden-host", "argv": ["x"]})",
                                  .nickname = "falu_ivy",
                                  .timestamp = 1677250802.345678,
                                  .resources = {{b->id, R"({"cpu": 2})"}}});
  REQUIRE(x.ok());
  CHECK(x->number > 0);
  CHECK(x->module == "machinable.execution");
  REQUIRE(store.SetExecutionEnv(x->number, b->id, R"({"hostname": "node7"})").ok());
  auto found = store.FindExecution(x->number);
  REQUIRE(found.ok());
  CHECK(found->nickname == "falu_ivy");
  CHECK(found->timestamp == 1677250802.345678);
  CHECK(found->host_info == R"({"hostname":"golden-host","argv":["x"]})");
  CHECK(found->members == std::vector<std::string>{a->id, b->id});
  REQUIRE(found->resources.size() == 2);
  CHECK(found->resources[0] == std::pair<std::string, std::string>{b->id, R"({"cpu":2})"});
  CHECK(found->resources[1] == std::pair<std::string, std::string>{a->id, "{}"});
  REQUIRE(found->env.size() == 1);
  CHECK(found->env[0].second == R"({"hostname":"node7"})");
  // A re-launch creates a second execution; both are kept, oldest first.
  auto again = store.CreateExecution({.members = {a->id}});
  REQUIRE(again.ok());
  CHECK(again->number > x->number);
  CHECK_FALSE(again->nickname.empty());
  CHECK(again->timestamp > 1700000000.0);
  auto of_a = store.Executions(a->id);
  REQUIRE(of_a.ok());
  REQUIRE(of_a->size() == 2);
  CHECK((*of_a)[0].number == x->number);
  CHECK((*of_a)[1].number == again->number);
  auto of_b = store.Executions(b->id);
  REQUIRE(of_b.ok());
  CHECK(of_b->size() == 1);
}

TEST_CASE("An execution keeps its version, config, predicate, lineage and requested resources") {
  TempDir tmp;
  Store store = test::OpenStore(tmp.Sub("s"));
  auto a = store.Create({.module = "m"});
  REQUIRE(a.ok());
  auto plain = store.CreateExecution({.members = {a->id}});
  REQUIRE(plain.ok());
  CHECK(plain->version == "[]");
  CHECK(plain->config == "null");
  CHECK(plain->predicate == "null");
  CHECK(plain->lineage == R"(["machinable.element"])");
  CHECK(plain->requested_resources == "null");
  auto x = store.CreateExecution({.members = {a->id},
                                  .version = R"([{"gpus": 2}])",
                                  .config = R"({"queue": "long"})",
                                  .predicate = R"({"gpus": 2})",
                                  .lineage = R"(["lab.slurm", "machinable.element"])",
                                  .requested_resources = R"({"gpus": Infinity})"});
  REQUIRE(x.ok());
  auto found = store.FindExecution(x->number);
  REQUIRE(found.ok());
  CHECK(found->version == R"([{"gpus":2}])");
  CHECK(found->config == R"({"queue":"long"})");
  CHECK(found->predicate == R"({"gpus":2})");
  CHECK(found->lineage == R"(["lab.slurm","machinable.element"])");
  CHECK(found->requested_resources == R"({"gpus":Infinity})");
  CHECK(store.FindExecution(plain->number)->lineage == R"(["machinable.element"])");
}

TEST_CASE("Execution errors: no members, unknown member, bad JSON, foreign resources, unknown number") {
  TempDir tmp;
  Store store = test::OpenStore(tmp.Sub("s"));
  auto a = store.Create({.module = "m"});
  REQUIRE(a.ok());
  CHECK(Code(store.CreateExecution({})) == "InvalidArgument");
  auto unknown = store.CreateExecution({.members = {"zzzzzz"}});
  CHECK(Code(unknown) == "InvalidArgument");
  CHECK(unknown.status().message().find("\"zzzzzz\"") != std::string::npos);
  CHECK(Code(store.CreateExecution({.members = {a->id, a->id}})) == "InvalidArgument");
  CHECK(Code(store.CreateExecution({.members = {a->id}, .host_info = "[]"})) == "InvalidArgument");
  CHECK(Code(store.CreateExecution({.members = {a->id}, .resources = {{"rm3SAJ", "{}"}}})) == "InvalidArgument");
  CHECK(Code(store.CreateExecution({.members = {a->id}, .resources = {{a->id, "1"}}})) == "InvalidArgument");
  CHECK(Code(store.CreateExecution({.members = {a->id}, .version = "{}"})) == "InvalidArgument");
  CHECK(Code(store.CreateExecution({.members = {a->id}, .config = "{nope"})) == "InvalidArgument");
  auto bad_lineage = store.CreateExecution({.members = {a->id}, .lineage = "[1]"});
  CHECK(Code(bad_lineage) == "InvalidArgument");
  CHECK(bad_lineage.status().message().find("array of strings") != std::string::npos);
  CHECK(Code(store.FindExecution(1)) == "NotFound");
  CHECK(Code(store.SetExecutionEnv(1, a->id, "{}")) == "NotFound");
  auto x = store.CreateExecution({.members = {a->id}});
  REQUIRE(x.ok());
  CHECK(store.Executions(a->id)->size() == 1);  // failed attempts stored nothing
  CHECK(Code(store.SetExecutionEnv(x->number, "rm3SAJ", "{}")) == "InvalidArgument");
  CHECK(Code(store.SetExecutionEnv(x->number, a->id, "nope")) == "InvalidArgument");
  CHECK(Code(store.Executions("zzzzzz")) == "NotFound");
}

}  // TEST_SUITE
}  // namespace
}  // namespace labstore
