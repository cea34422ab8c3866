// CheckStore and GetStoreStats: walking a whole store through the public
// readers, plus RocksDB's own checksums.
#include "labstore/check.h"

#include <array>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

#include "labstore/data.h"
#include "labstore/record_reader.h"
#include "labstore/store.h"
#include "store/store_state.h"

namespace labstore {
namespace {

using internal::StoreState;

// Every stored id, from the ids column family. Errors: IOError.
Result<std::vector<std::string>> AllIds(const StoreState& st) {
  auto pairs = internal::ScanPairs(st, internal::kCfIds);
  if (!pairs.ok()) return pairs.status();
  std::vector<std::string> ids;
  for (auto& [id, key] : *pairs) ids.push_back(std::move(id));
  return ids;
}

void CheckScope(const Store& store, const std::string& id, const ScopeInfo& scope, CheckReport* report) {
  auto reader = RecordReader::Open(store, id, scope.name);
  if (!reader.ok()) {
    report->damage.push_back({id, fmt::format("records scope \"{}\"", scope.name), reader.status().ToString()});
    return;
  }
  Row row;
  uint64_t n = 0;
  while (reader->Next(&row)) ++n;
  report->rows += n;
  if (!reader->status().ok()) {
    report->damage.push_back({id, fmt::format("records scope \"{}\"", scope.name), reader->status().ToString()});
  } else if (n != scope.rows) {
    report->damage.push_back({id, fmt::format("records scope \"{}\"", scope.name),
                              fmt::format("Corruption: metadata says {} rows, the chunks hold {}", scope.rows, n)});
  }
}

void CheckFile(Store& store, const std::string& id, const FileInfo& file, CheckReport* report) {
  std::string what = "file " + file.path;
  auto reader = FileReader::Open(store, id, file.path);
  if (!reader.ok()) {
    report->damage.push_back({id, what, reader.status().ToString()});
    return;
  }
  std::vector<char> buf(1 << 20);
  for (;;) {
    auto n = reader->Read(buf);
    if (!n.ok()) {
      report->damage.push_back({id, what, n.status().ToString()});
      return;
    }
    if (*n == 0) break;
    report->file_bytes += *n;
  }
  ++report->files;
}

void CheckExperiment(Store& store, const std::string& id, CheckReport* report) {
  auto e = store.Find(id);
  if (!e.ok()) {
    report->damage.push_back({id, "experiment metadata", e.status().ToString()});
    return;
  }
  ++report->experiments;
  if (auto st = store.GetStatus(id); !st.ok()) report->damage.push_back({id, "status markers", st.status().ToString()});
  if (auto out = store.ReadOutput(id); !out.ok()) report->damage.push_back({id, "output log", out.status().ToString()});
  if (auto x = store.Executions(id); !x.ok()) report->damage.push_back({id, "executions", x.status().ToString()});
  auto scopes = ListScopes(store, id);
  if (!scopes.ok()) {
    report->damage.push_back({id, "records metadata", scopes.status().ToString()});
  } else {
    for (const auto& scope : *scopes) {
      ++report->scopes;
      CheckScope(store, id, scope, report);
    }
  }
  auto files = ListFiles(store, id);
  if (!files.ok()) {
    report->damage.push_back({id, "file list", files.status().ToString()});
  } else {
    for (const auto& f : *files) CheckFile(store, id, f, report);
  }
}

}  // namespace

std::string Damage::ToString() const {
  return experiment_id.empty() ? fmt::format("{}: {}", what, message)
                               : fmt::format("experiment {}, {}: {}", experiment_id, what, message);
}

Result<CheckReport> CheckStore(Store& store, const std::function<void(uint64_t, uint64_t)>& progress) {
  StoreState& st = *store.state();
  if (!st.db) return Status::InvalidArgument("cannot check: store is closed");
  CheckReport report;
  // Block checksums of every table file, in every column family.
  rocksdb::Status s = st.db->VerifyChecksum();
  if (!s.ok()) {
    std::string detail = s.ToString();
    std::string what = "table files";
    auto sst = detail.find(".sst");
    if (sst != std::string::npos) {
      auto begin = detail.rfind('/', sst);
      what = "table file " + detail.substr(begin == std::string::npos ? 0 : begin + 1, sst + 4 - (begin + 1));
    }
    report.damage.push_back({"", what, detail});
  }
  auto ids = AllIds(st);
  if (!ids.ok()) return ids.status();
  for (size_t i = 0; i < ids->size(); ++i) {
    CheckExperiment(store, (*ids)[i], &report);
    if (progress) progress(i + 1, ids->size());
  }
  return report;
}

Result<StoreStats> GetStoreStats(Store& store) {
  StoreState& st = *store.state();
  if (!st.db) return Status::InvalidArgument("cannot measure: store is closed");
  StoreStats stats;
  auto ids = AllIds(st);
  if (!ids.ok()) return ids.status();
  stats.experiments = ids->size();
  std::string value;
  if (st.db->Get(rocksdb::ReadOptions(), st.handle(internal::kCfMeta), "execution_count", &value).ok() && value.size() == 8) {
    uint64_t n;
    std::memcpy(&n, value.data(), 8);
    stats.executions = n;
  }
  for (const auto& id : *ids) {
    auto scopes = ListScopes(store, id);
    if (!scopes.ok()) return scopes.status();
    for (const auto& s : *scopes) {
      ++stats.scopes;
      stats.record_rows += s.rows;
      stats.record_bytes += s.bytes;
    }
    auto files = ListFiles(store, id);
    if (!files.ok()) return files.status();
    for (const auto& f : *files) {
      ++stats.files;
      stats.file_bytes += f.size;
    }
  }
  for (int i = 1; i < internal::kCfCount; ++i) {
    ColumnFamilyStats cf;
    cf.name = internal::kCfNames[i];
    auto* h = st.handle(static_cast<internal::Cf>(i));
    st.db->GetIntProperty(h, "rocksdb.estimate-num-keys", &cf.keys);
    st.db->GetIntProperty(h, "rocksdb.total-sst-files-size", &cf.table_bytes);
    st.db->GetIntProperty(h, "rocksdb.total-blob-file-size", &cf.blob_bytes);
    st.db->GetIntProperty(h, "rocksdb.cur-size-all-mem-tables", &cf.memtable_bytes);
    stats.column_families.push_back(cf);
  }
  std::error_code ec;
  for (auto& e : std::filesystem::recursive_directory_iterator(st.dir, ec)) {
    if (e.is_regular_file(ec)) stats.disk_bytes += e.file_size(ec);
  }
  return stats;
}

}  // namespace labstore
