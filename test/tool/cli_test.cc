// The command line itself: usage, typos, global options anywhere, --version,
// flag names in messages, and the row selection of `records`.
#include <algorithm>
#include <filesystem>
#include <string>

#include <doctest/doctest.h>

#include "labstore/labstore.h"
#include "test_util.h"

namespace labstore {
namespace {

using test::TempDir;

std::string Tool() { return LABSTORE_TEST_TOOL; }
bool Has(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

// A store with one experiment whose scope "default" has 5 rows
// (iteration 0..4, loss 0.5/(i+1), phase train/eval); returns its id.
std::string FiveRows(const std::string& dir) {
  Store s = test::OpenStore(dir);
  auto e = s.Create({.module = "m"});
  REQUIRE(e.ok());
  auto w = RecordWriter::Open(s, e->id, "default");
  REQUIRE(w.ok());
  for (int64_t i = 0; i < 5; ++i) {
    w->Set("iteration", i);
    w->Set("loss", 0.5 / static_cast<double>(i + 1));
    w->Set("phase", i % 2 ? "eval" : "train");
    REQUIRE(w->Save().ok());
  }
  REQUIRE(w->Close().ok());
  return e->id;
}

size_t Lines(const std::string& s) { return static_cast<size_t>(std::count(s.begin(), s.end(), '\n')); }

TEST_SUITE("tool") {

TEST_CASE("Bare labstore prints the usage and exits 2; --version prints the version") {
  std::string out;
  CHECK(test::RunCommand(Tool(), &out) == 2);
  CHECK(Has(out, "Usage:"));
  CHECK(Has(out, "records"));
  CHECK(test::RunCommand(Tool() + " --version", &out) == 0);
  CHECK(out.rfind("labstore ", 0) == 0);
  CHECK(Has(out, "."));
}

TEST_CASE("A mistyped command gets a suggestion; an unrelated word lists the commands") {
  std::string out;
  CHECK(test::RunCommand(Tool() + " lst", &out) == 2);
  CHECK(Has(out, "unknown command 'lst' (did you mean 'ls'?)"));
  CHECK(test::RunCommand(Tool() + " --store x recrods abc", &out) == 2);
  CHECK(Has(out, "unknown command 'recrods' (did you mean 'records'?)"));
  CHECK(test::RunCommand(Tool() + " frobnicate", &out) == 2);
  CHECK(Has(out, "unknown command 'frobnicate' (commands: "));
  CHECK(Has(out, "export"));
}

TEST_CASE("--store is accepted after the command as well as before it") {
  TempDir tmp;
  std::string store = tmp.Sub("s");
  std::string id = FiveRows(store);
  std::string out;
  REQUIRE(test::RunCommand(Tool() + " ls --store " + store, &out) == 0);
  CHECK(Has(out, id));
  REQUIRE(test::RunCommand(Tool() + " records " + id + " --store " + store + " --format csv", &out) == 0);
  CHECK(Lines(out) == 6);
}

TEST_CASE("records --head, --tail 0 and --columns select rows and columns") {
  TempDir tmp;
  std::string store = tmp.Sub("s");
  std::string id = FiveRows(store);
  std::string base = Tool() + " --store " + store + " records " + id;
  std::string out;
  REQUIRE(test::RunCommand(base + " --tail 0", &out) == 0);
  CHECK(out.empty());
  REQUIRE(test::RunCommand(base + " --format csv --head 2", &out) == 0);
  CHECK(Lines(out) == 3);
  CHECK(Has(out, ",0,"));
  CHECK(Has(out, ",1,"));
  CHECK_FALSE(Has(out, ",2,"));
  REQUIRE(test::RunCommand(base + " --format csv --tail 3 --head 1", &out) == 0);
  CHECK(Lines(out) == 2);
  CHECK(Has(out, ",2,"));
  REQUIRE(test::RunCommand(base + " --format csv --columns loss,iteration", &out) == 0);
  CHECK(out.rfind("loss,iteration\n0.5,0\n0.25,1\n", 0) == 0);
  CHECK(Lines(out) == 6);
  REQUIRE(test::RunCommand(base + " --columns phase --head 1", &out) == 0);
  CHECK(out.rfind("phase\n-------\ntrain\n", 0) == 0);
  REQUIRE(test::RunCommand(base + " --format jsonl --columns iteration --tail 1", &out) == 0);
  CHECK(Has(out, "\"iteration\": 4}\n"));
  CHECK_FALSE(Has(out, "loss"));
  CHECK(test::RunCommand(base + " --columns nope", &out) == 2);
  CHECK(Has(out, "--columns: scope \"default\" of experiment \"" + id + "\" has no column \"nope\""));
}

TEST_CASE("Export and sqlite errors name the command's flags, not C++ option names") {
  TempDir tmp;
  std::string store = tmp.Sub("s");
  FiveRows(store);
  std::string dest = tmp.Sub("busy");
  std::filesystem::create_directories(dest);
  test::WriteFile(dest + "/mine.txt", "not an export");
  std::string out;
  CHECK(test::RunCommand(Tool() + " --store " + store + " export " + dest, &out) == 1);
  CHECK(Has(out, "--force"));
  CHECK_FALSE(Has(out, "ExportOptions"));
  CHECK(test::RunCommand(Tool() + " --store " + store + " sqlite " + dest, &out) == 2);
  CHECK(Has(out, dest + " is a folder; give the SQLite file to write, e.g. " + dest + "/view.sqlite"));
  CHECK_FALSE(Has(out, "--force"));
}

}  // TEST_SUITE

}  // namespace
}  // namespace labstore
