// Finding and comparing from the command line: ls --where/--columns, get,
// cat and diff, with each of their errors.
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include <doctest/doctest.h>

#include "labstore/labstore.h"
#include "test_util.h"

namespace labstore {
namespace {

using test::TempDir;

bool Has(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

// Runs `labstore --store <store> <args>` (stdout and stderr in *out); returns the exit code.
int Run(const std::string& store, const std::string& args, std::string* out) {
  return test::RunCommand(std::string(LABSTORE_TEST_TOOL) + " --store " + store + " " + args, out);
}

// Four experiments:
//   a  estimate_gravity {"time_dilation": 2.0, "optim": {"lr": 0.1}, "name": "fast", "flag": true}
//      default: loss 0.5 then 0.05; validation: acc 0.9; finished
//   b  estimate_gravity {"time_dilation": 3, "optim": {"lr": 0.01}, "name": "slow", "flag": false}
//      default: loss 0.3 then 0.2
//   c  other {"time_dilation": 2, "tag": null}; files data/result.json, data/blob.bin (all 256 byte values)
//   d  other {"tag": null, "time_dilation": 2.0}: c's config reordered, 2 as 2.0
struct Fixture {
  TempDir tmp;
  std::string store = tmp.Sub("s");
  std::string a, b, c, d;
  std::string blob;

  Fixture() {
    for (int i = 0; i < 256; ++i) blob += static_cast<char>(i);
    blob += std::string(3, '\0');
    Store s = test::OpenStore(store);
    a = Make(s, "estimate_gravity", R"({"time_dilation": 2.0, "optim": {"lr": 0.1}, "name": "fast", "flag": true})");
    b = Make(s, "estimate_gravity", R"({"time_dilation": 3, "optim": {"lr": 0.01}, "name": "slow", "flag": false})");
    c = Make(s, "other", R"({"time_dilation": 2, "tag": null})");
    d = Make(s, "other", R"({"tag": null, "time_dilation": 2.0})");
    Log(s, a, "default", "loss", {0.5, 0.05});
    Log(s, a, "validation", "acc", {0.9});
    Log(s, b, "default", "loss", {0.3, 0.2});
    REQUIRE(s.MarkStarted(a).ok());
    REQUIRE(s.MarkFinished(a).ok());
    REQUIRE(SaveFile(s, c, "data/result.json", R"({"g": 9.81})").ok());
    REQUIRE(SaveFile(s, c, "data/blob.bin", blob).ok());
  }

  static std::string Make(Store& s, const std::string& module, const std::string& config) {
    auto e = s.Create({.module = module, .config = config});
    REQUIRE(e.ok());
    return e->id;
  }

  static void Log(Store& s, const std::string& id, const std::string& scope, const std::string& column,
                  std::initializer_list<double> values) {
    auto w = RecordWriter::Open(s, id, scope);
    REQUIRE(w.ok());
    for (double v : values) {
      w->Set(column, v);
      REQUIRE(w->Save().ok());
    }
    REQUIRE(w->Close().ok());
  }

  // The ids `ls <args>` lists, as a string of the letters a-d in order a..d.
  std::string Ls(const std::string& args) {
    std::string out;
    REQUIRE(Run(store, "ls " + args, &out) == 0);
    std::string found;
    for (auto [letter, id] : {std::pair{'a', a}, {'b', b}, {'c', c}, {'d', d}}) {
      if (Has(out, id)) found += letter;
    }
    return found;
  }
};

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST_SUITE("tool") {

TEST_CASE("ls --where compares config keys: numbers as numbers, text as text, JSON literals, dotted paths") {
  Fixture f;
  CHECK(f.Ls("--where time_dilation=2.0") == "acd");
  CHECK(f.Ls("--where time_dilation=2") == "acd");
  CHECK(f.Ls("--where 'time_dilation!=2'") == "b");
  CHECK(f.Ls("--where 'time_dilation>2.5'") == "b");
  CHECK(f.Ls("--where 'time_dilation>=2'") == "abcd");
  CHECK(f.Ls("--where 'time_dilation<=2'") == "acd");
  CHECK(f.Ls("--where 'time_dilation<2'") == "");
  CHECK(f.Ls("--where optim.lr=0.01") == "b");
  CHECK(f.Ls("--where 'optim.lr>=0.01'") == "ab");
  CHECK(f.Ls("--where name=fast") == "a");
  CHECK(f.Ls("--where 'name=\"slow\"'") == "b");
  CHECK(f.Ls("--where 'name<g'") == "a");
  CHECK(f.Ls("--where flag=true") == "a");
  CHECK(f.Ls("--where 'flag!=true'") == "b");  // c and d lack "flag": no match, even with !=
  CHECK(f.Ls("--where tag=null") == "cd");
  CHECK(f.Ls("--where optim=1") == "");  // an object equals no number
}

TEST_CASE("ls --where falls back to the last record row of scope default, or of --scope; all conditions must hold") {
  Fixture f;
  CHECK(f.Ls("--where 'loss<0.1'") == "a");  // a's first row (0.5) does not count
  CHECK(f.Ls("--where 'loss>0.1'") == "b");
  CHECK(f.Ls("--where 'loss<1' --where time_dilation=2.0") == "a");
  CHECK(f.Ls("--where 'loss<1' --where name=slow") == "b");
  CHECK(f.Ls("--where acc=0.9") == "");
  CHECK(f.Ls("--where acc=0.9 --scope validation") == "a");
  std::string out;
  REQUIRE(Run(f.store, "ls --where 'loss<0'", &out) == 0);
  CHECK(Has(out, "no experiments in"));
  CHECK(Has(out, "match"));
}

TEST_CASE("A malformed ls --where is a usage error naming the flag and the expected form") {
  Fixture f;
  for (const char* bad : {"time_dilation", "'=2'", "'a!2'", "'a='", "'a==2'", "'a<>2'"}) {
    CAPTURE(bad);
    std::string out;
    CHECK(Run(f.store, std::string("ls --where ") + bad, &out) == 2);
    CHECK(Has(out, "--where"));
    CHECK(Has(out, "KEY OP VALUE"));
  }
}

TEST_CASE("ls --columns adds config and last record values as columns, and a values object with --json") {
  Fixture f;
  std::string out;
  REQUIRE(Run(f.store, "ls --module estimate_gravity --columns time_dilation,loss,optim.lr,name,missing", &out) == 0);
  CHECK(Has(out, "time_dilation"));
  CHECK(Has(out, "optim.lr"));
  CHECK(Has(out, "missing"));
  CHECK(Has(out, "0.05"));
  CHECK(Has(out, "0.01"));
  CHECK(Has(out, "fast"));
  CHECK_FALSE(Has(out, "\"fast\""));  // text bare in the table
  REQUIRE(Run(f.store, "ls --module estimate_gravity --json --columns time_dilation,loss,optim.lr,name,missing",
              &out) == 0);
  CHECK(
      Has(out, R"("values": {"time_dilation": 2.0, "loss": 0.05, "optim.lr": 0.1, "name": "fast", "missing": null})"));
  CHECK(Has(out, R"("values": {"time_dilation": 3, "loss": 0.2, "optim.lr": 0.01, "name": "slow", "missing": null})"));
  REQUIRE(Run(f.store, "ls --json", &out) == 0);
  CHECK_FALSE(Has(out, "\"values\""));
}

TEST_CASE("get finds the stored experiment of a config whatever its key order and 2 vs 2.0") {
  Fixture f;
  std::string out;
  REQUIRE(Run(f.store,
              R"(get estimate_gravity '{"flag": true, "name": "fast", "optim": {"lr": 0.1}, "time_dilation": 2}')",
              &out) == 0);
  CHECK(Has(out, "experiment " + f.a));
  CHECK(Has(out, "status finished"));
  REQUIRE(Run(f.store,
              R"(get estimate_gravity --json '{"time_dilation":3,"optim":{"lr":0.01},"name":"slow","flag":false}')",
              &out) == 0);
  CHECK(Has(out, "\"id\": \"" + f.b + "\""));
}

TEST_CASE("get of an unstored config exits 1 naming module and config; bad JSON gives the library's message") {
  Fixture f;
  std::string out;
  CHECK(Run(f.store, R"(get estimate_gravity '{"time_dilation": 5}')", &out) == 1);
  CHECK(Has(out, R"(no stored experiment of module estimate_gravity with config {"time_dilation": 5})"));
  CHECK(Run(f.store, "get nobody", &out) == 1);
  CHECK(Has(out, "no stored experiment of module nobody with config {}"));
  CHECK(Run(f.store, R"(get estimate_gravity '{"time_dilation": ')", &out) == 1);
  CHECK(Has(out, "JSON"));
  CHECK(Run(f.store, R"(get estimate_gravity '[1, 2]')", &out) == 1);
  CHECK(Has(out, "object"));
}

TEST_CASE("cat writes a stored file's bytes exactly, binary included") {
  Fixture f;
  std::string out;
  REQUIRE(Run(f.store, "cat " + f.c + " data/result.json", &out) == 0);
  CHECK(out == R"({"g": 9.81})");
  std::string copy = f.tmp.Sub("blob.bin");
  REQUIRE(Run(f.store, "cat " + f.c + " data/blob.bin > " + copy, &out) == 0);
  CHECK(out.empty());
  CHECK(ReadAll(copy) == f.blob);
}

TEST_CASE("cat of a missing file exits 1 naming it and listing the experiment's files; an unknown id exits 1") {
  Fixture f;
  std::string out;
  CHECK(Run(f.store, "cat " + f.c + " data/nope.json", &out) == 1);
  CHECK(Has(out, "experiment " + f.c + " has no file \"data/nope.json\""));
  CHECK(Has(out, "data/blob.bin"));
  CHECK(Has(out, "data/result.json"));
  CHECK(Run(f.store, "cat " + f.a + " data/result.json", &out) == 1);
  CHECK(Has(out, "it has no files"));
  CHECK(Run(f.store, "cat zzzzzz data/result.json", &out) == 1);
  CHECK(Has(out, "zzzzzz"));
  CHECK(Run(f.store, "cat " + f.c, &out) == 2);  // PATH is required
}

TEST_CASE("diff lists config, status, scope and last value differences") {
  Fixture f;
  std::string out;
  REQUIRE(Run(f.store, "diff " + f.a + " " + f.b, &out) == 0);
  CHECK(Has(out, "--- " + f.a + "\n+++ " + f.b + "\n"));
  CHECK(Has(out, "  ~ time_dilation: 2.0 -> 3\n"));
  CHECK(Has(out, "  ~ optim.lr: 0.1 -> 0.01\n"));
  CHECK(Has(out, "  ~ name: \"fast\" -> \"slow\"\n"));
  CHECK(Has(out, "  ~ flag: true -> false\n"));
  CHECK(Has(out, "status: finished -> created\n"));
  CHECK(Has(out, "  - validation: 1 rows\n"));
  CHECK_FALSE(Has(out, "  ~ default"));  // 2 rows each
  CHECK(Has(out, "last values, scope default\n  ~ loss: 0.05 -> 0.2\n"));
  CHECK_FALSE(Has(out, "module:"));
  REQUIRE(Run(f.store, "diff " + f.a + " " + f.c, &out) == 0);
  CHECK(Has(out, "module: estimate_gravity -> other\n"));
  CHECK(Has(out, "  - optim.lr: 0.1\n"));
  CHECK(Has(out, "  - name: \"fast\"\n"));
  CHECK(Has(out, "  + tag: null\n"));
  CHECK_FALSE(Has(out, "time_dilation"));  // 2.0 and 2
  CHECK(Has(out, "  - default: 2 rows\n"));
}

TEST_CASE("diff of equal experiments says so and exits 0; an unknown id exits 1") {
  Fixture f;
  std::string out;
  REQUIRE(Run(f.store, "diff " + f.c + " " + f.d, &out) == 0);
  CHECK(out == f.c + " and " + f.d + ": no differences in module, config, status, scopes or last values\n");
  REQUIRE(Run(f.store, "diff " + f.a + " " + f.a, &out) == 0);
  CHECK(Has(out, "no differences"));
  CHECK(Run(f.store, "diff " + f.a + " zzzzzz", &out) == 1);
  CHECK(Has(out, "zzzzzz"));
  CHECK(Run(f.store, "diff " + f.a, &out) == 2);
}

TEST_CASE("get, cat, diff and ls --where/--columns have help with an example") {
  std::string out;
  for (const char* cmd : {"get", "cat", "diff", "ls"}) {
    CAPTURE(cmd);
    REQUIRE(test::RunCommand(std::string(LABSTORE_TEST_TOOL) + " " + cmd + " --help", &out) == 0);
    CHECK(Has(out, "Example:"));
    CHECK(Has(out, std::string("labstore ") + cmd + " "));
  }
  CHECK(Has(out, "--where"));
  CHECK(Has(out, "--columns"));
  REQUIRE(test::RunCommand(std::string(LABSTORE_TEST_TOOL) + " --help", &out) == 0);
  for (const char* cmd : {"get", "cat", "diff"}) CHECK(Has(out, cmd));
}

}  // TEST_SUITE

}  // namespace
}  // namespace labstore
