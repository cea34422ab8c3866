// Columns of ints and doubles (lib/record/numeric.h): they read as double
// columns, in one chunk, across chunks and in stores written before double
// columns kept ints; each value keeps its spelling in the JSON lines.
#include <doctest/doctest.h>

#include <cmath>

#include <rocksdb/db.h>

#include "experiment/lookup.h"
#include "record/chunk.h"
#include "record/numeric.h"
#include "record/record_test_util.h"
#include "record/scope.h"
#include "store/store_state.h"
#include "util/hash.h"

namespace labstore {
namespace {

using test::NewExperiment;
using test::OpenWriter;
using test::Rows;
using test::Show;
using test::TempDir;

// The rows of a scope, one Show() per line.
std::string Lines(const Store& store, const std::string& id) {
  std::string out;
  for (const Row& row : Rows(store, id, "default")) out += Show(row) + "\n";
  return out;
}

// The values of "loss" as ToJsonLines spells them, one per line.
std::string LossSpellings(const Store& store, const std::string& id) {
  std::string text = ToJsonLines(store, id, "default").value(), out;
  for (size_t at = 0; (at = text.find("\"loss\": ", at)) != std::string::npos;) {
    at += 8;
    size_t end = text.find_first_of(",}", at);
    out += text.substr(at, end - at) + " ";
  }
  return out;
}

ValueType ScopeType(const Store& store, const std::string& id, const std::string& column) {
  auto info = GetScope(store, id, "default");
  REQUIRE(info.ok());
  for (const auto& [name, type] : info->columns) {
    if (name == column) return type;
  }
  return ValueType::kNull;
}

std::string Bytes(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

TEST_SUITE("record") {

TEST_CASE("Ints then doubles in one chunk make a double column; each value keeps its spelling") {
  TempDir tmp;
  Store store = test::OpenStore(tmp.Sub("s"));
  std::string id = NewExperiment(store);
  {
    RecordWriter w = OpenWriter(store, id, "default");
    for (Value v : {Value(0), Value(0.25), Value(1.0), Value(2), Value(), Value(-3), Value(1e16)}) {
      w.Set("loss", v);
      REQUIRE(w.Save().ok());
    }
    w.Set("loss", 7);
    CHECK(Show(w.Current()) == "loss=7");
    CHECK(Show(w.Last().value()) == "loss=1e+16");
    REQUIRE(w.Save().ok());
    REQUIRE(w.Close().ok());
  }
  CHECK(ScopeType(store, id, "loss") == ValueType::kDouble);
  auto cols = ReadColumns(store, id, "default");
  REQUIRE(cols.ok());
  const ColumnData* loss = cols->Find("loss");
  REQUIRE(loss != nullptr);
  CHECK(loss->type == ValueType::kDouble);
  CHECK(loss->doubles == std::vector<double>{0.0, 0.25, 1.0, 2.0, 0.0, -3.0, 1e16, 7.0});
  CHECK(!loss->IsValid(4));
  CHECK(LossSpellings(store, id) == "0 0.25 1.0 2 null -3 1e+16 7 ");
  std::vector<Row> rows = Rows(store, id, "default");
  CHECK(rows[0].Find("loss")->type() == ValueType::kInt64);
  CHECK(rows[1].Find("loss")->type() == ValueType::kDouble);
  CHECK(rows[2].Find("loss")->type() == ValueType::kDouble);
  CHECK(rows[3].Find("loss")->as_int64() == 2);
}

TEST_CASE("Doubles then ints, and an int overwritten by a double, keep each value") {
  TempDir tmp;
  Store store = test::OpenStore(tmp.Sub("s"));
  std::string id = NewExperiment(store);
  {
    RecordWriter w = OpenWriter(store, id, "default", {.flush_rows = 3});
    w.Set("loss", 0.5);
    REQUIRE(w.Save().ok());
    w.Set("loss", 4);
    w.Set("loss", 2.5);  // the int is dropped: its slot now holds a double
    REQUIRE(w.Save().ok());
    w.Set("loss", 5);
    REQUIRE(w.Save().ok());  // a chunk of 3 rows
    w.Set("loss", 6);
    w.Set("other", 1.5);
    REQUIRE(w.Save().ok());
    REQUIRE(w.Close().ok());
  }
  CHECK(LossSpellings(store, id) == "0.5 2.5 5 6 ");
  CHECK(Lines(store, id) == "loss=0.5\nloss=2.5\nloss=5\nloss=6;other=1.5\n");
  auto cols = ReadColumns(store, id, "default");
  REQUIRE(cols.ok());
  CHECK(cols->Find("loss")->type == ValueType::kDouble);
  CHECK(cols->Find("loss")->doubles == std::vector<double>{0.5, 2.5, 5.0, 6.0});
}

TEST_CASE("Int chunks and double chunks of one column read as one double column, in either order") {
  for (bool ints_first : {true, false}) {
    CAPTURE(ints_first);
    TempDir tmp;
    Store store = test::OpenStore(tmp.Sub("s"));
    std::string id = NewExperiment(store);
    {
      RecordWriter w = OpenWriter(store, id, "default");
      for (int chunk = 0; chunk < 2; ++chunk) {
        for (int i = 0; i < 3; ++i) {
          if ((chunk == 0) == ints_first) w.Set("loss", i);
          else w.Set("loss", i + 0.5);
          REQUIRE(w.Save().ok());
        }
        REQUIRE(w.Flush().ok());
      }
      REQUIRE(w.Close().ok());
    }
    CHECK(ScopeType(store, id, "loss") == ValueType::kDouble);
    CHECK(LossSpellings(store, id) == (ints_first ? "0 1 2 0.5 1.5 2.5 " : "0.5 1.5 2.5 0 1 2 "));
    auto all = ReadColumns(store, id, "default");
    REQUIRE(all.ok());
    CHECK(all->Find("loss")->type == ValueType::kDouble);
    CHECK(all->Find("loss")->doubles ==
          (ints_first ? std::vector<double>{0, 1, 2, 0.5, 1.5, 2.5} : std::vector<double>{0.5, 1.5, 2.5, 0, 1, 2}));
    // A window holding only the int chunk is still a double column.
    auto window = ReadColumns(store, id, "default", {.start = ints_first ? 0 : 3, .count = 3});
    REQUIRE(window.ok());
    CHECK(window->Find("loss")->type == ValueType::kDouble);
    CHECK(window->Find("loss")->doubles == std::vector<double>{0, 1, 2});
  }
}

TEST_CASE("Only genuinely mixed types make a json column") {
  TempDir tmp;
  Store store = test::OpenStore(tmp.Sub("s"));
  std::string id = NewExperiment(store);
  {
    RecordWriter w = OpenWriter(store, id, "default");
    w.Set("loss", 1);
    w.Set("flag", 1);
    REQUIRE(w.Save().ok());
    w.Set("loss", 0.5);
    w.Set("flag", true);
    REQUIRE(w.Save().ok());
    w.Set("loss", "diverged");
    REQUIRE(w.Save().ok());
    REQUIRE(w.Close().ok());
  }
  CHECK(ScopeType(store, id, "loss") == ValueType::kJson);
  CHECK(ScopeType(store, id, "flag") == ValueType::kJson);
  auto cols = ReadColumns(store, id, "default");
  REQUIRE(cols.ok());
  const ColumnData* loss = cols->Find("loss");
  CHECK(loss->type == ValueType::kJson);
  CHECK(loss->StringAt(0) == "1");
  CHECK(loss->StringAt(1) == "0.5");
  CHECK(loss->StringAt(2) == "\"diverged\"");
  CHECK(LossSpellings(store, id) == "1 0.5 \"diverged\" ");
}

TEST_CASE("Golden: a chunk with ints among doubles, byte for byte") {
  TempDir tmp;
  Store store = test::OpenStore(tmp.Sub("s"));
  auto e = store.Create({.module = "golden", .config = R"({"a": 1})", .id = "rm3SAJ"});
  REQUIRE(e.ok());
  {
    RecordWriter w = OpenWriter(store, "rm3SAJ", "default", {.compression = Compression::kNone});
    w.SetTimestamp({1677250809012344, -5 * 3600});
    w.Set("x", 0.5);
    REQUIRE(w.Save().ok());
    w.SetTimestamp({1677250809012345, -5 * 3600});
    w.Set("x", -2);
    REQUIRE(w.Save().ok());
    REQUIRE(w.Close().ok());
  }
  const std::string key = internal::LookupKey(*internal::StateOf(store), "rm3SAJ").value();
  std::string chunk;
  const internal::StoreState& st = *internal::StateOf(store);
  REQUIRE(st.db->Get(rocksdb::ReadOptions(), st.handle(internal::kCfRecords), internal::RecordKey(key, "default", 0),
                     &chunk).ok());
  // "x": double, flags 4 (ints), int bitmap 02 (value 1), 0.5 as 8 bytes, -2 as zigzag varint 03.
  CHECK(internal::ToHex(chunk) ==
        "010000000200000000000000000000001d000000" "1d000000"
        "f081ddaaecdcfa05" "02" "00" "b0b9ffff" "01"
        "017802" "04" "02" "000000000000e03f" "03" +
        internal::ToHex(chunk.substr(chunk.size() - 8)));
  internal::DecodedChunk out;
  std::string reason;
  REQUIRE(internal::DecodeChunk(chunk, &out, &reason));
  CHECK(out.columns[0].Get(0) == Value(0.5));
  CHECK(out.columns[0].Get(1) == Value(-2));
  CHECK(out.columns[0].DoubleAt(1) == -2.0);
}

TEST_CASE("DecodeChunk refuses the ints flag on a column that is not double, and a bad int bitmap") {
  // One row, column "x" of the given type byte, flags and value bytes.
  auto chunk = [](std::string column) {
    std::string raw = Bytes("00" "00" "00000000" "01") + column;
    std::string out(internal::kChunkHeaderSize, '\0');
    out[0] = 1;
    out[4] = 1;
    uint32_t size = static_cast<uint32_t>(raw.size());
    std::memcpy(out.data() + 16, &size, 4);
    std::memcpy(out.data() + 20, &size, 4);
    out += raw;
    uint64_t sum = internal::Hash64(out);
    out.append(reinterpret_cast<const char*>(&sum), 8);
    return out;
  };
  internal::DecodedChunk out;
  std::string reason;
  REQUIRE(internal::DecodeChunk(chunk(Bytes("017802" "04" "01" "03")), &out, &reason));
  CHECK(out.columns[0].Get(0) == Value(-2));
  CHECK_FALSE(internal::DecodeChunk(chunk(Bytes("017801" "04" "01" "03")), &out, &reason));  // int64 with flag 4
  CHECK(reason == "bad type or flags of column \"x\"");
  CHECK_FALSE(internal::DecodeChunk(chunk(Bytes("017802" "04" "00" "000000000000e03f")), &out, &reason));
  CHECK(reason == "bad int bitmap of column \"x\"");  // flag 4 but no int
  CHECK_FALSE(internal::DecodeChunk(chunk(Bytes("017802" "04" "03" "03")), &out, &reason));
  CHECK(reason == "bad int bitmap of column \"x\"");  // a bit past the one value
  CHECK_FALSE(internal::DecodeChunk(chunk(Bytes("017802" "04" "01")), &out, &reason));
  CHECK(reason == "values of column \"x\" are truncated");
}

// Chunks and scope metadata as the code before double columns kept ints
// wrote them (rows: loss 0, 0.25, 1.0 | 2 | 0.5, -3 in three chunks; mix 1,
// "a" in the first), for experiment rm3SAJ of module "golden", config {"a": 1}.
constexpr const char* kOldChunks[][2] = {
    {"0000000000000000",
     "010000000300000000000000000000002f0000002f000000f081ddaaecdcfa05020200b0b9ffff02036d69780501030103312261"
     "22046c6f7373050001040330302e3235312e300ee237bb83f1c000"},
    {"0000000000000003",
     "010000000100000003000000000000001600000016000000f681ddaaecdcfa0500b0b9ffff01046c6f73730100049d19955e1546f878"},
    {"0000000000000004",
     "010000000200000004000000000000001d0000001d000000f881ddaaecdcfa050200b0b9ffff01046c6f737305000302302e352d33"
     "2aaa58724e38e663"},
};
constexpr const char* kOldScopeMeta = "0106000000000000000300000000000000c20000000000000002036d697805046c6f737305";

TEST_CASE("Golden: a scope written before double columns kept ints reads its numbers as a double column") {
  TempDir tmp;
  Store store = test::OpenStore(tmp.Sub("s"));
  auto e = store.Create({.module = "golden", .config = R"({"a": 1})", .id = "rm3SAJ"});
  REQUIRE(e.ok());
  internal::StoreState& st = *internal::StateOf(store);
  const std::string key = internal::LookupKey(st, "rm3SAJ").value();
  rocksdb::WriteBatch batch;
  for (const auto& [start, hex] : kOldChunks) {
    const std::string chunk_key = internal::RecordPrefix(key, "default") + Bytes(start);
    REQUIRE(batch.Put(st.handle(internal::kCfRecords), chunk_key, Bytes(hex)).ok());
  }
  REQUIRE(batch.Put(st.handle(internal::kCfScopes), internal::ScopeKey(key, "default"), Bytes(kOldScopeMeta)).ok());
  REQUIRE(st.db->Write(rocksdb::WriteOptions(), &batch).ok());

  // The metadata is read as written: both columns listed as json.
  CHECK(ScopeType(store, "rm3SAJ", "loss") == ValueType::kJson);
  CHECK(ScopeType(store, "rm3SAJ", "mix") == ValueType::kJson);
  // The JSON lines are what the old code exported, value for value.
  CHECK(ToJsonLines(store, "rm3SAJ", "default").value() ==
        "{\"__timestamp\": \"2023-02-24T10:00:09.012344-05:00\", \"loss\": 0, \"mix\": 1}\n"
        "{\"__timestamp\": \"2023-02-24T10:00:09.012345-05:00\", \"loss\": 0.25, \"mix\": \"a\"}\n"
        "{\"__timestamp\": \"2023-02-24T10:00:09.012346-05:00\", \"loss\": 1.0}\n"
        "{\"__timestamp\": \"2023-02-24T10:00:09.012347-05:00\", \"loss\": 2}\n"
        "{\"__timestamp\": \"2023-02-24T10:00:09.012348-05:00\", \"loss\": 0.5}\n"
        "{\"__timestamp\": \"2023-02-24T10:00:09.012349-05:00\", \"loss\": -3}\n");
  CHECK(Lines(store, "rm3SAJ") == "mix=1;loss=0\nmix=\"a\";loss=0.25\nloss=1.0\nloss=2\nloss=0.5\nloss=-3\n");
  // Typed columns: the numbers are a double column, number + string stays json.
  auto cols = ReadColumns(store, "rm3SAJ", "default");
  REQUIRE_MESSAGE(cols.ok(), cols.status().ToString());
  CHECK(cols->Find("loss")->type == ValueType::kDouble);
  CHECK(cols->Find("loss")->doubles == std::vector<double>{0, 0.25, 1, 2, 0.5, -3});
  CHECK(cols->Find("mix")->type == ValueType::kJson);
  CHECK(cols->Find("mix")->StringAt(1) == "\"a\"");
  // A window of the all-int chunk reads as the ints they are.
  auto window = ReadColumns(store, "rm3SAJ", "default", {.start = 3, .count = 1});
  REQUIRE(window.ok());
  CHECK(window->Find("loss")->type == ValueType::kInt64);
  CHECK(window->Find("loss")->ints == std::vector<int64_t>{2});
  // The whole scope's types, as the SQL export declares them.
  auto types = internal::ReadColumnTypes(*internal::StateOf(store), "rm3SAJ", "default");
  REQUIRE(types.ok());
  CHECK(*types ==
        std::vector<std::pair<std::string, ValueType>>{{"mix", ValueType::kJson}, {"loss", ValueType::kDouble}});
  // New rows append to the old scope and read with it.
  {
    RecordWriter w = OpenWriter(store, "rm3SAJ", "default");
    w.Set("loss", 8);
    REQUIRE(w.Save().ok());
    REQUIRE(w.Close().ok());
  }
  CHECK(LossSpellings(store, "rm3SAJ") == "0 0.25 1.0 2 0.5 -3 8 ");
  auto more = ReadColumns(store, "rm3SAJ", "default");
  REQUIRE(more.ok());
  CHECK(more->Find("loss")->type == ValueType::kDouble);
  CHECK(more->Find("loss")->doubles.back() == 8.0);
}

TEST_CASE("NumberOfJson tells numbers from other JSON") {
  int64_t i = 0;
  double d = 0;
  CHECK(internal::NumberOfJson("-3", &i, &d) == ValueType::kInt64);
  CHECK(i == -3);
  CHECK(internal::NumberOfJson("1e-07", &i, &d) == ValueType::kDouble);
  CHECK(d == 1e-07);
  CHECK(internal::NumberOfJson("-Infinity", &i, &d) == ValueType::kDouble);
  CHECK(d == -INFINITY);
  CHECK(internal::NumberOfJson("NaN", &i, &d) == ValueType::kDouble);
  CHECK(std::isnan(d));
  CHECK(internal::NumberOfJson("123456789012345678901234567890", &i, &d) == ValueType::kJson);
  for (const char* other : {"\"1\"", "true", "null", "[1]", "{}", "", "-"}) {
    CAPTURE(other);
    CHECK(internal::NumberOfJson(other, &i, &d) == ValueType::kJson);
  }
}

}  // TEST_SUITE

}  // namespace
}  // namespace labstore
