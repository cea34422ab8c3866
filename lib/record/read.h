// Reading the rows of a scope: a row cursor over a decoded chunk, and
// ReadRows with a known experiment key (reader.cc). Private to lib/record.
#ifndef LABSTORE_LIB_RECORD_READ_H_
#define LABSTORE_LIB_RECORD_READ_H_

#include <cstdint>
#include <string_view>
#include <vector>

#include "labstore/record_reader.h"
#include "record/chunk.h"
#include "store/store_state.h"

namespace labstore::internal {

// ReadRows with a known experiment key.
Result<std::vector<Row>> ReadRowsOf(const StoreState& st, std::string_view id, std::string_view exp_key,
                                    std::string_view scope, const RowRange& range);

// Appends row `r` of `chunk` to `row` (cleared first), using per-column value
// cursors kept in `cursor` (one per column, advanced row by row from `lo`).
void MaterializeRow(const DecodedChunk& chunk, uint32_t r, std::vector<uint32_t>* cursor, Row* row);
// Sets `cursor` for reading from row `lo` of `chunk`.
void StartCursor(const DecodedChunk& chunk, uint32_t lo, std::vector<uint32_t>* cursor);

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_RECORD_READ_H_
