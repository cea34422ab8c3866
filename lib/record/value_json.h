// Record values <-> JSON text: the one place that spells a Value as JSON and
// reads one back. Private to lib (record, import).
//
// Stored JSON (the values of a json column, chunk.h) is compact with sorted
// keys, as Python's json.dumps(sort_keys=True, separators=(",", ":")), with
// Python's int and float spellings and ensure_ascii strings. JSON lines
// (machinable's records files) spell nested values with ", " and ": ".
#ifndef LABSTORE_LIB_RECORD_VALUE_JSON_H_
#define LABSTORE_LIB_RECORD_VALUE_JSON_H_

#include <string>
#include <string_view>

#include "json/py_json.h"
#include "labstore/record.h"
#include "labstore/status.h"

namespace labstore::internal {

// The JSON text of a value as stored in a json column (compact, sorted keys,
// Python float spelling).
void AppendStoredJson(std::string* out, const Value& v);

// The JSON text of a value as machinable's JSON lines write it: scalars as
// AppendStoredJson, kJson values re-spelled in the JSON lines dialect (as
// they are when they cannot be parsed). What Value::ToJson returns.
void AppendJsonLinesValue(std::string* out, const Value& v);

// A parsed JSON value as a record value: scalars typed, ints beyond int64 and
// arrays/objects as kJson text (compact, sorted keys).
Value ValueFromPyJson(const PyJson& j);

// A stored JSON text back to a value (ParsePyJson, then ValueFromPyJson).
// Errors: InvalidArgument.
Result<Value> ParseStoredJson(std::string_view text);

// A cell of a json column as a value: ParseStoredJson, or null if the text
// does not parse.
Value StoredJsonValue(std::string_view text);

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_RECORD_VALUE_JSON_H_
