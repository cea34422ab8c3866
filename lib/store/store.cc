// Opening and closing a store directory.
//
// store dir := LABSTORE, LABSTORE.creating, writer.lock: see store/creation.h
//              <RocksDB files> column families of store/column_families.h
//              shards/<n>/     further writers' parts (store/shard_dir.h)
// meta keys  := "format_version" -> decimal N (1; 2 in shards, and in the main
//                                   database once its store has had a shard)
//               "next_sequence"  -> fixed64 little-endian (store/sequence.h)
//               "default_group"  -> pattern text
#include "labstore/store.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>

#include <fmt/format.h>

#include "store/creation.h"
#include "store/part.h"
#include "store/sequence.h"
#include "store/shard_dir.h"
#include "store/store_state.h"
#include "store/union_read.h"
#include "store/views.h"
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

// The highest format this labstore reads; a new store is written as format
// 1 and becomes format 2 with its first shard (doc/many-writers.md).
constexpr int kFormatVersion = 2;
constexpr int kNewStoreFormat = 1;
constexpr int kShardFormat = 2;
// How long a second writer waits for the store's creator to finish.
constexpr auto kCreationWait = std::chrono::seconds(10);

// Opens the handle's own database (the main one, or shard st->part) into `st`.
Status OpenDatabase(const StoreOptions& options, StoreState* st) {
  internal::Part part;
  part.number = st->part;
  part.dir = st->part == 0 ? st->dir : internal::ShardPath(st->dir, st->part);
  part.read_only = st->read_only;
  LABSTORE_RETURN_IF_ERROR(internal::OpenPart(options, &part));
  st->db = std::move(part.db);
  st->cf = part.cf;
  st->open_stamp = std::move(part.open_stamp);
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

// Reads (and for a part being created, writes as `new_version`) the format
// version and the counters. `fresh`: this Open is creating the part.
Status LoadMeta(StoreState* st, bool fresh, int new_version = kNewStoreFormat) {
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
    s = st->db->Put(wo, meta, "format_version", std::to_string(new_version));
    if (!s.ok()) return FromRocks(s, "cannot write the format version");
    value = std::to_string(new_version);
  } else if (!s.ok()) {
    return FromRocks(s, "cannot read the format version");
  }
  int version = std::atoi(value.c_str());
  if (version > kFormatVersion) {
    return Status::NotSupported(fmt::format("store {} has format version {}", st->dir, version),
                                fmt::format("this labstore reads versions up to {}", kFormatVersion));
  }
  if (!st->read_only && version < new_version) {
    // A main database whose store has had a shard (LABSTORE says 2).
    s = st->db->Put(rocksdb::WriteOptions(), meta, "format_version", std::to_string(new_version));
    if (!s.ok()) return FromRocks(s, "cannot write the format version");
  }
  s = st->db->Get(rocksdb::ReadOptions(), meta, internal::kNextSequenceKey, &value);
  if (s.ok() && value.size() == 8) st->next_sequence = internal::GetFixed64(value);
  return Status::OK();
}

// A writer draws above every number the other parts had given out when it
// opened: "newest wins" holds across parts even with a clock set back.
void RaiseSequenceFromViews(StoreState* st) {
  for (const auto& view : st->views) {
    if (!view->db) continue;
    std::string value;
    rocksdb::Status s = view->db->Get(rocksdb::ReadOptions(), view->handle(internal::kCfMeta),
                                      internal::kNextSequenceKey, &value);
    if (s.ok() && value.size() == 8) st->next_sequence = std::max(st->next_sequence, internal::GetFixed64(value));
  }
}

// Takes the main database's lock; Busy when another writer holds it, after
// waiting while that writer is still creating the store (no LABSTORE yet):
// its shards would otherwise appear in a store with no format.
// `marker`: LABSTORE's version, read after the lock was taken or refused.
Status AcquireMainLock(StoreState* st, int* marker) {
  auto deadline = std::chrono::steady_clock::now() + kCreationWait;
  while (true) {
    Status s = st->lock.Acquire(st->dir + "/" + kLockName, st->dir);
    if (!s.ok() && !s.IsBusy()) return s;
    auto version = internal::ReadMarker(st->dir);
    if (!version.ok()) return version.status();
    *marker = *version;
    if (s.ok() || *marker > 0 || std::chrono::steady_clock::now() > deadline) return s;
    ::usleep(10000);
  }
}

// Opens shard st->part, claimed by this process, as the handle's own part:
// a shard without SHARD is created again (doc/format.md, "Shards").
Status OpenShard(const StoreOptions& options, StoreState* st, int marker) {
  std::string path = internal::ShardPath(st->dir, st->part);
  bool fresh = !internal::ShardComplete(path);
  if (fresh) {
    LABSTORE_RETURN_IF_ERROR(internal::BeginShardCreation(path));
    LABSTORE_RETURN_IF_ERROR(internal::ClearUnfinishedCreation(path));
  }
  // The store is format 2 before any shard holds data: an older labstore,
  // which would ignore the shards, refuses it.
  if (marker < kShardFormat) LABSTORE_RETURN_IF_ERROR(internal::WriteMarker(st->dir, kShardFormat));
  LABSTORE_RETURN_IF_ERROR(OpenDatabase(options, st));
  LABSTORE_RETURN_IF_ERROR(LoadMeta(st, fresh, kShardFormat));
  LABSTORE_RETURN_IF_ERROR(internal::OpenViews(st));
  RaiseSequenceFromViews(st);
  if (fresh) LABSTORE_RETURN_IF_ERROR(internal::EndShardCreation(path));
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
  std::unique_ptr<rocksdb::Iterator> it = NewUnionIterator(st, cf);
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
  int marker = d->version;
  if (!options.read_only) {
    if (d->version == 0 && !d->creating) LABSTORE_RETURN_IF_ERROR(internal::BeginCreation(st->dir));
    Status locked = AcquireMainLock(st.get(), &marker);
    if (locked.IsBusy() && marker > 0) {
      // Another process writes the main database: write a shard of our own.
      if (marker > kFormatVersion) {
        return Status::NotSupported(fmt::format("store {} has format version {}", st->dir, marker),
                                    fmt::format("this labstore reads versions up to {}", kFormatVersion));
      }
      auto claim = internal::ClaimShard(st->dir);
      if (!claim.ok()) return claim.status();
      st->part = claim->number;
      st->lock = std::move(claim->lock);
      Store store(std::move(st));
      LABSTORE_RETURN_IF_ERROR(OpenShard(options, store.state_.get(), marker));
      return store;
    }
    LABSTORE_RETURN_IF_ERROR(locked);
    // With the lock: another creator may have finished since InspectDir.
    fresh = marker == 0;
    if (fresh) {
      // Ours and unfinished (just begun, or a killed creator's): start over.
      // Nothing was stored in it: its Open never returned.
      LABSTORE_RETURN_IF_ERROR(internal::ClearUnfinishedCreation(st->dir));
    } else if (marker > kFormatVersion) {
      return Status::NotSupported(fmt::format("store {} has format version {}", st->dir, marker),
                                  fmt::format("this labstore reads versions up to {}", kFormatVersion));
    }
  }
  LABSTORE_RETURN_IF_ERROR(OpenDatabase(options, st.get()));
  Store store(std::move(st));
  StoreState* state = store.state_.get();
  // A store that has had a shard has format 2 in LABSTORE: the main
  // database's meta follows (a writer's LoadMeta raises it).
  LABSTORE_RETURN_IF_ERROR(LoadMeta(state, fresh, fresh ? kNewStoreFormat : std::max(marker, kNewStoreFormat)));
  if (!state->read_only) {
    // The database is whole (every column family, the format version, synced):
    // LABSTORE makes it a store; LABSTORE.creating goes last (also when a
    // killed creator left it after writing LABSTORE).
    if (fresh) LABSTORE_RETURN_IF_ERROR(internal::WriteMarker(state->dir, kNewStoreFormat));
    LABSTORE_RETURN_IF_ERROR(internal::EndCreation(state->dir));
  }
  LABSTORE_RETURN_IF_ERROR(internal::OpenViews(state));
  if (!state->read_only) RaiseSequenceFromViews(state);
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
  Status views = internal::CloseViews(state_.get());
  if (!views.ok() && result.ok()) result = views;
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
  StoreState& st = *state_;
  // A writer sees its own part as it is: only the views of the others move.
  if (!st.read_only) return internal::RefreshViews(&st);
  // Reopen: the new handle replays what the writer has logged since. Readers
  // opened on the old database are ended first. When neither the MANIFEST nor
  // a log changed since the open, a reopen would see the same database: keep it.
  (void)st.handles.EndAll("Store::Refresh");
  if (st.open_stamp.empty() || internal::DirStamp(st.dir) != st.open_stamp) {
    for (auto*& h : st.cf) {
      if (h != nullptr) (void)st.db->DestroyColumnFamilyHandle(h);
      h = nullptr;
    }
    (void)st.db->Close();
    st.db.reset();
    LABSTORE_RETURN_IF_ERROR(OpenDatabase(st.options, &st));
    LABSTORE_RETURN_IF_ERROR(LoadMeta(&st, false));
  }
  return internal::RefreshViews(&st);
}

}  // namespace labstore
