// Records as tabulate's "simple" table: AsTable and FormatTable
// (labstore/record_reader.h), as machinable's Records.as_table() prints them.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include "json/py_json.h"
#include "json/py_repr.h"
#include "labstore/record_reader.h"
#include "labstore/store.h"
#include "record/text_format.h"
#include "util/time_format.h"

namespace labstore {
namespace {

using internal::AppendPyRepr;
using internal::AppendPyStr;
using internal::kTimestampKey;

// format(x, "g").
std::string FormatG(double d) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d < 0 ? "-inf" : "inf";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%g", d);
  return buf;
}

size_t DisplayWidth(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// tabulate's column types, from least to most generic.
enum class Kind { kNone, kBool, kInt, kFloat, kText };

struct TableCell {
  Kind kind = Kind::kNone;
  std::string text;     // kText / kInt (as str()); numeric strings as given
  double number = 0;    // what float(value) gives, for a float column
  bool is_double = false;
};

bool IsIntText(std::string_view s) {
  size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  if (i == s.size()) return false;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

bool IsFloatText(std::string_view s, double* d) {
  if (s.empty() || std::isspace(static_cast<unsigned char>(s[0]))) return false;
  std::string copy(s);
  char* end = nullptr;
  *d = std::strtod(copy.c_str(), &end);
  return end == copy.c_str() + copy.size();
}

TableCell MakeCell(const Value* v) {
  TableCell cell;
  if (v == nullptr || v->is_null()) return cell;
  switch (v->type()) {
    case ValueType::kBool:
      cell.kind = Kind::kBool;
      cell.text = v->as_bool() ? "True" : "False";
      cell.number = v->as_bool() ? 1 : 0;
      break;
    case ValueType::kInt64:
      cell.kind = Kind::kInt;
      cell.text = std::to_string(v->as_int64());
      cell.number = static_cast<double>(v->as_int64());
      break;
    case ValueType::kDouble:
      cell.kind = Kind::kFloat;
      cell.number = v->as_double();
      cell.is_double = true;
      AppendPyStr(&cell.text, v->as_double());
      break;
    case ValueType::kString: {
      // tabulate parses numbers (and "True"/"False") out of strings.
      const std::string& s = v->as_string();
      cell.text = s;
      if (s == "True" || s == "False") {
        cell.kind = Kind::kBool;
        cell.number = s == "True";
      } else if (IsIntText(s)) {
        cell.kind = Kind::kInt;
        cell.number = std::strtod(s.c_str(), nullptr);
      } else if (IsFloatText(s, &cell.number)) {
        cell.kind = Kind::kFloat;
      } else {
        cell.kind = Kind::kText;
      }
      break;
    }
    case ValueType::kJson: {
      cell.kind = Kind::kText;
      auto j = internal::ParsePyJson(v->json_text(), "record value");
      if (j.ok()) AppendPyRepr(&cell.text, *j);
      else cell.text = v->json_text();
      break;
    }
    case ValueType::kNull: break;
  }
  return cell;
}

std::string CellText(const TableCell& cell, Kind column) {
  if (cell.kind == Kind::kNone) return "";
  if (column == Kind::kFloat) return FormatG(cell.number);
  return cell.text;
}

// tabulate's _afterpoint: digits after the decimal point (or the 'e'); -1
// for integers and words.
int AfterPoint(const std::string& s) {
  double d;
  if (IsIntText(s) || !IsFloatText(s, &d)) return -1;
  size_t pos = s.rfind('.');
  if (pos == std::string::npos) pos = s.find_last_of("eE");
  return pos == std::string::npos ? -1 : static_cast<int>(s.size() - pos - 1);
}

}  // namespace

std::string FormatTable(const std::vector<Row>& rows) {
  // Columns in order of first appearance, each row's keys sorted (the key
  // order of dicts read from machinable's sorted JSON lines).
  std::vector<std::string> cols;
  std::set<std::string_view> seen;
  std::vector<std::string_view> keys;
  for (const Row& r : rows) {
    keys.assign({kTimestampKey});
    for (const auto& cell : r.cells) keys.push_back(cell.first);
    std::sort(keys.begin(), keys.end());
    for (std::string_view k : keys) {
      if (seen.insert(k).second) cols.emplace_back(k);
    }
  }
  return FormatTable(rows, cols);
}

std::string FormatTable(const std::vector<Row>& rows, const std::vector<std::string>& cols) {
  if (rows.empty()) return "";  // tabulate prints nothing for no rows
  const size_t ncols = cols.size();
  std::vector<std::vector<TableCell>> cells(ncols, std::vector<TableCell>(rows.size()));
  std::vector<Kind> kinds(ncols, Kind::kNone);
  internal::IsoFormatter iso;
  for (size_t c = 0; c < ncols; ++c) {
    for (size_t i = 0; i < rows.size(); ++i) {
      TableCell& cell = cells[c][i];
      if (cols[c] == kTimestampKey) {
        cell.kind = Kind::kText;
        iso.Append(&cell.text, rows[i].timestamp);
      } else {
        cell = MakeCell(rows[i].Find(cols[c]));
      }
      kinds[c] = std::max(kinds[c], cell.kind);
    }
  }
  std::vector<size_t> widths(ncols);
  std::vector<std::vector<std::string>> text(ncols, std::vector<std::string>(rows.size()));
  for (size_t c = 0; c < ncols; ++c) {
    const bool numeric = kinds[c] == Kind::kInt || kinds[c] == Kind::kFloat;
    for (size_t i = 0; i < rows.size(); ++i) text[c][i] = CellText(cells[c][i], kinds[c]);
    if (numeric) {  // tabulate's numalign="decimal"
      int max_after = -1;
      for (const std::string& s : text[c]) max_after = std::max(max_after, AfterPoint(s));
      for (std::string& s : text[c]) s.append(static_cast<size_t>(max_after - AfterPoint(s)), ' ');
    }
    size_t w = DisplayWidth(cols[c]) + 2;
    for (const std::string& s : text[c]) w = std::max(w, DisplayWidth(s));
    widths[c] = w;
  }
  auto pad = [](std::string* out, std::string_view s, size_t width, bool right) {
    size_t fill = width - std::min(width, DisplayWidth(s));
    if (right) out->append(fill, ' ');
    *out += s;
    if (!right) out->append(fill, ' ');
  };
  auto right = [&](size_t c) { return kinds[c] == Kind::kInt || kinds[c] == Kind::kFloat; };
  // Each line ends without trailing blanks, as tabulate strips them.
  auto end_line = [](std::string* out) {
    while (!out->empty() && out->back() == ' ') out->pop_back();
    out->push_back('\n');
  };
  std::string out;
  for (size_t c = 0; c < ncols; ++c) {
    if (c) out += "  ";
    pad(&out, cols[c], widths[c], right(c));
  }
  end_line(&out);
  for (size_t c = 0; c < ncols; ++c) {
    if (c) out += "  ";
    out.append(widths[c], '-');
  }
  end_line(&out);
  for (size_t i = 0; i < rows.size(); ++i) {
    for (size_t c = 0; c < ncols; ++c) {
      if (c) out += "  ";
      pad(&out, text[c][i], widths[c], right(c));
    }
    end_line(&out);
  }
  return out;
}

Result<std::string> AsTable(const Store& store, std::string_view experiment_id, std::string_view scope,
                            const RowRange& range) {
  auto rows = ReadRows(store, experiment_id, scope, range);
  if (!rows.ok()) return rows.status();
  return FormatTable(*rows);
}

}  // namespace labstore
