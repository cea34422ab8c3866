#include <string>

#include <doctest/doctest.h>

#include "labstore/labstore.h"
#include "store/store_state.h"
#include "test_util.h"

namespace labstore {
namespace {

using test::Code;
using test::TempDir;

TEST_SUITE("experiment") {

TEST_CASE("Create stores an experiment that Find returns with every field") {
  TempDir tmp;
  Store store = test::OpenStore(tmp.Sub("s"));
  auto e = store.Create({.module = "estimate_gravity",
                         .config = R"({"time_dilation": 2.0, "verbose": true})",
                         .version = R"([{"time_dilation": 2.0}])",
                         .seed = 252105539,
                         .timestamp = 1677250801,
                         .group = "lab-reports/%Y",
                         .project = "lab",
                         .project_directory = "/srv/lab"});
  REQUIRE(e.ok());
  CHECK(e->stored);
  CHECK(e->id.size() == 6);
  auto f = store.Find(e->id);
  REQUIRE(f.ok());
  CHECK(f->id == e->id);
  CHECK(f->module == "estimate_gravity");
  CHECK(f->config == R"({"time_dilation":2.0,"verbose":true})");
  CHECK(f->version == R"([{"time_dilation":2.0}])");
  CHECK(f->seed == 252105539);
  CHECK(f->timestamp == 1677250801);
  CHECK(f->group_pattern == "lab-reports/%Y");
  CHECK(f->group_path.rfind("lab-reports/20", 0) == 0);
  CHECK(f->group_path.size() == std::string("lab-reports/2026").size());
  CHECK(f->project == "lab");
  CHECK(f->project_directory == "/srv/lab");
  CHECK(f->ancestor.empty());
  CHECK(f->stored);
}

TEST_CASE("Get finds the stored experiment for an equal config regardless of key order and number spelling") {
  TempDir tmp;
  Store store = test::OpenStore(tmp.Sub("s"));
  auto e = store.Create(
      {.module = "estimate_gravity", .config = R"({"time_dilation": 2.0, "nested": {"b": 1, "a": [1, 2.5]}})"});
  REQUIRE(e.ok());
  auto g = store.Get("estimate_gravity", R"({"nested": {"a": [1.0, 2.5], "b": 1.0}, "time_dilation": 2})");
  REQUIRE(g.ok());
  CHECK(g->stored);
  CHECK(g->id == e->id);
  // Keys ending in '_' do not take part, as in machinable's predicate.
  auto h =
      store.Get("estimate_gravity", R"({"time_dilation": 2, "nested": {"a": [1, 2.5], "b": 1}, "_raw_": {"x": 1}})");
  REQUIRE(h.ok());
  CHECK(h->id == e->id);
}

TEST_CASE("Get returns a new unstored experiment when nothing equal is stored") {
  TempDir tmp;
  Store store = test::OpenStore(tmp.Sub("s"));
  REQUIRE(store.Create({.module = "m", .config = R"({"x": 1})"}).ok());
  auto other_config = store.Get("m", R"({"x": 2})");
  REQUIRE(other_config.ok());
  CHECK_FALSE(other_config->stored);
  CHECK(other_config->id.empty());
  CHECK(other_config->config == R"({"x":2})");
  auto other_module = store.Get("n", R"({"x": 1})");
  REQUIRE(other_module.ok());
  CHECK_FALSE(other_module->stored);
  // Committing the new one makes Get find it.
  Experiment fresh = *other_config;
  REQUIRE(store.Commit(fresh).ok());
  CHECK(fresh.stored);
  auto again = store.Get("m", R"({"x": 2.0})");
  REQUIRE(again.ok());
  CHECK(again->id == fresh.id);
}

TEST_CASE("Get returns the latest of several experiments with the same config") {
  TempDir tmp;
  Store store = test::OpenStore(tmp.Sub("s"));
  auto a = store.Create({.module = "m", .config = R"({"x": 1})", .timestamp = 100});
  auto b = store.Create({.module = "m", .config = R"({"x": 1})", .timestamp = 50});
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a->id != b->id);
  auto g = store.Get("m", R"({"x": 1})");
  REQUIRE(g.ok());
  CHECK(g->id == b->id);  // latest stored, as machinable's last row
}

TEST_CASE("Commit twice stores once and an explicit id is kept or refused when taken") {
  TempDir tmp;
  Store store = test::OpenStore(tmp.Sub("s"));
  auto made = store.Make({.module = "m", .id = "rm3SAJ"});
  REQUIRE(made.ok());
  CHECK_FALSE(made->stored);
  Experiment e = *made;
  REQUIRE(store.Commit(e).ok());
  CHECK(e.id == "rm3SAJ");
  REQUIRE(store.Commit(e).ok());
  auto all = store.List();
  REQUIRE(all.ok());
  CHECK(all->size() == 1);
  auto dup = store.Create({.module = "m", .config = R"({"other": 1})", .id = "rm3SAJ"});
  CHECK(Code(dup) == "InvalidArgument");
  CHECK(dup.status().message().find("\"rm3SAJ\" is already used") != std::string::npos);
  Experiment foreign;
  foreign.module = "m";
  CHECK(Code(store.Commit(foreign)) == "InvalidArgument");
}

TEST_CASE("Seeds are int32 and drawn when not given; timestamps default to now") {
  TempDir tmp;
  Store store = test::OpenStore(tmp.Sub("s"));
  auto e = store.Create({.module = "m"});
  REQUIRE(e.ok());
  CHECK(e->seed >= 0);
  CHECK(e->timestamp > 1700000000);
  CHECK(Code(store.Create({.module = "m", .seed = -1})) == "InvalidArgument");
}

TEST_CASE("Bad input is InvalidArgument naming the value and the rule, and nothing is stored") {
  TempDir tmp;
  Store store = test::OpenStore(tmp.Sub("s"));
  auto not_object = store.Create({.module = "m", .config = "[1, 2]"});
  CHECK(Code(not_object) == "InvalidArgument");
  CHECK(not_object.status().message().find("config must be a JSON object") != std::string::npos);
  auto not_json = store.Create({.module = "m", .config = "{time_dilation: 2}"});
  CHECK(Code(not_json) == "InvalidArgument");
  CHECK(not_json.status().message().find("invalid JSON in config") != std::string::npos);
  auto empty_module = store.Create({.module = ""});
  CHECK(Code(empty_module) == "InvalidArgument");
  CHECK(empty_module.status().message().find("may not be empty") != std::string::npos);
  auto bad_module = store.Create({.module = "estimate gravity"});
  CHECK(Code(bad_module) == "InvalidArgument");
  CHECK(bad_module.status().message().find("\"estimate gravity\"") != std::string::npos);
  CHECK(Code(store.Create({.module = "../x"})) == "InvalidArgument");
  CHECK(Code(store.Create({.module = std::string(300, 'a')})) == "InvalidArgument");
  CHECK(Code(store.Create({.module = std::string(256, 'a')})) == "OK");
  auto bad_id = store.Create({.module = "m", .id = "0abcde"});
  CHECK(Code(bad_id) == "InvalidArgument");
  CHECK(bad_id.status().message().find("\"0abcde\"") != std::string::npos);
  auto unknown_ancestor = store.Create({.module = "m", .ancestor = "zzzzzz"});
  CHECK(Code(unknown_ancestor) == "InvalidArgument");
  CHECK(unknown_ancestor.status().message().find("unknown ancestor \"zzzzzz\"") != std::string::npos);
  CHECK(Code(store.Create({.module = "m", .version = "{}"})) == "InvalidArgument");
  CHECK(Code(store.Create({.module = "m", .uses = "nope"})) == "InvalidArgument");
  CHECK(Code(store.Get("m", "\"just a string\"")) == "InvalidArgument");
  CHECK(Code(store.Get("", "{}")) == "InvalidArgument");
  auto all = store.List();
  REQUIRE(all.ok());
  CHECK(all->size() == 1);  // only the 256-byte module
}

TEST_CASE("An experiment keeps its lineage; machinable's default when none is given") {
  TempDir tmp;
  Store store = test::OpenStore(tmp.Sub("s"));
  auto plain = store.Create({.module = "m"});
  REQUIRE(plain.ok());
  CHECK(plain->lineage == R"(["machinable.experiment","machinable.element"])");
  auto custom = store.Create({.module = "m", .lineage = R"(["lab.base", "machinable.experiment"])"});
  REQUIRE(custom.ok());
  CHECK(store.Find(custom->id)->lineage == R"(["lab.base","machinable.experiment"])");
  CHECK(store.Find(plain->id)->lineage == R"(["machinable.experiment","machinable.element"])");
  auto bad = store.Create({.module = "m", .lineage = R"(["a", 2])"});
  CHECK(Code(bad) == "InvalidArgument");
  CHECK(bad.status().message().find("array of strings") != std::string::npos);
}

TEST_CASE("A config may hold NaN and Infinity, as Python's json writes them") {
  TempDir tmp;
  Store store = test::OpenStore(tmp.Sub("s"));
  auto e = store.Create({.module = "m", .config = R"({"loss": NaN, "limit": Infinity})"});
  REQUIRE(e.ok());
  CHECK(e->config == R"({"loss":NaN,"limit":Infinity})");
  auto found = store.Get("m", R"({"limit": Infinity, "loss": NaN})");
  REQUIRE(found.ok());
  CHECK(found->stored);
  CHECK(found->id == e->id);
  CHECK_FALSE(store.Get("m", R"({"limit": -Infinity, "loss": NaN})")->stored);
}

TEST_CASE("Find rejects malformed ids and reports unknown ones as NotFound") {
  TempDir tmp;
  Store store = test::OpenStore(tmp.Sub("s"));
  CHECK(Code(store.Find("abc")) == "InvalidArgument");
  CHECK(Code(store.Find("abc-de")) == "InvalidArgument");
  CHECK(Code(store.Find("000000")) == "InvalidArgument");
  auto missing = store.Find("zzzzzz");
  CHECK(Code(missing) == "NotFound");
  CHECK(missing.status().message().find("\"zzzzzz\"") != std::string::npos);
}

TEST_CASE("Derived experiments are listed under their ancestor") {
  TempDir tmp;
  Store store = test::OpenStore(tmp.Sub("s"));
  auto parent = store.Create({.module = "m", .timestamp = 10});
  REQUIRE(parent.ok());
  auto c1 = store.Create({.module = "m", .config = R"({"k": 1})", .ancestor = parent->id});
  auto c2 = store.Create({.module = "m", .config = R"({"k": 2})", .ancestor = parent->id});
  REQUIRE(c1.ok());
  REQUIRE(c2.ok());
  CHECK(c1->ancestor == parent->id);
  CHECK(c1->ancestor_timestamp == 10);
  auto found = store.Find(c1->id);
  REQUIRE(found.ok());
  CHECK(found->ancestor == parent->id);
  auto derived = store.Derived(parent->id);
  REQUIRE(derived.ok());
  REQUIRE(derived->size() == 2);
  CHECK((*derived)[0].id == c1->id);
  CHECK((*derived)[1].id == c2->id);
  auto none = store.Derived(c1->id);
  REQUIRE(none.ok());
  CHECK(none->empty());
  CHECK(Code(store.Derived("zzzzzz")) == "NotFound");
}

TEST_CASE("List filters by module, group, project and time, newest or oldest first") {
  TempDir tmp;
  Store store = test::OpenStore(tmp.Sub("s"));
  REQUIRE(
      store.Create({.module = "a", .config = R"({"i": 1})", .timestamp = 100, .group = "g1", .project = "p1"}).ok());
  REQUIRE(
      store.Create({.module = "b", .config = R"({"i": 2})", .timestamp = 200, .group = "g2", .project = "p1"}).ok());
  REQUIRE(
      store.Create({.module = "a", .config = R"({"i": 3})", .timestamp = 300, .group = "g1", .project = "p2"}).ok());
  REQUIRE(store.Create({.module = "a", .config = R"({"i": 4})", .timestamp = -5, .group = "g2", .project = "p2"}).ok());
  auto configs = [](const Result<std::vector<Experiment>>& r) {
    std::string s;
    for (const auto& e : *r) s += e.config;
    return s;
  };
  auto all = store.List();
  REQUIRE(all.ok());
  CHECK(configs(all) == R"({"i":3}{"i":2}{"i":1}{"i":4})");
  CHECK(configs(store.List({.newest_first = false})) == R"({"i":4}{"i":1}{"i":2}{"i":3})");
  CHECK(configs(store.List({.module = "a"})) == R"({"i":3}{"i":1}{"i":4})");
  CHECK(configs(store.List({.group = "g2"})) == R"({"i":2}{"i":4})");
  CHECK(configs(store.List({.project = "p1"})) == R"({"i":2}{"i":1})");
  CHECK(configs(store.List({.since = 100, .until = 300})) == R"({"i":2}{"i":1})");
  CHECK(configs(store.List({.since = 100, .until = 300, .newest_first = false})) == R"({"i":1}{"i":2})");
  CHECK(configs(store.List({.since = 0, .newest_first = false, .limit = 2})) == R"({"i":1}{"i":2})");
  CHECK(configs(store.List({.until = 0})) == R"({"i":4})");
}

TEST_CASE("Groups resolve their strftime pattern; the default group is %Y_%U_%a/ unless set") {
  TempDir tmp;
  std::string dir = tmp.Sub("s");
  {
    Store store = test::OpenStore(dir);
    auto dflt = store.DefaultGroup();
    REQUIRE(dflt.ok());
    CHECK(*dflt == "%Y_%U_%a/");
    auto e = store.Create({.module = "m"});
    REQUIRE(e.ok());
    CHECK(e->group_pattern == "%Y_%U_%a/");
    CHECK(e->group_path.size() == std::string("2026_47_Thu/").size());
    CHECK(e->group_path.back() == '/');
    auto slash = store.Create({.module = "m", .config = R"({"a": 1})", .group = "/lab-reports/fixed"});
    REQUIRE(slash.ok());
    CHECK(slash->group_pattern == "lab-reports/fixed");
    CHECK(slash->group_path == "lab-reports/fixed");
    REQUIRE(store.SetDefaultGroup("runs/%Y").ok());
    CHECK(Code(store.SetDefaultGroup("")) == "InvalidArgument");
  }
  Store store = test::OpenStore(dir);
  auto dflt = store.DefaultGroup();
  REQUIRE(dflt.ok());
  CHECK(*dflt == "runs/%Y");  // persisted
  auto e = store.Create({.module = "m", .config = R"({"b": 1})"});
  REQUIRE(e.ok());
  CHECK(e->group_path.rfind("runs/20", 0) == 0);
  auto groups = store.Groups();
  REQUIRE(groups.ok());
  CHECK(groups->size() == 3);
  auto verbatim =
      store.Create({.module = "m", .config = R"({"c": 1})", .group = "%Y_%U_%a/", .group_path = "2023_08_Fri/"});
  REQUIRE(verbatim.ok());
  CHECK(verbatim->group_path == "2023_08_Fri/");
}

TEST_CASE("Projects are recorded once by name with their directory") {
  TempDir tmp;
  Store store = test::OpenStore(tmp.Sub("s"));
  REQUIRE(store.Create({.module = "m", .project = "lab", .project_directory = "/srv/lab"}).ok());
  REQUIRE(
      store.Create({.module = "m", .config = R"({"a": 1})", .project = "lab", .project_directory = "/elsewhere"}).ok());
  auto implicit = store.Create({.module = "m", .config = R"({"b": 1})"});
  REQUIRE(implicit.ok());
  CHECK_FALSE(implicit->project.empty());
  CHECK(implicit->project_directory.front() == '/');
  auto projects = store.Projects();
  REQUIRE(projects.ok());
  REQUIRE(projects->size() == 2);
  bool found_lab = false;
  for (const auto& p : *projects) {
    if (p.name == "lab") {
      found_lab = true;
      CHECK(p.directory == "/srv/lab");  // the first directory wins, as in machinable
    }
  }
  CHECK(found_lab);
}

TEST_CASE("A damaged experiment record is Corruption naming it, not a wrong value") {
  TempDir tmp;
  Store store = test::OpenStore(tmp.Sub("s"));
  auto e = store.Create({.module = "m", .config = R"({"x": 1})"});
  REQUIRE(e.ok());
  auto* st = internal::StateOf(store);
  REQUIRE(st->db->Put(rocksdb::WriteOptions(), st->handle(internal::kCfExperiments), e->key, "garbage bytes").ok());
  auto found = store.Find(e->id);
  CHECK(Code(found) == "Corruption");
  CHECK(found.status().message().find("experiment record") != std::string::npos);
  CHECK(Code(store.List()) == "Corruption");
}

TEST_CASE("Experiments survive reopening the store") {
  TempDir tmp;
  std::string dir = tmp.Sub("s");
  std::string id;
  {
    Store store = test::OpenStore(dir);
    auto e = store.Create({.module = "m", .config = R"({"x": [1, 2]})"});
    REQUIRE(e.ok());
    id = e->id;
    REQUIRE(store.Close().ok());
  }
  Store store = test::OpenStore(dir);
  auto g = store.Get("m", R"({"x": [1.0, 2.0]})");
  REQUIRE(g.ok());
  CHECK(g->id == id);
  // Sequence numbers continue after reopening: a new experiment lists after the old one.
  REQUIRE(store.Create({.module = "m", .config = R"({"x": 3})", .timestamp = g->timestamp}).ok());
  auto all = store.List({.newest_first = false});
  REQUIRE(all.ok());
  REQUIRE(all->size() == 2);
  CHECK((*all)[0].id == id);
}

}  // TEST_SUITE
}  // namespace
}  // namespace labstore
