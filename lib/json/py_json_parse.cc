// ParsePyJson: json.loads, byte for byte (lib/json/py_json.h).
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <unordered_map>

#include <fmt/format.h>

#include "json/py_json.h"
#include "json/wtf8.h"

namespace labstore::internal {

// ---- parsing -------------------------------------------------------------------

namespace {

constexpr int kMaxDepth = 512;

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
    error_ = Status::InvalidArgument(fmt::format("invalid JSON in {}: {} at line {} column {} (byte {})", what_, reason,
                                                 line, at - line_start + 1, at));
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

}  // namespace labstore::internal
