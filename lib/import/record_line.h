// How import reads records/<scope>.jsonl: the lines of a file, the check of
// one line, and its values as labstore stores them. Private to lib/import;
// also called by the fuzz target test/fuzz/records_line_fuzz.cc.
#ifndef LABSTORE_LIB_IMPORT_RECORD_LINE_H_
#define LABSTORE_LIB_IMPORT_RECORD_LINE_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_set>

#include "json/py_json.h"
#include "labstore/record.h"

namespace labstore::internal {

// Python's splitlines for JSON lines: on '\n' only (json.dumps never writes a
// raw newline); a final line without '\n' counts. Calls f(line_number, line).
template <typename F>
void ForEachLine(std::string_view text, F&& f) {
  size_t start = 0, n = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    f(++n, text.substr(start, nl - start));
    start = nl + 1;
  }
}

// The problem with one line of a records file ("" when it is a row import
// takes): at most kMaxRowBytes, a JSON object with a "__timestamp" ISO string
// and valid column names; the names are added to `columns`, which may not
// grow beyond kMaxRecordColumns.
std::string RecordLineProblem(std::string_view line, std::unordered_set<std::string>* columns);

// A parsed JSON value as a record value: scalars typed, ints beyond int64 and
// lists/dicts as JSON text (compact, sorted keys). ValueFromPyJson
// (record/value_json.h), kept under this name for import.
Value RecordValueOf(const PyJson& v);

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_IMPORT_RECORD_LINE_H_
