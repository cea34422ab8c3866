#include "json/py_json.h"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>

#include <fmt/format.h>

#include "json/wtf8.h"

namespace labstore::internal {

// ---- the value ---------------------------------------------------------------

PyJson PyJson::Bool(bool b) {
  PyJson v;
  v.type_ = Type::kBool;
  v.boolean_ = b;
  return v;
}

PyJson PyJson::Int(int64_t i) {
  PyJson v;
  v.type_ = Type::kInt;
  AppendPyInt(&v.text_, i);
  return v;
}

PyJson PyJson::IntText(std::string digits) {
  PyJson v;
  v.type_ = Type::kInt;
  v.text_ = std::move(digits);
  return v;
}

PyJson PyJson::Float(double d) {
  PyJson v;
  v.type_ = Type::kFloat;
  v.number_ = d;
  return v;
}

PyJson PyJson::String(std::string utf8) {
  PyJson v;
  v.type_ = Type::kString;
  v.text_ = std::move(utf8);
  return v;
}

PyJson PyJson::Array(std::vector<PyJson> items) {
  PyJson v;
  v.type_ = Type::kArray;
  v.items_ = std::move(items);
  return v;
}

PyJson PyJson::Object(std::vector<Member> members) {
  PyJson v;
  v.type_ = Type::kObject;
  v.members_ = std::move(members);
  return v;
}

std::optional<int64_t> PyJson::AsInt64() const {
  if (type_ != Type::kInt) return std::nullopt;
  int64_t out = 0;
  auto r = std::from_chars(text_.data(), text_.data() + text_.size(), out);
  if (r.ec != std::errc() || r.ptr != text_.data() + text_.size()) return std::nullopt;
  return out;
}

std::optional<double> PyJson::AsDouble() const {
  if (type_ == Type::kFloat) return number_;
  if (type_ != Type::kInt) return std::nullopt;
  double out = 0;
  auto r = std::from_chars(text_.data(), text_.data() + text_.size(), out);
  if (r.ec == std::errc::result_out_of_range) {
    return text_[0] == '-' ? -HUGE_VAL : HUGE_VAL;
  }
  return out;
}

const PyJson* PyJson::Find(std::string_view key) const {
  for (const auto& [k, v] : members_) {
    if (k == key) return &v;
  }
  return nullptr;
}

void PyJson::Set(std::string key, PyJson value) {
  for (auto& [k, v] : members_) {
    if (k == key) {
      v = std::move(value);
      return;
    }
  }
  members_.emplace_back(std::move(key), std::move(value));
}

bool PyJson::Erase(std::string_view key) {
  auto it = std::find_if(members_.begin(), members_.end(), [&](const Member& m) { return m.first == key; });
  if (it == members_.end()) return false;
  members_.erase(it);
  return true;
}

bool operator==(const PyJson& a, const PyJson& b) {
  if (a.type_ != b.type_) return false;
  switch (a.type_) {
    case PyJson::Type::kNull: return true;
    case PyJson::Type::kBool: return a.boolean_ == b.boolean_;
    case PyJson::Type::kFloat: return std::bit_cast<uint64_t>(a.number_) == std::bit_cast<uint64_t>(b.number_);
    case PyJson::Type::kInt:
    case PyJson::Type::kString: return a.text_ == b.text_;
    case PyJson::Type::kArray: return a.items_ == b.items_;
    case PyJson::Type::kObject: return a.members_ == b.members_;
  }
  return false;
}

// ---- writing -------------------------------------------------------------------

namespace {

char* Put(char* p, std::string_view s) {
  std::memcpy(p, s.data(), s.size());
  return p + s.size();
}

}  // namespace

char* WritePyInt(char* p, int64_t v) { return std::to_chars(p, p + kMaxPyIntSize, v).ptr; }

void AppendPyInt(std::string* out, int64_t v) {
  char buf[kMaxPyIntSize];
  out->append(buf, WritePyInt(buf, v));
}

char* WritePyFloat(char* p, double d) {
  if (std::isnan(d)) return Put(p, "NaN");
  if (std::isinf(d)) return Put(p, d < 0 ? "-Infinity" : "Infinity");
  if (std::signbit(d)) {
    *p++ = '-';
    d = -d;
  }
  if (d == 0) return Put(p, "0.0");
  // The shortest digits that round-trip, nearest to d when several are as
  // short (what Python's repr picks): d = significand * 10^exponent, without
  // trailing zeros. Dragonbox, the algorithm behind fmt's "{}" for doubles;
  // fmt keeps its entry point in fmt::detail, stable from fmt 8 to 11.
  auto dec = fmt::detail::dragonbox::to_decimal(d);
  char digits[24];
  const int n = static_cast<int>(std::to_chars(digits, digits + sizeof digits, dec.significand).ptr - digits);
  const int decpt = dec.exponent + n;  // d = 0.d1d2...dn * 10^decpt
  // Laid out as Python's float_repr_style 'short': fixed for 1e-4 <= |d| < 1e16.
  if (decpt > -4 && decpt <= 16) {
    if (decpt <= 0) {
      p = Put(p, "0.");
      std::memset(p, '0', static_cast<size_t>(-decpt));
      return Put(p - decpt, {digits, static_cast<size_t>(n)});
    }
    if (decpt >= n) {
      p = Put(p, {digits, static_cast<size_t>(n)});
      std::memset(p, '0', static_cast<size_t>(decpt - n));
      return Put(p + (decpt - n), ".0");
    }
    p = Put(p, {digits, static_cast<size_t>(decpt)});
    *p++ = '.';
    return Put(p, {digits + decpt, static_cast<size_t>(n - decpt)});
  }
  *p++ = digits[0];
  if (n > 1) {
    *p++ = '.';
    p = Put(p, {digits + 1, static_cast<size_t>(n - 1)});
  }
  const int exponent = decpt - 1;
  *p++ = 'e';
  *p++ = exponent < 0 ? '-' : '+';
  const int mag = exponent < 0 ? -exponent : exponent;
  if (mag < 10) *p++ = '0';
  return std::to_chars(p, p + 3, mag).ptr;
}

void AppendPyFloat(std::string* out, double d) {
  char buf[kMaxPyFloatSize];
  out->append(buf, WritePyFloat(buf, d));
}

std::string PyFloatRepr(double d) {
  std::string out;
  AppendPyFloat(&out, d);
  return out;
}

namespace {

constexpr char kHex[] = "0123456789abcdef";

void AppendU16(std::string* out, uint32_t unit) {
  char esc[6] = {'\\', 'u', kHex[(unit >> 12) & 0xF], kHex[(unit >> 8) & 0xF], kHex[(unit >> 4) & 0xF],
                 kHex[unit & 0xF]};
  out->append(esc, 6);
}

// Escapes of ASCII bytes that always need one; 0 when the byte is written as is.
char ShortEscape(unsigned char c) {
  switch (c) {
    case '"': return '"';
    case '\\': return '\\';
    case '\n': return 'n';
    case '\r': return 'r';
    case '\t': return 't';
    case '\b': return 'b';
    case '\f': return 'f';
    default: return 0;
  }
}

}  // namespace

void AppendPyString(std::string* out, std::string_view s, bool ensure_ascii) {
  out->push_back('"');
  size_t i = 0;
  const size_t size = s.size();
  while (i < size) {
    size_t run = i;
    if (ensure_ascii) {
      while (i < size) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c < 0x20 || c >= 0x7F || c == '"' || c == '\\') break;
        ++i;
      }
    } else {
      while (i < size) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') break;
        ++i;
      }
    }
    out->append(s.data() + run, i - run);
    if (i >= size) break;
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      char e = ShortEscape(c);
      if (e != 0) {
        out->push_back('\\');
        out->push_back(e);
      } else {
        AppendU16(out, c);  // other control characters, and U+007F with ensure_ascii
      }
      ++i;
      continue;
    }
    uint32_t cp;
    size_t n = DecodeWtf8(s, i, &cp);
    if (n == 0) {
      cp = 0xFFFD;
      n = 1;
      if (!ensure_ascii) {
        out->append("\xEF\xBF\xBD");
        i += n;
        continue;
      }
    } else if (!ensure_ascii) {
      out->append(s.data() + i, n);
      i += n;
      continue;
    }
    if (cp >= 0x10000) {
      uint32_t v = cp - 0x10000;
      AppendU16(out, 0xD800 | (v >> 10));
      AppendU16(out, 0xDC00 | (v & 0x3FF));
    } else {
      AppendU16(out, cp);
    }
    i += n;
  }
  out->push_back('"');
}

void AppendPyJson(std::string* out, const PyJson& v, PyDialect dialect) {
  const bool compact = dialect == PyDialect::kSql || dialect == PyDialect::kCompact;
  const bool ascii = dialect == PyDialect::kJsonl || dialect == PyDialect::kSql;
  const bool sorted = ascii;
  switch (v.type()) {
    case PyJson::Type::kNull: out->append("null"); return;
    case PyJson::Type::kBool: out->append(v.boolean() ? "true" : "false"); return;
    case PyJson::Type::kInt: out->append(v.text()); return;
    case PyJson::Type::kFloat: AppendPyFloat(out, v.number()); return;
    case PyJson::Type::kString: AppendPyString(out, v.text(), ascii); return;
    case PyJson::Type::kArray: {
      out->push_back('[');
      bool first = true;
      for (const PyJson& item : v.items()) {
        if (!first) out->append(compact ? "," : ", ");
        first = false;
        AppendPyJson(out, item, dialect);
      }
      out->push_back(']');
      return;
    }
    case PyJson::Type::kObject: {
      const auto& members = v.members();
      auto member = [&](const PyJson::Member& m, bool first) {
        if (!first) out->append(compact ? "," : ", ");
        AppendPyString(out, m.first, ascii);
        out->append(compact ? ":" : ": ");
        AppendPyJson(out, m.second, dialect);
      };
      out->push_back('{');
      if (!sorted || members.size() < 2) {
        for (size_t i = 0; i < members.size(); ++i) member(members[i], i == 0);
      } else {
        std::vector<const PyJson::Member*> sorted;
        sorted.reserve(members.size());
        for (const auto& m : members) sorted.push_back(&m);
        std::sort(sorted.begin(), sorted.end(), [](const PyJson::Member* a, const PyJson::Member* b) {
          return a->first < b->first;  // char_traits<char> compares as unsigned: code point order
        });
        for (size_t i = 0; i < sorted.size(); ++i) member(*sorted[i], i == 0);
      }
      out->push_back('}');
      return;
    }
  }
}

std::string DumpPyJson(const PyJson& v, PyDialect dialect) {
  std::string out;
  AppendPyJson(&out, v, dialect);
  return out;
}

Result<std::string> ToPyDialect(std::string_view text, PyDialect dialect, std::string_view what) {
  auto v = ParsePyJson(text, what);
  if (!v.ok()) return v.status();
  return DumpPyJson(*v, dialect);
}

}  // namespace labstore::internal
