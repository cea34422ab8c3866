// Records as text: machinable's JSON lines, CSV and tabulate's "simple" table.
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <set>

#include <fmt/format.h>

#include "json/py_json.h"
#include "labstore/record_reader.h"
#include "labstore/store.h"
#include "record/chunk_scanner.h"
#include "record/read.h"
#include "util/text_buffer.h"
#include "util/thread_spare.h"
#include "util/time_format.h"

namespace labstore {
namespace {

constexpr std::string_view kTimestampKey = "__timestamp";

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

// Whether json.dumps (ensure_ascii) writes `s` as it is between quotes.
bool IsPlainAscii(std::string_view s) {
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c >= 0x7F || c == '"' || c == '\\') return false;
  }
  return true;
}

// The JSON lines of decoded chunks, written straight into a TextBuffer: keys
// in sorted order with their spelling made once per chunk, numbers and
// timestamps written in place, no allocation per row once the buffer is grown.
class JsonLinesWriter {
 public:
  // Starts on `chunk`'s rows from `lo`; the chunk must outlive the Append calls.
  void Start(const internal::DecodedChunk& chunk, uint32_t lo) {
    ch_ = &chunk;
    keys_.clear();
    keys_.push_back({kTimestampKey, -1, {}});
    for (size_t c = 0; c < chunk.columns.size(); ++c) {
      keys_.push_back({chunk.columns[c].name, static_cast<int>(c), {}});
    }
    std::sort(keys_.begin(), keys_.end(), [](const Key& a, const Key& b) { return a.name < b.name; });
    for (Key& k : keys_) {
      k.spelling = ", ";
      internal::AppendPyString(&k.spelling, k.name, true);
      k.spelling += ": ";
    }
    internal::StartCursor(chunk, lo, &cursor_);
  }

  // Appends rows [from, to) (continuing from the last row appended) to `out`.
  void Append(uint32_t from, uint32_t to, internal::TextBuffer* out) {
    const internal::DecodedChunk& ch = *ch_;
    for (uint32_t r = from; r < to; ++r) {
      out->Push('{');
      size_t skip = 2;  // no ", " before the first key
      for (const Key& k : keys_) {
        std::string_view key(k.spelling.data() + skip, k.spelling.size() - skip);
        if (k.column < 0) {
          char* p = out->Room(key.size() + internal::IsoFormatter::kMaxSize + 2);
          p = Put(p, key);
          *p++ = '"';
          p = iso_.Write(p, Timestamp{ch.micros[r], ch.utc_offsets[r]});
          *p++ = '"';
          out->Advance(p);
          skip = 0;
          continue;
        }
        const internal::DecodedColumn& col = ch.columns[k.column];
        if (!col.Present(r)) continue;
        skip = 0;
        if (!col.Valid(r)) {
          char* p = out->Room(key.size() + 4);
          out->Advance(Put(Put(p, key), "null"));
          continue;
        }
        uint32_t i = cursor_[k.column]++;
        switch (col.type) {
          case ValueType::kInt64: {
            char* p = Put(out->Room(key.size() + internal::kMaxPyIntSize), key);
            out->Advance(internal::WritePyInt(p, col.ints[i]));
            break;
          }
          case ValueType::kDouble: {
            if (col.IntAt(i)) {  // an int logged into a double column keeps its spelling
              char* p = Put(out->Room(key.size() + internal::kMaxPyIntSize), key);
              out->Advance(internal::WritePyInt(p, col.ints[i]));
              break;
            }
            char* p = Put(out->Room(key.size() + internal::kMaxPyFloatSize), key);
            out->Advance(internal::WritePyFloat(p, col.DoubleAt(i)));
            break;
          }
          case ValueType::kBool: {
            char* p = Put(out->Room(key.size() + 5), key);
            out->Advance(Put(p, col.BoolAt(i) ? std::string_view("true") : std::string_view("false")));
            break;
          }
          case ValueType::kString: {
            std::string_view text = col.StringAt(i);
            if (IsPlainAscii(text)) {
              char* p = Put(out->Room(key.size() + text.size() + 2), key);
              *p++ = '"';
              p = Put(p, text);
              *p++ = '"';
              out->Advance(p);
            } else {
              scratch_.assign(key);
              internal::AppendPyString(&scratch_, text, true);
              out->Append(scratch_);
            }
            break;
          }
          case ValueType::kJson:
            scratch_.assign(key);
            AppendJsonValue(&scratch_, col.Get(i));
            out->Append(scratch_);
            break;
          case ValueType::kNull:
            out->Append(key);
            out->Append("null");
            break;
        }
      }
      char* p = out->Room(2);
      p[0] = '}';
      p[1] = '\n';
      out->Advance(p + 2);
    }
  }

 private:
  struct Key {
    std::string_view name;
    int column;            // -1: the timestamp
    std::string spelling;  // ", " "name": with the JSON spelling of the name
  };

  static char* Put(char* p, std::string_view s) {
    std::memcpy(p, s.data(), s.size());
    return p + s.size();
  }

  const internal::DecodedChunk* ch_ = nullptr;
  std::vector<Key> keys_;
  std::vector<uint32_t> cursor_;
  internal::IsoFormatter iso_;
  std::string scratch_;
};

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

void AppendCsvHeader(std::string* text, const std::vector<std::string>& cols) {
  for (size_t i = 0; i < cols.size(); ++i) {
    if (i) text->push_back(',');
    *text += CsvField(cols[i]);
  }
  text->push_back('\n');
}

// One CSV line of `row`: its cells in `cols` order, empty where absent or null.
void AppendCsvRow(std::string* text, const Row& row, const std::vector<std::string>& cols,
                  internal::IsoFormatter& iso) {
  for (size_t i = 0; i < cols.size(); ++i) {
    if (i) text->push_back(',');
    if (cols[i] == kTimestampKey) {
      iso.Append(text, row.timestamp);
    } else if (const Value* v = row.Find(cols[i])) {
      *text += CsvValue(*v);
    }
  }
  text->push_back('\n');
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
  internal::IsoFormatter iso;
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
  // Text goes to the sink in pieces of about this many bytes: large enough
  // for few, large writes, small enough to stay in the CPU's cache.
  constexpr size_t kPieceBytes = 256 << 10;
  constexpr uint32_t kRowsPerCheck = 256;  // rows formatted between checks of the size
  internal::ChunkScanner scan;
  LABSTORE_RETURN_IF_ERROR(scan.Open(*store.state(), experiment_id, scope, range));
  internal::ThreadSpare<internal::TextBuffer> text;  // the thread's, reused between calls
  text->Clear();
  JsonLinesWriter writer;
  while (scan.Next()) {
    writer.Start(scan.chunk(), scan.lo());
    for (uint32_t r = scan.lo(); r < scan.hi();) {
      uint32_t to = std::min(scan.hi(), r + kRowsPerCheck);
      writer.Append(r, to, &*text);
      r = to;
      if (text->size() >= kPieceBytes) {
        LABSTORE_RETURN_IF_ERROR(sink(text->view()));
        text->Clear();
      }
    }
  }
  LABSTORE_RETURN_IF_ERROR(scan.status());
  if (text->size() != 0) LABSTORE_RETURN_IF_ERROR(sink(text->view()));
  return Status::OK();
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
  AppendCsvHeader(&text, cols);
  internal::IsoFormatter iso;
  Row row;
  std::vector<uint32_t> cursor;
  while (scan.Next()) {
    internal::StartCursor(scan.chunk(), scan.lo(), &cursor);
    for (uint32_t r = scan.lo(); r < scan.hi(); ++r) {
      internal::MaterializeRow(scan.chunk(), r, &cursor, &row);
      AppendCsvRow(&text, row, cols, iso);
    }
    LABSTORE_RETURN_IF_ERROR(sink(text));
    text.clear();
  }
  LABSTORE_RETURN_IF_ERROR(scan.status());
  if (!text.empty()) LABSTORE_RETURN_IF_ERROR(sink(text));
  return Status::OK();
}

std::string FormatCsv(const std::vector<Row>& rows, const std::vector<std::string>& cols) {
  std::string text;
  AppendCsvHeader(&text, cols);
  internal::IsoFormatter iso;
  for (const Row& row : rows) AppendCsvRow(&text, row, cols, iso);
  return text;
}

Result<std::string> ToCsv(const Store& store, std::string_view experiment_id, std::string_view scope,
                          const RowRange& range) {
  return CollectText(WriteCsv, store, experiment_id, scope, range);
}

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
