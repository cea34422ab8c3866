// Finding experiments by value: a key names a config value (a dotted path
// into nested objects, "optim.lr") or, when the config has no such key, a
// record column whose value in the last row of a scope is taken. Used by
// `ls --where/--columns` and `diff`.
#ifndef LABSTORE_TOOLS_CONFIG_PATH_H_
#define LABSTORE_TOOLS_CONFIG_PATH_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "json/py_json.h"
#include "labstore/labstore.h"

namespace labstore::tool {

using internal::PyJson;

// The value at `key` in a config object: the member named exactly `key`,
// else the dotted path ("optim.lr" is config["optim"]["lr"]); nullptr when
// absent (or a step is not an object).
const PyJson* FindConfigKey(const PyJson& config, std::string_view key);

// An experiment's config and the last row of one scope, each parsed or read
// once, when first needed. Throws CommandError (exit 1) when the store fails.
class KeyLookup {
 public:
  KeyLookup(const Store& store, const Experiment& e, std::string scope);

  // The config value at `key`, else the value of column `key` in the scope's
  // last row (a row without that column, or no rows: nullopt).
  std::optional<PyJson> Find(std::string_view key);

  // The config, parsed.
  const PyJson& config();

 private:
  const Store& store_;
  std::string id_, scope_, config_text_;
  std::optional<PyJson> config_;
  bool row_read_ = false;
  std::optional<Row> last_row_;
};

// A record value as JSON (Value::ToJson parsed back).
PyJson ToPyJson(const Value& v);

// A value as a table cell: strings bare, anything else as JSON.
std::string CellText(const PyJson& v);

// One --where condition: KEY OP VALUE in one word, e.g. time_dilation=2.0 or
// loss<0.1. OP is one of = != < <= > >=.
struct Condition {
  enum class Op { kEq, kNe, kLt, kLe, kGt, kGe };
  std::string key;
  Op op = Op::kEq;
  // VALUE as JSON when it parses as a number, true, false, null, a "quoted
  // string", an array or an object; else the text itself as a string.
  PyJson value;
};

// Parses `text`; the error message (for a usage error naming the flag) says
// the expected form and what was given.
std::optional<Condition> ParseCondition(std::string_view text, std::string* error);

// Whether `actual` satisfies the condition: numbers compare as numbers (2 ==
// 2.0), strings as text (byte order); other values only with = and != (equal
// when the same JSON). Different types: only != holds.
bool Satisfies(const PyJson& actual, const Condition& c);

}  // namespace labstore::tool

#endif  // LABSTORE_TOOLS_CONFIG_PATH_H_
