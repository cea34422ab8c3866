// labstore/experiment.h — what an experiment is.
//
// An experiment is a module name plus a JSON configuration, with a 6-character
// base62 id (as machinable makes them), an int32 seed, an epoch timestamp, a
// group, a project and optionally an ancestor. Two experiments have the same
// *definition* when their modules are equal and their configs are equal as
// JSON values: key order does not matter, 2 and 2.0 are equal, and keys that
// end in '_' (machinable's private keys such as "_raw_") are ignored, at any depth.
// Store::Get(module, config) finds the latest stored experiment of a definition
// with one point lookup.
//
//   labstore::Result<labstore::Experiment> e = store.Create({
//       .module = "estimate_gravity", .config = R"({"time_dilation": 2.0})"});
//   std::printf("%s\n", e->id.c_str());   // e.g. "rm3SAJ"
#ifndef LABSTORE_EXPERIMENT_H_
#define LABSTORE_EXPERIMENT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "labstore/time.h"

namespace labstore {

// Limits, checked on every write (InvalidArgument when exceeded).
inline constexpr size_t kMaxModuleLength = 256;   // bytes
inline constexpr size_t kMaxConfigBytes = 1u << 20;  // serialized config JSON
inline constexpr size_t kMaxNameLength = 256;     // group pattern, project name
// Ids are 6 base62 characters not starting with '0': 62^6 - 62^5 of them.
inline constexpr uint64_t kMaxExperiments = 55884102752;
// Experiments of one definition (same module and config) in the main database:
// ordinals 0 .. 2^31 - 1; the upper half of the 32-bit ordinals belongs to
// shards (doc/many-writers.md, "Numbers"), 524,287 per shard number.
inline constexpr uint32_t kMaxExperimentsPerDefinition = 2147483648u;

// The lineage machinable 4.1 writes for an Experiment subclass.
inline constexpr const char* kDefaultLineage = R"(["machinable.experiment", "machinable.element"])";

// What a caller supplies to make an experiment. Only module is required.
struct ExperimentSpec {
  // Module name: letters, digits, '_', '.', '-' and '/' are allowed, it must
  // not be empty, start with '.' or '/', or exceed kMaxModuleLength.
  std::string module;
  // A JSON object, as Python's json reads it (NaN and Infinity allowed).
  // Stored as given (minified, key order kept) for export; its canonical form
  // names the definition.
  std::string config = "{}";
  // machinable's version list, a JSON array. Default "[]".
  std::string version = "[]";
  // machinable's predicate object (JSON) if known, else empty.
  std::string predicate;
  // Elements the experiment uses, a JSON array of element models. Default "[]".
  std::string uses = "[]";
  // machinable's lineage (the module names of the experiment class's bases),
  // a JSON array of strings. Empty: machinable's default,
  // ["machinable.experiment", "machinable.element"] (kDefaultLineage).
  std::string lineage;
  // Random int32 in [0, 2^31-1] when unset.
  std::optional<int32_t> seed;
  // Epoch seconds; the current time when unset.
  std::optional<int64_t> timestamp;
  // A strftime pattern such as "lab-reports/%Y", resolved in local time when
  // the experiment is made. Empty: the store's default group.
  std::string group;
  // The resolved group path to use verbatim instead of resolving `group` now
  // (import keeps the path machinable resolved back then). Empty: resolve.
  std::string group_path;
  // Project name and directory. Empty name: the basename of the current
  // directory; empty directory: the current directory.
  std::string project;
  std::string project_directory;
  // Id of a stored ancestor for a derived experiment, else empty.
  std::string ancestor;
  // Id to use instead of a random one (import keeps ids). Must be a valid id
  // that is not yet used in the store. Empty: a fresh random id.
  std::string id;
};

// An experiment as stored (stored == true) or as made but not yet stored.
struct Experiment {
  std::string id;          // 6 base62 characters; empty until stored
  std::string module;
  std::string config;      // JSON object text, minified, caller's key order
  std::string version;     // JSON array text
  std::string predicate;   // JSON text or empty
  std::string uses;        // JSON array text
  std::string lineage;     // JSON array text
  int32_t seed = 0;
  int64_t timestamp = 0;   // epoch seconds
  std::string group_path;     // resolved, e.g. "2023_08_Fri/"
  std::string group_pattern;  // as given, leading '/' removed
  std::string project;
  std::string project_directory;
  std::string ancestor;             // ancestor id or empty
  int64_t ancestor_timestamp = 0;   // ancestor's timestamp when ancestor is set
  bool stored = false;
  // Files saved (SaveData/SaveFile) before the experiment was stored: written
  // by Store::Commit, in order, as machinable defers them. (relative path, bytes)
  std::vector<std::pair<std::string, std::string>> pending_files;
  // Opaque internal key: definition hash (16 bytes) + ordinal (4 bytes, big-endian).
  std::string key;
};

// Status markers of one experiment.
struct ExperimentStatus {
  std::vector<Timestamp> started_at;      // every start, oldest first
  std::optional<Timestamp> heartbeat_at;  // the latest heartbeat
  std::optional<Timestamp> finished_at;

  // Errors: none (these four predicates).
  bool IsStarted() const { return !started_at.empty(); }
  bool IsFinished() const { return finished_at.has_value(); }
  // A heartbeat within `window_seconds` before `now` and not finished. Unlike
  // machinable 4.1 this compares whole durations, so it is right across days.
  bool IsActive(Timestamp now, int64_t window_seconds = 30) const;
  // Started, not finished and not active: it died or was killed.
  bool IsIncomplete(Timestamp now, int64_t window_seconds = 30) const;
};

// Which experiments Store::List returns. Empty strings match everything.
struct ListOptions {
  std::string module;
  std::string group;    // resolved group path
  std::string project;  // project name
  std::optional<int64_t> since;  // timestamp >= since (epoch seconds)
  std::optional<int64_t> until;  // timestamp < until
  bool newest_first = true;
  size_t limit = 0;     // 0: no limit
};

// What Store::Delete does beyond the named experiments.
struct DeleteOptions {
  // Also delete every experiment derived from them, at any depth. Default
  // false: an experiment that has derived experiments is refused.
  bool derived = false;
  // Compact the deleted key ranges (records, and the chunks of contents no
  // file refers to any more) right away, so the disk space returns now; costs
  // a rewrite of the table files that overlap them. Default true. With false
  // the space returns as RocksDB's background compactions reach the ranges
  // (for contents, GarbageCollect compacts them at once).
  bool reclaim_space = true;
};

// What Store::Delete removed.
struct DeleteStats {
  std::vector<std::string> experiments;  // ids, derived experiments before their ancestors
  uint64_t scopes = 0;                   // record scopes
  uint64_t record_rows = 0;
  uint64_t record_chunks = 0;
  uint64_t record_bytes = 0;             // stored (compressed) chunk bytes
  uint64_t files = 0;                    // data files (labstore/data.h)
  uint64_t file_bytes = 0;               // their sizes
  uint64_t contents_removed = 0;         // contents no other file refers to: freed
  uint64_t content_bytes_removed = 0;    // their sizes
  uint64_t executions_removed = 0;       // executions left without members
  uint64_t executions_changed = 0;       // executions that keep other members
};

struct Group {
  std::string path;
  std::string pattern;
};

struct Project {
  std::string name;
  std::string directory;
};

}  // namespace labstore

#endif  // LABSTORE_EXPERIMENT_H_
