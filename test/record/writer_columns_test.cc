// RecordWriter::SaveColumns (lib/record/writer_columns.cc): a batch stores the
// rows and chunks that Set + Save per row would, and refuses bad batches.
#include <doctest/doctest.h>

#include <memory>

#include <rocksdb/db.h>

#include "record/record_test_util.h"
#include "store/store_state.h"

namespace labstore {
namespace {

using test::OpenWriter;
using test::TempDir;

// Every chunk value of the store, in key order.
std::vector<std::string> Chunks(Store& store) {
  std::vector<std::string> out;
  internal::StoreState* st = internal::StateOf(store);
  std::unique_ptr<rocksdb::Iterator> it(st->db->NewIterator(rocksdb::ReadOptions(), st->handle(internal::kCfRecords)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) out.push_back(it->value().ToString());
  return out;
}

// The columns of the tests, row i of n: ints, doubles (some rows null), bools.
struct Data {
  explicit Data(size_t n) : ints(n), doubles(n), bools(new bool[n]), valid(n), micros(n) {
    for (size_t i = 0; i < n; ++i) {
      ints[i] = static_cast<int64_t>(i * 3) - 7;
      doubles[i] = 0.5 * static_cast<double>(i);
      bools[i] = i % 3 == 0;
      valid[i] = i % 7 != 5;
      micros[i] = 1700000000000000 + static_cast<int64_t>(i) * 11;
    }
  }
  std::vector<int64_t> ints;
  std::vector<double> doubles;
  std::unique_ptr<bool[]> bools;
  std::vector<uint8_t> valid;
  std::vector<int64_t> micros;
  const bool* Bools() const { return bools.get(); }
};

// What the batch of rows [start, start + n) means, row by row.
void SaveRowByRow(RecordWriter& w, const Data& d, size_t start, size_t n, bool with_nulls, bool with_flag) {
  ColumnId a = w.Column("a").value(), b = w.Column("b").value(), c = w.Column("c").value();
  for (size_t i = start; i < start + n; ++i) {
    w.Set(a, d.ints[i]);
    if (with_nulls && !d.valid[i]) {
      w.Set(b, nullptr);
    } else {
      w.Set(b, d.doubles[i]);
    }
    if (with_flag) w.Set(c, d.Bools()[i]);
    w.SetTimestamp(Timestamp{d.micros[i], 3600});
    REQUIRE(w.Save().ok());
  }
}

Status SaveBatch(RecordWriter& w, const Data& d, size_t start, size_t n, bool with_nulls, bool with_flag) {
  ColumnBatch batch{.rows = n, .timestamps = d.micros.data() + start, .utc_offset_seconds = 3600};
  batch.columns.push_back(ColumnBatch::Ints(w.Column("a").value(), d.ints.data() + start));
  const uint8_t* valid = with_nulls ? d.valid.data() + start : nullptr;
  batch.columns.push_back(ColumnBatch::Doubles(w.Column("b").value(), d.doubles.data() + start, valid));
  if (with_flag) batch.columns.push_back(ColumnBatch::Bools(w.Column("c").value(), d.Bools() + start));
  return w.SaveColumns(batch);
}

// Rows [start, start + n) as one batch or row by row.
void SaveEither(bool batch, RecordWriter& w, const Data& d, size_t start, size_t n, bool with_nulls, bool with_flag) {
  if (batch) {
    REQUIRE(SaveBatch(w, d, start, n, with_nulls, with_flag).ok());
  } else {
    SaveRowByRow(w, d, start, n, with_nulls, with_flag);
  }
}

// Logs the same rows into two stores, row by row and with batches, through
// `script` (called with the writer and a flag: use batches), and checks that
// rows, JSON lines and chunk bytes are the same.
template <typename Script>
void CheckSameAsRows(const RecordOptions& options, Script script) {
  TempDir tmp;
  Store by_row = test::OpenStore(tmp.Sub("rows"));
  Store by_batch = test::OpenStore(tmp.Sub("batch"));
  for (Store* s : {&by_row, &by_batch}) {
    REQUIRE(s->Create({.module = "sim", .id = "rm3SAJ"}).ok());
    RecordWriter w = OpenWriter(*s, "rm3SAJ", "default", options);
    script(w, s == &by_batch);
    REQUIRE(w.Close().ok());
  }
  auto a = ToJsonLines(by_row, "rm3SAJ", "default");
  auto b = ToJsonLines(by_batch, "rm3SAJ", "default");
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(*a == *b);
  CHECK(test::Rows(by_row, "rm3SAJ", "default").size() == test::Rows(by_batch, "rm3SAJ", "default").size());
  std::vector<std::string> ca = Chunks(by_row), cb = Chunks(by_batch);
  CHECK(ca.size() == cb.size());
  CHECK(ca == cb);
}

TEST_SUITE("record") {

TEST_CASE("SaveColumns stores the rows and chunk bytes that Set and Save per row store") {
  const Data d(5000);
  SUBCASE("one batch over many chunks") {
    CheckSameAsRows({.flush_rows = 700, .flush_interval_ms = 0},
                    [&](RecordWriter& w, bool batch) { SaveEither(batch, w, d, 0, 5000, false, true); });
  }
  SUBCASE("batches after rows, null cells, a column that appears mid-chunk") {
    CheckSameAsRows({.flush_rows = 512, .flush_interval_ms = 0}, [&](RecordWriter& w, bool batch) {
      SaveRowByRow(w, d, 0, 100, false, false);
      SaveEither(batch, w, d, 100, 1000, true, true);
      SaveEither(batch, w, d, 1100, 3, false, false);
      SaveRowByRow(w, d, 1103, 10, false, true);
    });
  }
  SUBCASE("ints into a double column, doubles into an int column, strings before") {
    CheckSameAsRows({.flush_rows = 300, .flush_interval_ms = 0}, [&](RecordWriter& w, bool batch) {
      w.Set("a", 0.25);
      w.Set("b", int64_t{4});
      w.Set("c", "text");
      w.SetTimestamp(Timestamp{1, 0});
      REQUIRE(w.Save().ok());
      SaveEither(batch, w, d, 0, 1000, false, true);
    });
  }
  SUBCASE("chunks end where flush_bytes is reached") {
    CheckSameAsRows({.flush_interval_ms = 0, .flush_bytes = 1000},
                    [&](RecordWriter& w, bool batch) { SaveEither(batch, w, d, 0, 500, true, true); });
  }
}

TEST_CASE("SaveColumns stamps rows with the clock, is counted and read back at once") {
  TempDir tmp;
  Store store = test::OpenStore(tmp.Sub("s"));
  std::string id = test::NewExperiment(store);
  RecordWriter w = OpenWriter(store, id, "default", {.flush_rows = 64});
  const Data d(200);
  const int64_t before = Now().unix_micros;
  ColumnId a = w.Column("a").value();
  REQUIRE(w.SaveColumns({.rows = 200, .columns = {ColumnBatch::Ints(a, d.ints.data())}}).ok());
  CHECK(w.accepted_rows() == 200);
  CHECK(test::Show(w.Last().value()) == "a=590");
  REQUIRE(w.SaveColumns({.rows = 0, .columns = {}}).ok());
  REQUIRE(w.Close().ok());
  auto rows = test::Rows(store, id, "default");
  REQUIRE(rows.size() == 200);
  for (size_t i = 0; i < rows.size(); ++i) {
    CHECK(rows[i].timestamp.unix_micros >= before);
    if (i > 0) CHECK(rows[i].timestamp.unix_micros >= rows[i - 1].timestamp.unix_micros);
  }
}

TEST_CASE("SaveColumns refuses bad batches, a row being built and a closed writer; nothing is saved") {
  TempDir tmp;
  Store store = test::OpenStore(tmp.Sub("s"));
  std::string id = test::NewExperiment(store);
  RecordWriter w = OpenWriter(store, id, "default");
  ColumnId a = w.Column("a").value();
  const int64_t v[2] = {1, 2};
  auto refused = [&](const ColumnBatch& batch, const std::string& part) {
    Status s = w.SaveColumns(batch);
    CHECK(s.IsInvalidArgument());
    CHECK_MESSAGE(s.ToString().find(part) != std::string::npos, s.ToString());
    CHECK(w.accepted_rows() == 0);
  };
  refused({.rows = 2, .columns = {}}, "no columns");
  refused({.rows = 2, .columns = {ColumnBatch::Ints(ColumnId{7}, v)}}, "unknown column id 7");
  refused({.rows = 2, .columns = {ColumnBatch::Ints(a, v), ColumnBatch::Ints(a, v)}}, "\"a\" appears twice");
  refused({.rows = 2, .columns = {{.id = a, .type = ValueType::kString, .values = v}}}, "invalid type string");
  refused({.rows = 2, .columns = {ColumnBatch::Ints(a, nullptr)}}, "has no values");
  w.Set(a, 5);
  refused({.rows = 2, .columns = {ColumnBatch::Ints(a, v)}}, "a row is being built");
  w.Discard();
  REQUIRE(w.SaveColumns({.rows = 2, .columns = {ColumnBatch::Ints(a, v)}}).ok());
  REQUIRE(w.Close().ok());
  Status closed = w.SaveColumns({.rows = 2, .columns = {ColumnBatch::Ints(a, v)}});
  CHECK(closed.IsInvalidArgument());
  CHECK(closed.ToString().find("closed") != std::string::npos);
  CHECK(test::Rows(store, id, "default").size() == 2);
}

}  // TEST_SUITE

}  // namespace
}  // namespace labstore
