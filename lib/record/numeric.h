// Numbers in record columns: how readers combine int64, double and old json
// chunks of one column. Private to lib/record.
//
// A column that gets ints and doubles is a double column. Since chunk flag 4
// (chunk.h) a chunk stores it as such and keeps each int's spelling; the
// scope metadata merges int64 and double into double (scope.h MergeTypes).
// Stores written before hold such a column as json: chunks with number texts
// ("0", "0.25") and scope metadata that says json. Readers combine the chunk
// columns of a read as follows:
//   int64, double, null (any mix)           -> double; int64 when no double
//   json whose every value is a number,     -> double; int64 when every value
//     with int64, double, null                 is an int that fits int64
//   anything else with json, bool, string   -> json
#ifndef LABSTORE_LIB_RECORD_NUMERIC_H_
#define LABSTORE_LIB_RECORD_NUMERIC_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "labstore/record_reader.h"
#include "labstore/status.h"
#include "store/store_state.h"

namespace labstore::internal {

// What a stored json value is as a number: kInt64 (an integer that fits
// int64, in *i), kDouble (a float, NaN or ±Infinity, in *d) or kJson (not a
// number, or an integer beyond int64).
ValueType NumberOfJson(std::string_view text, int64_t* i, double* d);

// A kJson column whose valid values are all numbers becomes kDouble (kInt64
// when they are all ints that fit int64); its text is released. Other
// columns are left as they are.
void NarrowJsonColumn(ColumnData* col);

// The columns of a whole scope with the types a reader gives them: the
// scope metadata's, with json columns narrowed by the rule above. Reads
// chunks only when the metadata lists a json column, and stops once every
// such column has a value that is not a number. Errors: as GetScope,
// Corruption for a damaged chunk.
Result<std::vector<std::pair<std::string, ValueType>>> ReadColumnTypes(const StoreState& st, std::string_view id,
                                                                       std::string_view scope);

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_RECORD_NUMERIC_H_
