#include "data/py_json.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

namespace labstore::internal {
namespace {

struct Node {
  enum class Type : uint8_t { kLiteral, kString, kArray, kObject };
  Type type = Type::kLiteral;
  std::string text;               // kLiteral: the output spelling; kString: decoded UTF-8
  std::vector<Node> items;        // kArray: elements; kObject: values
  std::vector<std::string> keys;  // kObject: keys, parallel to items
};

void AppendUtf8(std::string* out, uint32_t cp) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xc0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xe0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else {
    out->push_back(static_cast<char>(0xf0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  }
}

// Decodes one UTF-8 sequence at s[*pos]; false if it is not valid UTF-8
// (overlong forms, surrogates and values above U+10FFFF are not).
bool DecodeUtf8(std::string_view s, size_t* pos, uint32_t* cp) {
  unsigned char c = static_cast<unsigned char>(s[*pos]);
  int extra;
  uint32_t min;
  if (c < 0x80) { *cp = c; ++*pos; return true; }
  if ((c & 0xe0) == 0xc0) { extra = 1; *cp = c & 0x1f; min = 0x80; }
  else if ((c & 0xf0) == 0xe0) { extra = 2; *cp = c & 0x0f; min = 0x800; }
  else if ((c & 0xf8) == 0xf0) { extra = 3; *cp = c & 0x07; min = 0x10000; }
  else return false;
  if (*pos + extra >= s.size()) return false;
  for (int i = 1; i <= extra; ++i) {
    unsigned char d = static_cast<unsigned char>(s[*pos + i]);
    if ((d & 0xc0) != 0x80) return false;
    *cp = (*cp << 6) | (d & 0x3f);
  }
  if (*cp < min || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff)) return false;
  *pos += extra + 1;
  return true;
}

class Parser {
 public:
  Parser(std::string_view text, std::string_view what) : s_(text), what_(what) {}

  Status ParseDocument(Node* root) {
    SkipSpace();
    LABSTORE_RETURN_IF_ERROR(ParseValue(root, 0));
    SkipSpace();
    if (pos_ != s_.size()) return Error("extra data after the value");
    return Status::OK();
  }

 private:
  Status Error(std::string_view problem) const {
    return Status::InvalidArgument(fmt::format("invalid JSON in {}", what_),
                                   fmt::format("{} at byte {}", problem, pos_));
  }

  void SkipSpace() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) ++pos_;
  }

  bool Consume(std::string_view word) {
    if (s_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  Status ParseValue(Node* node, int depth) {
    if (depth > kMaxJsonDepth) return Error(fmt::format("nesting deeper than {}", kMaxJsonDepth));
    if (pos_ >= s_.size()) return Error("unexpected end, expected a value");
    char c = s_[pos_];
    if (c == '{') return ParseObject(node, depth);
    if (c == '[') return ParseArray(node, depth);
    if (c == '"') {
      node->type = Node::Type::kString;
      return ParseString(&node->text);
    }
    node->type = Node::Type::kLiteral;
    for (std::string_view word : {"null", "true", "false", "NaN", "Infinity", "-Infinity"}) {
      if (Consume(word)) {
        node->text = word;
        return Status::OK();
      }
    }
    if (c == '-' || (c >= '0' && c <= '9')) return ParseNumber(&node->text);
    return Error(fmt::format("unexpected character '{}'", c));
  }

  Status ParseObject(Node* node, int depth) {
    node->type = Node::Type::kObject;
    ++pos_;  // '{'
    SkipSpace();
    if (pos_ < s_.size() && s_[pos_] == '}') {
      ++pos_;
      return Status::OK();
    }
    std::unordered_map<std::string, size_t> index;  // filled only past a few keys
    while (true) {
      SkipSpace();
      if (pos_ >= s_.size() || s_[pos_] != '"') return Error("expected a string key");
      std::string key;
      LABSTORE_RETURN_IF_ERROR(ParseString(&key));
      SkipSpace();
      if (pos_ >= s_.size() || s_[pos_] != ':') return Error("expected ':'");
      ++pos_;
      SkipSpace();
      Node value;
      LABSTORE_RETURN_IF_ERROR(ParseValue(&value, depth + 1));
      // A repeated key keeps its first position and takes the last value (Python dict).
      size_t found = node->keys.size();
      if (node->keys.size() < 16) {
        found = static_cast<size_t>(std::find(node->keys.begin(), node->keys.end(), key) - node->keys.begin());
      } else {
        if (index.empty()) {
          for (size_t i = 0; i < node->keys.size(); ++i) index.emplace(node->keys[i], i);
        }
        auto it = index.find(key);
        if (it != index.end()) found = it->second;
        else index.emplace(key, node->keys.size());
      }
      if (found < node->keys.size()) {
        node->items[found] = std::move(value);
      } else {
        node->keys.push_back(std::move(key));
        node->items.push_back(std::move(value));
      }
      SkipSpace();
      if (pos_ < s_.size() && s_[pos_] == ',') { ++pos_; continue; }
      if (pos_ < s_.size() && s_[pos_] == '}') { ++pos_; return Status::OK(); }
      return Error("expected ',' or '}'");
    }
  }

  Status ParseArray(Node* node, int depth) {
    node->type = Node::Type::kArray;
    ++pos_;  // '['
    SkipSpace();
    if (pos_ < s_.size() && s_[pos_] == ']') {
      ++pos_;
      return Status::OK();
    }
    while (true) {
      SkipSpace();
      node->items.emplace_back();
      LABSTORE_RETURN_IF_ERROR(ParseValue(&node->items.back(), depth + 1));
      SkipSpace();
      if (pos_ < s_.size() && s_[pos_] == ',') { ++pos_; continue; }
      if (pos_ < s_.size() && s_[pos_] == ']') { ++pos_; return Status::OK(); }
      return Error("expected ',' or ']'");
    }
  }

  bool Hex4(uint32_t* v) {
    if (pos_ + 4 > s_.size()) return false;
    *v = 0;
    for (int i = 0; i < 4; ++i) {
      char c = s_[pos_ + i];
      int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
      if (d < 0) return false;
      *v = *v * 16 + static_cast<uint32_t>(d);
    }
    pos_ += 4;
    return true;
  }

  Status ParseString(std::string* out) {
    ++pos_;  // '"'
    while (true) {
      if (pos_ >= s_.size()) return Error("unterminated string");
      unsigned char c = static_cast<unsigned char>(s_[pos_]);
      if (c == '"') {
        ++pos_;
        return Status::OK();
      }
      if (c < 0x20) return Error("control character in a string");
      if (c != '\\') {
        size_t start = pos_;
        uint32_t cp;
        if (!DecodeUtf8(s_, &pos_, &cp)) return Error("invalid UTF-8");
        out->append(s_.substr(start, pos_ - start));
        continue;
      }
      ++pos_;
      if (pos_ >= s_.size()) return Error("unterminated string");
      char e = s_[pos_++];
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
          if (!Hex4(&cp)) return Error("invalid \\u escape");
          if (cp >= 0xd800 && cp <= 0xdbff) {
            uint32_t low;
            if (!Consume("\\u") || !Hex4(&low) || low < 0xdc00 || low > 0xdfff) {
              return Error("a high surrogate escape not followed by a low one");
            }
            cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
          } else if (cp >= 0xdc00 && cp <= 0xdfff) {
            return Error("a lone low surrogate escape");
          }
          AppendUtf8(out, cp);
          break;
        }
        default: --pos_; return Error(fmt::format("invalid escape '\\{}'", e));
      }
    }
  }

  Status ParseNumber(std::string* out) {
    size_t start = pos_;
    bool negative = s_[pos_] == '-';
    if (negative) ++pos_;
    auto digits = [&] {
      size_t n = 0;
      while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_, ++n;
      return n;
    };
    size_t int_start = pos_;
    size_t int_digits = digits();
    if (int_digits == 0) return Error("expected a digit");
    if (int_digits > 1 && s_[int_start] == '0') {
      pos_ = int_start + 1;
      return Error("a number may not have leading zeros");
    }
    bool is_float = false;
    int64_t exponent = 0;
    if (pos_ < s_.size() && s_[pos_] == '.') {
      ++pos_;
      if (digits() == 0) return Error("expected a digit after '.'");
      is_float = true;
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      ++pos_;
      bool exp_negative = false;
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) exp_negative = s_[pos_++] == '-';
      size_t exp_start = pos_;
      if (digits() == 0) return Error("expected a digit in the exponent");
      for (size_t i = exp_start; i < pos_ && exponent < 100000; ++i) exponent = exponent * 10 + (s_[i] - '0');
      if (exp_negative) exponent = -exponent;
      is_float = true;
    }
    std::string_view token = s_.substr(start, pos_ - start);
    if (!is_float) {
      // Python int: every digit kept; -0 is 0.
      *out = (negative && int_digits == 1 && s_[int_start] == '0') ? "0" : std::string(token);
      return Status::OK();
    }
    double d = 0;
    auto r = std::from_chars(token.data(), token.data() + token.size(), d);
    if (r.ec == std::errc::result_out_of_range) {
      // Python's float() gives inf on overflow and 0.0 on underflow.
      // The decimal exponent of the first non-zero digit tells which.
      int64_t leading = static_cast<int64_t>(int_digits);
      for (size_t i = int_start; i < pos_ && (s_[i] == '0' || s_[i] == '.'); ++i) {
        if (s_[i] == '0') --leading;
      }
      bool overflow = leading + exponent > 0;
      d = overflow ? HUGE_VAL : 0.0;
      if (negative) d = -d;
    } else if (r.ec != std::errc() || r.ptr != token.data() + token.size()) {
      return Error("invalid number");
    }
    *out = PythonFloatRepr(d);
    return Status::OK();
  }

  std::string_view s_;
  std::string_view what_;
  size_t pos_ = 0;
};

void EmitString(std::string* out, std::string_view s, bool ascii) {
  out->push_back('"');
  size_t pos = 0;
  while (pos < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[pos]);
    switch (c) {
      case '"': *out += "\\\""; ++pos; continue;
      case '\\': *out += "\\\\"; ++pos; continue;
      case '\b': *out += "\\b"; ++pos; continue;
      case '\f': *out += "\\f"; ++pos; continue;
      case '\n': *out += "\\n"; ++pos; continue;
      case '\r': *out += "\\r"; ++pos; continue;
      case '\t': *out += "\\t"; ++pos; continue;
      default: break;
    }
    if (c < 0x20) {
      *out += fmt::format("\\u{:04x}", c);
      ++pos;
    } else if (!ascii || (c >= 0x20 && c <= 0x7e)) {
      out->push_back(static_cast<char>(c));  // ensure_ascii=False: raw UTF-8 (validated on parse)
      ++pos;
    } else {
      uint32_t cp = 0;
      DecodeUtf8(s, &pos, &cp);  // valid: strings were checked or built by AppendUtf8
      if (cp >= 0x10000) {
        cp -= 0x10000;
        *out += fmt::format("\\u{:04x}\\u{:04x}", 0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
      } else {
        *out += fmt::format("\\u{:04x}", cp);
      }
    }
  }
  out->push_back('"');
}

void Emit(std::string* out, const Node& n, PyJsonDialect dialect) {
  bool jsonl = dialect == PyJsonDialect::kJsonl;
  switch (n.type) {
    case Node::Type::kLiteral: *out += n.text; return;
    case Node::Type::kString: EmitString(out, n.text, jsonl); return;
    case Node::Type::kArray:
      out->push_back('[');
      for (size_t i = 0; i < n.items.size(); ++i) {
        if (i) *out += ", ";
        Emit(out, n.items[i], dialect);
      }
      out->push_back(']');
      return;
    case Node::Type::kObject: {
      std::vector<size_t> order(n.keys.size());
      std::iota(order.begin(), order.end(), 0);
      // sort_keys: code point order, which is UTF-8 byte order (std::string compares bytes unsigned).
      if (jsonl) std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return n.keys[a] < n.keys[b]; });
      out->push_back('{');
      for (size_t i = 0; i < order.size(); ++i) {
        if (i) *out += ", ";
        EmitString(out, n.keys[order[i]], jsonl);
        *out += ": ";
        Emit(out, n.items[order[i]], dialect);
      }
      out->push_back('}');
      return;
    }
  }
}

}  // namespace

std::string PythonFloatRepr(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);  // shortest round trip
  std::string_view sci(buf, static_cast<size_t>(r.ptr - buf));                     // "-1.25e+16"
  std::string out;
  if (sci.front() == '-') {
    out.push_back('-');
    sci.remove_prefix(1);
  }
  size_t e = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e)) {
    if (c != '.') digits.push_back(c);
  }
  int exponent = std::atoi(std::string(sci.substr(e + 1)).c_str());
  int decpt = exponent + 1;  // value = 0.<digits> * 10^decpt
  int n = static_cast<int>(digits.size());
  if (decpt > -4 && decpt <= 16) {
    if (decpt <= 0) {
      out += "0." + std::string(static_cast<size_t>(-decpt), '0') + digits;
    } else if (decpt >= n) {
      out += digits + std::string(static_cast<size_t>(decpt - n), '0') + ".0";
    } else {
      out += digits.substr(0, static_cast<size_t>(decpt)) + "." + digits.substr(static_cast<size_t>(decpt));
    }
  } else {
    out += digits.substr(0, 1);
    if (n > 1) out += "." + digits.substr(1);
    out += fmt::format("e{}{:02d}", exponent < 0 ? '-' : '+', std::abs(exponent));
  }
  return out;
}

Result<std::string> ToPythonJson(std::string_view text, PyJsonDialect dialect, std::string_view what) {
  Node root;
  LABSTORE_RETURN_IF_ERROR(Parser(text, what).ParseDocument(&root));
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  Emit(&out, root, dialect);
  return out;
}

Status CheckPythonJson(std::string_view text, std::string_view what) {
  Node root;
  return Parser(text, what).ParseDocument(&root);
}

}  // namespace labstore::internal
