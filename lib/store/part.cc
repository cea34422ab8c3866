// Opening one database of a store: store/part.h.
#include "store/part.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <vector>

#include <fmt/format.h>
#include <rocksdb/cache.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>

#include "store/store_state.h"

namespace labstore::internal {
namespace fs = std::filesystem;

namespace {

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
    case kCfRecords:
      o.compression = rocksdb::kNoCompression;  // chunks are compressed by the writer
      o.write_buffer_size = 64u << 20;
      t.filter_policy.reset();
      break;
    case kCfBlobs:
      o.enable_blob_files = true;  // large values live in blob files, not SSTs
      o.min_blob_size = 4096;
      o.blob_compression_type = rocksdb::kLZ4Compression;
      o.compression = rocksdb::kLZ4Compression;
      break;
    case kCfDefinitions:
    case kCfIds:
    case kCfExperiments:
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

}  // namespace

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

Status OpenPart(const StoreOptions& options, Part* part) {
  auto cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  for (int i = 0; i < kCfCount; ++i) {
    cfs.emplace_back(kCfNames[i], CfOptions(static_cast<Cf>(i), cache));
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s;
  if (part->read_only) {
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
      part->open_stamp = DirStamp(part->dir);
      std::string before = ManifestStamp(part->dir);
      s = rocksdb::DB::OpenForReadOnly(o, part->dir, cfs, &handles, &raw, /*error_if_wal_file_exists=*/false);
      if (s.ok()) {
        if (ManifestStamp(part->dir) == before || attempt == 7) break;
        for (auto* h : handles) raw->DestroyColumnFamilyHandle(h);
        delete raw;
        raw = nullptr;
      } else if (!(s.IsIOError() || s.IsPathNotFound() || s.IsCorruption())) {
        break;
      }
      ::usleep(10000u << std::min(attempt, 4));  // 10, 20, 40, 80, 160 ms
    }
  } else {
    s = rocksdb::DB::Open(DbOptions(options), part->dir, cfs, &handles, &raw);
  }
  if (!s.ok() && part->read_only) {
    // A store whose creation by an older labstore (LABSTORE written first)
    // was interrupted: no CURRENT yet, or not every column family.
    std::error_code ec;
    if (!fs::exists(part->dir + "/CURRENT", ec) ||
        (s.IsInvalidArgument() && s.ToString().find("Column family not found") != std::string::npos)) {
      return Status::NotFound(
          fmt::format("store {} is being created", part->dir),
          "its database is not complete (its creation was interrupted); a writer's Open finishes it");
    }
  }
  if (!s.ok()) {
    std::string context = fmt::format("cannot open store {}", part->dir);
    // RocksDB's WAL replay errors name no file: name the logs it replays.
    if (s.IsCorruption() && s.ToString().find(".sst") == std::string::npos) {
      std::vector<std::string> logs;
      std::error_code ec;
      for (const auto& entry : std::filesystem::directory_iterator(part->dir, ec)) {
        if (entry.path().extension() == ".log") logs.push_back(entry.path().filename().string());
      }
      std::sort(logs.begin(), logs.end());
      if (!logs.empty()) context += fmt::format(" (write-ahead log {})", fmt::join(logs, ", "));
    }
    return FromRocks(s, context);
  }
  part->db.reset(raw);
  for (size_t i = 0; i < handles.size(); ++i) part->cf[i] = handles[i];
  return Status::OK();
}


Status ClosePart(Part* part) {
  if (!part->db) return Status::OK();
  Status result;
  for (auto*& h : part->cf) {
    if (h != nullptr) {
      rocksdb::Status s = part->db->DestroyColumnFamilyHandle(h);
      if (!s.ok() && result.ok()) result = FromRocks(s, "cannot release a column family");
      h = nullptr;
    }
  }
  rocksdb::Status s = part->db->Close();
  if (!s.ok() && result.ok()) result = FromRocks(s, fmt::format("cannot close database {}", part->dir));
  part->db.reset();
  return result;
}

}  // namespace labstore::internal
