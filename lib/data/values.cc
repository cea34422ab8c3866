// Typed values (SaveData / LoadData): machinable's formats by extension.
#include <fmt/format.h>

#include "data/content_store.h"
#include "data/npy_format.h"
#include "data/path.h"
#include "data/pending.h"
#include "json/py_json.h"
#include "labstore/data.h"
#include "util/return_if_error.h"

namespace labstore {
namespace {

const char* KindName(DataValue::Kind kind) {
  switch (kind) {
    case DataValue::Kind::kBytes: return "bytes (DataValue::Bytes)";
    case DataValue::Kind::kJson: return "a JSON value (DataValue::Json)";
    case DataValue::Kind::kJsonLines: return "a list of JSON values (DataValue::JsonLines)";
    case DataValue::Kind::kArray: return "an array (DataValue::Array)";
  }
  return "?";
}

DataValue::Kind KindFor(DataFormat format) {
  switch (format) {
    case DataFormat::kJson: return DataValue::Kind::kJson;
    case DataFormat::kJsonl: return DataValue::Kind::kJsonLines;
    case DataFormat::kNpy: return DataValue::Kind::kArray;
    case DataFormat::kPickle: case DataFormat::kRaw: return DataValue::Kind::kBytes;
  }
  return DataValue::Kind::kBytes;
}

// "data/" + path, both checked: the rules name the caller's path.
Result<std::string> DataPath(std::string_view path) {
  LABSTORE_RETURN_IF_ERROR(internal::ValidatePath(path));
  std::string full = "data/" + std::string(path);
  LABSTORE_RETURN_IF_ERROR(internal::ValidatePath(full));
  return full;
}

}  // namespace

// ---- DataValue -----------------------------------------------------------------

DataValue DataValue::Bytes(std::string bytes) {
  DataValue v;
  v.kind_ = Kind::kBytes;
  v.text_ = std::move(bytes);
  return v;
}
DataValue DataValue::Json(std::string json_text) {
  DataValue v;
  v.kind_ = Kind::kJson;
  v.text_ = std::move(json_text);
  return v;
}
DataValue DataValue::JsonLines(std::vector<std::string> json_texts) {
  DataValue v;
  v.kind_ = Kind::kJsonLines;
  v.lines_ = std::move(json_texts);
  return v;
}
DataValue DataValue::Array(NdArray array) {
  DataValue v;
  v.kind_ = Kind::kArray;
  v.array_ = std::move(array);
  return v;
}

const std::string& DataValue::bytes() const {
  assert(kind_ == Kind::kBytes);
  static const std::string empty;
  return kind_ == Kind::kBytes ? text_ : empty;
}
const std::string& DataValue::json() const {
  assert(kind_ == Kind::kJson);
  static const std::string empty;
  return kind_ == Kind::kJson ? text_ : empty;
}
const std::vector<std::string>& DataValue::json_lines() const {
  assert(kind_ == Kind::kJsonLines);
  static const std::vector<std::string> empty;
  return kind_ == Kind::kJsonLines ? lines_ : empty;
}
const NdArray& DataValue::array() const {
  assert(kind_ == Kind::kArray);
  static const NdArray empty;
  return kind_ == Kind::kArray ? array_ : empty;
}

// ---- encoding ------------------------------------------------------------------

Result<std::string> EncodeData(std::string_view path, const DataValue& value) {
  DataFormat format = DataFormatOf(path);
  std::string what = internal::QuotePath(path);
  if (value.kind() != KindFor(format)) {
    return Status::InvalidArgument(
        fmt::format("cannot save {} of format {}", what, DataFormatName(format)),
        fmt::format("it takes {}, not {}", KindName(KindFor(format)), KindName(value.kind())));
  }
  switch (format) {
    case DataFormat::kJson:
      return internal::ToPyDialect(value.json(), internal::PyDialect::kFile, what);
    case DataFormat::kJsonl: {
      std::string out;
      for (size_t i = 0; i < value.json_lines().size(); ++i) {
        auto line = internal::ToPyDialect(value.json_lines()[i], internal::PyDialect::kJsonl,
                                           fmt::format("line {} of {}", i + 1, what));
        if (!line.ok()) return line.status();
        out += *line;
        out.push_back('\n');
      }
      return out;
    }
    case DataFormat::kNpy: return internal::EncodeNpy(value.array());
    case DataFormat::kPickle: case DataFormat::kRaw: return value.bytes();
  }
  return value.bytes();
}

Result<DataValue> DecodeData(std::string_view path, std::string_view bytes) {
  std::string what = internal::QuotePath(path);
  switch (DataFormatOf(path)) {
    case DataFormat::kJson:
      if (auto parsed = internal::ParsePyJson(bytes, what); !parsed.ok()) return parsed.status();
      return DataValue::Json(std::string(bytes));
    case DataFormat::kJsonl: {
      // As Python's jsonlines reader: one value per line, "\n" or "\r\n" ends
      // a line, the last line may lack it, an empty line is an error.
      std::vector<std::string> lines;
      size_t start = 0;
      while (start < bytes.size()) {
        size_t end = bytes.find('\n', start);
        if (end == std::string_view::npos) end = bytes.size();
        std::string_view line = bytes.substr(start, end - start);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        std::string line_what = fmt::format("line {} of {}", lines.size() + 1, what);
        if (line.empty()) return Status::InvalidArgument(fmt::format("invalid JSON in {}", line_what), "empty line");
        if (auto parsed = internal::ParsePyJson(line, line_what); !parsed.ok()) return parsed.status();
        lines.emplace_back(line);
        start = end + 1;
      }
      return DataValue::JsonLines(std::move(lines));
    }
    case DataFormat::kNpy: {
      auto array = internal::DecodeNpy(bytes, what);
      if (!array.ok()) return array.status();
      return DataValue::Array(std::move(*array));
    }
    case DataFormat::kPickle: case DataFormat::kRaw: break;
  }
  return DataValue::Bytes(std::string(bytes));
}

// ---- under data/ ---------------------------------------------------------------

Status SaveData(Store& store, std::string_view id, std::string_view path, const DataValue& value) {
  auto full = DataPath(path);
  if (!full.ok()) return full.status();
  auto bytes = EncodeData(path, value);
  if (!bytes.ok()) return bytes.status();
  return SaveFile(store, id, *full, *bytes);
}

Status SaveData(Store& store, Experiment& experiment, std::string_view path, const DataValue& value) {
  auto full = DataPath(path);
  if (!full.ok()) return full.status();
  auto bytes = EncodeData(path, value);
  if (!bytes.ok()) return bytes.status();
  return SaveFile(store, experiment, *full, *bytes);
}

Result<DataValue> LoadData(const Store& store, std::string_view id, std::string_view path) {
  auto full = DataPath(path);
  if (!full.ok()) return full.status();
  auto bytes = LoadFile(store, id, *full);
  if (!bytes.ok()) return bytes.status();
  return DecodeData(*full, *bytes);
}

namespace internal {

Status WritePendingFiles(Store& store, Experiment& experiment) {
  auto& pending = experiment.pending_files;
  size_t done = 0;
  Status s;
  for (; done < pending.size(); ++done) {
    const auto& [path, bytes] = pending[done];
    s = ValidatePath(path);
    if (s.ok()) s = StoreBytes(*internal::StateOf(store), experiment.key, experiment.id, path, bytes);
    if (!s.ok()) break;
  }
  pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(done));
  return s;
}

}  // namespace internal
}  // namespace labstore
