// Export: a store as machinable's storage folder (labstore/export.h).
//
// Order of work, chosen so that a kill at any point leaves a consistent
// destination that the next export completes:
//   1. lock dest (flock on the directory), read or create the manifest,
//      remove temporary names left by a killed export;
//   2. per experiment, in commit order (ancestors first): a new folder is
//      built under a temporary name and renamed into place; an existing one
//      is copied as hard links under a temporary name, changed there and
//      exchanged with the original in one step (so each experiment folder is
//      as before or as after, never a mix);
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
#include "experiment/delete.h"
#include "experiment/id.h"
#include "export/export_internal.h"
#include "export/manifest.h"
#include "export/plan.h"
#include "fs/safe_dir.h"
#include "labstore/export.h"
#include "labstore/store.h"
#include "layout/layout.h"
#include "layout/names.h"
#include "store/store_state.h"
#include "util/progress_reporter.h"
#include "util/return_if_error.h"

namespace labstore {
namespace internal {

bool IsReservedFolderName(std::string_view first) {
  static const std::set<std::string_view> kReserved = {
      kExperimentJson, kProjectJson, kGroupJson,     kUsesJson,      kStartedAt,    kHeartbeatAt,
      kFinishedAt,     kOutputLog,   kRecordsFolder, kDerivedFolder, kStorageSqlite};
  return kReserved.count(first) > 0 || first.starts_with(kExecutionPrefix) || first.starts_with(kTempPrefix);
}

}  // namespace internal

using namespace internal;  // NOLINT: this file implements the public Export over internal pieces

namespace {

std::string Join(const std::string& a, std::string_view b) {
  return a.empty() ? std::string(b) : a + "/" + std::string(b);
}

// The generated files of one experiment folder: relative path -> bytes.
Result<std::map<std::string, std::string>> GeneratedFiles(const Store& store, const ExportItem& item,
                                                          const std::map<uint64_t, ExecutionPlan>& executions) {
  std::map<std::string, std::string> files;
  const Experiment& e = item.e;
  files[kExperimentJson] = ExperimentJson(e, item.model);
  files[kProjectJson] = ProjectJson(e);
  files[kGroupJson] = GroupJson(e);
  files[kUsesJson] = UsesJson(item.model);
  auto status = store.GetStatus(e.id);
  if (!status.ok()) return status.status();
  if (!status->started_at.empty()) files[kStartedAt] = StartedAtFile(status->started_at);
  if (status->heartbeat_at) files[kHeartbeatAt] = InstantFile(*status->heartbeat_at);
  if (status->finished_at) files[kFinishedAt] = InstantFile(*status->finished_at);
  auto output = store.ReadOutput(e.id);
  if (!output.ok()) return output.status();
  if (!output->empty()) files[kOutputLog] = std::move(*output);
  for (uint64_t number : item.executions) {
    const ExecutionPlan& plan = executions.at(number);
    auto json = ExecutionJson(plan.x);
    if (!json.ok()) return Status::Corruption(json.status().message());
    files[plan.folder_name + "/" + kExecutionJson] = std::move(*json);
    if (plan.storage_member != e.id) continue;
    // As in machinable 4.1: resources and env of every member land in the last member's folder.
    for (const auto& [member, resources] : plan.x.resources) {
      if (auto n = DecodeId(member); !n.ok()) return Status::Corruption(n.status().message());
      auto text = ToPyDialect(resources, PyDialect::kFile, "execution resources");
      if (!text.ok()) return Status::Corruption(text.status().message());
      files[plan.folder_name + "/" + ResourcesFile(member)] = std::move(*text);
    }
    if (!plan.x.env.empty()) {
      auto text = ToPyDialect(plan.x.env.back().second, PyDialect::kFile, "execution env");
      if (!text.ok()) return Status::Corruption(text.status().message());
      files[plan.folder_name + "/" + kEnvJson] = std::move(*text);
    }
  }
  return files;
}

// Writes one experiment folder. `me` is its manifest entry; `known`: the
// entry describes this folder from an earlier export.
Status WriteExperiment(ExportContext& ctx, const ExportItem& item, const std::map<uint64_t, ExecutionPlan>& executions,
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
  // Everything is written in a folder under a temporary name: a new folder is
  // renamed into place; an existing one that changes is first copied there as
  // hard links (before its first change), then exchanged with it, so that no
  // reader and no kill sees an experiment with some files changed and others not.
  const std::string base = Join(ParentOf(item.folder), fmt::format("{}{}.{}", kTempPrefix, item.e.id, ::getpid()));
  LABSTORE_RETURN_IF_ERROR(root.RemoveTree(base));
  if (fresh) LABSTORE_RETURN_IF_ERROR(root.MakeDirs(base));
  bool copied = fresh;
  ctx.before_write = [&]() -> Status {
    if (copied) return Status::OK();
    copied = true;
    return root.LinkTree(item.folder, base);
  };
  struct Reset {
    ExportContext& ctx;
    ~Reset() { ctx.before_write = nullptr; }
  } reset{ctx};
  auto files = GeneratedFiles(*ctx.store, item, executions);
  if (!files.ok()) return files.status();
  std::map<std::string, std::string> tags;
  for (const auto& [rel, bytes] : *files) {
    std::string tag = ContentTag(bytes);
    auto old = me.files.find(rel);
    if (old != me.files.end() && old->second == tag) {
      ++ctx.stats->files_unchanged;
    } else {
      LABSTORE_RETURN_IF_ERROR(ctx.before_write());
      LABSTORE_RETURN_IF_ERROR(root.WriteAtomic(base + "/" + rel, bytes, 0644, ctx.options->sync));
      ++ctx.stats->files_written;
      ctx.stats->bytes_written += bytes.size();
    }
    tags.emplace(rel, std::move(tag));
  }
  for (const auto& [rel, tag] : me.files) {
    if (tags.count(rel) == 0) {
      LABSTORE_RETURN_IF_ERROR(ctx.before_write());
      LABSTORE_RETURN_IF_ERROR(root.RemoveFile(base + "/" + rel));
      ++ctx.stats->files_removed;
    }
  }
  me.files = std::move(tags);
  LABSTORE_RETURN_IF_ERROR(ExportRecordFiles(ctx, item.e.id, base, &me));
  LABSTORE_RETURN_IF_ERROR(ExportDataFiles(ctx, item.e.id, base, &me));
  if (fresh) return root.Rename(base, item.folder, ctx.options->sync);
  if (!copied) return Status::OK();  // nothing changed
  LABSTORE_RETURN_IF_ERROR(root.Exchange(base, item.folder, ctx.options->sync));
  return root.RemoveTree(base);
}

// Writes every experiment folder on `threads` threads. Work is split by
// tree (a top-level experiment and everything derived from it, in commit
// order), since a derived folder lives inside its ancestor's.
Status WriteExperiments(ExportContext& ctx, const ExportPlan& plan, Manifest* manifest, unsigned threads) {
  const std::vector<ExportItem>& items = plan.items;
  const std::map<uint64_t, ExecutionPlan>& executions = plan.executions;
  // Manifest entries are made here, so that workers only touch their own.
  std::vector<ManifestExperiment*> entries;
  std::vector<bool> known;
  for (const ExportItem& item : items) {
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
  ProgressReporter progress(ctx.options->progress, "folders", items.size());
  auto work = [&](unsigned w) {
    ExportContext local{.store = ctx.store, .options = ctx.options, .root = ctx.root, .stats = &stats[w]};
    for (size_t t; !failed && (t = next++) < trees.size();) {
      for (size_t i : trees[t]) {
        uint64_t rows_before = stats[w].record_rows;
        Status s = WriteExperiment(local, items[i], executions, known[i], *entries[i]);
        if (!s.ok()) {
          errors[w] = s;
          failed = true;
          break;
        }
        progress.Add(1, stats[w].record_rows - rows_before);
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
  progress.Finish();
  return Status::OK();
}

// Experiments deleted from the store (experiment/delete.h) whose folder the
// manifest lists: their folders go now, deepest first, each renamed to a
// temporary name (so it vanishes in one step) and then removed; their rows go
// with the storage.sqlite transaction (plan->removed). The manifest entries
// go when the manifest is written last, so a killed export repeats this. An
// id stored again since keeps its folder when its experiment.json is the
// one the manifest knows (the same experiment, e.g. imported again), else it
// is removed and exported afresh.
Status RemoveDeleted(ExportContext& ctx, ExportPlan* plan, Manifest* manifest) {
  auto deleted = DeletedIds(*internal::StateOf(*ctx.store));
  if (!deleted.ok()) return deleted.status();
  std::unordered_map<std::string, const ExportItem*> planned;
  for (const ExportItem& item : plan->items) planned.emplace(item.e.id, &item);
  for (const std::string& id : *deleted) {
    auto entry = manifest->experiments.find(id);
    if (entry == manifest->experiments.end()) continue;
    auto item = planned.find(id);
    if (item != planned.end()) {
      auto known = entry->second.files.find(kExperimentJson);
      std::string now = ContentTag(ExperimentJson(item->second->e, item->second->model));
      if (known != entry->second.files.end() && known->second == now) continue;
    } else if (auto found = ctx.store->Find(id); !found.status().IsNotFound()) {
      if (!found.ok()) return found.status();
      continue;  // stored again and not exported this time: leave it
    }
    plan->removed.push_back({id, entry->second.folder});
  }
  std::sort(plan->removed.begin(), plan->removed.end(), [](const ExportRemoval& a, const ExportRemoval& b) {
    return a.folder.size() > b.folder.size();
  });
  SafeDir& root = *ctx.root;
  for (const ExportRemoval& r : plan->removed) {
    LABSTORE_RETURN_IF_ERROR(SafeDir::CheckRelative(r.folder));
    auto kind = root.Kind(r.folder);
    if (!kind.ok()) return kind.status();
    if (*kind == EntryKind::kDir) {
      std::string temp = Join(ParentOf(r.folder), fmt::format("{}{}.deleted.{}", kTempPrefix, r.id, ::getpid()));
      LABSTORE_RETURN_IF_ERROR(root.RemoveTree(temp));
      LABSTORE_RETURN_IF_ERROR(root.Rename(r.folder, temp, ctx.options->sync));
      LABSTORE_RETURN_IF_ERROR(root.RemoveTree(temp));
    }
    ++ctx.stats->experiments_removed;
  }
  return Status::OK();
}

Status WriteManifest(SafeDir& root, const Manifest& m, bool sync) {
  return root.WriteAtomic(kExportManifest, EncodeManifest(m), 0644, sync);
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

Result<ExportStats> Export(const Store& store, std::string_view dest, const ExportOptions& options) {
  const internal::StoreState* st = internal::StateOf(store);
  if (st == nullptr || !st->db) return Status::InvalidArgument("store is closed");
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
  auto plan = PlanExport(store, options);
  if (!plan.ok()) return plan.status();
  stats.experiments = plan->items.size();
  LABSTORE_RETURN_IF_ERROR(RemoveDeleted(ctx, &*plan, &manifest));

  std::string old_root = manifest.root;
  unsigned threads =
      options.threads != 0 ? options.threads : std::min(8u, std::max(1u, std::thread::hardware_concurrency()));
  LABSTORE_RETURN_IF_ERROR(WriteExperiments(ctx, *plan, &manifest, threads));
  LABSTORE_RETURN_IF_ERROR(WriteIndex(ctx, *plan, old_root));
  manifest.root = abs;
  std::set<std::string> exported;
  for (const ExportItem& item : plan->items) exported.insert(item.e.id);
  for (const ExportRemoval& r : plan->removed) {
    // An id exported afresh in this run has a new entry (its folder was built anew).
    if (exported.count(r.id) == 0) manifest.experiments.erase(r.id);
  }
  LABSTORE_RETURN_IF_ERROR(WriteManifest(*root, manifest, options.sync));
  stats.warnings = std::move(ctx.warnings);
  return stats;
}

}  // namespace labstore
