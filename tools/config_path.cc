#include "config_path.h"

#include <fmt/format.h>

#include "context.h"

namespace labstore::tool {

const PyJson* FindConfigKey(const PyJson& config, std::string_view key) {
  if (const PyJson* whole = config.Find(key)) return whole;
  const PyJson* at = &config;
  for (size_t pos = 0;;) {
    size_t dot = key.find('.', pos);
    at = at->Find(key.substr(pos, dot == std::string_view::npos ? dot : dot - pos));
    if (at == nullptr || dot == std::string_view::npos) return at;
    pos = dot + 1;
  }
}

KeyLookup::KeyLookup(const Store& store, const Experiment& e, std::string scope)
    : store_(store), id_(e.id), scope_(std::move(scope)), config_text_(e.config) {}

const PyJson& KeyLookup::config() {
  if (!config_) config_ = Check(internal::ParsePyJson(config_text_, "config of experiment " + id_));
  return *config_;
}

std::optional<PyJson> KeyLookup::Find(std::string_view key) {
  if (const PyJson* v = FindConfigKey(config(), key)) return *v;
  if (!row_read_) {
    row_read_ = true;
    std::vector<Row> rows = Check(ReadRows(store_, id_, scope_, {.start = -1}));
    if (!rows.empty()) last_row_ = std::move(rows.back());
  }
  if (!last_row_) return std::nullopt;
  const Value* v = last_row_->Find(key);
  if (v == nullptr) return std::nullopt;
  return ToPyJson(*v);
}

PyJson ToPyJson(const Value& v) {
  auto parsed = internal::ParsePyJson(v.ToJson(), "record value");
  return parsed.ok() ? std::move(*parsed) : PyJson::String(v.ToJson());
}

std::string CellText(const PyJson& v) {
  return v.is_string() ? v.text() : internal::DumpPyJson(v, internal::PyDialect::kFile);
}

std::optional<Condition> ParseCondition(std::string_view text, std::string* error) {
  auto fail = [&](std::string_view why) {
    *error = fmt::format("{} in \"{}\": expected KEY OP VALUE in one word, e.g. time_dilation=2.0 or 'loss<0.1', "
                         "with OP one of = != < <= > >=",
                         why, text);
    return std::nullopt;
  };
  size_t at = text.find_first_of("!<>=");
  if (at == std::string_view::npos) return fail("no operator");
  if (at == 0) return fail("no key before the operator");
  Condition c;
  c.key = std::string(text.substr(0, at));
  bool has_eq = at + 1 < text.size() && text[at + 1] == '=';
  switch (text[at]) {
    case '=': c.op = Condition::Op::kEq; break;
    case '<': c.op = has_eq ? Condition::Op::kLe : Condition::Op::kLt; break;
    case '>': c.op = has_eq ? Condition::Op::kGe : Condition::Op::kGt; break;
    default:  // '!'
      if (!has_eq) return fail("'!' without '='");
      c.op = Condition::Op::kNe;
  }
  size_t value_at = at + (text[at] != '=' && has_eq ? 2 : 1);
  std::string_view value = text.substr(value_at);
  if (value.empty()) return fail("no value after the operator");
  if (value.find_first_of("!<>=") == 0) return fail("an operator twice");
  auto parsed = internal::ParsePyJson(value, "--where value");
  c.value = parsed.ok() ? std::move(*parsed) : PyJson::String(std::string(value));
  return c;
}

namespace {

// -1, 0, 1 for two numbers: exact for ints that fit in 64 bits.
int CompareNumbers(const PyJson& a, const PyJson& b) {
  auto ia = a.AsInt64(), ib = b.AsInt64();
  if (ia && ib) return *ia < *ib ? -1 : *ia > *ib ? 1 : 0;
  double da = *a.AsDouble(), db = *b.AsDouble();
  return da < db ? -1 : da > db ? 1 : 0;
}

}  // namespace

bool Satisfies(const PyJson& actual, const Condition& c) {
  using Op = Condition::Op;
  int cmp;
  if (actual.is_number() && c.value.is_number()) {
    double da = *actual.AsDouble(), db = *c.value.AsDouble();
    if (da != da || db != db) return c.op == Op::kNe;  // NaN equals nothing, orders nothing
    cmp = CompareNumbers(actual, c.value);
  } else if (actual.is_string() && c.value.is_string()) {
    int r = actual.text().compare(c.value.text());
    cmp = r < 0 ? -1 : r > 0 ? 1 : 0;
  } else {
    bool same = actual == c.value;
    return c.op == Op::kEq ? same : c.op == Op::kNe ? !same : false;
  }
  switch (c.op) {
    case Op::kEq: return cmp == 0;
    case Op::kNe: return cmp != 0;
    case Op::kLt: return cmp < 0;
    case Op::kLe: return cmp <= 0;
    case Op::kGt: return cmp > 0;
    case Op::kGe: return cmp >= 0;
  }
  return false;
}

}  // namespace labstore::tool
