// RecordBatchRows: one batch of a scope's rows (ReadColumns) as the cells of
// its records table, for SqliteRowFeed: experiment_id, row, __timestamp, then
// the table's columns (doc/format.md, "Records as SQL"). Values keep their
// types (int64, double, bool as 0/1, text); a mixed or nested-JSON (kJson)
// cell is given as the scalar it holds, nested JSON as its text.
#ifndef LABSTORE_LIB_EXPORT_EXPORT_SQL_ROWS_H_
#define LABSTORE_LIB_EXPORT_EXPORT_SQL_ROWS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "labstore/record_reader.h"
#include "sqlite/sqlite_row_feed.h"

namespace labstore::internal {

class RecordBatchRows : public SqliteRowSource {
 public:
  // `table_columns`: the record column of each SQL column after the first
  // three, in table order; one `data` lacks is NULL. `id` and `data` must
  // outlive this object. Formats the timestamps of every row once, here.
  RecordBatchRows(std::string_view id, const RecordColumns& data, const std::vector<std::string>& table_columns);

  uint64_t rows() const override { return data_.rows; }
  void Cell(uint64_t row, int column, sqlite3_context* out) const override;

 private:
  static constexpr int kFixedColumns = 3;  // experiment_id, row, __timestamp

  std::string_view id_;
  const RecordColumns& data_;
  std::vector<const ColumnData*> columns_;  // per SQL column after the first three; nullptr: NULL
  std::string timestamps_;                  // IsoFormatter::kMaxSize bytes per row
  std::vector<uint8_t> timestamp_sizes_;
};

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_EXPORT_EXPORT_SQL_ROWS_H_
