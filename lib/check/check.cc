// CheckStore and GetStoreStats: walking a whole store through the public
// readers, plus RocksDB's own checksums.
#include "labstore/check.h"

#include <array>
#include <cstring>
#include <filesystem>
#include <vector>

#include <fmt/format.h>
#include <rocksdb/metadata.h>

#include "labstore/data.h"
#include "labstore/record_reader.h"
#include "labstore/store.h"
#include "experiment/codec.h"
#include "import/pending.h"
#include "store/store_state.h"
#include "store/union_read.h"

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

// The ids of the experiment records that decode, for when the id index is
// damaged; as many as can be read.
std::vector<std::string> IdsFromRecords(const StoreState& st) {
  std::vector<std::string> ids;
  std::unique_ptr<rocksdb::Iterator> it = internal::NewUnionIterator(st, internal::kCfExperiments);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    auto e = internal::DecodeExperiment(it->key().ToStringView(), it->value().ToStringView());
    if (e.ok()) ids.push_back(e->experiment.id);
  }
  return ids;
}

// "table file 000012.sst (column family \"records\")" for the file a RocksDB
// error names, "table files" when it names none.
std::string DamagedFile(const StoreState& st, const std::string& detail) {
  for (const char* ext : {".sst", ".blob"}) {
    auto end = detail.find(ext);
    if (end == std::string::npos) continue;
    end += std::strlen(ext);
    auto begin = detail.rfind('/', end);
    begin = begin == std::string::npos ? 0 : begin + 1;
    std::string name = detail.substr(begin, end - begin);
    std::string what = fmt::format("{} file {}", ext[1] == 's' ? "table" : "blob", name);
    std::vector<rocksdb::LiveFileMetaData> live;
    st.db->GetLiveFilesMetaData(&live);
    for (const auto& f : live) {
      if (f.name == "/" + name) return fmt::format("{} (column family \"{}\")", what, f.column_family_name);
    }
    return what;
  }
  return "table files";
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

void CheckFile(const Store& store, const std::string& id, const FileInfo& file, CheckReport* report) {
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

void CheckExperiment(const Store& store, const std::string& id, CheckReport* report) {
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

Result<CheckReport> CheckStore(const Store& store, const ProgressCallback& progress) {
  StoreState& st = *internal::StateOf(store);
  if (!st.db) return Status::InvalidArgument("cannot check: store is closed");
  CheckReport report;
  // Block checksums of every table file, in every column family.
  rocksdb::Status s = st.db->VerifyChecksum();
  if (!s.ok()) report.damage.push_back({"", DamagedFile(st, s.ToString()), s.ToString()});
  for (const auto& view : st.views) {
    if (!view->db) continue;
    s = view->db->VerifyChecksum();
    if (!s.ok()) report.damage.push_back({"", fmt::format("table files of {}", internal::PartName(view->number)),
                                          s.ToString()});
  }
  auto ids = AllIds(st);
  if (!ids.ok()) {
    // Experiments are looked up through this index: each one's checks below
    // then name it as damaged too.
    report.damage.push_back({"", "experiment id index (column family \"ids\")", ids.status().ToString()});
    ids = IdsFromRecords(st);
  }
  for (size_t i = 0; i < ids->size(); ++i) {
    CheckExperiment(store, (*ids)[i], &report);
    auto pending = internal::IsImportPending(st, (*ids)[i]);
    if (!pending.ok()) return pending.status();
    if (*pending) report.incomplete_imports.push_back((*ids)[i]);
    if (progress) progress({.stage = "check", .done = i + 1, .total = ids->size()});
  }
  return report;
}

Result<StoreStats> GetStoreStats(const Store& store) {
  StoreState& st = *internal::StateOf(store);
  if (!st.db) return Status::InvalidArgument("cannot measure: store is closed");
  StoreStats stats;
  auto ids = AllIds(st);
  if (!ids.ok()) return ids.status();
  stats.experiments = ids->size();
  {
    // Counted, not read from meta "execution_count": Store::Delete removes
    // executions left without members and never reuses their numbers.
    std::unique_ptr<rocksdb::Iterator> it = internal::NewUnionIterator(st, internal::kCfExecutions);
    for (it->SeekToFirst(); it->Valid(); it->Next()) ++stats.executions;
    if (!it->status().ok()) return internal::FromRocks(it->status(), "cannot count the executions");
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
  // RocksDB's figures of the own part (the other parts' are not counted yet).
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
