// Records as CSV: WriteCsv, FormatCsv and ToCsv (labstore/record_reader.h).
#include <set>
#include <string>
#include <vector>

#include "json/py_json.h"
#include "json/py_repr.h"
#include "labstore/record_reader.h"
#include "labstore/store.h"
#include "record/chunk_scanner.h"
#include "record/read.h"
#include "record/text_format.h"
#include "util/return_if_error.h"
#include "util/time_format.h"

namespace labstore {
namespace {

using internal::AppendPyStr;
using internal::kTimestampKey;

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

}  // namespace

Status WriteCsv(const Store& store, std::string_view experiment_id, std::string_view scope, const TextSink& sink,
                const RowRange& range) {
  internal::ChunkScanner scan;
  LABSTORE_RETURN_IF_ERROR(scan.Open(*internal::StateOf(store), experiment_id, scope, range));
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
  return internal::CollectText(WriteCsv, store, experiment_id, scope, range);
}

}  // namespace labstore
