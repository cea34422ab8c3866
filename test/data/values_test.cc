// SaveData / LoadData in machinable's formats (lib/data/values.cc), against
// the golden storage written by machinable 4.1 where it has an example.
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "data_test_util.h"

namespace labstore {
namespace {

using test::Code;
using data_test::Load;

std::string Golden(const std::string& relative) {
  return test::ReadFile(std::string(LABSTORE_GOLDEN_DIR) + "/" + relative);
}

TEST_SUITE("data") {

TEST_CASE("The extension chooses the format, as machinable does") {
  CHECK(DataFormatOf("data/x.json") == DataFormat::kJson);
  CHECK(DataFormatOf("x.jsonl") == DataFormat::kJsonl);
  CHECK(DataFormatOf("a.b/x.npy") == DataFormat::kNpy);
  CHECK(DataFormatOf("results.p") == DataFormat::kPickle);
  CHECK(DataFormatOf("x.txt") == DataFormat::kRaw);
  CHECK(DataFormatOf("x.JSON") == DataFormat::kRaw);  // case-sensitive
  CHECK(DataFormatOf("x.json.gz") == DataFormat::kRaw);
  CHECK(DataFormatOf("a.json/x") == DataFormat::kRaw);
  CHECK(DataFormatOf(".json") == DataFormat::kRaw);  // a hidden file without extension
  CHECK(DataFormatOf("x") == DataFormat::kRaw);
  CHECK(std::string(DataFormatName(DataFormat::kPickle)) == "pickle");
}

TEST_CASE(".json holds a JSON value written in machinable's FILE dialect (golden)") {
  data_test::DataFixture f;
  REQUIRE(SaveData(f.store, f.id, "settings.json", DataValue::Json(R"({"neurons":[1,2],"unit":"m/s\u00b2"})")).ok());
  CHECK(Load(f.store, f.id, "data/settings.json") == Golden("rm3SAJ/data/settings.json"));
  REQUIRE(SaveData(f.store, f.id, "result.json", DataValue::Json(R"({ "g" : 288.8888888888889 })")).ok());
  CHECK(Load(f.store, f.id, "data/result.json") == Golden("rm3SAJ/data/result.json"));
  auto v = LoadData(f.store, f.id, "settings.json");
  REQUIRE(v.ok());
  CHECK(v->kind() == DataValue::Kind::kJson);
  CHECK(v->json() == R"({"neurons": [1, 2], "unit": "m/s²"})");
}

TEST_CASE(".json spells numbers, strings and keys as Python's json.dumps") {
  data_test::DataFixture f;
  REQUIRE(
      SaveData(f.store, f.id, "n.json",
               DataValue::Json(R"({"z": 1e16, "a": 0.00001, "b": 2.0, "c": -0, "big": 123456789012345678901234567890,)"
                               R"( "s": "tab\t\u0001 \ud83d\ude80", "z": NaN, "inf": -Infinity})"))
          .ok());
  CHECK(
      Load(f.store, f.id, "data/n.json") ==
      R"({"z": NaN, "a": 1e-05, "b": 2.0, "c": 0, "big": 123456789012345678901234567890, )"
      R"("s": "tab\t\u0001 🚀", "inf": -Infinity})");
  REQUIRE(SaveData(f.store, f.id, "scalar.json", DataValue::Json(" \"text\" ")).ok());
  CHECK(Load(f.store, f.id, "data/scalar.json") == "\"text\"");
  REQUIRE(SaveData(f.store, f.id, "empty.json", DataValue::Json("[[], {}]")).ok());
  CHECK(Load(f.store, f.id, "data/empty.json") == "[[], {}]");
}

TEST_CASE("Invalid JSON is InvalidArgument naming the file, and nothing is written") {
  data_test::DataFixture f;
  Status s = SaveData(f.store, f.id, "bad.json", DataValue::Json("{\"a\": }"));
  CHECK(Code(s) == "InvalidArgument");
  CHECK(s.message().find("invalid JSON in \"bad.json\"") == 0);
  CHECK(Code(SaveData(f.store, f.id, "bad.json", DataValue::Json(""))) == "InvalidArgument");
  CHECK(Code(SaveData(f.store, f.id, "bad.json", DataValue::Json("[1] 2"))) == "InvalidArgument");
  s = SaveData(f.store, f.id, "bad.jsonl", DataValue::JsonLines({"1", "{"}));
  CHECK(s.message().find("invalid JSON in line 2 of \"bad.jsonl\"") == 0);
  CHECK(data_test::ListFilesCount(f.store, f.id) == 0);
  // Bytes put there verbatim do not load as JSON.
  REQUIRE(SaveFile(f.store, f.id, "data/raw.json", "not json").ok());
  auto v = LoadData(f.store, f.id, "raw.json");
  CHECK(Code(v) == "InvalidArgument");
  CHECK(v.status().message().find("\"data/raw.json\"") != std::string::npos);
}

TEST_CASE(".jsonl holds a list of JSON values, one per line, keys sorted, ASCII only") {
  data_test::DataFixture f;
  REQUIRE(SaveData(f.store, f.id, "rows.jsonl",
                   DataValue::JsonLines({R"({"b": 1, "a": "é", "Upper": [1.5, true, null]})", "[1,2]", "3"}))
              .ok());
  CHECK(Load(f.store, f.id, "data/rows.jsonl") ==
        "{\"Upper\": [1.5, true, null], \"a\": \"\\u00e9\", \"b\": 1}\n[1, 2]\n3\n");
  auto v = LoadData(f.store, f.id, "rows.jsonl");
  REQUIRE(v.ok());
  CHECK(v->kind() == DataValue::Kind::kJsonLines);
  CHECK(v->json_lines() ==
        std::vector<std::string>{R"({"Upper": [1.5, true, null], "a": "\u00e9", "b": 1})", "[1, 2]", "3"});
  REQUIRE(SaveData(f.store, f.id, "none.jsonl", DataValue::JsonLines({})).ok());
  CHECK(Load(f.store, f.id, "data/none.jsonl") == "");
  CHECK(LoadData(f.store, f.id, "none.jsonl")->json_lines().empty());
  // machinable's save_data("x.jsonl", [1, 2]) writes the list as one line.
  REQUIRE(SaveData(f.store, f.id, "one.jsonl", DataValue::JsonLines({"[1, 2]"})).ok());
  CHECK(Load(f.store, f.id, "data/one.jsonl") == "[1, 2]\n");
}

TEST_CASE(".jsonl written elsewhere loads as Python's jsonlines reads it (golden records)") {
  auto lines = DecodeData("default.jsonl", Golden("HzaTkK/records/default.jsonl"));
  REQUIRE(lines.ok());
  CHECK(lines->json_lines().size() >= 1);
  auto crlf = DecodeData("x.jsonl", "1\r\n{\"a\": 2}");  // CRLF, no final newline
  REQUIRE(crlf.ok());
  CHECK(crlf->json_lines() == std::vector<std::string>{"1", "{\"a\": 2}"});
  auto empty_line = DecodeData("x.jsonl", "1\n\n2\n");
  CHECK(Code(empty_line) == "InvalidArgument");
  CHECK(empty_line.status().message().find("line 2 of \"x.jsonl\"") != std::string::npos);
}

TEST_CASE(".p and other extensions keep bytes verbatim (golden pickle and text)") {
  data_test::DataFixture f;
  std::string pickle = Golden("rm3SAJ/data/results.p");
  REQUIRE(pickle.size() == 49);
  REQUIRE(SaveData(f.store, f.id, "results.p", DataValue::Bytes(pickle)).ok());
  REQUIRE(SaveData(f.store, f.id, "prediction.txt", DataValue::Bytes("a string")).ok());
  REQUIRE(SaveData(f.store, f.id, "nested/notes.txt", DataValue::Bytes("line 1\nline 2\n")).ok());
  CHECK(Load(f.store, f.id, "data/results.p") == pickle);
  CHECK(Load(f.store, f.id, "data/prediction.txt") == Golden("rm3SAJ/data/prediction.txt"));
  CHECK(Load(f.store, f.id, "data/nested/notes.txt") == Golden("rm3SAJ/data/nested/notes.txt"));
  auto p = LoadData(f.store, f.id, "results.p");
  REQUIRE(p.ok());
  CHECK(p->kind() == DataValue::Kind::kBytes);
  CHECK(p->bytes() == pickle);
  CHECK(LoadData(f.store, f.id, "prediction.txt")->bytes() == "a string");
}

TEST_CASE("SaveData(p) is SaveFile(\"data/\" + p) of the encoded value") {
  data_test::DataFixture f;
  DataValue v = DataValue::Json(R"({"k":[1,2.5]})");
  REQUIRE(SaveData(f.store, f.id, "v.json", v).ok());
  auto encoded = EncodeData("v.json", v);
  REQUIRE(encoded.ok());
  CHECK(Load(f.store, f.id, "data/v.json") == *encoded);
  REQUIRE(SaveFile(f.store, f.id, "data/w.json", *encoded).ok());
  CHECK(LoadData(f.store, f.id, "w.json")->json() == R"({"k": [1, 2.5]})");
  CHECK(Code(LoadData(f.store, f.id, "missing.json")) == "NotFound");
}

TEST_CASE("A value of the wrong kind for the extension is InvalidArgument") {
  data_test::DataFixture f;
  Status s = SaveData(f.store, f.id, "x.npy", DataValue::Bytes("not an array"));
  CHECK(s.ToString() ==
        "InvalidArgument: cannot save \"x.npy\" of format npy: it takes an array (DataValue::Array), not bytes "
        "(DataValue::Bytes)");
  CHECK(Code(SaveData(f.store, f.id, "x.json", DataValue::Bytes("{}"))) == "InvalidArgument");
  CHECK(Code(SaveData(f.store, f.id, "x.jsonl", DataValue::Json("{}"))) == "InvalidArgument");
  CHECK(Code(SaveData(f.store, f.id, "x.txt", DataValue::Json("{}"))) == "InvalidArgument");
  CHECK(Code(SaveData(f.store, f.id, "x.p", DataValue::JsonLines({}))) == "InvalidArgument");
  auto a = NdArray::From<int8_t>(std::vector<int8_t>{1});
  REQUIRE(a.ok());
  CHECK(Code(SaveData(f.store, f.id, "x.json", DataValue::Array(*a))) == "InvalidArgument");
  CHECK(data_test::ListFilesCount(f.store, f.id) == 0);
}

}  // TEST_SUITE
}  // namespace
}  // namespace labstore
