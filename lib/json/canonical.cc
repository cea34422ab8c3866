#include "json/canonical.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "json/py_json.h"

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

Result<PyJson> Parse(std::string_view text, JsonKind kind, std::string_view what) {
  auto value = ParsePyJson(text, what);
  if (!value.ok()) return value.status();
  bool kind_ok = kind == JsonKind::kAny || (kind == JsonKind::kObject && value->is_object()) ||
                 (kind == JsonKind::kArray && value->is_array());
  if (!kind_ok) {
    return Status::InvalidArgument(fmt::format("invalid {} {}", what, Excerpt(text)),
                                   fmt::format("{} must be {}", what, KindName(kind)));
  }
  return value;
}

void AppendString(std::string* out, std::string_view s) {
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
  if (std::isnan(d)) {
    out->append("NaN");
  } else if (std::isinf(d)) {
    out->append(d > 0 ? "Infinity" : "-Infinity");
  } else if (d == std::trunc(d) && d >= -9223372036854775808.0 && d < 9223372036854775808.0) {
    out->append(std::to_string(static_cast<int64_t>(d)));
  } else {
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, d);
    out->append(buf, r.ptr);
  }
}

void AppendCanonical(std::string* out, const PyJson& v) {
  switch (v.type()) {
    case PyJson::Type::kNull: out->append("null"); return;
    case PyJson::Type::kBool: out->append(v.boolean() ? "true" : "false"); return;
    case PyJson::Type::kString: AppendString(out, v.text()); return;
    case PyJson::Type::kFloat: AppendDouble(out, v.number()); return;
    case PyJson::Type::kInt:
      if (auto i = v.AsInt64()) {
        out->append(std::to_string(*i));
      } else {
        AppendDouble(out, v.AsDouble().value_or(0));  // beyond int64: one spelling via double
      }
      return;
    case PyJson::Type::kArray: {
      out->push_back('[');
      bool first = true;
      for (const PyJson& item : v.items()) {
        if (!first) out->push_back(',');
        first = false;
        AppendCanonical(out, item);
      }
      out->push_back(']');
      return;
    }
    case PyJson::Type::kObject: {
      std::vector<const PyJson::Member*> kept;
      kept.reserve(v.members().size());
      for (const PyJson::Member& m : v.members()) {
        if (m.first.empty() || m.first.back() != '_') kept.push_back(&m);
      }
      std::sort(kept.begin(), kept.end(), [](const PyJson::Member* a, const PyJson::Member* b) {
        return a->first < b->first;  // char_traits<char> compares as unsigned: UTF-8 byte order
      });
      out->push_back('{');
      for (size_t i = 0; i < kept.size(); ++i) {
        if (i) out->push_back(',');
        AppendString(out, kept[i]->first);
        out->push_back(':');
        AppendCanonical(out, kept[i]->second);
      }
      out->push_back('}');
      return;
    }
  }
}

}  // namespace

Result<std::string> MinifyJson(std::string_view text, JsonKind kind, std::string_view what) {
  auto value = Parse(text, kind, what);
  if (!value.ok()) return value.status();
  return DumpPyJson(*value, PyDialect::kCompact);
}

Result<std::string> CanonicalJson(std::string_view text, std::string_view what, JsonKind kind) {
  auto value = Parse(text, kind, what);
  if (!value.ok()) return value.status();
  std::string out;
  AppendCanonical(&out, *value);
  return out;
}

Result<JsonForms> MinifyAndCanonicalize(std::string_view text, JsonKind kind, std::string_view what) {
  auto value = Parse(text, kind, what);
  if (!value.ok()) return value.status();
  JsonForms forms;
  forms.minified = DumpPyJson(*value, PyDialect::kCompact);
  AppendCanonical(&forms.canonical, *value);
  return forms;
}

}  // namespace labstore::internal
