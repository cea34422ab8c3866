// Numbers in record columns; the rules are at the top of numeric.h.
#include "record/numeric.h"

#include <charconv>

#include "record/chunk_scanner.h"
#include "util/return_if_error.h"

namespace labstore::internal {
namespace {

// What a column has shown so far while its type is being decided.
struct Seen {
  bool candidate = false;  // listed as json and no value yet that is not a number
  bool has_double = false;
  bool has_int = false;
};

// Folds the values of one chunk column into `seen`.
void Look(const DecodedColumn& col, Seen* seen) {
  switch (col.type) {
    case ValueType::kNull: return;
    case ValueType::kInt64: seen->has_int = true; return;
    case ValueType::kDouble: seen->has_double = true; return;
    case ValueType::kJson:
      for (uint32_t i = 0; i < col.count && seen->candidate; ++i) {
        int64_t n;
        double d;
        switch (NumberOfJson(col.StringAt(i), &n, &d)) {
          case ValueType::kInt64: seen->has_int = true; break;
          case ValueType::kDouble: seen->has_double = true; break;
          default: seen->candidate = false; break;
        }
      }
      return;
    case ValueType::kBool:
    case ValueType::kString: seen->candidate = false; return;
  }
}

}  // namespace

ValueType NumberOfJson(std::string_view text, int64_t* i, double* d) {
  if (text.empty()) return ValueType::kJson;
  const char* begin = text.data();
  const char* end = begin + text.size();
  char c = text[0] == '-' && text.size() > 1 ? text[1] : text[0];
  if (!(c >= '0' && c <= '9') && c != 'N' && c != 'I') return ValueType::kJson;  // "x", [..], {..}, true, null
  bool integral = text.find_first_not_of("-0123456789") == std::string_view::npos;
  if (integral) {
    auto [p, ec] = std::from_chars(begin, end, *i);
    return ec == std::errc() && p == end ? ValueType::kInt64 : ValueType::kJson;
  }
  auto [p, ec] = std::from_chars(begin, end, *d);
  return ec == std::errc() && p == end ? ValueType::kDouble : ValueType::kJson;
}

void NarrowJsonColumn(ColumnData* col) {
  if (col->type != ValueType::kJson) return;
  const size_t rows = col->offsets.empty() ? 0 : col->offsets.size() - 1;
  std::vector<int64_t> ints(rows, 0);
  std::vector<double> doubles(rows, 0.0);
  bool has_double = false, any = false;
  for (size_t r = 0; r < rows; ++r) {
    if (!col->IsValid(r)) continue;
    switch (NumberOfJson(col->StringAt(r), &ints[r], &doubles[r])) {
      case ValueType::kInt64: doubles[r] = static_cast<double>(ints[r]); break;
      case ValueType::kDouble: has_double = true; break;
      default: return;  // not a number: the column stays json
    }
    any = true;
  }
  if (!any) return;
  col->type = has_double ? ValueType::kDouble : ValueType::kInt64;
  if (has_double) {
    col->doubles = std::move(doubles);
  } else {
    col->ints = std::move(ints);
  }
  col->offsets.clear();
  col->bytes.clear();
}

Result<std::vector<std::pair<std::string, ValueType>>> ReadColumnTypes(const StoreState& st, std::string_view id,
                                                                       std::string_view scope) {
  ChunkScanner scan;
  LABSTORE_RETURN_IF_ERROR(scan.Open(st, id, scope, {}));
  std::vector<std::pair<std::string, ValueType>> columns = scan.meta().columns;
  std::vector<Seen> seen(columns.size());
  size_t candidates = 0;
  for (size_t c = 0; c < columns.size(); ++c) {
    seen[c].candidate = columns[c].second == ValueType::kJson;
    candidates += seen[c].candidate;
  }
  while (candidates > 0 && scan.Next()) {
    for (const DecodedColumn& col : scan.chunk().columns) {
      for (size_t c = 0; c < columns.size(); ++c) {
        if (!seen[c].candidate || columns[c].first != col.name) continue;
        Look(col, &seen[c]);
        candidates -= !seen[c].candidate;
      }
    }
  }
  LABSTORE_RETURN_IF_ERROR(scan.status());
  for (size_t c = 0; c < columns.size(); ++c) {
    if (!seen[c].candidate) continue;
    if (seen[c].has_double) columns[c].second = ValueType::kDouble;
    else if (seen[c].has_int) columns[c].second = ValueType::kInt64;
  }
  return columns;
}

}  // namespace labstore::internal
