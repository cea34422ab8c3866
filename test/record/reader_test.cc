#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <rocksdb/db.h>

#include "experiment/lookup.h"
#include "json/py_json.h"
#include "record/record_test_util.h"
#include "record/scope.h"
#include "store/store_state.h"

namespace labstore {
namespace {

using test::Code;
using test::DamageChunk;
using test::NewExperiment;
using test::OpenWriter;
using test::Rows;
using test::Show;
using test::TempDir;

// A file of the in-repo golden machinable storage (test/export/golden/,
// LABSTORE_GOLDEN_DIR); a missing file fails the test that asks for it.
std::string GoldenFile(const std::string& rel) {
  std::string path = std::string(LABSTORE_GOLDEN_DIR) + "/" + rel;
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "the golden file " << path << " is missing");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Writes `n` rows i = 0..n-1 of {i, x = i / 4.0} with chunks of `chunk` rows.
std::string Fill(Store& store, int n, uint32_t chunk, const std::string& scope = "default") {
  std::string id = NewExperiment(store, "fill" + scope);
  RecordWriter w = OpenWriter(store, id, scope, {.flush_rows = chunk});
  for (int i = 0; i < n; ++i) {
    w.Set("i", i);
    if (i % 3 == 0) w.Set("x", i / 4.0);
    REQUIRE(w.Save().ok());
  }
  REQUIRE(w.Close().ok());
  return id;
}

TEST_SUITE("record") {

TEST_CASE("Ranges: from row n, the last n, clipped, across chunk boundaries") {
  TempDir tmp;
  Store store = test::OpenStore(tmp.Sub("s"));
  std::string id = Fill(store, 100, 7);
  RecordColumns reused;  // one result read into again and again
  struct Case {
    RowRange range;
    uint64_t first, count;
  };
  for (Case c : {Case{{}, 0, 100}, Case{{.start = 13}, 13, 87}, Case{{.start = 13, .count = 9}, 13, 9},
                 Case{{.start = -10}, 90, 10}, Case{{.start = -1}, 99, 1}, Case{{.start = -1000}, 0, 100},
                 Case{{.start = 100}, 100, 0}, Case{{.start = 250}, 100, 0}, Case{{.start = 7, .count = 7}, 7, 7},
                 Case{{.start = 6, .count = 2}, 6, 2}, Case{{.start = 0, .count = 0}, 0, 0},
                 Case{{.start = INT64_MIN}, 0, 100}}) {
    CAPTURE(c.range.start);
    CAPTURE(c.range.count);
    auto rows = Rows(store, id, "default", c.range);
    REQUIRE(rows.size() == c.count);
    for (uint64_t k = 0; k < c.count; ++k) {
      CHECK(rows[k].index == c.first + k);
      CHECK(rows[k].Find("i")->as_int64() == int64_t(c.first + k));
    }
    auto cols = ReadColumns(store, id, "default", c.range);
    REQUIRE(cols.ok());
    CHECK(cols->first_row == c.first);
    REQUIRE(cols->rows == c.count);
    for (uint64_t k = 0; k < c.count; ++k) {
      uint64_t row = c.first + k;
      CHECK(cols->Find("i")->ints[k] == int64_t(row));
      CHECK(cols->Find("x")->IsValid(k) == (row % 3 == 0));
      CHECK(cols->Find("x")->doubles[k] == (row % 3 == 0 ? row / 4.0 : 0.0));
      CHECK(cols->timestamps[k] == rows[k].timestamp.unix_micros);
    }
    REQUIRE(ReadColumns(store, id, "default", c.range, &reused).ok());
    CHECK(reused.first_row == cols->first_row);
    CHECK(reused.rows == cols->rows);
    CHECK(reused.timestamps == cols->timestamps);
    CHECK(reused.Find("i")->ints == cols->Find("i")->ints);
    CHECK(reused.Find("x")->doubles == cols->Find("x")->doubles);
    CHECK(reused.Find("x")->valid == cols->Find("x")->valid);
    CHECK(reused.Find("x")->present == cols->Find("x")->present);
    auto reader = RecordReader::Open(store, id, "default", c.range);
    REQUIRE(reader.ok());
    CHECK(reader->size() == c.count);
    Row row;
    uint64_t seen = 0;
    while (reader->Next(&row)) CHECK(row.index == c.first + seen++);
    CHECK(reader->status().ok());
    CHECK(seen == c.count);
  }
}

TEST_CASE("CountRows, GetScope and ListScopes read metadata only") {
  TempDir tmp;
  Store store = test::OpenStore(tmp.Sub("s"));
  std::string id = NewExperiment(store);
  for (std::string scope : {"validation", "default", "Zeta"}) {
    RecordWriter w = OpenWriter(store, id, scope);
    for (int i = 0; i < int(scope.size()); ++i) {
      w.Set("i", i);
      REQUIRE(w.Save().ok());
    }
    REQUIRE(w.Close().ok());
  }
  CHECK(CountRows(store, id, "default").value() == 7);
  CHECK(CountRows(store, id, "missing").value() == 0);
  CHECK(Rows(store, id, "missing").empty());
  auto scopes = ListScopes(store, id);
  REQUIRE(scopes.ok());
  REQUIRE(scopes->size() == 3);
  CHECK((*scopes)[0].name == "Zeta");
  CHECK((*scopes)[1].name == "default");
  CHECK((*scopes)[2].name == "validation");
  CHECK((*scopes)[2].rows == 10);
  CHECK((*scopes)[2].chunks == 1);
  CHECK((*scopes)[2].bytes > 0);
  std::string other = NewExperiment(store, "other");
  CHECK(ListScopes(store, other)->empty());
}

TEST_CASE("A read-only store opened while a writer runs sees every stored row") {
  TempDir tmp;
  Store store = test::OpenStore(tmp.Sub("s"));
  std::string id = NewExperiment(store);
  RecordWriter w = OpenWriter(store, id, "default", {.flush_rows = 100});
  for (int i = 0; i < 1000; ++i) {
    w.Set("i", i);
    REQUIRE(w.Save().ok());
  }
  REQUIRE(w.Flush().ok());
  w.Set("i", 1000);
  REQUIRE(w.Save().ok());  // accepted, not stored
  auto ro = Store::Open({.read_only = true}, tmp.Sub("s"));
  REQUIRE(ro.ok());
  CHECK(CountRows(*ro, id, "default").value() == 1000);
  auto cols = ReadColumns(*ro, id, "default");
  REQUIRE(cols.ok());
  REQUIRE(cols->rows == 1000);
  CHECK(cols->Find("i")->ints[999] == 999);
  REQUIRE(w.Flush().ok());
  REQUIRE(ro->Refresh().ok());
  CHECK(Rows(*ro, id, "default").size() == 1001);
  REQUIRE(w.Close().ok());
}

TEST_CASE("A damaged chunk is Corruption naming experiment, scope and rows, never skipped") {
  TempDir tmp;
  Store store = test::OpenStore(tmp.Sub("s"));
  std::string id = Fill(store, 50, 10);
  for (int byte : {0, 5, 30, 60, -1}) {
    CAPTURE(byte);
    std::string scope = "d" + std::to_string(byte + 1);
    {
      RecordWriter w = OpenWriter(store, id, scope, {.flush_rows = 10});
      for (int i = 0; i < 50; ++i) {
        w.Set("i", i);
        REQUIRE(w.Save().ok());
      }
      REQUIRE(w.Close().ok());
    }
    DamageChunk(store, id, scope, 20, byte < 0 ? 0 : byte, byte < 0);
    auto rows = ReadRows(store, id, scope);
    CHECK(Code(rows) == "Corruption");
    const std::string& msg = rows.status().message();
    CHECK(msg.find("experiment " + id) != std::string::npos);
    CHECK(msg.find("scope \"" + scope + "\"") != std::string::npos);
    if (byte < 0) {
      CHECK(msg.find("missing record chunk") != std::string::npos);
      CHECK(msg.find("rows from 20") != std::string::npos);
    } else {
      CHECK(msg.find("rows 20..29") != std::string::npos);
      CHECK(msg.find("checksum mismatch") != std::string::npos);
    }
    CHECK(Code(ReadColumns(store, id, scope)) == "Corruption");
    CHECK(Code(ToJsonLines(store, id, scope)) == "Corruption");
    CHECK(Code(AsTable(store, id, scope)) == "Corruption");
    auto reader = RecordReader::Open(store, id, scope);
    Row row;
    int n = 0;
    while (reader->Next(&row)) ++n;
    CHECK(n == 20);  // the rows before the damage, then the error
    CHECK(Code(reader->status()) == "Corruption");
    // Ranges that avoid the damaged chunk still read.
    CHECK(Rows(store, id, scope, {.start = 0, .count = 20}).size() == 20);
    CHECK(Rows(store, id, scope, {.start = 30}).size() == 20);
  }
}

TEST_CASE("Golden: JSON lines reproduce machinable's records/validation.jsonl byte for byte") {
  std::string golden = GoldenFile("rm3SAJ/records/validation.jsonl");
  REQUIRE(!golden.empty());
  TempDir tmp;
  Store store = test::OpenStore(tmp.Sub("s"));
  std::string id = NewExperiment(store);
  {
    RecordWriter w = OpenWriter(store, id, "validation");
    std::istringstream lines(golden);
    std::string line;
    while (std::getline(lines, line)) {
      // Set each key of the JSON object, in the file's order.
      auto j = internal::ParsePyJson(line, "golden line");
      REQUIRE(j.ok());
      for (const auto& [key, member] : j->members()) {
        if (key == "__timestamp") {
          auto t = ParseIso(member.text());
          REQUIRE(t.ok());
          w.SetTimestamp(*t);
        } else {
          auto v = Value::ParseJson(internal::DumpPyJson(member, internal::PyDialect::kSql));
          REQUIRE(v.ok());
          w.Set(key, *v);
        }
      }
      REQUIRE(w.Save().ok());
    }
    REQUIRE(w.Close().ok());
  }
  auto jsonl = ToJsonLines(store, id, "validation");
  REQUIRE(jsonl.ok());
  CHECK(*jsonl == golden);
  std::string via_rows;
  for (const Row& r : Rows(store, id, "validation")) via_rows += FormatJsonLine(r) + "\n";
  CHECK(via_rows == golden);
}

TEST_CASE("AsTable renders tabulate's simple format; CSV quotes what it must") {
  TempDir tmp;
  Store store = test::OpenStore(tmp.Sub("s"));
  std::string id = NewExperiment(store);
  {
    RecordWriter w = OpenWriter(store, id, "default");
    Timestamp t{1677250809012344, -5 * 3600};
    const double gs[] = {288.8888888888889, 10.5, 1e-07};
    for (int i = 0; i < 3; ++i) {
      w.SetTimestamp(Timestamp{t.unix_micros + i * 1111111, t.utc_offset_seconds});
      w.Set("iteration", i);
      w.Set("g", gs[i]);
      w.Set("phase", i == 1 ? "val, \"b\"" : "train");
      if (i != 1) w.Set("ok", i == 0);
      REQUIRE(w.Save().ok());
    }
    REQUIRE(w.Close().ok());
  }
  auto table = AsTable(store, id, "default");
  REQUIRE(table.ok());
  // Pinned against Python tabulate 0.8.9: tabulate(rows, headers="keys").
  CHECK(*table ==
        "__timestamp                             g    iteration  ok     phase\n"
        "--------------------------------  -------  -----------  -----  --------\n"
        "2023-02-24T10:00:09.012344-05:00  288.889            0  True   train\n"
        "2023-02-24T10:00:10.123455-05:00   10.5              1         val, \"b\"\n"
        "2023-02-24T10:00:11.234566-05:00    1e-07            2  False  train\n");
  auto csv = ToCsv(store, id, "default");
  REQUIRE(csv.ok());
  CHECK(*csv ==
        "__timestamp,g,iteration,ok,phase\n"
        "2023-02-24T10:00:09.012344-05:00,288.8888888888889,0,true,train\n"
        "2023-02-24T10:00:10.123455-05:00,10.5,1,,\"val, \"\"b\"\"\"\n"
        "2023-02-24T10:00:11.234566-05:00,1e-07,2,false,train\n");
  auto empty = AsTable(store, id, "nothing");
  REQUIRE(empty.ok());
  CHECK(*empty == "");
}

}  // TEST_SUITE

}  // namespace
}  // namespace labstore
