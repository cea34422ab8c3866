// Export: a store as machinable's storage folder (labstore/export.h).
//
// Order of work, chosen so that a kill at any point leaves a consistent
// destination that the next export completes:
//   1. lock dest (flock on the directory), read or create the manifest,
//      remove temporary names left by a killed export;
//   2. per experiment, in commit order (ancestors first): a new folder is
//      built under a temporary name and renamed into place; an existing one
//      gets each changed file by write-to-temporary + rename;
//   3. storage.sqlite: created under a temporary name and renamed, or changed
//      in one transaction; rows already present are recognized by their keys,
//      so nothing is inserted twice;
//   4. the manifest, last (write + rename).
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <set>
#include <thread>
#include <unordered_map>

#include <fmt/format.h>

#include "experiment/codec.h"
#include "experiment/id.h"
#include "export/export_internal.h"
#include "export/layout.h"
#include "export/manifest.h"
#include "export/safe_dir.h"
#include "export/sqlite_index.h"
#include "labstore/export.h"
#include "labstore/store.h"
#include "store/store_state.h"

namespace labstore {
namespace internal {

bool IsReservedFolderName(std::string_view first) {
  static const std::set<std::string_view> kReserved = {
      "experiment.json", "project.json", "group.json", "uses.json", "started_at", "heartbeat_at",
      "finished_at",     "output.log",   "records",    "derived",   "storage.sqlite"};
  return kReserved.count(first) > 0 || first.starts_with("execution-") || first.starts_with(kTempPrefix);
}

}  // namespace internal

using namespace internal;  // NOLINT: this file implements the public Export over internal pieces

namespace {

struct Item {
  Experiment e;
  uint64_t sequence = 0;
  std::string folder;                // relative to dest
  ExperimentModel model;
  std::vector<uint64_t> executions;  // numbers, ascending
};

std::string Join(const std::string& a, std::string_view b) {
  return a.empty() ? std::string(b) : a + "/" + std::string(b);
}

// Every stored experiment (or the selected ones and their ancestors), in
// commit order, with folders assigned.
Result<std::vector<Item>> Collect(Store& store, const ExportOptions& options) {
  auto pairs = ScanPairs(*store.state(), kCfExperiments);
  if (!pairs.ok()) return pairs.status();
  std::vector<StoredExperiment> all;
  std::unordered_map<std::string, size_t> by_key;
  for (auto& [key, value] : *pairs) {
    auto d = DecodeExperiment(key, value);
    if (!d.ok()) return d.status();
    by_key.emplace(key, all.size());
    all.push_back(std::move(*d));
  }
  for (auto& s : all) {
    if (s.ancestor_key.empty()) continue;
    auto it = by_key.find(s.ancestor_key);
    if (it == by_key.end()) {
      return Status::Corruption(fmt::format("the ancestor of experiment \"{}\" is missing", s.experiment.id));
    }
    s.experiment.ancestor = all[it->second].experiment.id;
    s.experiment.ancestor_timestamp = all[it->second].experiment.timestamp;
  }
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) { return a.sequence < b.sequence; });
  std::unordered_map<std::string, size_t> by_id;
  for (size_t i = 0; i < all.size(); ++i) by_id.emplace(all[i].experiment.id, i);

  std::vector<bool> selected(all.size(), options.experiments.empty());
  for (const std::string& id : options.experiments) {
    auto n = DecodeId(id);
    if (!n.ok()) return n.status();
    auto it = by_id.find(id);
    if (it == by_id.end()) return Status::NotFound(fmt::format("no experiment with id \"{}\" to export", id));
    for (size_t i = it->second;;) {  // the experiment and its ancestors
      selected[i] = true;
      if (all[i].experiment.ancestor.empty()) break;
      i = by_id.at(all[i].experiment.ancestor);
    }
  }
  std::vector<Item> out;
  std::unordered_map<std::string, std::string> folders;
  for (size_t i = 0; i < all.size(); ++i) {
    if (!selected[i]) continue;
    Item item;
    item.e = std::move(all[i].experiment);
    item.sequence = all[i].sequence;
    // Ids become folder names: check them again, whatever the store holds.
    if (auto n = DecodeId(item.e.id); !n.ok()) {
      return Status::Corruption(fmt::format("stored experiment id \"{}\" is not valid", item.e.id), n.status().message());
    }
    item.folder = item.e.ancestor.empty() ? item.e.id : folders.at(item.e.ancestor) + "/derived/" + item.e.id;
    folders.emplace(item.e.id, item.folder);
    auto model = ModelOf(item.e);
    if (!model.ok()) return Status::Corruption(model.status().message());
    item.model = std::move(*model);
    out.push_back(std::move(item));
  }
  return out;
}

struct ExecutionPlan {
  Execution x;
  std::string folder_name;     // execution-<suffix>
  std::string storage_member;  // last member that is exported
};

// The generated files of one experiment folder: relative path -> bytes.
Result<std::map<std::string, std::string>> GeneratedFiles(Store& store, const Item& item,
                                                          const std::map<uint64_t, ExecutionPlan>& executions) {
  std::map<std::string, std::string> files;
  const Experiment& e = item.e;
  files["experiment.json"] = ExperimentJson(e, item.model);
  files["project.json"] = ProjectJson(e);
  files["group.json"] = GroupJson(e);
  files["uses.json"] = UsesJson(item.model);
  auto status = store.GetStatus(e.id);
  if (!status.ok()) return status.status();
  if (!status->started_at.empty()) files["started_at"] = StartedAtFile(status->started_at);
  if (status->heartbeat_at) files["heartbeat_at"] = InstantFile(*status->heartbeat_at);
  if (status->finished_at) files["finished_at"] = InstantFile(*status->finished_at);
  auto output = store.ReadOutput(e.id);
  if (!output.ok()) return output.status();
  if (!output->empty()) files["output.log"] = std::move(*output);
  for (uint64_t number : item.executions) {
    const ExecutionPlan& plan = executions.at(number);
    auto json = ExecutionJson(plan.x);
    if (!json.ok()) return Status::Corruption(json.status().message());
    files[plan.folder_name + "/execution.json"] = std::move(*json);
    if (plan.storage_member != e.id) continue;
    // spec §10.2: resources and env of every member land in the last member's folder.
    for (const auto& [member, resources] : plan.x.resources) {
      if (auto n = DecodeId(member); !n.ok()) return Status::Corruption(n.status().message());
      auto text = ToPyDialect(resources, PyDialect::kFile, "execution resources");
      if (!text.ok()) return Status::Corruption(text.status().message());
      files[plan.folder_name + "/resources-" + member + ".json"] = std::move(*text);
    }
    if (!plan.x.env.empty()) {
      auto text = ToPyDialect(plan.x.env.back().second, PyDialect::kFile, "execution env");
      if (!text.ok()) return Status::Corruption(text.status().message());
      files[plan.folder_name + "/env.json"] = std::move(*text);
    }
  }
  return files;
}

// Writes one experiment folder. `me` is its manifest entry; `known`: the
// entry describes this folder from an earlier export.
Status WriteExperiment(ExportContext& ctx, const Item& item, const std::map<uint64_t, ExecutionPlan>& executions,
                       bool known, ManifestExperiment& me) {
  SafeDir& root = *ctx.root;
  auto kind = root.Kind(item.folder);
  if (!kind.ok()) return kind.status();
  if (*kind != EntryKind::kDir && *kind != EntryKind::kMissing) {
    return Status::InvalidArgument(fmt::format("{}/{} exists and is not a folder", root.path(), item.folder));
  }
  bool fresh = *kind == EntryKind::kMissing;
  if (fresh || !known) me = ManifestExperiment{.folder = item.folder};
  if (fresh || !known) ++ctx.stats->experiments_added;
  std::string base = item.folder;
  if (fresh) {
    base = Join(ParentOf(item.folder), fmt::format("{}{}.{}", kTempPrefix, item.e.id, ::getpid()));
    LABSTORE_RETURN_IF_ERROR(root.RemoveTree(base));
    LABSTORE_RETURN_IF_ERROR(root.MakeDirs(base));
  }
  auto files = GeneratedFiles(*ctx.store, item, executions);
  if (!files.ok()) return files.status();
  std::map<std::string, std::string> tags;
  for (const auto& [rel, bytes] : *files) {
    std::string tag = ContentTag(bytes);
    auto old = me.files.find(rel);
    if (old != me.files.end() && old->second == tag) {
      ++ctx.stats->files_unchanged;
    } else {
      LABSTORE_RETURN_IF_ERROR(root.WriteAtomic(base + "/" + rel, bytes, 0644, ctx.options->sync));
      ++ctx.stats->files_written;
      ctx.stats->bytes_written += bytes.size();
    }
    tags.emplace(rel, std::move(tag));
  }
  for (const auto& [rel, tag] : me.files) {
    if (tags.count(rel) == 0) {
      LABSTORE_RETURN_IF_ERROR(root.RemoveFile(base + "/" + rel));
      ++ctx.stats->files_removed;
    }
  }
  me.files = std::move(tags);
  LABSTORE_RETURN_IF_ERROR(ExportRecordFiles(ctx, item.e.id, base, &me));
  LABSTORE_RETURN_IF_ERROR(ExportDataFiles(ctx, item.e.id, base, &me));
  if (fresh) LABSTORE_RETURN_IF_ERROR(root.Rename(base, item.folder, ctx.options->sync));
  return Status::OK();
}

// Writes every experiment folder on `threads` threads. Work is split by
// tree (a top-level experiment and everything derived from it, in commit
// order), since a derived folder lives inside its ancestor's.
Status WriteExperiments(ExportContext& ctx, const std::vector<Item>& items,
                        const std::map<uint64_t, ExecutionPlan>& executions, Manifest* manifest, unsigned threads) {
  // Manifest entries are made here, so that workers only touch their own.
  std::vector<ManifestExperiment*> entries;
  std::vector<bool> known;
  for (const Item& item : items) {
    auto found = manifest->experiments.find(item.e.id);
    known.push_back(found != manifest->experiments.end() && found->second.folder == item.folder);
    entries.push_back(&manifest->experiments[item.e.id]);
  }
  std::unordered_map<std::string, size_t> tree_of;  // experiment id -> tree
  std::vector<std::vector<size_t>> trees;
  for (size_t i = 0; i < items.size(); ++i) {
    const std::string& ancestor = items[i].e.ancestor;
    auto it = ancestor.empty() ? tree_of.end() : tree_of.find(ancestor);
    size_t t = it != tree_of.end() ? it->second : trees.size();
    if (t == trees.size()) trees.emplace_back();
    trees[t].push_back(i);
    tree_of.emplace(items[i].e.id, t);
  }
  threads = std::max(1u, std::min<unsigned>(threads, static_cast<unsigned>(trees.size())));
  std::vector<ExportStats> stats(threads);
  std::vector<std::vector<std::string>> warnings(threads);
  std::vector<Status> errors(threads);
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  auto work = [&](unsigned w) {
    ExportContext local{.store = ctx.store, .options = ctx.options, .root = ctx.root, .stats = &stats[w]};
    for (size_t t; !failed && (t = next++) < trees.size();) {
      for (size_t i : trees[t]) {
        Status s = WriteExperiment(local, items[i], executions, known[i], *entries[i]);
        if (!s.ok()) {
          errors[w] = s;
          failed = true;
          break;
        }
      }
    }
    warnings[w] = std::move(local.warnings);
  };
  std::vector<std::thread> pool;
  for (unsigned w = 1; w < threads; ++w) pool.emplace_back(work, w);
  work(0);
  for (std::thread& t : pool) t.join();
  for (unsigned w = 0; w < threads; ++w) {
    ExportStats& s = stats[w];
    ctx.stats->experiments_added += s.experiments_added;
    ctx.stats->files_written += s.files_written;
    ctx.stats->files_unchanged += s.files_unchanged;
    ctx.stats->files_removed += s.files_removed;
    ctx.stats->record_rows += s.record_rows;
    ctx.stats->bytes_written += s.bytes_written;
    for (std::string& m : warnings[w]) ctx.warnings.push_back(std::move(m));
  }
  for (const Status& e : errors) LABSTORE_RETURN_IF_ERROR(e);
  return Status::OK();
}

Status WriteManifest(SafeDir& root, const Manifest& m, bool sync) {
  return root.WriteAtomic(kExportManifest, EncodeManifest(m), 0644, sync);
}

// Opens `name` in dest for changes: in place when it is a valid database of
// ours, else a new one under a temporary name (*temp_name set) that the caller
// renames into place after committing.
Result<SqliteDb> OpenDatabase(SafeDir& root, const std::string& name, bool machinable_schema, bool sync,
                              std::string* temp_name) {
  auto kind = root.Kind(name);
  if (!kind.ok()) return kind.status();
  if (*kind != EntryKind::kMissing && *kind != EntryKind::kFile) {
    return Status::InvalidArgument(fmt::format("{}/{} is not a regular file", root.path(), name),
                                   "symbolic links are never followed below the export root");
  }
  temp_name->clear();
  if (*kind == EntryKind::kFile) {
    auto db = SqliteDb::Open(root.path() + "/" + name, SQLITE_OPEN_READWRITE);
    if (db.ok()) {
      Status schema = machinable_schema ? CheckMachinableSchema(*db) : Status::OK();
      if (schema.ok()) {
        if (!sync) LABSTORE_RETURN_IF_ERROR(db->Exec("PRAGMA synchronous = OFF"));
        return db;
      }
    }
    // Not a database we can extend (damaged, foreign schema): replace it whole.
  }
  *temp_name = fmt::format("{}{}.{}", kTempPrefix, name, ::getpid());
  LABSTORE_RETURN_IF_ERROR(root.RemoveFile(*temp_name));
  LABSTORE_RETURN_IF_ERROR(root.RemoveFile(*temp_name + "-journal"));
  auto db = SqliteDb::Open(root.path() + "/" + *temp_name, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  if (!db.ok()) return db.status();
  if (!sync) LABSTORE_RETURN_IF_ERROR(db->Exec("PRAGMA synchronous = OFF"));
  if (machinable_schema) LABSTORE_RETURN_IF_ERROR(CreateMachinableSchema(*db));
  return db;
}

Status FinishDatabase(SafeDir& root, SqliteDb& db, const std::string& temp_name, const std::string& name, bool sync) {
  LABSTORE_RETURN_IF_ERROR(db.Exec("COMMIT"));
  LABSTORE_RETURN_IF_ERROR(db.Close());
  if (!temp_name.empty()) LABSTORE_RETURN_IF_ERROR(root.Rename(temp_name, name, sync));
  return Status::OK();
}

// The rows of machinable's five tables (statements finalized on return).
Status WriteRows(SafeDir& root, SqliteDb& db, const std::vector<Item>& items,
                 const std::map<uint64_t, ExecutionPlan>& executions, const std::string& old_root) {
  IndexWriter index(&db);
  LABSTORE_RETURN_IF_ERROR(index.Load());
  if (!old_root.empty() && old_root != root.path()) LABSTORE_RETURN_IF_ERROR(index.RebaseRoot(old_root, root.path()));
  std::unordered_map<std::string, const Item*> by_id;
  for (const Item& item : items) {
    by_id.emplace(item.e.id, &item);
    auto row = index.AddExperiment(item.e, item.model, root.path() + "/" + item.folder);
    if (!row.ok()) return row.status();
  }
  std::unordered_map<std::string, int64_t> latest;  // experiment id -> executions row
  for (const auto& [number, plan] : executions) {
    const Item* storage = by_id.at(plan.storage_member);
    auto row = index.AddExecution(plan.x, root.path() + "/" + storage->folder + "/" + plan.folder_name);
    if (!row.ok()) return row.status();
    for (const std::string& m : plan.x.members) {
      if (by_id.count(m)) latest[m] = *row;  // executions ascend: the last one wins
    }
  }
  for (const Item& item : items) {
    auto it = latest.find(item.e.id);
    if (it != latest.end()) LABSTORE_RETURN_IF_ERROR(index.SetExecution(item.e, it->second));
  }
  return Status::OK();
}

Status WriteIndex(ExportContext& ctx, const std::vector<Item>& items, const std::map<uint64_t, ExecutionPlan>& executions,
                  const std::string& old_root) {
  SafeDir& root = *ctx.root;
  const bool sync = ctx.options->sync;
  std::string temp;
  auto db = OpenDatabase(root, kStorageSqlite, true, sync, &temp);
  if (!db.ok()) return db.status();
  LABSTORE_RETURN_IF_ERROR(db->Exec("BEGIN IMMEDIATE"));
  LABSTORE_RETURN_IF_ERROR(WriteRows(root, *db, items, executions, temp.empty() ? old_root : std::string()));
  std::vector<std::string> ids;
  for (const Item& item : items) ids.push_back(item.e.id);
  if (ctx.options->records_sql == RecordsSql::kInStorage) LABSTORE_RETURN_IF_ERROR(ExportRecordsSql(ctx, *db, ids));
  LABSTORE_RETURN_IF_ERROR(FinishDatabase(root, *db, temp, kStorageSqlite, sync));

  if (ctx.options->records_sql == RecordsSql::kSeparateFile) {
    auto rdb = OpenDatabase(root, kRecordsSqliteFile, false, sync, &temp);
    if (!rdb.ok()) return rdb.status();
    LABSTORE_RETURN_IF_ERROR(rdb->Exec("BEGIN IMMEDIATE"));
    LABSTORE_RETURN_IF_ERROR(ExportRecordsSql(ctx, *rdb, ids));
    LABSTORE_RETURN_IF_ERROR(FinishDatabase(root, *rdb, temp, kRecordsSqliteFile, sync));
  }
  return Status::OK();
}

// Holds flock(2) on the destination directory for the export's duration.
class DestLock {
 public:
  explicit DestLock(int fd) : fd_(fd) {}
  ~DestLock() {
    if (locked_) ::flock(fd_, LOCK_UN);
  }
  Status Acquire(const std::string& path) {
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      return Status::Busy(fmt::format("another export into {} is running", path));
    }
    locked_ = true;
    return Status::OK();
  }

 private:
  int fd_;
  bool locked_ = false;
};

}  // namespace

Result<ExportStats> Export(Store& store, std::string_view dest, const ExportOptions& options) {
  if (store.state() == nullptr || !store.state()->db) return Status::InvalidArgument("store is closed");
  if (dest.empty()) return Status::InvalidArgument("export destination is empty");
  std::error_code ec;
  std::string abs = std::filesystem::absolute(std::filesystem::path(dest), ec).lexically_normal().string();
  if (ec) return Status::IOError(fmt::format("cannot resolve {}: {}", dest, ec.message()));
  while (abs.size() > 1 && abs.back() == '/') abs.pop_back();
  if (std::filesystem::exists(abs, ec) && !std::filesystem::is_directory(abs, ec)) {
    return Status::InvalidArgument(fmt::format("export destination {} is not a directory", abs));
  }
  auto root = SafeDir::Open(abs, /*create=*/true);
  if (!root.ok()) return root.status();
  DestLock lock(root->fd());
  LABSTORE_RETURN_IF_ERROR(lock.Acquire(abs));

  // The manifest: ours, or refuse a foreign non-empty directory.
  Manifest manifest;
  auto kind = root->Kind(kExportManifest);
  if (!kind.ok()) return kind.status();
  bool have_manifest = false;
  if (*kind == EntryKind::kFile) {
    auto text = root->Read(kExportManifest);
    if (!text.ok()) return text.status();
    auto decoded = DecodeManifest(*text);
    if (decoded.ok()) {
      manifest = std::move(*decoded);
      have_manifest = true;
    } else if (decoded.status().IsNotSupported() || !options.force) {
      return decoded.status();
    }
  } else if (*kind != EntryKind::kMissing) {
    return Status::InvalidArgument(fmt::format("{}/{} is not a regular file", abs, kExportManifest));
  }
  if (!have_manifest) {
    auto entries = root->List("");
    if (!entries.ok()) return entries.status();
    if (!entries->empty() && !options.force) {
      return Status::InvalidArgument(
          fmt::format("export destination {} is not empty and is not a labstore export", abs),
          "export into an empty or new directory, or set ExportOptions::force to add to it");
    }
    manifest.root = abs;
    // Mark the directory as ours before anything else is written, so that an
    // export killed now can be resumed without force.
    LABSTORE_RETURN_IF_ERROR(WriteManifest(*root, manifest, options.sync));
  }
  if (auto swept = root->SweepTemporaries(); !swept.ok()) return swept.status();

  ExportStats stats;
  ExportContext ctx{.store = &store, .options = &options, .root = &*root, .stats = &stats};
  auto items = Collect(store, options);
  if (!items.ok()) return items.status();
  stats.experiments = items->size();

  // Executions of the exported experiments.
  std::map<uint64_t, ExecutionPlan> executions;
  std::unordered_map<std::string, size_t> index_of;
  for (size_t i = 0; i < items->size(); ++i) index_of.emplace((*items)[i].e.id, i);
  for (Item& item : *items) {
    auto xs = store.Executions(item.e.id);
    if (!xs.ok()) return xs.status();
    for (Execution& x : *xs) {
      item.executions.push_back(x.number);
      if (executions.count(x.number)) continue;
      ExecutionPlan plan;
      plan.folder_name = ExecutionFolder(x.timestamp);
      for (const std::string& m : x.members) {
        if (index_of.count(m)) plan.storage_member = m;
      }
      plan.x = std::move(x);
      executions.emplace(plan.x.number, std::move(plan));
    }
    std::sort(item.executions.begin(), item.executions.end());
  }

  std::string old_root = manifest.root;
  unsigned threads = options.threads != 0 ? options.threads : std::min(8u, std::max(1u, std::thread::hardware_concurrency()));
  LABSTORE_RETURN_IF_ERROR(WriteExperiments(ctx, *items, executions, &manifest, threads));
  LABSTORE_RETURN_IF_ERROR(WriteIndex(ctx, *items, executions, old_root));
  manifest.root = abs;
  LABSTORE_RETURN_IF_ERROR(WriteManifest(*root, manifest, options.sync));
  stats.warnings = std::move(ctx.warnings);
  return stats;
}

}  // namespace labstore
