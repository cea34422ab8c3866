// Runs the built `labstore` command as a process: every subcommand and error path.
#include <cstdio>
#include <filesystem>
#include <string>

#include <doctest/doctest.h>

#include "labstore/data.h"
#include "labstore/labstore.h"
#include "labstore/record.h"
#include "store/store_state.h"
#include "test_util.h"

namespace labstore {
namespace {

using test::TempDir;

// Runs `labstore <args>` with --store `store`; returns the exit code.
int Run(const std::string& store, const std::string& args, std::string* out) {
  return test::RunCommand(std::string(LABSTORE_TEST_TOOL) + " --store " + store + " " + args, out);
}

bool Has(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

TEST_SUITE("tool") {

TEST_CASE("labstore --help lists the commands with examples; no subcommand is a usage error") {
  std::string out;
  CHECK(test::RunCommand(std::string(LABSTORE_TEST_TOOL) + " --help", &out) == 0);
  CHECK(Has(out, "demo"));
  CHECK(Has(out, "Examples:"));
  CHECK(test::RunCommand(std::string(LABSTORE_TEST_TOOL), &out) == 2);
  CHECK(test::RunCommand(std::string(LABSTORE_TEST_TOOL) + " frobnicate", &out) == 2);
  CHECK(test::RunCommand(std::string(LABSTORE_TEST_TOOL) + " ls --bogus", &out) == 2);
  CHECK(Has(out, "--bogus"));
}

TEST_CASE("demo in a short mode logs, finds on the second pass, exports, and is idempotent") {
  TempDir tmp;
  std::string store = tmp.Sub("s"), dest = tmp.Sub("export");
  std::string out;
  REQUIRE(Run(store, "demo --rows 2000 --experiments 3 --export " + dest, &out) == 0);
  CHECK(Has(out, "ran 3 experiments"));
  CHECK(Has(out, "second pass"));
  CHECK(Has(out, "exported 3 experiments"));
  CHECK(Has(out, "sqlite3 " + dest + "/storage.sqlite"));
  std::string sql;
  REQUIRE(test::RunCommand("sqlite3 " + dest + "/storage.sqlite 'SELECT COUNT(*) FROM records_default'", &sql) == 0);
  CHECK(sql == "6000\n");
  REQUIRE(Run(store, "demo --rows 2000 --experiments 3 --export " + dest, &out) == 0);
  CHECK(Has(out, "all 3 experiments were already stored"));
  auto s = Store::Open({.read_only = true}, store);
  REQUIRE(s.ok());
  auto list = s->List();
  REQUIRE(list.ok());
  CHECK(list->size() == 3);
  for (const auto& e : *list) {
    auto st = s->GetStatus(e.id);
    REQUIRE(st.ok());
    CHECK(st->IsFinished());
  }
}

TEST_CASE("ls and show list and describe experiments, with --json") {
  TempDir tmp;
  std::string store = tmp.Sub("s");
  std::string id;
  {
    Store s = test::OpenStore(store);
    auto e = s.Create({.module = "estimate_gravity", .config = R"({"time_dilation": 2.0})", .group = "lab/%Y"});
    REQUIRE(e.ok());
    id = e->id;
    REQUIRE(s.MarkStarted(id).ok());
    REQUIRE(s.Create({.module = "other"}).ok());
  }
  std::string out;
  REQUIRE(Run(store, "ls", &out) == 0);
  CHECK(Has(out, id));
  CHECK(Has(out, "other"));
  CHECK(Has(out, "just now"));
  REQUIRE(Run(store, "ls --module estimate_gravity --json", &out) == 0);
  CHECK(Has(out, "\"id\": \"" + id + "\""));
  CHECK_FALSE(Has(out, "\"other\""));
  CHECK(Has(out, "\"started_at\": [\"20"));
  REQUIRE(Run(store, "ls --status finished", &out) == 0);
  CHECK_FALSE(Has(out, id));
  REQUIRE(Run(store, "show " + id, &out) == 0);
  CHECK(Has(out, "experiment " + id));
  CHECK(Has(out, "estimate_gravity"));
  REQUIRE(Run(store, "show " + id + " --json", &out) == 0);
  CHECK(Has(out, "\"config\": {\"time_dilation\":2.0}"));
}

TEST_CASE("Errors are one line on stderr with exit code 1, never a raw RocksDB message") {
  TempDir tmp;
  std::string out;
  CHECK(Run(tmp.Sub("none"), "ls", &out) == 1);
  CHECK(Has(out, "labstore: no store at"));
  CHECK(out.find('\n') == out.size() - 1);
  Store s = test::OpenStore(tmp.Sub("s"));
  CHECK(Run(tmp.Sub("s"), "show zzzzzz", &out) == 1);
  CHECK(Has(out, "no experiment with id \"zzzzzz\""));
  CHECK(Run(tmp.Sub("s"), "show 'bad id'", &out) == 1);
  CHECK(Has(out, "invalid experiment id"));
  // (The store is open for writing here: a writing command no longer fails,
  // it writes a shard of its own: test/store/shards_test.cc.)
  // Reading commands fall back to a read-only open.
  CHECK(Run(tmp.Sub("s"), "ls", &out) == 0);
}

TEST_CASE("records prints a scope as table, csv and jsonl, with --tail, and names missing scopes") {
  TempDir tmp;
  std::string store = tmp.Sub("s");
  std::string id;
  {
    Store s = test::OpenStore(store);
    auto e = s.Create({.module = "m"});
    REQUIRE(e.ok());
    id = e->id;
    auto w = RecordWriter::Open(s, id, "default");
    REQUIRE(w.ok());
    for (int64_t i = 0; i < 5; ++i) {
      w->Set("iteration", i);
      w->Set("phase", i % 2 ? "eval" : "train");
      REQUIRE(w->Save().ok());
    }
    REQUIRE(w->Close().ok());
  }
  std::string out;
  REQUIRE(Run(store, "records " + id, &out) == 0);
  CHECK(Has(out, "__timestamp"));
  CHECK(Has(out, "iteration"));
  CHECK(Has(out, "train"));
  REQUIRE(Run(store, "records " + id + " --format csv --tail 2", &out) == 0);
  CHECK(out.rfind("__timestamp,iteration,phase\n", 0) == 0);
  CHECK(Has(out, ",3,eval\n"));
  CHECK(Has(out, ",4,train\n"));
  CHECK_FALSE(Has(out, ",2,"));
  REQUIRE(Run(store, "records " + id + " --format jsonl", &out) == 0);
  CHECK(Has(out, "\"iteration\": 0, \"phase\": \"train\"}\n"));
  CHECK(Run(store, "records " + id + " --scope validation", &out) == 1);
  CHECK(Has(out, "no rows in scope \"validation\" (its scopes: default)"));
  CHECK(Run(store, "records " + id + " --format xml", &out) == 2);
  CHECK(Run(store, "records zzzzzz", &out) == 1);
}

TEST_CASE("records --follow prints rows as a concurrent writer process stores them") {
  TempDir tmp;
  std::string store = tmp.Sub("s");
  FILE* writer = ::popen((std::string(LABSTORE_SLOW_WRITER) + " " + store + " 8 250").c_str(), "r");
  REQUIRE(writer != nullptr);
  char line[64] = {};
  REQUIRE(std::fgets(line, sizeof line, writer) != nullptr);
  std::string ready = line;
  REQUIRE(ready.rfind("ready ", 0) == 0);
  std::string id = ready.substr(6, 6);
  std::string out;
  // Started while the writer runs; returns when the experiment is finished.
  REQUIRE(Run(store, "records " + id + " --follow --interval 0.05", &out) == 0);
  CHECK(::pclose(writer) == 0);
  size_t lines = 0, pos = 0;
  int64_t expected = 0;
  bool in_order = true;
  while ((pos = out.find("\"iteration\": ", pos)) != std::string::npos) {
    pos += 13;
    in_order = in_order && std::stoll(out.substr(pos)) == expected++;
    ++lines;
  }
  CHECK(lines == 2000);
  CHECK(in_order);
}

TEST_CASE("stats lists the parts: the main database and the shards, and which a writer holds") {
  TempDir tmp;
  std::string store = tmp.Sub("s");
  Store main = test::OpenStore(store);
  std::string out;
  REQUIRE(Run(store, "stats", &out) == 0);
  CHECK(Has(out, "main"));
  CHECK_FALSE(Has(out, "shard 1"));
  {
    auto second = Store::Open({}, store);  // a shard of its own, held while open
    REQUIRE(second.ok());
    REQUIRE(Run(store, "stats --json", &out) == 0);
    CHECK(Has(out, "\"parts\": [{\"number\": 0, \"dir\": \"" + store + "\", \"held\": true, \"complete\": true}, "
                   "{\"number\": 1, \"dir\": \"" + store + "/shards/1\", \"held\": true, \"complete\": true}]"));
  }
  REQUIRE(Run(store, "stats", &out) == 0);
  CHECK(Has(out, "shard 1"));
  CHECK(Has(out, "free"));
  CHECK(Has(out, "held"));
}

TEST_CASE("check, stats and gc report on a store; check names damage and exits 1") {
  TempDir tmp;
  std::string store = tmp.Sub("s"), out;
  std::string id;
  {
    Store s = test::OpenStore(store);
    auto e = s.Create({.module = "m"});
    REQUIRE(e.ok());
    id = e->id;
    auto w = RecordWriter::Open(s, id, "default");
    REQUIRE(w.ok());
    for (int64_t i = 0; i < 100; ++i) {
      w->Set("i", i);
      REQUIRE(w->Save().ok());
    }
    REQUIRE(w->Close().ok());
    REQUIRE(SaveFile(s, id, "data/a.txt", "hello").ok());
    REQUIRE(SaveFile(s, id, "data/b.txt", "hello").ok());
  }
  REQUIRE(Run(store, "check", &out) == 0);
  CHECK(Has(out, "checked 1 experiments, 1 scopes, 100 rows, 2 files"));
  CHECK(Has(out, "no damage found"));
  REQUIRE(Run(store, "show " + id, &out) == 0);
  CHECK(Has(out, "default"));
  CHECK(Has(out, "100"));
  CHECK(Has(out, "data/a.txt"));
  REQUIRE(Run(store, "show " + id + " --json", &out) == 0);
  CHECK(Has(out, "\"scopes\": [{\"name\": \"default\", \"rows\": 100"));
  CHECK(Has(out, "\"path\": \"data/b.txt\", \"size\": 5"));
  REQUIRE(Run(store, "check --json", &out) == 0);
  CHECK(Has(out, "\"ok\": true"));
  REQUIRE(Run(store, "stats", &out) == 0);
  CHECK(Has(out, "100 rows in 1 scopes"));
  CHECK(Has(out, "records"));
  REQUIRE(Run(store, "stats --json", &out) == 0);
  CHECK(Has(out, "\"record_rows\": 100"));
  CHECK(Has(out, "\"files\": 2"));
  REQUIRE(Run(store, "gc", &out) == 0);
  CHECK(Has(out, "removed 0 unreferenced contents"));
  // Damage a record chunk in place: check names the experiment and scope.
  {
    Store s = test::OpenStore(store);
    auto* st = internal::StateOf(s);
    std::unique_ptr<rocksdb::Iterator> it(
        st->db->NewIterator(rocksdb::ReadOptions(), st->handle(internal::kCfRecords)));
    it->SeekToFirst();
    REQUIRE(it->Valid());
    std::string key = it->key().ToString(), value = it->value().ToString();
    it.reset();
    value[value.size() / 2] ^= 0x55;
    REQUIRE(st->db->Put(rocksdb::WriteOptions(), st->handle(internal::kCfRecords), key, value).ok());
  }
  CHECK(Run(store, "check", &out) == 1);
  CHECK(Has(out, "DAMAGED experiment " + id + ", records scope \"default\""));
  CHECK(Has(out, "labstore: 1 damaged item"));
}

TEST_CASE("import reads the golden machinable storage; export writes it back byte for byte; sqlite writes the view") {
  TempDir tmp;
  std::string store = tmp.Sub("s"), out;
  REQUIRE(Run(store, std::string("import ") + LABSTORE_GOLDEN_DIR, &out) == 0);
  CHECK(Has(out, "imported 5 experiments"));
  CHECK(Has(out, "recorded root /srv/lab/storage"));
  CHECK(Has(out, "import 5/5 experiments"));  // progress on stderr: plain lines when not a terminal
  REQUIRE(Run(store, std::string("import ") + LABSTORE_GOLDEN_DIR, &out) == 0);
  CHECK(Has(out, "imported 0 experiments (5 already present"));
  REQUIRE(Run(store, "export " + tmp.Sub("out"), &out) == 0);
  CHECK(Has(out, "exported 5 experiments (5 new)"));
  CHECK(Has(out, "export folders 5/5 experiments"));
  CHECK(Has(out, "export sql 5/5 experiments"));
  std::string diff;
  CHECK(test::RunCommand("diff -r -x storage.sqlite -x .labstore-export " + tmp.Sub("out") + " " + LABSTORE_GOLDEN_DIR,
                         &diff) == 0);
  CHECK(diff.empty());
  REQUIRE(Run(store, "export " + tmp.Sub("out"), &out) == 0);
  CHECK(Has(out, "0 files written"));
  REQUIRE(Run(store, "export " + tmp.Sub("one") + " --only a5AEr5 --json", &out) == 0);
  CHECK(Has(out, "\"experiments\": 2"));  // the derived experiment and its ancestor
  REQUIRE(Run(store, "export " + tmp.Sub("out") + " --full", &out) == 0);
  CHECK(Has(out, "exported 5 experiments (5 new)"));
  REQUIRE(Run(store, "sqlite " + tmp.Sub("view.sqlite"), &out) == 0);
  std::string sql;
  REQUIRE(test::RunCommand("sqlite3 " + tmp.Sub("view.sqlite") +
                               " 'SELECT COUNT(*) FROM experiments; SELECT COUNT(*) FROM records_default'",
                           &sql) == 0);
  CHECK(sql == "5\n9\n");  // 3 experiments x 3 default rows
  CHECK(Run(store, "sqlite " + tmp.Sub("view.sqlite"), &out) == 1);
  CHECK(Has(out, "exists; remove it, choose another file, or pass --force"));
  REQUIRE(Run(store, "sqlite " + tmp.Sub("view.sqlite") + " --force", &out) == 0);
  CHECK(Has(out, "wrote " + tmp.Sub("view.sqlite")));
  CHECK(test::ReadFile(tmp.Sub("view.sqlite")).starts_with("SQLite format 3"));
  for (const auto& entry : std::filesystem::directory_iterator(tmp.path())) {
    CHECK_MESSAGE(!entry.path().filename().string().starts_with(".labstore-tmp."), entry.path());  // no scratch left
  }
  // A non-empty folder that is not an export is refused unless forced.
  test::WriteFile(tmp.Sub("thesis.tex"), "x");
  std::filesystem::create_directories(tmp.Sub("foreign"));
  test::WriteFile(tmp.Sub("foreign") + "/notes.txt", "mine");
  CHECK(Run(store, "export " + tmp.Sub("foreign"), &out) == 1);
  CHECK(test::ReadFile(tmp.Sub("foreign") + "/notes.txt") == "mine");
  CHECK(Run(store, "import " + tmp.Sub("missing"), &out) == 1);
  CHECK(Run(store, "export", &out) == 2);
}

TEST_CASE("import of a missing, empty or foreign folder exits 1 naming it and creates no store") {
  TempDir tmp;
  std::string store = tmp.Sub("s"), out;
  CHECK(Run(store, "import " + tmp.Sub("missing"), &out) == 1);
  CHECK(Has(out, "cannot import " + tmp.Sub("missing") + ": the folder does not exist"));
  CHECK_FALSE(std::filesystem::exists(store));
  std::filesystem::create_directories(tmp.Sub("empty"));
  CHECK(Run(store, "import " + tmp.Sub("empty"), &out) == 1);
  CHECK(Has(out, "cannot import " + tmp.Sub("empty") + ": the folder is empty"));
  CHECK(Has(out, "expected a machinable storage"));
  CHECK_FALSE(std::filesystem::exists(store));
  std::filesystem::create_directories(tmp.Sub("foreign/sub"));
  test::WriteFile(tmp.Sub("foreign/notes.txt"), "mine");
  CHECK(Run(store, "import " + tmp.Sub("foreign") + " --json", &out) == 1);
  CHECK(Has(out, "it is not a machinable storage"));
  CHECK_FALSE(std::filesystem::exists(store));
  CHECK(test::ReadFile(tmp.Sub("foreign/notes.txt")) == "mine");
}

TEST_CASE("LABSTORE_STORE selects the store when --store is not given") {
  TempDir tmp;
  {
    Store s = test::OpenStore(tmp.Sub("env"));
    REQUIRE(s.Create({.module = "from_env"}).ok());
  }
  std::string out;
  CHECK(test::RunCommand("LABSTORE_STORE=" + tmp.Sub("env") + " " + LABSTORE_TEST_TOOL + " ls", &out) == 0);
  CHECK(Has(out, "from_env"));
}

TEST_CASE("bench --json measures labstore and the three peers; the scratch folder is removed") {
  TempDir tmp;
  std::string out;
  REQUIRE(Run(tmp.Sub("unused"), "bench --rows 20000 --json --dir " + tmp.Sub("scratch"), &out) == 0);
  CHECK(Has(out, "\"rows\": 20000"));
  CHECK(Has(out, "\"durability\": \"default\""));
  for (const char* name : {"labstore", "RocksDB key per row", "SQLite WAL", "JSON lines"}) {
    CHECK_MESSAGE(Has(out, std::string("\"name\": \"") + name + "\""), name);
  }
  for (const char* field : {"rows_per_s", "mb_per_s", "bytes_per_row", "ratio_to_labstore"}) CHECK(Has(out, field));
  CHECK(Has(out, "bench labstore 20 k/20 k rows"));  // progress, one line per method
  CHECK(std::filesystem::is_empty(tmp.Sub("scratch")));
  CHECK(!std::filesystem::exists(tmp.Sub("unused")));  // the store is not touched
}

TEST_CASE("bench --no-peers with threads, nowal and a custom shape prints an aligned table") {
  TempDir tmp;
  std::string out;
  REQUIRE(Run(tmp.Sub("s"), "bench --rows 5000 --no-peers --threads 2 --durability nowal --ints 2 --floats 0 "
                            "--strings 3 --string-length 20 --flush-rows 1000 --flush-ms 0", &out) == 0);
  CHECK(Has(out, "5000 rows of 2 int, 0 float, 3 string (20 bytes)"));
  CHECK(Has(out, "durability nowal, 2 writer threads, flush 1000 rows / 0 ms"));
  CHECK(Has(out, "METHOD"));
  CHECK(Has(out, "labstore"));
  CHECK(!Has(out, "SQLite"));
}

TEST_CASE("bench refuses bad flags with a clear message") {
  TempDir tmp;
  std::string out;
  CHECK(Run(tmp.Sub("s"), "bench --durability fast", &out) == 2);
  CHECK(Has(out, "unknown --durability 'fast' (expected default, sync or nowal)"));
  CHECK(Run(tmp.Sub("s"), "bench --rows 0", &out) == 2);
  CHECK(Has(out, "--rows must be at least 1"));
  CHECK(Run(tmp.Sub("s"), "bench --ints 0 --floats 0 --strings 0", &out) == 2);
  CHECK(Has(out, "no columns"));
  CHECK(Run(tmp.Sub("s"), "bench --flush-rows 0 --rows 10", &out) == 2);
  CHECK(Has(out, "flush rows"));
  CHECK(Run(tmp.Sub("s"), "bench --rows lots", &out) == 2);
}

TEST_CASE("rm deletes experiments, says what went, refuses derived ones without --derived") {
  TempDir tmp;
  std::string store = tmp.Sub("s");
  std::string a, c, keep;
  {
    Store s = test::OpenStore(store);
    a = s.Create({.module = "m", .config = R"({"a": 1})"})->id;
    c = s.Create({.module = "m", .config = R"({"c": 1})", .ancestor = a})->id;
    keep = s.Create({.module = "m", .config = R"({"k": 1})"})->id;
    auto w = RecordWriter::Open(s, a, "default");
    REQUIRE(w.ok());
    for (int i = 0; i < 100; ++i) {
      w->Set("loss", 0.5 * i);
      REQUIRE(w->Save().ok());
    }
    REQUIRE(w->Close().ok());
    REQUIRE(SaveFile(s, a, "notes.txt", "twelve bytes").ok());
    REQUIRE(s.Close().ok());
  }
  std::string out;
  CHECK(Run(store, "rm", &out) == 2);  // no id: usage
  CHECK(Has(out, "ids"));
  CHECK(Run(store, "rm zzzzzz", &out) == 1);
  CHECK(Has(out, "labstore: no experiment with id \"zzzzzz\""));
  CHECK(Run(store, "rm 'bad!'", &out) == 1);
  CHECK(Has(out, "bad!"));
  CHECK(Run(store, "rm " + a, &out) == 1);
  CHECK(Has(out, c));
  CHECK(Has(out, "--derived"));
  CHECK(Run(store, "rm " + a + " zzzzzz --derived", &out) == 1);  // all or nothing
  REQUIRE(Run(store, "show " + a, &out) == 0);

  REQUIRE(Run(store, "rm " + a + " --derived", &out) == 0);
  CHECK(Has(out, "deleted 2 experiments: " + c + " " + a + "\n"));
  CHECK(Has(out, "records      100 rows in 1 scopes (1 chunks,"));
  CHECK(Has(out, "files        1 (12 B); 1 contents no longer used, 12 B freed"));
  CHECK(Has(out, "executions   0 removed, 0 kept with other members"));
  CHECK(Run(store, "show " + a, &out) == 1);
  REQUIRE(Run(store, "ls", &out) == 0);
  CHECK(Has(out, keep));
  CHECK(!Has(out, a));
  REQUIRE(Run(store, "check", &out) == 0);
  CHECK(Has(out, "no damage found"));

  REQUIRE(Run(store, "rm --json " + keep, &out) == 0);
  CHECK(Has(out, "{\"experiments\": [\"" + keep + "\"], \"scopes\": 0,"));
  REQUIRE(Run(store, "ls", &out) == 0);
  CHECK(Has(out, "no experiments"));
}

}  // TEST_SUITE
}  // namespace
}  // namespace labstore
