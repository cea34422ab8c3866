// RecordBatchRows: the cells of a records table from one decoded batch of a
// scope (see export_sql_rows.h). Texts are handed to SQLite without a copy
// (SQLITE_STATIC): they live in the batch until its INSERT has run.
#include "export/export_sql_rows.h"

#include "json/py_json.h"
#include "util/time_format.h"

namespace labstore::internal {
namespace {

void ResultText(sqlite3_context* out, std::string_view text) {
  sqlite3_result_text64(out, text.data(), text.size(), SQLITE_STATIC, SQLITE_UTF8);
}

// A mixed (kJson) cell: scalars by their own type, nested JSON (and text
// that does not parse) as its text.
void ResultJsonCell(sqlite3_context* out, std::string_view text) {
  auto v = ParsePyJson(text, "record value");
  if (!v.ok()) return ResultText(out, text);
  switch (v->type()) {
    case PyJson::Type::kNull: sqlite3_result_null(out); break;
    case PyJson::Type::kBool: sqlite3_result_int64(out, v->boolean() ? 1 : 0); break;
    case PyJson::Type::kInt:
      if (auto n = v->AsInt64()) {
        sqlite3_result_int64(out, *n);
      } else {
        sqlite3_result_text64(out, v->text().data(), v->text().size(), SQLITE_TRANSIENT, SQLITE_UTF8);
      }
      break;
    case PyJson::Type::kFloat: sqlite3_result_double(out, v->number()); break;
    case PyJson::Type::kString:
      sqlite3_result_text64(out, v->text().data(), v->text().size(), SQLITE_TRANSIENT, SQLITE_UTF8);
      break;
    default: ResultText(out, text); break;
  }
}

}  // namespace

RecordBatchRows::RecordBatchRows(std::string_view id, const RecordColumns& data,
                                 const std::vector<std::string>& table_columns)
    : id_(id), data_(data) {
  columns_.reserve(table_columns.size());
  for (const std::string& name : table_columns) columns_.push_back(data.Find(name));
  timestamps_.resize(data.rows * IsoFormatter::kMaxSize);
  timestamp_sizes_.resize(data.rows);
  IsoFormatter iso;
  for (uint64_t r = 0; r < data.rows; ++r) {
    char* begin = timestamps_.data() + r * IsoFormatter::kMaxSize;
    char* end = iso.Write(begin, {.unix_micros = data.timestamps[r], .utc_offset_seconds = data.utc_offsets[r]});
    timestamp_sizes_[r] = static_cast<uint8_t>(end - begin);
  }
}

void RecordBatchRows::Cell(uint64_t row, int column, sqlite3_context* out) const {
  switch (column) {
    case 0: return ResultText(out, id_);
    case 1: return sqlite3_result_int64(out, static_cast<sqlite3_int64>(data_.first_row + row));
    case 2:
      return ResultText(out, std::string_view(timestamps_.data() + row * IsoFormatter::kMaxSize,
                                              timestamp_sizes_[row]));
    default: break;
  }
  const ColumnData* col = columns_[static_cast<size_t>(column - kFixedColumns)];
  if (col == nullptr || !col->IsValid(row)) return;  // NULL
  switch (col->type) {
    case ValueType::kInt64: sqlite3_result_int64(out, col->ints[row]); break;
    case ValueType::kDouble: sqlite3_result_double(out, col->doubles[row]); break;
    case ValueType::kBool: sqlite3_result_int64(out, col->bools[row]); break;
    case ValueType::kString: ResultText(out, col->StringAt(row)); break;
    case ValueType::kJson: ResultJsonCell(out, col->StringAt(row)); break;
    case ValueType::kNull: break;
  }
}

}  // namespace labstore::internal
