// Value and Row; their JSON spelling is in value_json.cc.
#include <bit>
#include <cstring>

#include "labstore/record.h"
#include "record/value_json.h"

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
  internal::AppendJsonLinesValue(&out, *this);
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
