// Python's json module, byte for byte: a JSON value type that holds what
// machinable writes, a parser for it and writers for machinable's three
// dialects (doc/format.md, "JSON dialects").
//
// API at a glance (namespace labstore::internal):
//
//   PyJson                      a JSON value: null, bool, int (exact decimal text,
//                               any size), float (double, incl. NaN/±Inf), string
//                               (UTF-8), array, object (insertion order kept)
//   ParsePyJson(text, what)     json.loads: strict JSON plus NaN, Infinity, -Infinity
//   DumpPyJson(v, dialect)      json.dumps in one of the dialects below
//   AppendPyJson(&out, v, d)    the same, appended to `out`
//   ToPyDialect(text, d, what)  ParsePyJson + DumpPyJson
//   PyFloatRepr(d)              float.__repr__ as json writes it ("2.0", "1e-07", "NaN")
//   AppendPyFloat / AppendPyInt / AppendPyString   the building blocks, for
//                               writers that do not build a PyJson per row
//
//   dialect   Python call                                   where machinable uses it
//   kFile     json.dumps(x, ensure_ascii=False)             every *.json file
//   kJsonl    json.dumps(x, sort_keys=True)                 records/*.jsonl (add "\n")
//   kSql      json.dumps(x, sort_keys=True,                 storage.sqlite config,
//                        separators=(",", ":"))             version, predicate columns
//   kCompact  json.dumps(x, ensure_ascii=False,             (labstore's own stored
//                        separators=(",", ":"))             JSON text, not machinable)
//
//   kFile/kCompact: insertion order (", " and ": " in kFile), non-ASCII raw (only '"', '\\' and
//          U+0000-U+001F escaped);
//   kJsonl/kSql: keys sorted by code point (= UTF-8 byte order) at every depth,
//          everything outside U+0020-U+007E as \uXXXX with lower-case hex,
//          characters above U+FFFF as a surrogate pair ("\ud83d\ude80").
//   All: '\n' '\r' '\t' '\b' '\f' '"' '\\' as two-character escapes, other
//        control characters as \u00XX; '/' never escaped; floats as repr
//        (shortest round-trip digits, fixed notation for decimal exponents
//        -4 <= e < 16 with ".0" when integral, else "1e-07", "1e+16"); NaN,
//        Infinity, -Infinity bare; integers exact.
//
// Strings are kept as WTF-8: UTF-8 in which a lone surrogate (which Python's
// json accepts as "\ud800") is encoded as its own 3-byte sequence, so such a
// string survives parse -> dump unchanged. Bytes that are not WTF-8 (only
// possible in strings built in C++) are written as U+FFFD.
//
//   auto v = ParsePyJson(R"({"b": 1e-7, "a": NaN})", "record");
//   DumpPyJson(*v, PyDialect::kJsonl);   // {"a": NaN, "b": 1e-07}
//   DumpPyJson(*v, PyDialect::kFile);    // {"b": 1e-07, "a": NaN}
#ifndef LABSTORE_LIB_JSON_PY_JSON_H_
#define LABSTORE_LIB_JSON_PY_JSON_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "labstore/status.h"

namespace labstore::internal {

class PyJson {
 public:
  // Do not reorder: used in comparisons only, never stored.
  enum class Type : uint8_t { kNull, kBool, kInt, kFloat, kString, kArray, kObject };
  using Member = std::pair<std::string, PyJson>;

  PyJson() = default;  // null
  static PyJson Bool(bool b);
  static PyJson Int(int64_t v);
  // `digits`: an optional '-' and decimal digits without leading zeros ("0",
  // "-12", "123456789012345678901234567890"); not checked.
  static PyJson IntText(std::string digits);
  static PyJson Float(double d);
  static PyJson String(std::string utf8);
  static PyJson Array(std::vector<PyJson> items = {});
  static PyJson Object(std::vector<Member> members = {});

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::kNull; }
  bool is_bool() const { return type_ == Type::kBool; }
  bool is_int() const { return type_ == Type::kInt; }
  bool is_float() const { return type_ == Type::kFloat; }
  bool is_number() const { return is_int() || is_float(); }
  bool is_string() const { return type_ == Type::kString; }
  bool is_array() const { return type_ == Type::kArray; }
  bool is_object() const { return type_ == Type::kObject; }

  bool boolean() const { return boolean_; }           // kBool
  double number() const { return number_; }           // kFloat
  const std::string& text() const { return text_; }   // kInt: decimal digits; kString: WTF-8
  // The value of an int that fits in int64_t, else nullopt (also for non-ints).
  std::optional<int64_t> AsInt64() const;
  // Ints and floats as a double (ints rounded to nearest); nullopt otherwise.
  std::optional<double> AsDouble() const;

  const std::vector<PyJson>& items() const { return items_; }        // kArray
  std::vector<PyJson>& items() { return items_; }
  const std::vector<Member>& members() const { return members_; }    // kObject, in order
  std::vector<Member>& members() { return members_; }

  // The value of `key` in an object, or nullptr (also when not an object).
  const PyJson* Find(std::string_view key) const;
  // Replaces the value of `key` where it stands, or appends it (a Python dict).
  void Set(std::string key, PyJson value);
  // Removes `key`; returns whether it was there.
  bool Erase(std::string_view key);

  // Same type and value; floats compare by bits (NaN == NaN, -0.0 != 0.0),
  // objects in order.
  friend bool operator==(const PyJson& a, const PyJson& b);

 private:
  Type type_ = Type::kNull;
  bool boolean_ = false;
  double number_ = 0;
  std::string text_;
  std::vector<PyJson> items_;
  std::vector<Member> members_;
};

enum class PyDialect { kFile, kJsonl, kSql, kCompact };

// Parses one JSON value as Python's json.loads does: surrounding whitespace
// (space, \t, \n, \r) allowed; NaN, Infinity, -Infinity accepted; integers kept
// exact; numbers with a fraction or exponent become doubles (overflow to
// ±Infinity, underflow to ±0.0 as float() does); a repeated key keeps its first
// position and its last value. Nesting deeper than 512 is refused.
// Errors: InvalidArgument "invalid JSON in <what>: <reason> at line L column C
// (byte B)" for empty or blank text, bad syntax, control characters or invalid
// UTF-8 in strings, bad escapes and trailing data.
Result<PyJson> ParsePyJson(std::string_view text, std::string_view what = "input");

// json.dumps(v) in `dialect` (no trailing newline; a JSONL line is this + "\n").
std::string DumpPyJson(const PyJson& v, PyDialect dialect);
void AppendPyJson(std::string* out, const PyJson& v, PyDialect dialect);

// Re-spells JSON text in `dialect`. Errors: as ParsePyJson.
Result<std::string> ToPyDialect(std::string_view text, PyDialect dialect, std::string_view what = "input");

// Python's repr(float) as json.dumps writes it: "2.0", "0.0001", "-0.0",
// "1000000000000000.0", "1e-05", "1e+16", "1.7976931348623157e+308",
// "5e-324"; "NaN", "Infinity", "-Infinity" for the non-finite values.
std::string PyFloatRepr(double d);
void AppendPyFloat(std::string* out, double d);
void AppendPyInt(std::string* out, int64_t v);
// The same written at `p`, which has room for kMaxPyFloatSize (kMaxPyIntSize)
// bytes; they return the end of what they wrote.
inline constexpr size_t kMaxPyFloatSize = 32;
inline constexpr size_t kMaxPyIntSize = 20;
char* WritePyFloat(char* p, double d);
char* WritePyInt(char* p, int64_t v);
// A JSON string literal with quotes. ensure_ascii: true for kJsonl/kSql,
// false for kFile.
void AppendPyString(std::string* out, std::string_view wtf8, bool ensure_ascii);

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_JSON_PY_JSON_H_
