#include "import/record_line.h"

#include <fmt/format.h>

#include "labstore/time.h"
#include "record/scope.h"
#include "record/value_json.h"

namespace labstore::internal {

std::string RecordLineProblem(std::string_view line, std::unordered_set<std::string>* columns) {
  if (line.size() > kMaxRowBytes) return fmt::format("longer than {} bytes", kMaxRowBytes);
  auto row = ParsePyJson(line, "the line");
  if (!row.ok()) return row.status().message();
  if (!row->is_object()) return "not a JSON object";
  const PyJson* ts = row->Find("__timestamp");
  if (ts == nullptr || !ts->is_string()) return "no \"__timestamp\" string";
  if (auto t = ParseIso(ts->text()); !t.ok()) return t.status().message();
  for (const auto& [k, v] : row->members()) {
    if (k == "__timestamp") continue;
    if (Status s = ValidateRecordName("column", k); !s.ok()) return s.message();
    columns->insert(k);
  }
  if (columns->size() > kMaxRecordColumns) return fmt::format("more than {} columns", kMaxRecordColumns);
  return "";
}

Value RecordValueOf(const PyJson& v) { return ValueFromPyJson(v); }

}  // namespace labstore::internal
