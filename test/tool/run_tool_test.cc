// The labstore command and a simulation's life: `running` in ls/show, and the demo run again after a kill.
#include <sstream>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "labstore/labstore.h"
#include "test_util.h"

namespace labstore {
namespace {

using test::TempDir;

constexpr int64_t kSecond = 1000000;

int Tool(const std::string& store, const std::string& args, std::string* out, const std::string& env = "") {
  return test::RunCommand(env + std::string(LABSTORE_TEST_TOOL) + " --store " + store + " " + args, out);
}

bool Has(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

// The line of `ls` output that names `id`.
std::string LineOf(const std::string& out, const std::string& id) {
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    if (Has(line, id)) return line;
  }
  return "";
}

// The demo's second-pass table without what differs between stores: the id
// (second column) and the time Get took (the last two words).
std::string SecondPassTable(const std::string& out) {
  std::istringstream in(out.substr(out.find("second pass")));
  std::string line, table;
  std::getline(in, line);  // the title
  while (std::getline(in, line) && !line.empty()) {
    std::istringstream words(line);
    std::vector<std::string> w;
    for (std::string word; words >> word;) w.push_back(word);
    if (w.size() < 4) {
      table += "?" + line + "\n";
      continue;
    }
    for (size_t i = 0; i + 2 < w.size(); ++i) {
      if (i != 1) table += w[i] + " ";
    }
    table += "\n";
  }
  return table;
}

std::string Sql(const std::string& db, const std::string& query) {
  std::string out;
  REQUIRE(test::RunCommand("sqlite3 " + db + " \"" + query + "\"", &out) == 0);
  return out;
}

TEST_SUITE("tool") {

TEST_CASE("ls and show say running while the heartbeat is at most 45 s old, then incomplete") {
  TempDir tmp;
  std::string store = tmp.Sub("s");
  Store s = test::OpenStore(store);
  auto live = s.Create({.module = "live"});
  auto late = s.Create({.module = "late"});
  auto dead = s.Create({.module = "dead"});
  auto done = s.Create({.module = "done"});
  REQUIRE((live.ok() && late.ok() && dead.ok() && done.ok()));
  auto run = Run::Start(s, live->id, {.heartbeat_interval_ms = 50});
  REQUIRE(run.ok());
  Timestamp now = Now();
  // A 15 s heartbeat that is 40 s old has missed two beats, but is alive by the 45 s window.
  REQUIRE(s.MarkStarted(late->id, {now.unix_micros - 60 * kSecond, 0}).ok());
  REQUIRE(s.UpdateHeartbeat(late->id, {now.unix_micros - 40 * kSecond, 0}).ok());
  REQUIRE(s.MarkStarted(dead->id, {now.unix_micros - 60 * kSecond, 0}).ok());
  REQUIRE(s.UpdateHeartbeat(dead->id, {now.unix_micros - 50 * kSecond, 0}).ok());
  auto finished = Run::Start(s, done->id);
  REQUIRE(finished.ok());
  REQUIRE(finished->Finish().ok());

  std::string out;
  REQUIRE(Tool(store, "ls", &out) == 0);
  CHECK(Has(LineOf(out, live->id), "running"));
  CHECK(Has(LineOf(out, late->id), "running"));
  CHECK(Has(LineOf(out, dead->id), "incomplete"));
  CHECK(Has(LineOf(out, done->id), "finished"));

  REQUIRE(Tool(store, "ls --status running", &out) == 0);
  CHECK(Has(out, live->id));
  CHECK(Has(out, late->id));
  CHECK_FALSE(Has(out, dead->id));
  REQUIRE(Tool(store, "ls --status active", &out) == 0);  // the old word still selects them
  CHECK(Has(out, live->id));
  REQUIRE(Tool(store, "ls --status incomplete", &out) == 0);
  CHECK(Has(out, dead->id));
  CHECK_FALSE(Has(out, live->id));

  REQUIRE(Tool(store, "show " + live->id, &out) == 0);
  CHECK(Has(out, "status running"));
  REQUIRE(Tool(store, "show " + live->id + " --json", &out) == 0);
  CHECK(Has(out, "\"status\": \"running\""));
  REQUIRE(Tool(store, "show " + dead->id, &out) == 0);
  CHECK(Has(out, "status incomplete"));
  REQUIRE(run->Finish().ok());
}

TEST_CASE("demo killed partway runs again to the end, with the tables of an uninterrupted run") {
  TempDir tmp;
  std::string killed = tmp.Sub("killed"), clean = tmp.Sub("clean");
  std::string args = "demo --rows 3000 --experiments 3 --export ";
  std::string out;
  // Killed (SIGKILL) halfway through the second experiment, after storing some of its rows.
  CHECK(Tool(killed, args + tmp.Sub("x1"), &out, "LABSTORE_DEMO_KILL_AFTER=1 ") == 128 + 9);
  {
    auto s = Store::Open({.read_only = true}, killed);
    REQUIRE(s.ok());
    auto list = s->List({.newest_first = false});
    REQUIRE(list.ok());
    REQUIRE(list->size() == 2);
    CHECK(s->GetStatus((*list)[0].id)->IsFinished());
    auto st = s->GetStatus((*list)[1].id);
    CHECK(st->IsStarted());
    CHECK_FALSE(st->IsFinished());
    uint64_t rows = *CountRows(*s, (*list)[1].id, "default");
    CHECK(rows > 0);
    CHECK(rows < 3000);
  }

  REQUIRE(Tool(killed, args + tmp.Sub("x2"), &out) == 0);
  CHECK(Has(out, "1 stored experiment never finished"));
  CHECK(Has(out, "ran 2 experiments"));
  CHECK_FALSE(Has(out, "unfinished"));
  std::string rerun_table = SecondPassTable(out);

  REQUIRE(Tool(clean, args + tmp.Sub("y"), &out) == 0);
  CHECK(Has(out, "ran 3 experiments"));
  std::string clean_table = SecondPassTable(out);
  CHECK(clean_table.find("yes") != std::string::npos);
  CHECK(rerun_table == clean_table);

  // The exported records hold each drop once: none of the killed attempt's rows are left.
  std::string per_dilation =
      "SELECT json_extract(e.config, '$.time_dilation'), COUNT(*), printf('%.6f', SUM(r.g)) FROM experiments e "
      "JOIN records_default r USING (experiment_id) GROUP BY 1 ORDER BY 1";
  std::string rerun_sql = Sql(tmp.Sub("x2") + "/storage.sqlite", per_dilation);
  CHECK(rerun_sql == Sql(tmp.Sub("y") + "/storage.sqlite", per_dilation));
  CHECK(Has(rerun_sql, "|3000|"));
  std::string summaries = "SELECT COUNT(*) FROM records_validation";
  CHECK(Sql(tmp.Sub("x2") + "/storage.sqlite", summaries) == "9\n");

  // A third run finds everything finished.
  REQUIRE(Tool(killed, args + tmp.Sub("x2"), &out) == 0);
  CHECK(Has(out, "all 3 experiments were already stored"));
  auto s = Store::Open({.read_only = true}, killed);
  REQUIRE(s.ok());
  auto list = s->List();
  REQUIRE(list.ok());
  CHECK(list->size() == 3);
  for (const auto& e : *list) CHECK(s->GetStatus(e.id)->IsFinished());
}

}  // TEST_SUITE

}  // namespace
}  // namespace labstore
