// Record values <-> JSON text (value_json.h).
#include "record/value_json.h"

#include <utility>

namespace labstore::internal {

void AppendStoredJson(std::string* out, const Value& v) {
  switch (v.type()) {
    case ValueType::kNull: *out += "null"; break;
    case ValueType::kInt64: AppendPyInt(out, v.as_int64()); break;
    case ValueType::kDouble: AppendPyFloat(out, v.as_double()); break;
    case ValueType::kBool: *out += v.as_bool() ? "true" : "false"; break;
    case ValueType::kString: AppendPyString(out, v.as_string(), /*ensure_ascii=*/true); break;
    case ValueType::kJson: *out += v.json_text(); break;
  }
}

void AppendJsonLinesValue(std::string* out, const Value& v) {
  if (v.type() != ValueType::kJson) {
    AppendStoredJson(out, v);
    return;
  }
  auto t = ToPyDialect(v.json_text(), PyDialect::kJsonl, "record value");
  *out += t.ok() ? *t : v.json_text();
}

Value ValueFromPyJson(const PyJson& j) {
  switch (j.type()) {
    case PyJson::Type::kNull: return Value();
    case PyJson::Type::kBool: return Value(j.boolean());
    case PyJson::Type::kInt:
      if (auto i = j.AsInt64()) return Value(*i);
      return Value::FromJsonText(j.text());  // beyond int64: kept exact as JSON
    case PyJson::Type::kFloat: return Value(j.number());
    case PyJson::Type::kString: return Value(j.text());
    case PyJson::Type::kArray:
    case PyJson::Type::kObject: return Value::FromJsonText(DumpPyJson(j, PyDialect::kSql));
  }
  return Value();
}

Result<Value> ParseStoredJson(std::string_view text) {
  auto j = ParsePyJson(text, "record value");
  if (!j.ok()) return j.status();
  return ValueFromPyJson(*j);
}

Value StoredJsonValue(std::string_view text) {
  auto v = ParseStoredJson(text);
  return v.ok() ? std::move(*v) : Value();
}

}  // namespace labstore::internal
