// Python's str() and repr() (py_repr.h).
#include "json/py_repr.h"

#include <cmath>

#include <fmt/format.h>

namespace labstore::internal {

void AppendPyStr(std::string* out, double d) {
  if (std::isnan(d)) *out += "nan";
  else if (std::isinf(d)) *out += d < 0 ? "-inf" : "inf";
  else AppendPyFloat(out, d);
}

void AppendPyRepr(std::string* out, const PyJson& j) {
  using T = PyJson::Type;
  switch (j.type()) {
    case T::kNull: *out += "None"; break;
    case T::kBool: *out += j.boolean() ? "True" : "False"; break;
    case T::kInt: *out += j.text(); break;
    case T::kFloat: AppendPyStr(out, j.number()); break;
    case T::kString: {
      const std::string& s = j.text();
      char q = (s.find('\'') != std::string::npos && s.find('"') == std::string::npos) ? '"' : '\'';
      out->push_back(q);
      for (unsigned char c : s) {
        if (c == '\\') *out += "\\\\";
        else if (c == static_cast<unsigned char>(q)) { out->push_back('\\'); out->push_back(q); }
        else if (c == '\n') *out += "\\n";
        else if (c == '\r') *out += "\\r";
        else if (c == '\t') *out += "\\t";
        else if (c < 0x20 || c == 0x7f) *out += fmt::format("\\x{:02x}", c);
        else out->push_back(static_cast<char>(c));
      }
      out->push_back(q);
      break;
    }
    case T::kArray:
      out->push_back('[');
      for (size_t i = 0; i < j.items().size(); ++i) {
        if (i) *out += ", ";
        AppendPyRepr(out, j.items()[i]);
      }
      out->push_back(']');
      break;
    case T::kObject:
      out->push_back('{');
      for (size_t i = 0; i < j.members().size(); ++i) {
        if (i) *out += ", ";
        AppendPyRepr(out, PyJson::String(j.members()[i].first));
        *out += ": ";
        AppendPyRepr(out, j.members()[i].second);
      }
      out->push_back('}');
      break;
  }
}

}  // namespace labstore::internal
