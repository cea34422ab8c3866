// Records as text: machinable's JSON lines, CSV and tabulate's "simple" table.
#include <time.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cmath>
#include <cstdio>
#include <set>

#include <fmt/format.h>

#include "json/py_json.h"
#include "labstore/record_reader.h"
#include "labstore/store.h"
#include "record/read.h"

namespace labstore {
namespace {

constexpr std::string_view kTimestampKey = "__timestamp";

// FormatIso(t) appended to `out`, caching the date and time of the last second.
class IsoFormatter {
 public:
  void Append(std::string* out, Timestamp t) {
    int64_t local = t.unix_micros + int64_t{t.utc_offset_seconds} * 1000000;
    int64_t secs = local / 1000000 - (local % 1000000 < 0 ? 1 : 0);
    int64_t micros = local - secs * 1000000;
    if (secs != secs_ || t.utc_offset_seconds != offset_) {
      secs_ = secs;
      offset_ = t.utc_offset_seconds;
      time_t tt = static_cast<time_t>(secs);
      struct tm tm;
      gmtime_r(&tt, &tm);
      prefix_ = fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                            tm.tm_min, tm.tm_sec);
      int32_t off = offset_;
      char sign = off < 0 ? '-' : '+';
      if (off < 0) off = -off;
      suffix_ = fmt::format("{}{:02}:{:02}", sign, off / 3600, (off / 60) % 60);
      if (off % 60 != 0) suffix_ += fmt::format(":{:02}", off % 60);
    }
    *out += prefix_;
    if (micros != 0) {
      char buf[8];
      buf[0] = '.';
      for (int i = 6; i >= 1; --i) {
        buf[i] = static_cast<char>('0' + micros % 10);
        micros /= 10;
      }
      out->append(buf, 7);
    }
    *out += suffix_;
  }

 private:
  int64_t secs_ = INT64_MIN;
  int32_t offset_ = 0;
  std::string prefix_, suffix_;
};

void AppendJsonValue(std::string* out, const Value& v) {
  switch (v.type()) {
    case ValueType::kNull: *out += "null"; break;
    case ValueType::kInt64: internal::AppendPyInt(out, v.as_int64()); break;
    case ValueType::kDouble: internal::AppendPyFloat(out, v.as_double()); break;
    case ValueType::kBool: *out += v.as_bool() ? "true" : "false"; break;
    case ValueType::kString: internal::AppendPyString(out, v.as_string(), true); break;
    case ValueType::kJson: *out += v.ToJson(); break;
  }
}

// Appends the JSON lines of rows [lo, hi) of a decoded chunk.
void AppendChunkJsonLines(const internal::DecodedChunk& ch, uint32_t lo, uint32_t hi, IsoFormatter* iso,
                          std::string* out) {
  struct Key {
    std::string_view name;
    int column;  // -1: the timestamp
    std::string prefix;  // "name": with the JSON spelling of the name
  };
  std::vector<Key> keys;
  keys.push_back({kTimestampKey, -1, {}});
  for (size_t c = 0; c < ch.columns.size(); ++c) keys.push_back({ch.columns[c].name, static_cast<int>(c), {}});
  std::sort(keys.begin(), keys.end(), [](const Key& a, const Key& b) { return a.name < b.name; });
  for (Key& k : keys) {
    internal::AppendPyString(&k.prefix, k.name, true);
    k.prefix += ": ";
  }
  std::vector<uint32_t> cursor;
  internal::StartCursor(ch, lo, &cursor);
  for (uint32_t r = lo; r < hi; ++r) {
    out->push_back('{');
    bool first = true;
    for (const Key& k : keys) {
      if (k.column < 0) {
        if (!first) *out += ", ";
        first = false;
        *out += k.prefix;
        out->push_back('"');
        iso->Append(out, Timestamp{ch.micros[r], ch.utc_offsets[r]});
        out->push_back('"');
        continue;
      }
      const internal::DecodedColumn& col = ch.columns[k.column];
      if (!col.Present(r)) continue;
      if (!first) *out += ", ";
      first = false;
      *out += k.prefix;
      if (!col.Valid(r)) {
        *out += "null";
        continue;
      }
      uint32_t i = cursor[k.column]++;
      switch (col.type) {
        case ValueType::kInt64: internal::AppendPyInt(out, col.ints[i]); break;
        case ValueType::kDouble: internal::AppendPyFloat(out, col.DoubleAt(i)); break;
        case ValueType::kBool: *out += col.BoolAt(i) ? "true" : "false"; break;
        case ValueType::kString: internal::AppendPyString(out, col.StringAt(i), true); break;
        case ValueType::kJson: AppendJsonValue(out, col.Get(i)); break;
        case ValueType::kNull: *out += "null"; break;
      }
    }
    *out += "}\n";
  }
}

// Python's str(float): repr with nan/inf spelled as Python prints them.
void AppendPyStr(std::string* out, double d) {
  if (std::isnan(d)) *out += "nan";
  else if (std::isinf(d)) *out += d < 0 ? "-inf" : "inf";
  else internal::AppendPyFloat(out, d);
}

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

// Every column name of `rows` plus "__timestamp", sorted by bytes.
std::vector<std::string> SortedColumns(const std::vector<Row>& rows) {
  std::set<std::string> names{std::string(kTimestampKey)};
  for (const Row& r : rows) {
    for (const auto& cell : r.cells) names.insert(cell.first);
  }
  return {names.begin(), names.end()};
}

std::string CsvField(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += "\"\"";
    else out.push_back(c);
  }
  out += "\"";
  return out;
}

std::string CsvValue(const Value& v) {
  std::string out;
  switch (v.type()) {
    case ValueType::kNull: break;
    case ValueType::kInt64: internal::AppendPyInt(&out, v.as_int64()); break;
    case ValueType::kDouble: AppendPyStr(&out, v.as_double()); break;
    case ValueType::kBool: out = v.as_bool() ? "true" : "false"; break;
    case ValueType::kString: return CsvField(v.as_string());
    case ValueType::kJson: return CsvField(v.ToJson());
  }
  return out;
}


// ---- tabulate ----------------------------------------------------------------

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

// Python's repr() of a JSON value read by json.loads.
void AppendPyRepr(std::string* out, const internal::PyJson& j) {
  using T = internal::PyJson::Type;
  switch (j.type()) {
    case T::kNull: *out += "None"; break;
    case T::kBool: *out += j.boolean() ? "True" : "False"; break;
    case T::kInt: *out += j.text(); break;
    case T::kFloat: AppendPyStr(out, j.number()); break;
    case T::kString: {
      const std::string& s = j.text();
      char q = (s.find('\'') != std::string::npos && s.find('"') == std::string::npos) ? '"' : '\'';
      out->push_back(q);
      for (unsigned char c : s) {
        if (c == '\\') *out += "\\\\";
        else if (c == static_cast<unsigned char>(q)) { out->push_back('\\'); out->push_back(q); }
        else if (c == '\n') *out += "\\n";
        else if (c == '\r') *out += "\\r";
        else if (c == '\t') *out += "\\t";
        else if (c < 0x20 || c == 0x7f) *out += fmt::format("\\x{:02x}", c);
        else out->push_back(static_cast<char>(c));
      }
      out->push_back(q);
      break;
    }
    case T::kArray:
      out->push_back('[');
      for (size_t i = 0; i < j.items().size(); ++i) {
        if (i) *out += ", ";
        AppendPyRepr(out, j.items()[i]);
      }
      out->push_back(']');
      break;
    case T::kObject:
      out->push_back('{');
      for (size_t i = 0; i < j.members().size(); ++i) {
        if (i) *out += ", ";
        AppendPyRepr(out, internal::PyJson::String(j.members()[i].first));
        *out += ": ";
        AppendPyRepr(out, j.members()[i].second);
      }
      out->push_back('}');
      break;
  }
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

std::string FormatJsonLine(const Row& row) {
  std::vector<std::pair<std::string_view, const Value*>> keys;
  keys.emplace_back(kTimestampKey, nullptr);
  for (const auto& [name, value] : row.cells) keys.emplace_back(name, &value);
  std::sort(keys.begin(), keys.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string out = "{";
  IsoFormatter iso;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (i) out += ", ";
    internal::AppendPyString(&out, keys[i].first, true);
    out += ": ";
    if (keys[i].second == nullptr) {
      out.push_back('"');
      iso.Append(&out, row.timestamp);
      out.push_back('"');
    } else {
      AppendJsonValue(&out, *keys[i].second);
    }
  }
  out += "}";
  return out;
}

Status WriteJsonLines(const Store& store, std::string_view experiment_id, std::string_view scope, const TextSink& sink,
                      const RowRange& range) {
  internal::ChunkScanner scan;
  LABSTORE_RETURN_IF_ERROR(scan.Open(*store.state(), experiment_id, scope, range));
  std::string text;
  IsoFormatter iso;
  while (scan.Next()) {
    text.clear();
    AppendChunkJsonLines(scan.chunk(), scan.lo(), scan.hi(), &iso, &text);
    LABSTORE_RETURN_IF_ERROR(sink(text));
  }
  return scan.status();
}

// Runs a streaming writer (WriteJsonLines, WriteCsv) into one string.
template <typename Writer>
Result<std::string> CollectText(Writer write, const Store& store, std::string_view experiment_id,
                                std::string_view scope, const RowRange& range) {
  std::string out;
  Status s = write(
      store, experiment_id, scope,
      [&](std::string_view piece) {
        out += piece;
        return Status::OK();
      },
      range);
  if (!s.ok()) return s;
  return out;
}

Result<std::string> ToJsonLines(const Store& store, std::string_view experiment_id, std::string_view scope,
                                const RowRange& range) {
  return CollectText(WriteJsonLines, store, experiment_id, scope, range);
}

Status WriteCsv(const Store& store, std::string_view experiment_id, std::string_view scope, const TextSink& sink,
                const RowRange& range) {
  internal::ChunkScanner scan;
  LABSTORE_RETURN_IF_ERROR(scan.Open(*store.state(), experiment_id, scope, range));
  // The header needs every column first: the metadata read with the rows.
  Row names;
  for (const auto& [name, type] : scan.meta().columns) names.cells.emplace_back(name, Value());
  std::vector<std::string> cols = SortedColumns({names});
  std::string text;
  for (size_t i = 0; i < cols.size(); ++i) {
    if (i) text.push_back(',');
    text += CsvField(cols[i]);
  }
  text.push_back('\n');
  IsoFormatter iso;
  Row row;
  std::vector<uint32_t> cursor;
  while (scan.Next()) {
    internal::StartCursor(scan.chunk(), scan.lo(), &cursor);
    for (uint32_t r = scan.lo(); r < scan.hi(); ++r) {
      internal::MaterializeRow(scan.chunk(), r, &cursor, &row);
      for (size_t i = 0; i < cols.size(); ++i) {
        if (i) text.push_back(',');
        if (cols[i] == kTimestampKey) {
          iso.Append(&text, row.timestamp);
        } else if (const Value* v = row.Find(cols[i])) {
          text += CsvValue(*v);
        }
      }
      text.push_back('\n');
    }
    LABSTORE_RETURN_IF_ERROR(sink(text));
    text.clear();
  }
  LABSTORE_RETURN_IF_ERROR(scan.status());
  if (!text.empty()) LABSTORE_RETURN_IF_ERROR(sink(text));
  return Status::OK();
}

Result<std::string> ToCsv(const Store& store, std::string_view experiment_id, std::string_view scope,
                          const RowRange& range) {
  return CollectText(WriteCsv, store, experiment_id, scope, range);
}

std::string FormatTable(const std::vector<Row>& rows) {
  if (rows.empty()) return "";  // tabulate prints nothing for no rows
  // Columns in order of first appearance, each row's keys sorted (the key
  // order of dicts read from machinable's sorted JSON lines).
  std::vector<std::string> cols;
  {
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
  }
  const size_t ncols = cols.size();
  std::vector<std::vector<TableCell>> cells(ncols, std::vector<TableCell>(rows.size()));
  std::vector<Kind> kinds(ncols, Kind::kNone);
  IsoFormatter iso;
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
