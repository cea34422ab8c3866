#include "import/record_line.h"

#include <fmt/format.h>

#include "labstore/time.h"
#include "record/scope.h"

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

Value RecordValueOf(const PyJson& v) {
  switch (v.type()) {
    case PyJson::Type::kNull: return Value();
    case PyJson::Type::kBool: return Value(v.boolean());
    case PyJson::Type::kInt:
      if (auto i = v.AsInt64()) return Value(*i);
      return Value::FromJsonText(v.text());  // beyond int64: kept exact as JSON
    case PyJson::Type::kFloat: return Value(v.number());
    case PyJson::Type::kString: return Value(v.text());
    case PyJson::Type::kArray:
    case PyJson::Type::kObject: return Value::FromJsonText(DumpPyJson(v, PyDialect::kSql));
  }
  return Value();
}

}  // namespace labstore::internal
