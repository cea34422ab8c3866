// Python's json, byte for byte: lib/json/py_json.h against the golden storage
// written by machinable 4.1 (test/export/golden/machinable-storage) and the
// examples of doc/format.md, "JSON dialects".
#include "json/py_json.h"

#include <sqlite3.h>

#include <bit>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <string>
#include <random>
#include <vector>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "labstore/time.h"
#include "test_util.h"

namespace labstore::internal {
namespace {

const std::string kGolden = LABSTORE_GOLDEN_DIR;

std::string Dump(std::string_view text, PyDialect d) {
  auto r = ToPyDialect(text, d, "test");
  return r.ok() ? *r : "ERROR: " + r.status().ToString();
}
std::string File(std::string_view text) { return Dump(text, PyDialect::kFile); }
std::string Jsonl(std::string_view text) { return Dump(text, PyDialect::kJsonl); }
std::string Sql(std::string_view text) { return Dump(text, PyDialect::kSql); }

// The parse error message, or "OK".
std::string ParseError(std::string_view text) {
  auto r = ParsePyJson(text, "test");
  return r.ok() ? "OK" : r.status().message();
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1) {
    out.push_back(text.substr(start, nl - start));
  }
  if (start < text.size()) out.push_back(text.substr(start));
  return out;
}

TEST_SUITE("json") {

TEST_CASE("PyFloatRepr writes floats as Python's repr") {
  CHECK(PyFloatRepr(2.0) == "2.0");
  CHECK(PyFloatRepr(0.0) == "0.0");
  CHECK(PyFloatRepr(-0.0) == "-0.0");
  CHECK(PyFloatRepr(0.25) == "0.25");
  CHECK(PyFloatRepr(0.1) == "0.1");
  CHECK(PyFloatRepr(0.1 + 0.2) == "0.30000000000000004");
  CHECK(PyFloatRepr(0.0001) == "0.0001");
  CHECK(PyFloatRepr(0.00001) == "1e-05");
  CHECK(PyFloatRepr(1e-7) == "1e-07");
  CHECK(PyFloatRepr(1.5e-7) == "1.5e-07");
  CHECK(PyFloatRepr(123456789.0) == "123456789.0");
  CHECK(PyFloatRepr(1e15) == "1000000000000000.0");
  CHECK(PyFloatRepr(9999999999999998.0) == "9999999999999998.0");
  CHECK(PyFloatRepr(1e16) == "1e+16");
  CHECK(PyFloatRepr(1.25e16) == "1.25e+16");
  CHECK(PyFloatRepr(1e22) == "1e+22");
  CHECK(PyFloatRepr(288.8888888888889) == "288.8888888888889");
  CHECK(PyFloatRepr(1677250802.345678) == "1677250802.345678");
  CHECK(PyFloatRepr(std::numeric_limits<double>::max()) == "1.7976931348623157e+308");
  CHECK(PyFloatRepr(std::numeric_limits<double>::denorm_min()) == "5e-324");
  CHECK(PyFloatRepr(-2.5e-300) == "-2.5e-300");
  CHECK(PyFloatRepr(std::nan("")) == "NaN");
  CHECK(PyFloatRepr(-std::nan("")) == "NaN");
  CHECK(PyFloatRepr(HUGE_VAL) == "Infinity");
  CHECK(PyFloatRepr(-HUGE_VAL) == "-Infinity");
}

// Python's repr laid out from std::to_chars' shortest round-trip digits (a
// second, independent source of the digits: libstdc++'s Ryu).
std::string ReprFromToChars(double d) {
  char buf[40];
  char* end = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific).ptr;
  std::string s(buf, end), sign;
  if (s[0] == '-') {
    sign = "-";
    s.erase(0, 1);
  }
  size_t e = s.find('e');
  std::string digits = s.substr(0, e);
  if (digits.size() > 1) digits.erase(1, 1);  // the '.'
  int exponent = std::stoi(s.substr(e + 1));
  int n = static_cast<int>(digits.size()), decpt = exponent + 1;
  if (decpt > -4 && decpt <= 16) {
    if (decpt <= 0) return sign + "0." + std::string(static_cast<size_t>(-decpt), '0') + digits;
    if (decpt >= n) return sign + digits + std::string(static_cast<size_t>(decpt - n), '0') + ".0";
    return sign + digits.substr(0, static_cast<size_t>(decpt)) + "." + digits.substr(static_cast<size_t>(decpt));
  }
  std::string mantissa = digits.substr(0, 1) + (n > 1 ? "." + digits.substr(1) : "");
  return sign + mantissa + fmt::format("e{}{:02}", exponent < 0 ? '-' : '+', exponent < 0 ? -exponent : exponent);
}

TEST_CASE("PyFloatRepr agrees with std::to_chars' shortest digits on random doubles") {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> unit(0, 1);
  int mismatches = 0, checked = 0;
  auto check = [&](double d) {
    if (!std::isfinite(d)) return;
    ++checked;
    std::string repr = PyFloatRepr(d);
    if (repr != ReprFromToChars(d) || std::strtod(repr.c_str(), nullptr) != d) ++mismatches;
  };
  for (int i = 0; i < 300000; ++i) {
    check(std::bit_cast<double>(rng()));                    // any exponent
    check(unit(rng));                                       // metrics in [0, 1)
    check(std::ldexp(1.0, i % 2100 - 1075));               // powers of two, subnormals too
    check(static_cast<double>(rng() >> (i % 64)));          // whole numbers of every size
    check(static_cast<double>(i % 1000) * std::pow(10.0, i % 60 - 30));  // near the fixed/exponent bounds
  }
  CHECK(checked > 1400000);
  CHECK(mismatches == 0);
}

TEST_CASE("WritePyFloat and WritePyInt stay within their maximum sizes") {
  char buf[kMaxPyFloatSize];
  for (double d : {-std::numeric_limits<double>::max(), -std::numeric_limits<double>::denorm_min(),
                   -1.2345678901234567e-300, -0.00012345678901234567, -1234567890123456.7}) {
    CHECK(static_cast<size_t>(WritePyFloat(buf, d) - buf) <= kMaxPyFloatSize);
  }
  char ibuf[kMaxPyIntSize];
  CHECK(std::string(ibuf, WritePyInt(ibuf, INT64_MIN)) == "-9223372036854775808");
}

TEST_CASE("The three dialects differ in key order, separators and escapes") {
  const char* text = R"({"b": 1, "a": {"d": [1, 2.0], "c": "µ🚀"}})";
  CHECK(File(text) == R"({"b": 1, "a": {"d": [1, 2.0], "c": "µ🚀"}})");
  CHECK(Jsonl(text) == R"({"a": {"c": "\u00b5\ud83d\ude80", "d": [1, 2.0]}, "b": 1})");
  CHECK(Sql(text) == R"({"a":{"c":"\u00b5\ud83d\ude80","d":[1,2.0]},"b":1})");
  CHECK(File("[]") == "[]");
  CHECK(File("{}") == "{}");
  CHECK(Sql(" [ { } , [ ] ] ") == "[{},[]]");
}

TEST_CASE("Strings are escaped as Python's json escapes them") {
  // Two-character escapes, other control characters as \u00XX, '/' as is.
  CHECK(File(R"("\" \\ \/ \b \f \n \r \t \u0001 \u001f")") == R"("\" \\ / \b \f \n \r \t \u0001 \u001f")");
  // U+007F and U+2028 stay raw in FILE, are escaped with ensure_ascii.
  CHECK(File(R"("\u007f\u2028")") == "\"\x7f\xe2\x80\xa8\"");
  CHECK(Jsonl(R"("\u007f\u2028")") == R"("\u007f\u2028")");
  // Upper-case hex in the input, lower-case hex out.
  CHECK(Jsonl(R"("\u00B5\uD83D\uDE80")") == R"("\u00b5\ud83d\ude80")");
  // A lone surrogate survives (kept as WTF-8).
  CHECK(Jsonl(R"("\ud800x\udc00")") == R"("\ud800x\udc00")");
  // Sort order is code point order: upper case before '_' before lower case.
  CHECK(Jsonl(R"({"big": 1, "__timestamp": 2, "Upper": 3, "é": 4, "z": 5})") ==
        R"({"Upper": 3, "__timestamp": 2, "big": 1, "z": 5, "\u00e9": 4})");
}

TEST_CASE("Strings built in C++ with invalid UTF-8 are written with U+FFFD") {
  std::string out;
  AppendPyString(&out, "a\xff" "b", true);
  CHECK(out == R"("a\ufffdb")");
  out.clear();
  AppendPyString(&out, "a\xff" "b", false);
  CHECK(out == "\"a\xef\xbf\xbd" "b\"");
}

TEST_CASE("Numbers keep their kind and integers stay exact") {
  CHECK(File("[1, 1.0, -0, -0.0, 1E2, 1e-7, 2.50]") == "[1, 1.0, 0, -0.0, 100.0, 1e-07, 2.5]");
  CHECK(File("[9007199254740993, -9223372036854775808, 123456789012345678901234567890]") ==
        "[9007199254740993, -9223372036854775808, 123456789012345678901234567890]");
  CHECK(File("[NaN, Infinity, -Infinity]") == "[NaN, Infinity, -Infinity]");
  // float() overflows to infinity and underflows to zero.
  CHECK(File("[1e400, -1e400, 1e-400, -1e-400, 0.000e999, 2.4703282292062328e-324]") ==
        "[Infinity, -Infinity, 0.0, -0.0, 0.0, 5e-324]");
  auto v = ParsePyJson("[9007199254740993, 123456789012345678901234567890, 2.5, \"x\"]");
  REQUIRE(v.ok());
  CHECK(v->items()[0].AsInt64() == int64_t{9007199254740993});
  CHECK(!v->items()[1].AsInt64().has_value());
  CHECK(v->items()[1].AsDouble() == doctest::Approx(1.2345678901234568e29));
  CHECK(v->items()[2].AsDouble() == 2.5);
  CHECK(!v->items()[3].AsDouble().has_value());
}

TEST_CASE("A repeated key keeps its first position and its last value") {
  CHECK(File(R"({"a": 1, "b": 2, "a": 3})") == R"({"a": 3, "b": 2})");
  std::string many = "{";
  for (int i = 0; i < 40; ++i) many += "\"k" + std::to_string(i) + "\": " + std::to_string(i) + ", ";
  many += "\"k3\": \"again\"}";
  auto v = ParsePyJson(many);
  REQUIRE(v.ok());
  CHECK(v->members().size() == 40);
  CHECK(v->members()[3].second == PyJson::String("again"));
}

TEST_CASE("Building values: Set keeps the position, Erase and Find") {
  PyJson o = PyJson::Object();
  o.Set("b", PyJson::Int(1));
  o.Set("a", PyJson::Float(2.0));
  o.Set("b", PyJson::String("x"));
  CHECK(DumpPyJson(o, PyDialect::kFile) == R"({"b": "x", "a": 2.0})");
  REQUIRE(o.Find("a") != nullptr);
  CHECK(o.Find("a")->number() == 2.0);
  CHECK(o.Find("c") == nullptr);
  CHECK(o.Erase("b"));
  CHECK(!o.Erase("b"));
  CHECK(DumpPyJson(o, PyDialect::kFile) == R"({"a": 2.0})");
  CHECK(PyJson::Float(std::nan("")) == PyJson::Float(std::nan("")));
  CHECK(!(PyJson::Float(0.0) == PyJson::Float(-0.0)));
  CHECK(!(PyJson::Int(1) == PyJson::Float(1.0)));
}

TEST_CASE("Invalid input is refused with a position") {
  CHECK(ParseError("") == "invalid JSON in test: Expecting value at line 1 column 1 (byte 0)");
  CHECK(ParseError("  \n ") == "invalid JSON in test: Expecting value at line 2 column 2 (byte 4)");
  CHECK(ParseError("{\"a\": 1,}") ==
        "invalid JSON in test: Expecting property name enclosed in double quotes at line 1 column 9 (byte 8)");
  CHECK(ParseError("[1 2]") == "invalid JSON in test: Expecting ',' delimiter at line 1 column 4 (byte 3)");
  CHECK(ParseError("{\"a\" 1}") == "invalid JSON in test: Expecting ':' delimiter at line 1 column 6 (byte 5)");
  CHECK(ParseError("1 2") == "invalid JSON in test: Extra data at line 1 column 3 (byte 2)");
  CHECK(ParseError("01") == "invalid JSON in test: Extra data at line 1 column 2 (byte 1)");
  CHECK(ParseError("\"abc") == "invalid JSON in test: Unterminated string starting at line 1 column 1 (byte 0)");
  CHECK(ParseError("\"a\x01\"") == "invalid JSON in test: Invalid control character at line 1 column 3 (byte 2)");
  CHECK(ParseError("\"\\x\"") == "invalid JSON in test: Invalid \\escape at line 1 column 2 (byte 1)");
  CHECK(ParseError("\"\\u12g4\"") == "invalid JSON in test: Invalid \\uXXXX escape at line 1 column 2 (byte 1)");
  CHECK(ParseError("\"\xff\"") == "invalid JSON in test: Invalid UTF-8 at line 1 column 2 (byte 1)");
  CHECK(ParseError("\"\xc0\x80\"") == "invalid JSON in test: Invalid UTF-8 at line 1 column 2 (byte 1)");
  CHECK(ParseError("nan") == "invalid JSON in test: Expecting value at line 1 column 1 (byte 0)");
  CHECK(ParseError("-") == "invalid JSON in test: Expecting value at line 1 column 1 (byte 0)");
  CHECK(ParseError("{'a': 1}") ==
        "invalid JSON in test: Expecting property name enclosed in double quotes at line 1 column 2 (byte 1)");
  CHECK(ParseError(std::string(600, '[') + std::string(600, ']')).find("Nesting too deep") != std::string::npos);
  CHECK(ParseError(std::string(500, '[') + std::string(500, ']')) == "OK");
}

TEST_CASE("Record lines of the golden storage are reproduced byte for byte (JSONL)") {
  int lines = 0;
  for (const char* path : {"/rm3SAJ/records/default.jsonl", "/rm3SAJ/records/validation.jsonl",
                           "/HzaTkK/records/default.jsonl", "/rm3SAJ/derived/a5AEr5/records/default.jsonl"}) {
    for (const std::string& line : Lines(test::ReadFile(kGolden + path))) {
      CHECK(Jsonl(line) == line);
      ++lines;
    }
  }
  CHECK(lines == 11);
  // The golden's row of mixed types, value by value.
  auto row = ParsePyJson(Lines(test::ReadFile(kGolden + "/rm3SAJ/records/validation.jsonl"))[0]);
  REQUIRE(row.ok());
  CHECK(row->Find("big")->text() == "9007199254740993");
  CHECK(std::isnan(row->Find("nan")->number()));
  CHECK(row->Find("tiny")->number() == 1e-7);
  CHECK(row->Find("str")->text() == "µ naïve 🚀 \"q\" \\ tab\t");
}

TEST_CASE("Every JSON file of the golden storage is reproduced byte for byte (FILE)") {
  int files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(kGolden)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".json") continue;
    std::string bytes = test::ReadFile(entry.path().string());
    CAPTURE(entry.path().string());
    CHECK(File(bytes) == bytes);
    ++files;
  }
  CHECK(files == 38);
}

TEST_CASE("The config, version and predicate columns of the golden storage.sqlite are the SQL dialect") {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2((kGolden + "/storage.sqlite").c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, "SELECT storage_id, config, version, predicate FROM experiments", -1, &stmt,
                             nullptr) == SQLITE_OK);
  int rows = 0;
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    auto col = [&](int i) { return std::string(reinterpret_cast<const char*>(sqlite3_column_text(stmt, i))); };
    std::string folder = kGolden + col(0).substr(std::string("/srv/lab/storage").size());
    auto model = ParsePyJson(test::ReadFile(folder + "/experiment.json"));
    REQUIRE(model.ok());
    CHECK(DumpPyJson(*model->Find("config"), PyDialect::kSql) == col(1));
    CHECK(DumpPyJson(*model->Find("version"), PyDialect::kSql) == col(2));
    CHECK(DumpPyJson(*model->Find("predicate"), PyDialect::kSql) == col(3));
    ++rows;
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  CHECK(rows == 5);
}

TEST_CASE("Timestamps of the golden storage round-trip through ParseIso and FormatIso") {
  for (const char* path : {"/rm3SAJ/heartbeat_at", "/rm3SAJ/finished_at", "/6qjs64/heartbeat_at"}) {
    std::string text = test::ReadFile(kGolden + path);
    auto t = ParseIso(text);
    REQUIRE(t.ok());
    CHECK(FormatIso(*t) == text);
    CHECK(t->utc_offset_seconds == -5 * 3600);
  }
  auto t = ParseIso("2023-02-24T10:00:04.567900-05:00");
  REQUIRE(t.ok());
  CHECK(t->unix_micros == int64_t{1677250804567900});
  // The fraction is omitted when the microsecond is 0, as datetime.isoformat() does.
  CHECK(FormatIso({.unix_micros = int64_t{1677250800} * 1000000, .utc_offset_seconds = -18000}) ==
        "2023-02-24T10:00:00-05:00");
  CHECK(FormatIso({.unix_micros = 0, .utc_offset_seconds = 19800}) == "1970-01-01T05:30:00+05:30");
  CHECK(!ParseIso("2023-02-24 10:00").ok());
}

}  // TEST_SUITE

}  // namespace
}  // namespace labstore::internal
