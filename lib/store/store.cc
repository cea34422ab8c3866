// Opening and closing a store directory.
//
// store dir := LABSTORE, LABSTORE.creating, writer.lock: see store/creation.h
//              <RocksDB files> column families of store/column_families.h
// meta keys  := "format_version" -> decimal N
//               "next_sequence"  -> fixed64 little-endian (store/sequence.h)
//               "default_group"  -> pattern text
#include "labstore/store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <rocksdb/cache.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>

#include "store/creation.h"
#include "store/sequence.h"
#include "store/store_state.h"
#include "util/coding.h"
#include "util/return_if_error.h"

namespace labstore {
namespace fs = std::filesystem;
using internal::Cf;
using internal::FromRocks;
using internal::kCreatingName;
using internal::kLockName;
using internal::kMarkerName;
using internal::StoreState;

namespace {

constexpr int kFormatVersion = 1;

rocksdb::Options DbOptions(const StoreOptions& options) {
  rocksdb::Options o;
  o.create_if_missing = true;
  o.create_missing_column_families = true;
  o.max_open_files = -1;  // keep every table open: a read-only handle is not hurt by deletions
  o.keep_log_file_num = 4;
  o.IncreaseParallelism(2);
  // Replaying the WAL: a record that fails its checksum refuses the open with
  // Corruption naming the log file. RocksDB's default, kPointInTimeRecovery,
  // would instead stop at it and silently drop it and every later write, i.e.
  // acknowledged experiments, markers and chunks (README "Durability"). Only
  // an incomplete last record, a write cut short by a crash and never
  // acknowledged, is dropped, so a killed writer still leaves a store that
  // opens (test/store/corruption_test.cc).
  o.wal_recovery_mode = rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
  (void)options;
  return o;
}

rocksdb::ColumnFamilyOptions CfOptions(Cf cf, const std::shared_ptr<rocksdb::Cache>& cache) {
  rocksdb::ColumnFamilyOptions o;
  rocksdb::BlockBasedTableOptions t;
  t.block_cache = cache;
  t.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  t.cache_index_and_filter_blocks = true;
  t.pin_l0_filter_and_index_blocks_in_cache = true;
  switch (cf) {
    case internal::kCfRecords:
      o.compression = rocksdb::kNoCompression;  // chunks are compressed by the writer
      o.write_buffer_size = 64u << 20;
      t.filter_policy.reset();
      break;
    case internal::kCfBlobs:
      o.enable_blob_files = true;  // large values live in blob files, not SSTs
      o.min_blob_size = 4096;
      o.blob_compression_type = rocksdb::kLZ4Compression;
      o.compression = rocksdb::kLZ4Compression;
      break;
    case internal::kCfDefinitions:
    case internal::kCfIds:
    case internal::kCfExperiments:
      // Point lookups on the Get path: uncompressed blocks are served from the
      // OS page cache without a decompression per lookup (bench/get_bench);
      // a hash index inside data blocks skips the binary search.
      o.compression = rocksdb::kNoCompression;
      t.data_block_index_type = rocksdb::BlockBasedTableOptions::kDataBlockBinaryAndHash;
      // Small blocks: a lookup that misses the block cache reads and checks
      // 1 KiB, not 4 KiB. Index and filter stay in table memory, not in the LRU.
      t.block_size = 1024;
      t.cache_index_and_filter_blocks = false;
      // A Bloom filter over the memtable's keys: the lookups of Store::Commit
      // (a fresh id, a new definition) mostly miss, and a miss no longer walks
      // the memtable's skip list.
      o.memtable_prefix_bloom_size_ratio = 0.02;
      o.memtable_whole_key_filtering = true;
      break;
    default:
      o.compression = rocksdb::kLZ4Compression;
      break;
  }
  o.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t));
  return o;
}

// The current MANIFEST's name and size: changes whenever the writer records
// a flush or compaction.
std::string ManifestStamp(const std::string& dir) {
  std::ifstream current(dir + "/CURRENT");
  std::string name;
  std::getline(current, name);
  std::error_code ec;
  auto size = std::filesystem::file_size(dir + "/" + name, ec);
  return name + "/" + std::to_string(ec ? 0 : size);
}

// ManifestStamp and the name and size of every write-ahead log: what a
// read-only open reads. Equal stamps taken before two opens mean that the
// second would see the same database as the first (the writer stores
// nothing without growing a log or, for writes without a log, recording a
// flush in the MANIFEST).
std::string DirStamp(const std::string& dir) {
  std::vector<std::string> logs;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() != ".log") continue;
    std::error_code size_ec;
    auto size = entry.file_size(size_ec);
    logs.push_back(entry.path().filename().string() + "/" + std::to_string(size_ec ? 0 : size));
  }
  if (ec) return std::string();  // unknown: never equal to a stamp (see StoreState::open_stamp)
  std::sort(logs.begin(), logs.end());
  return fmt::format("{} {}", ManifestStamp(dir), fmt::join(logs, " "));
}

Status OpenDatabase(const StoreOptions& options, StoreState* st) {
  auto cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  for (int i = 0; i < internal::kCfCount; ++i) {
    cfs.emplace_back(internal::kCfNames[i], CfOptions(static_cast<Cf>(i), cache));
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s;
  if (st->read_only) {
    // A read-only open reads the MANIFEST and replays the writer's WAL into its
    // own memtable, so it sees every write acknowledged so far. (RocksDB 7.8's
    // secondary instances crash reading blob files, so they are not used.) A
    // table file the writer deletes meanwhile (compaction) fails the open:
    // retry a few times.
    // A flush that lands during the open (the writer records it in the
    // MANIFEST, then deletes the WAL it replaces) can leave the reader with
    // neither the new table nor the old log: reopen when the MANIFEST
    // changed while opening.
    rocksdb::Options o = DbOptions(options);
    o.create_if_missing = false;
    for (int attempt = 0; attempt < 8; ++attempt) {
      handles.clear();
      st->open_stamp = DirStamp(st->dir);
      std::string before = ManifestStamp(st->dir);
      s = rocksdb::DB::OpenForReadOnly(o, st->dir, cfs, &handles, &raw, /*error_if_wal_file_exists=*/false);
      if (s.ok()) {
        if (ManifestStamp(st->dir) == before || attempt == 7) break;
        for (auto* h : handles) raw->DestroyColumnFamilyHandle(h);
        delete raw;
        raw = nullptr;
      } else if (!(s.IsIOError() || s.IsPathNotFound() || s.IsCorruption())) {
        break;
      }
      ::usleep(10000u << std::min(attempt, 4));  // 10, 20, 40, 80, 160 ms
    }
  } else {
    s = rocksdb::DB::Open(DbOptions(options), st->dir, cfs, &handles, &raw);
  }
  if (!s.ok() && st->read_only) {
    // A store whose creation by an older labstore (LABSTORE written first)
    // was interrupted: no CURRENT yet, or not every column family.
    std::error_code ec;
    if (!fs::exists(st->dir + "/CURRENT", ec) ||
        (s.IsInvalidArgument() && s.ToString().find("Column family not found") != std::string::npos)) {
      return Status::NotFound(
          fmt::format("store {} is being created", st->dir),
          "its database is not complete (its creation was interrupted); a writer's Open finishes it");
    }
  }
  if (!s.ok()) {
    std::string context = fmt::format("cannot open store {}", st->dir);
    // RocksDB's WAL replay errors name no file: name the logs it replays.
    if (s.IsCorruption() && s.ToString().find(".sst") == std::string::npos) {
      std::vector<std::string> logs;
      std::error_code ec;
      for (const auto& entry : std::filesystem::directory_iterator(st->dir, ec)) {
        if (entry.path().extension() == ".log") logs.push_back(entry.path().filename().string());
      }
      std::sort(logs.begin(), logs.end());
      if (!logs.empty()) context += fmt::format(" (write-ahead log {})", fmt::join(logs, ", "));
    }
    return FromRocks(s, context);
  }
  st->db.reset(raw);
  for (size_t i = 0; i < handles.size(); ++i) st->cf[i] = handles[i];
  return Status::OK();
}

// True when no column family but meta holds a key: nothing was ever stored.
bool HoldsNothing(StoreState* st) {
  for (int i = internal::kCfMeta + 1; i < internal::kCfCount; ++i) {
    std::unique_ptr<rocksdb::Iterator> it(st->db->NewIterator(rocksdb::ReadOptions(), st->cf[i]));
    it->SeekToFirst();
    if (it->Valid() || !it->status().ok()) return false;
  }
  return true;
}

// Reads (and for a store being created, writes) the format version and the
// counters. `fresh`: this Open is creating the store.
Status LoadMeta(StoreState* st, bool fresh) {
  rocksdb::ColumnFamilyHandle* meta = st->handle(internal::kCfMeta);
  std::string value;
  rocksdb::Status s = st->db->Get(rocksdb::ReadOptions(), meta, "format_version", &value);
  if (s.IsNotFound()) {
    if (st->read_only) {
      return Status::NotFound(fmt::format("store {} is being created", st->dir),
                              "it has no format version yet; a writer's Open finishes its creation");
    }
    // Without `fresh`: a creation by labstore before the creation marker
    // (which wrote LABSTORE first) was killed; an empty store is finished.
    if (!fresh && !HoldsNothing(st)) {
      return Status::Corruption(fmt::format("store {} has no format version", st->dir),
                                "its meta column family is missing \"format_version\"");
    }
    rocksdb::WriteOptions wo;
    wo.sync = true;
    s = st->db->Put(wo, meta, "format_version", std::to_string(kFormatVersion));
    if (!s.ok()) return FromRocks(s, "cannot write the format version");
    value = std::to_string(kFormatVersion);
  } else if (!s.ok()) {
    return FromRocks(s, "cannot read the format version");
  }
  int version = std::atoi(value.c_str());
  if (version > kFormatVersion) {
    return Status::NotSupported(fmt::format("store {} has format version {}", st->dir, version),
                                fmt::format("this labstore reads versions up to {}", kFormatVersion));
  }
  s = st->db->Get(rocksdb::ReadOptions(), meta, internal::kNextSequenceKey, &value);
  if (s.ok() && value.size() == 8) st->next_sequence = internal::GetFixed64(value);
  return Status::OK();
}

}  // namespace

namespace internal {

StoreState* StateOf(const Store& store) { return store.state_.get(); }

Status StoreState::CheckWritable(std::string_view operation) const {
  if (read_only) {
    return Status::InvalidArgument(fmt::format("cannot {}: store {} is open read-only", operation, dir));
  }
  if (!db) return Status::InvalidArgument(fmt::format("cannot {}: store is closed", operation));
  return Status::OK();
}

Status FromRocks(const rocksdb::Status& s, std::string_view context) {
  if (s.ok()) return Status::OK();
  std::string detail = s.ToString();
  if (s.IsNotFound()) return Status::NotFound(context, detail);
  if (s.IsCorruption()) return Status::Corruption(context, detail);
  if (s.IsBusy() || s.IsTimedOut() || s.IsTryAgain()) return Status::Busy(context, detail);
  if (s.IsInvalidArgument()) return Status::InvalidArgument(context, detail);
  if (s.IsNotSupported()) return Status::NotSupported(context, detail);
  return Status::IOError(context, detail);
}

Result<std::vector<std::pair<std::string, std::string>>> ScanPairs(const StoreState& st, Cf cf) {
  if (!st.db) return Status::InvalidArgument("store is closed");
  std::vector<std::pair<std::string, std::string>> out;
  std::unique_ptr<rocksdb::Iterator> it(st.db->NewIterator(rocksdb::ReadOptions(), st.handle(cf)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) out.emplace_back(it->key().ToString(), it->value().ToString());
  if (!it->status().ok()) return FromRocks(it->status(), fmt::format("cannot read {}", kCfNames[cf]));
  return out;
}

}  // namespace internal

Store::Store(std::unique_ptr<StoreState> state) : state_(std::move(state)) {}
Store::Store(Store&&) noexcept = default;
Store& Store::operator=(Store&& other) noexcept {
  if (this != &other) {
    (void)Close();
    state_ = std::move(other.state_);
  }
  return *this;
}
Store::~Store() { (void)Close(); }

Result<Store> Store::Open(const StoreOptions& options, std::string_view dir_arg) {
  if (dir_arg.empty()) return Status::InvalidArgument("invalid store directory \"\"", "it may not be empty");
  auto st = std::make_unique<StoreState>();
  st->dir = std::string(dir_arg);
  st->read_only = options.read_only;
  st->options = options;
  std::error_code ec;
  bool exists = fs::exists(st->dir, ec);
  if (exists && !fs::is_directory(st->dir, ec)) {
    return Status::InvalidArgument(fmt::format("{} is not a labstore store", st->dir), "it is not a directory");
  }
  if (!exists) {
    if (!options.create_if_missing || options.read_only) {
      return Status::NotFound(
          fmt::format("no store at {}", st->dir),
          options.read_only ? "a read-only open needs an existing store" : "create_if_missing is off");
    }
    fs::create_directories(st->dir, ec);
    if (ec) return Status::IOError(fmt::format("cannot create store directory {}", st->dir), ec.message());
  }
  // Creation protocol: store/creation.h and doc/format.md.
  auto d = internal::InspectDir(st->dir);
  if (!d.ok()) return d.status();
  if (d->foreign()) d = internal::InspectDir(st->dir);  // a creator may have finished meanwhile
  if (!d.ok()) return d.status();
  if (d->foreign()) {
    return Status::InvalidArgument(fmt::format("{} is not a labstore store", st->dir),
                                   fmt::format("the directory is not empty and has no {} file", kMarkerName));
  }
  if (d->version > kFormatVersion) {
    return Status::NotSupported(fmt::format("store {} has format version {}", st->dir, d->version),
                                fmt::format("this labstore reads versions up to {}", kFormatVersion));
  }
  if (d->version == 0 && options.read_only) {
    if (d->creating) {
      return Status::NotFound(fmt::format("store {} is being created", st->dir),
                              fmt::format("its creation has not finished (or was interrupted: it has {} but no {}); "
                                          "a writer's Open finishes it",
                                          kCreatingName, kMarkerName));
    }
    return Status::NotFound(fmt::format("no store at {}", st->dir), "the directory is empty");
  }
  bool fresh = false;
  if (!options.read_only) {
    if (d->version == 0 && !d->creating) LABSTORE_RETURN_IF_ERROR(internal::BeginCreation(st->dir));
    LABSTORE_RETURN_IF_ERROR(st->lock.Acquire(st->dir + "/" + kLockName, st->dir));
    // With the lock: another creator may have finished since InspectDir.
    auto version = internal::ReadMarker(st->dir);
    if (!version.ok()) return version.status();
    fresh = *version == 0;
    if (fresh) {
      // Ours and unfinished (just begun, or a killed creator's): start over.
      // Nothing was stored in it: its Open never returned.
      LABSTORE_RETURN_IF_ERROR(internal::ClearUnfinishedCreation(st->dir));
    } else if (*version > kFormatVersion) {
      return Status::NotSupported(fmt::format("store {} has format version {}", st->dir, *version),
                                  fmt::format("this labstore reads versions up to {}", kFormatVersion));
    }
  }
  LABSTORE_RETURN_IF_ERROR(OpenDatabase(options, st.get()));
  Store store(std::move(st));
  StoreState* state = store.state_.get();
  LABSTORE_RETURN_IF_ERROR(LoadMeta(state, fresh));
  if (!state->read_only) {
    // The database is whole (every column family, the format version, synced):
    // LABSTORE makes it a store; LABSTORE.creating goes last (also when a
    // killed creator left it after writing LABSTORE).
    if (fresh) LABSTORE_RETURN_IF_ERROR(internal::WriteMarker(state->dir, kFormatVersion));
    LABSTORE_RETURN_IF_ERROR(internal::EndCreation(state->dir));
  }
  return store;
}

Status Store::Close() {
  if (!state_ || !state_->db) return Status::OK();
  // Writers store their rows, readers let go of snapshots and iterators.
  Status result = state_->handles.EndAll("Store::Close");
  rocksdb::Status s;
  if (!state_->read_only) {
    rocksdb::FlushOptions fo;
    s = state_->db->Flush(fo, std::vector<rocksdb::ColumnFamilyHandle*>(state_->cf.begin() + 1, state_->cf.end()));
    if (!s.ok()) result = FromRocks(s, fmt::format("cannot flush store {}", state_->dir));
  }
  for (auto*& h : state_->cf) {
    if (h != nullptr) {
      s = state_->db->DestroyColumnFamilyHandle(h);
      if (!s.ok() && result.ok()) result = FromRocks(s, "cannot release a column family");
      h = nullptr;
    }
  }
  s = state_->db->Close();
  if (!s.ok() && result.ok()) result = FromRocks(s, fmt::format("cannot close store {}", state_->dir));
  state_->db.reset();
  state_->lock.Release();
  return result;
}

const std::string& Store::dir() const { return state_->dir; }
bool Store::read_only() const { return state_->read_only; }

Status Store::Refresh() {
  if (!state_->db) return Status::InvalidArgument("cannot refresh: store is closed");
  if (!state_->read_only) return Status::OK();
  // Reopen: the new handle replays what the writer has logged since. Readers
  // opened on the old database are ended first. When neither the MANIFEST nor
  // a log changed since the open, a reopen would see the same database: keep it.
  StoreState& st = *state_;
  (void)st.handles.EndAll("Store::Refresh");
  if (!st.open_stamp.empty() && DirStamp(st.dir) == st.open_stamp) return Status::OK();
  for (auto*& h : st.cf) {
    if (h != nullptr) (void)st.db->DestroyColumnFamilyHandle(h);
    h = nullptr;
  }
  (void)st.db->Close();
  st.db.reset();
  Status s = OpenDatabase(st.options, &st);
  if (!s.ok()) return s;
  return LoadMeta(&st, false);
}

}  // namespace labstore
