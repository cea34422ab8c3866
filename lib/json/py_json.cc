#include "json/py_json.h"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>
#include <unordered_map>

#include <fmt/format.h>

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

// ---- parsing -------------------------------------------------------------------

namespace {

constexpr int kMaxDepth = 512;

// Decodes one WTF-8 sequence at s[i]; returns its length (0 if invalid) and
// the code point. Accepts encoded surrogates (WTF-8), rejects overlong forms.
size_t DecodeWtf8(std::string_view s, size_t i, uint32_t* cp) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  auto cont = [&](size_t k) {
    return i + k < s.size() && (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
  };
  auto bits = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(s[i + k]) & 0x3F); };
  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  if (c >= 0xC2 && c <= 0xDF && cont(1)) {
    *cp = ((c & 0x1Fu) << 6) | bits(1);
    return 2;
  }
  if (c >= 0xE0 && c <= 0xEF && cont(1) && cont(2)) {
    *cp = ((c & 0x0Fu) << 12) | (bits(1) << 6) | bits(2);
    return *cp >= 0x800 ? 3 : 0;
  }
  if (c >= 0xF0 && c <= 0xF4 && cont(1) && cont(2) && cont(3)) {
    *cp = ((c & 0x07u) << 18) | (bits(1) << 12) | (bits(2) << 6) | bits(3);
    return (*cp >= 0x10000 && *cp <= 0x10FFFF) ? 4 : 0;
  }
  return 0;
}

void AppendUtf8(std::string* out, uint32_t cp) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

class Parser {
 public:
  Parser(std::string_view text, std::string_view what) : s_(text), what_(what) {}

  Result<PyJson> Run() {
    PyJson v;
    SkipSpace();
    if (!ParseValue(&v, 0)) return error_;
    SkipSpace();
    if (pos_ != s_.size()) {
      Fail("Extra data", pos_);
      return error_;
    }
    return v;
  }

 private:
  bool AtEnd() const { return pos_ >= s_.size(); }
  char Peek() const { return s_[pos_]; }

  void SkipSpace() {
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
      ++pos_;
    }
  }

  bool StartsWith(std::string_view word) const { return s_.substr(pos_, word.size()) == word; }

  // Records the error; returns false so that callers can `return Fail(...)`.
  bool Fail(std::string_view reason, size_t at) {
    size_t line = 1, line_start = 0;
    for (size_t i = 0; i < at && i < s_.size(); ++i) {
      if (s_[i] == '\n') {
        ++line;
        line_start = i + 1;
      }
    }
    error_ = Status::InvalidArgument(
        fmt::format("invalid JSON in {}: {} at line {} column {} (byte {})", what_, reason, line, at - line_start + 1, at));
    return false;
  }

  bool ParseValue(PyJson* out, int depth) {
    if (AtEnd()) return Fail("Expecting value", pos_);
    char c = Peek();
    switch (c) {
      case '{': return ParseObject(out, depth + 1);
      case '[': return ParseArray(out, depth + 1);
      case '"': {
        std::string str;
        if (!ParseString(&str)) return false;
        *out = PyJson::String(std::move(str));
        return true;
      }
      case 'n':
        if (StartsWith("null")) { pos_ += 4; *out = PyJson(); return true; }
        break;
      case 't':
        if (StartsWith("true")) { pos_ += 4; *out = PyJson::Bool(true); return true; }
        break;
      case 'f':
        if (StartsWith("false")) { pos_ += 5; *out = PyJson::Bool(false); return true; }
        break;
      case 'N':
        if (StartsWith("NaN")) { pos_ += 3; *out = PyJson::Float(std::nan("")); return true; }
        break;
      case 'I':
        if (StartsWith("Infinity")) { pos_ += 8; *out = PyJson::Float(HUGE_VAL); return true; }
        break;
      case '-':
        if (StartsWith("-Infinity")) { pos_ += 9; *out = PyJson::Float(-HUGE_VAL); return true; }
        return ParseNumber(out);
      default:
        if (c >= '0' && c <= '9') return ParseNumber(out);
        break;
    }
    return Fail("Expecting value", pos_);
  }

  bool ParseNumber(PyJson* out) {
    size_t start = pos_;
    auto digit = [&] { return !AtEnd() && Peek() >= '0' && Peek() <= '9'; };
    if (Peek() == '-') ++pos_;
    if (!digit()) return Fail("Expecting value", start);
    if (Peek() == '0') {
      ++pos_;
    } else {
      while (digit()) ++pos_;
    }
    bool is_float = false;
    if (!AtEnd() && Peek() == '.' && pos_ + 1 < s_.size() && s_[pos_ + 1] >= '0' && s_[pos_ + 1] <= '9') {
      is_float = true;
      ++pos_;
      while (digit()) ++pos_;
    }
    if (!AtEnd() && (Peek() == 'e' || Peek() == 'E')) {
      size_t e = pos_ + 1;
      if (e < s_.size() && (s_[e] == '+' || s_[e] == '-')) ++e;
      if (e < s_.size() && s_[e] >= '0' && s_[e] <= '9') {
        is_float = true;
        pos_ = e;
        while (digit()) ++pos_;
      }
    }
    std::string_view num = s_.substr(start, pos_ - start);
    if (!is_float) {
      *out = PyJson::IntText(num == "-0" ? std::string("0") : std::string(num));
      return true;
    }
    double d = 0;
    auto r = std::from_chars(num.data(), num.data() + num.size(), d);
    if (r.ec == std::errc::result_out_of_range) d = OutOfRange(num);
    *out = PyJson::Float(d);
    return true;
  }

  // float() of a number too large or too small for a double: ±inf or ±0.0.
  static double OutOfRange(std::string_view num) {
    bool negative = num[0] == '-';
    size_t e_at = num.find_first_of("eE");
    std::string_view mantissa = num.substr(negative ? 1 : 0, e_at == std::string_view::npos ? std::string_view::npos
                                                                                      : e_at - (negative ? 1 : 0));
    size_t point = mantissa.find('.');
    std::string_view int_part = mantissa.substr(0, point);
    std::string_view frac_part = point == std::string_view::npos ? std::string_view() : mantissa.substr(point + 1);
    // Decimal exponent of the first non-zero digit.
    int64_t magnitude = 0;
    bool nonzero = false;
    size_t k = int_part.find_first_not_of('0');
    if (k != std::string_view::npos) {
      nonzero = true;
      magnitude = static_cast<int64_t>(int_part.size() - k) - 1;
    } else if ((k = frac_part.find_first_not_of('0')) != std::string_view::npos) {
      nonzero = true;
      magnitude = -static_cast<int64_t>(k) - 1;
    }
    int64_t exponent = 0;
    if (e_at != std::string_view::npos) {
      std::string_view e = num.substr(e_at + 1);
      if (!e.empty() && e[0] == '+') e.remove_prefix(1);
      auto r = std::from_chars(e.data(), e.data() + e.size(), exponent);
      if (r.ec == std::errc::result_out_of_range) exponent = e[0] == '-' ? INT64_MIN / 2 : INT64_MAX / 2;
    }
    double v = nonzero && magnitude + exponent > 0 ? HUGE_VAL : 0.0;
    return negative ? -v : v;
  }

  // At '"'. Appends the decoded WTF-8 string.
  bool ParseString(std::string* out) {
    size_t start = pos_;
    ++pos_;
    while (true) {
      size_t run = pos_;
      while (pos_ < s_.size()) {
        unsigned char c = static_cast<unsigned char>(s_[pos_]);
        if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) break;
        ++pos_;
      }
      out->append(s_.data() + run, pos_ - run);
      if (AtEnd()) return Fail("Unterminated string starting", start);
      unsigned char c = static_cast<unsigned char>(Peek());
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c < 0x20) return Fail("Invalid control character", pos_);
      if (c >= 0x80) {
        uint32_t cp;
        size_t n = DecodeWtf8(s_, pos_, &cp);
        if (n == 0) return Fail("Invalid UTF-8", pos_);
        out->append(s_.data() + pos_, n);
        pos_ += n;
        continue;
      }
      // Backslash.
      if (pos_ + 1 >= s_.size()) return Fail("Unterminated string starting", start);
      char e = s_[pos_ + 1];
      switch (e) {
        case '"': out->push_back('"'); break;
        case '\\': out->push_back('\\'); break;
        case '/': out->push_back('/'); break;
        case 'b': out->push_back('\b'); break;
        case 'f': out->push_back('\f'); break;
        case 'n': out->push_back('\n'); break;
        case 'r': out->push_back('\r'); break;
        case 't': out->push_back('\t'); break;
        case 'u': {
          uint32_t cp;
          if (!Hex4(pos_ + 2, &cp)) return Fail("Invalid \\uXXXX escape", pos_);
          pos_ += 6;
          if (cp >= 0xD800 && cp <= 0xDBFF && pos_ + 1 < s_.size() && s_[pos_] == '\\' && s_[pos_ + 1] == 'u') {
            uint32_t low;
            if (!Hex4(pos_ + 2, &low)) return Fail("Invalid \\uXXXX escape", pos_);
            if (low >= 0xDC00 && low <= 0xDFFF) {
              cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
              pos_ += 6;
            }
          }
          AppendUtf8(out, cp);
          continue;
        }
        default: return Fail("Invalid \\escape", pos_);
      }
      pos_ += 2;
    }
  }

  bool Hex4(size_t at, uint32_t* cp) const {
    if (at + 4 > s_.size()) return false;
    uint32_t v = 0;
    for (size_t i = at; i < at + 4; ++i) {
      char c = s_[i];
      v <<= 4;
      if (c >= '0' && c <= '9') v |= static_cast<uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f') v |= static_cast<uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') v |= static_cast<uint32_t>(c - 'A' + 10);
      else return false;
    }
    *cp = v;
    return true;
  }

  bool ParseObject(PyJson* out, int depth) {
    if (depth > kMaxDepth) return Fail("Nesting too deep", pos_);
    ++pos_;
    std::vector<PyJson::Member> members;
    std::unordered_map<std::string, size_t> index;  // used past a few members
    SkipSpace();
    if (!AtEnd() && Peek() == '}') {
      ++pos_;
      *out = PyJson::Object();
      return true;
    }
    while (true) {
      if (AtEnd() || Peek() != '"') return Fail("Expecting property name enclosed in double quotes", pos_);
      std::string key;
      if (!ParseString(&key)) return false;
      SkipSpace();
      if (AtEnd() || Peek() != ':') return Fail("Expecting ':' delimiter", pos_);
      ++pos_;
      SkipSpace();
      PyJson value;
      if (!ParseValue(&value, depth)) return false;
      AddMember(&members, &index, std::move(key), std::move(value));
      SkipSpace();
      if (!AtEnd() && Peek() == ',') {
        ++pos_;
        SkipSpace();
        continue;
      }
      if (!AtEnd() && Peek() == '}') {
        ++pos_;
        break;
      }
      return Fail("Expecting ',' delimiter", pos_);
    }
    *out = PyJson::Object(std::move(members));
    return true;
  }

  // A Python dict: a repeated key keeps its first position and takes the new value.
  static void AddMember(std::vector<PyJson::Member>* members, std::unordered_map<std::string, size_t>* index,
                        std::string key, PyJson value) {
    constexpr size_t kLinear = 16;
    if (members->size() < kLinear) {
      for (auto& m : *members) {
        if (m.first == key) {
          m.second = std::move(value);
          return;
        }
      }
      members->emplace_back(std::move(key), std::move(value));
      return;
    }
    if (index->empty()) {
      for (size_t i = 0; i < members->size(); ++i) index->emplace((*members)[i].first, i);
    }
    auto [it, inserted] = index->emplace(key, members->size());
    if (!inserted) {
      (*members)[it->second].second = std::move(value);
      return;
    }
    members->emplace_back(std::move(key), std::move(value));
  }

  bool ParseArray(PyJson* out, int depth) {
    if (depth > kMaxDepth) return Fail("Nesting too deep", pos_);
    ++pos_;
    std::vector<PyJson> items;
    SkipSpace();
    if (!AtEnd() && Peek() == ']') {
      ++pos_;
      *out = PyJson::Array();
      return true;
    }
    while (true) {
      PyJson value;
      if (!ParseValue(&value, depth)) return false;
      items.push_back(std::move(value));
      SkipSpace();
      if (!AtEnd() && Peek() == ',') {
        ++pos_;
        SkipSpace();
        continue;
      }
      if (!AtEnd() && Peek() == ']') {
        ++pos_;
        break;
      }
      return Fail("Expecting ',' delimiter", pos_);
    }
    *out = PyJson::Array(std::move(items));
    return true;
  }

  std::string_view s_;
  std::string_view what_;
  size_t pos_ = 0;
  Status error_;
};

}  // namespace

Result<PyJson> ParsePyJson(std::string_view text, std::string_view what) { return Parser(text, what).Run(); }

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
