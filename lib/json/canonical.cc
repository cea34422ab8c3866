#include "json/canonical.h"

#include <charconv>
#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace labstore::internal {
namespace {

const char* KindName(JsonKind kind) {
  switch (kind) {
    case JsonKind::kObject: return "a JSON object";
    case JsonKind::kArray: return "a JSON array";
    case JsonKind::kAny: return "JSON";
  }
  return "JSON";
}

std::string Excerpt(std::string_view text) {
  if (text.size() <= 60) return std::string(text);
  return std::string(text.substr(0, 57)) + "...";
}

template <typename Json>
Result<Json> Parse(std::string_view text, JsonKind kind, std::string_view what) {
  Json value = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) {
    return Status::InvalidArgument(fmt::format("invalid {} {}", what, Excerpt(text)), "not valid JSON");
  }
  bool kind_ok = kind == JsonKind::kAny || (kind == JsonKind::kObject && value.is_object()) ||
                 (kind == JsonKind::kArray && value.is_array());
  if (!kind_ok) {
    return Status::InvalidArgument(fmt::format("invalid {} {}", what, Excerpt(text)),
                                   fmt::format("{} must be {}", what, KindName(kind)));
  }
  return value;
}

void AppendString(std::string* out, const std::string& s) {
  out->push_back('"');
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(c);
    } else if (u < 0x20) {
      *out += fmt::format("\\u{:04x}", u);
    } else {
      out->push_back(c);
    }
  }
  out->push_back('"');
}

void AppendDouble(std::string* out, double d) {
  if (std::isfinite(d) && d == std::trunc(d) && d >= -9223372036854775808.0 && d < 9223372036854775808.0) {
    *out += std::to_string(static_cast<int64_t>(d));
    return;
  }
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, d);
  out->append(buf, r.ptr);
}

void AppendCanonical(std::string* out, const nlohmann::json& v) {
  switch (v.type()) {
    case nlohmann::json::value_t::object: {
      out->push_back('{');
      bool first = true;
      for (auto it = v.begin(); it != v.end(); ++it) {  // std::map: sorted by bytes
        const std::string& key = it.key();
        if (!key.empty() && key.back() == '_') continue;
        if (!first) out->push_back(',');
        first = false;
        AppendString(out, key);
        out->push_back(':');
        AppendCanonical(out, it.value());
      }
      out->push_back('}');
      break;
    }
    case nlohmann::json::value_t::array: {
      out->push_back('[');
      for (size_t i = 0; i < v.size(); ++i) {
        if (i) out->push_back(',');
        AppendCanonical(out, v[i]);
      }
      out->push_back(']');
      break;
    }
    case nlohmann::json::value_t::string: AppendString(out, v.get_ref<const std::string&>()); break;
    case nlohmann::json::value_t::boolean: *out += v.get<bool>() ? "true" : "false"; break;
    case nlohmann::json::value_t::number_integer: *out += std::to_string(v.get<int64_t>()); break;
    case nlohmann::json::value_t::number_unsigned: {
      uint64_t u = v.get<uint64_t>();
      if (u < (uint64_t{1} << 63)) {
        *out += std::to_string(u);
      } else {
        AppendDouble(out, static_cast<double>(u));  // beyond int64: one spelling via double
      }
      break;
    }
    case nlohmann::json::value_t::number_float: AppendDouble(out, v.get<double>()); break;
    default: *out += "null"; break;
  }
}

}  // namespace

Result<std::string> MinifyJson(std::string_view text, JsonKind kind, std::string_view what) {
  auto value = Parse<nlohmann::ordered_json>(text, kind, what);
  if (!value.ok()) return value.status();
  return value->dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

Result<std::string> CanonicalJson(std::string_view text, std::string_view what, JsonKind kind) {
  auto value = Parse<nlohmann::json>(text, kind, what);
  if (!value.ok()) return value.status();
  std::string out;
  AppendCanonical(&out, *value);
  return out;
}

}  // namespace labstore::internal
