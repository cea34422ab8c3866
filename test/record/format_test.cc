#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "record/record_test_util.h"

namespace labstore {
namespace {

using test::Code;
using test::TempDir;

Row MakeRow(Timestamp t, std::vector<std::pair<std::string, Value>> cells) {
  Row r;
  r.timestamp = t;
  r.cells = std::move(cells);
  return r;
}

TEST_SUITE("record") {

TEST_CASE("Value::ToJson spells values as Python's json.dumps") {
  CHECK(Value(int64_t{17}).ToJson() == "17");
  CHECK(Value(INT64_MIN).ToJson() == "-9223372036854775808");
  CHECK(Value(2.0).ToJson() == "2.0");
  CHECK(Value(1e-7).ToJson() == "1e-07");
  CHECK(Value(1e16).ToJson() == "1e+16");
  CHECK(Value(-0.0).ToJson() == "-0.0");
  CHECK(Value(std::numeric_limits<double>::quiet_NaN()).ToJson() == "NaN");
  CHECK(Value(-std::numeric_limits<double>::infinity()).ToJson() == "-Infinity");
  CHECK(Value(true).ToJson() == "true");
  CHECK(Value().ToJson() == "null");
  CHECK(Value("\u00b5 \U0001F680 \"q\"").ToJson() == R"("\u00b5 \ud83d\ude80 \"q\"")");
  CHECK(Value::ParseJson(R"({"b":[1,2.5],"a":{}})").value().ToJson() == R"({"a": {}, "b": [1, 2.5]})");
  CHECK(Value::ParseJson("123456789012345678901234567890").value().type() == ValueType::kJson);
  CHECK(Value::ParseJson("\"s\"").value() == Value("s"));
  CHECK(Code(Value::ParseJson("[1,")) == "InvalidArgument");
}

TEST_CASE("FormatJsonLine sorts keys with __timestamp among them") {
  Row r = MakeRow({1677250813456788, -5 * 3600}, {{"big", Value(int64_t{9007199254740993})}, {"Upper", Value("u")},
                                                  {"none", Value()}, {"tiny", Value(1e-07)}});
  CHECK(
      FormatJsonLine(r) ==
      R"({"Upper": "u", "__timestamp": "2023-02-24T10:00:13.456788-05:00", "big": 9007199254740993, )"
      R"("none": null, "tiny": 1e-07})");
  Row whole = MakeRow({1677250800000000, 0}, {});
  CHECK(FormatJsonLine(whole) == R"({"__timestamp": "2023-02-24T15:00:00+00:00"})");
}

TEST_CASE("WriteJsonLines writes each row as FormatJsonLine does, in whole lines") {
  TempDir tmp;
  Store store = test::OpenStore(tmp.Sub("s"));
  std::string id = test::NewExperiment(store);
  {
    RecordWriter w = test::OpenWriter(store, id, "default", {.flush_rows = 1000});  // several chunks
    const double xs[] = {0.1, -0.0, 1e16, 1e-07, std::nan(""), -HUGE_VAL, 288.8888888888889, 2.0};
    const char* strings[] = {"train", "quote \"q\"", "\u00b5 \U0001F680", "tab\tnew\nline", "\x01\x7f", ""};
    for (int i = 0; i < 5000; ++i) {
      // Seconds that change every few rows, and two offsets.
      w.SetTimestamp({1677250800000000 + int64_t{i} * 250000 + (i % 4 == 0 ? 0 : i), i % 9 == 0 ? 3600 : -18000});
      w.Set("iteration", int64_t{i} * (i % 2 ? -104729 : 1));
      w.Set("x", xs[i % 8]);
      w.Set("phase", strings[i % 6]);
      w.Set("ok", i % 3 == 0);
      if (i % 5 == 0) w.Set("mixed", int64_t{i});  // a column of mixed types: stored as JSON
      else if (i % 5 == 1) w.Set("mixed", "s");
      else if (i % 5 == 2) w.Set("mixed", Json(R"({"b": [1, 2.5], "a": null})"));
      if (i % 97 == 0) w.Set("Rare", 1.5);  // sorts before __timestamp
      if (i % 3 == 1) w.Set("maybe", nullptr);
      else w.Set("maybe", int64_t{7});
      REQUIRE(w.Save().ok());
    }
    REQUIRE(w.Close().ok());
  }
  for (RowRange range : {RowRange{}, RowRange{.start = 1234, .count = 2000}, RowRange{.start = -1}}) {
    std::string expected;
    for (const Row& r : test::Rows(store, id, "default", range)) expected += FormatJsonLine(r) + "\n";
    std::string text;
    size_t pieces = 0;
    Status s = WriteJsonLines(store, id, "default", [&](std::string_view piece) {
      ++pieces;
      CHECK((!piece.empty() && piece.back() == '\n'));
      text += piece;
      return Status::OK();
    }, range);
    REQUIRE(s.ok());
    CHECK(pieces >= 1);
    CHECK(text == expected);
  }
}

TEST_CASE("FormatTable follows tabulate's column types, alignment and missing values") {
  // Expected texts produced by Python tabulate 0.8.9: tabulate(rows, headers="keys").
  Timestamp t{1677250800000000, 0};
  double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  std::vector<Row> rows = {
      MakeRow(t, {{"a", Value(int64_t{1})},
                  {"b", Value(2.5)},
                  {"c", Value()},
                  {"d", Value::ParseJson("[1, 2]").value()},
                  {"e", Value(nan)}}),
      MakeRow(t, {{"a", Value(2.25)},
                  {"b", Value(inf)},
                  {"c", Value(int64_t{3})},
                  {"d", Value::ParseJson(R"({"x": 1, "y": "it's"})").value()},
                  {"e", Value(int64_t{1})}}),
  };
  CHECK(FormatTable(rows) ==
        "__timestamp                   a      b    c  d                        e\n"
        "-------------------------  ----  -----  ---  ---------------------  ---\n"
        "2023-02-24T15:00:00+00:00  1       2.5       [1, 2]                 nan\n"
        "2023-02-24T15:00:00+00:00  2.25  inf      3  {'x': 1, 'y': \"it's\"}    1\n");
  std::vector<Row> mixed = {
      MakeRow(t, {{"a", Value("s")}, {"b", Value(true)}, {"n", Value("17")}}),
      MakeRow(t, {{"a", Value(int64_t{1})}, {"b", Value(int64_t{2})}, {"n", Value("-250")}}),
  };
  CHECK(FormatTable(mixed) ==
        "__timestamp                a       b     n\n"
        "-------------------------  ---  ----  ----\n"
        "2023-02-24T15:00:00+00:00  s    True    17\n"
        "2023-02-24T15:00:00+00:00  1       2  -250\n");
  CHECK(FormatTable({}).empty());
}

}  // TEST_SUITE

}  // namespace
}  // namespace labstore
