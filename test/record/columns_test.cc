// ReadColumns (lib/record/columns.cc) on reads large enough to decode their
// chunks ahead on worker threads (lib/record/chunk_ahead.cc): the same
// columns and the same errors as the row-by-row reads.
#include <doctest/doctest.h>

#include "record/record_test_util.h"

namespace labstore {
namespace {

using test::Code;
using test::DamageChunk;
using test::NewExperiment;
using test::OpenWriter;
using test::Rows;
using test::TempDir;

constexpr int kRows = 100'000;  // past the decode-ahead threshold (65,536 rows)
constexpr uint32_t kChunk = 4096;

// kRows rows of {i, x (every third row), s (text), b (a null every fifth row)} in chunks of kChunk rows.
std::string FillLarge(Store& store, const std::string& scope) {
  std::string id = NewExperiment(store, "large" + scope);
  RecordWriter w = OpenWriter(store, id, scope, {.flush_rows = kChunk});
  for (int i = 0; i < kRows; ++i) {
    w.Set("i", i);
    if (i % 3 == 0) w.Set("x", i / 4.0);
    w.Set("s", std::string(static_cast<size_t>(i % 7), 'a'));
    w.Set("b", i % 5 == 0 ? Value() : Value(i % 2 == 0));
    REQUIRE(w.Save().ok());
  }
  REQUIRE(w.Close().ok());
  return id;
}

// Row `r` of `c` as "name=value;..." in the form test::Show gives a Row.
std::string ShowColumnsRow(const RecordColumns& c, size_t r) {
  std::string out;
  for (const ColumnData& col : c.columns) {
    if (!col.IsPresent(r)) continue;
    Value v;
    if (col.IsValid(r)) {
      switch (col.type) {
        case ValueType::kInt64: v = Value(col.ints[r]); break;
        case ValueType::kDouble: v = Value(col.doubles[r]); break;
        case ValueType::kBool: v = Value(col.bools[r] != 0); break;
        case ValueType::kString: v = Value(std::string(col.StringAt(r))); break;
        default: v = Value(std::string(col.StringAt(r))); break;
      }
    }
    if (!out.empty()) out += ";";
    out += col.name + "=" + v.ToJson();
  }
  return out;
}

TEST_SUITE("record") {

TEST_CASE("A large ReadColumns, decoded ahead, gives the rows ReadRows gives, fresh and reused") {
  TempDir tmp;
  Store store = test::OpenStore(tmp.Sub("s"));
  std::string id = FillLarge(store, "default");
  RecordColumns reused;
  for (RowRange range : {RowRange{}, RowRange{.start = 1000, .count = 90'001}, RowRange{.start = -70'000}}) {
    CAPTURE(range.start);
    std::vector<Row> rows = Rows(store, id, "default", range);
    auto fresh = ReadColumns(store, id, "default", range);
    REQUIRE(fresh.ok());
    REQUIRE(ReadColumns(store, id, "default", range, &reused).ok());
    for (const RecordColumns* c : {&*fresh, &reused}) {
      REQUIRE(c->rows == rows.size());
      CHECK(c->Find("s")->valid.empty());    // dense columns keep no masks
      CHECK(!c->Find("x")->present.empty());  // sparse ones do
      int wrong = 0;
      for (size_t r = 0; r < rows.size(); ++r) {
        if (ShowColumnsRow(*c, r) != test::Show(rows[r]) || c->timestamps[r] != rows[r].timestamp.unix_micros) {
          ++wrong;
        }
      }
      CHECK(wrong == 0);
    }
  }
}

TEST_CASE("A damaged chunk in a large read is the Corruption a row-by-row read reports") {
  TempDir tmp;
  Store store = test::OpenStore(tmp.Sub("s"));
  for (int byte : {0, 5, 30, -1}) {
    CAPTURE(byte);
    std::string scope = "d" + std::to_string(byte + 1);
    std::string id = FillLarge(store, scope);
    DamageChunk(store, id, scope, 10 * kChunk, byte < 0 ? 0 : byte, byte < 0);
    auto columns = ReadColumns(store, id, scope);
    auto rows = ReadRows(store, id, scope);
    CHECK(Code(columns) == "Corruption");
    CHECK(columns.status().ToString() == rows.status().ToString());
    // (Byte 5 is in the header's row count, which then names more rows.)
    if (byte != 5) {
      CHECK(columns.status().message().find(byte < 0 ? "rows from 40960" : "rows 40960..45055") != std::string::npos);
    }
  }
}

}  // TEST_SUITE

}  // namespace
}  // namespace labstore
