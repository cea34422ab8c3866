// Value, Row and the JSON spelling of values.
#include <bit>
#include <cstring>

#include "json/py_json.h"
#include "labstore/record.h"
#include "record/chunk.h"

namespace labstore {

const char* ValueTypeName(ValueType type) {
  switch (type) {
    case ValueType::kNull: return "null";
    case ValueType::kInt64: return "int64";
    case ValueType::kDouble: return "double";
    case ValueType::kBool: return "bool";
    case ValueType::kString: return "string";
    case ValueType::kJson: return "json";
  }
  return "unknown";
}

Result<Value> Value::ParseJson(std::string_view text) { return internal::ParseStoredJson(text); }

std::string Value::ToJson() const {
  std::string out;
  switch (type()) {
    case ValueType::kJson: {
      auto t = internal::ToPyDialect(json_text(), internal::PyDialect::kJsonl, "record value");
      out = t.ok() ? std::move(*t) : json_text();
      break;
    }
    case ValueType::kString: internal::AppendPyString(&out, as_string(), /*ensure_ascii=*/true); break;
    default: internal::AppendStoredJson(&out, *this); break;
  }
  return out;
}

bool operator==(const Value& a, const Value& b) {
  if (a.type() != b.type()) return false;
  if (a.type() == ValueType::kDouble) {
    return std::bit_cast<uint64_t>(a.as_double()) == std::bit_cast<uint64_t>(b.as_double()) ||
           (a.as_double() != a.as_double() && b.as_double() != b.as_double());
  }
  return a.v_ == b.v_;
}

const Value* Row::Find(std::string_view column) const {
  for (const auto& [name, value] : cells) {
    if (name == column) return &value;
  }
  return nullptr;
}

}  // namespace labstore
