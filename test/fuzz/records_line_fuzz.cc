// Fuzz target: a records/<scope>.jsonl file as import reads it
// (lib/import/record_line.h). Every line is checked; each value of a line the
// check accepts becomes a record value that survives the chunk's stored JSON
// (AppendStoredJson -> ParseStoredJson) with the same stored JSON text. (Not
// always the same value: a string holding a surrogate pair as two WTF-8
// sequences, which ParsePyJson accepts as Python's json.loads(bytes) does,
// is stored as "\ud800\udc00" and comes back as one code point, as in Python.
// What export writes is the same either way.)
#include <cstdint>
#include <unordered_set>

#include "fuzz_check.h"
#include "import/record_line.h"
#include "record/value_json.h"

using labstore::Value;
using labstore::fuzz::Check;
using namespace labstore::internal;  // NOLINT: a fuzz target over internals

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::unordered_set<std::string> columns;
  ForEachLine(labstore::fuzz::AsText(data, size), [&](size_t, std::string_view line) {
    if (!RecordLineProblem(line, &columns).empty()) return;
    auto row = ParsePyJson(line, "line");
    Check(row.ok() && row->is_object(), "an accepted line is not an object", line);
    for (const auto& [name, json] : row->members()) {
      if (name == "__timestamp") continue;
      Value value = RecordValueOf(json);
      std::string stored;
      AppendStoredJson(&stored, value);
      auto back = ParseStoredJson(stored);
      Check(back.ok(), "a stored value does not parse", stored);
      std::string again;
      AppendStoredJson(&again, *back);
      Check(again == stored, "a value's stored JSON changes through parse -> store", stored);
      if (value.type() != labstore::ValueType::kString) Check(*back == value, "a value changes", stored);
    }
  });
  return 0;
}
