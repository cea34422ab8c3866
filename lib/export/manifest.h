// The manifest of an export: <dest>/.labstore-export, what the last export
// wrote, so that the next one writes only what changed. JSON (FILE dialect):
//
//   manifest   := {"labstore_export": 1, "root": <absolute dest when written>,
//                  "experiments": {<id>: experiment, ...}}
//   experiment := {"folder": <path relative to dest>,
//                  "files":   {<path in folder>: <XXH3-64 of the bytes, 16 hex>, ...},
//                  "data":    {<stored file path>: <content hash, 32 hex>, ...},
//                  "records": {<scope>: [<rows>, <bytes of records/<scope>.jsonl>], ...}}
//
// "files" are the files made from the store's metadata (experiment.json,
// markers, output.log, execution folders); "data" the experiment's stored
// files (labstore/data.h), written verbatim. The SQL side keeps its own
// progress inside the databases (see sqlite_index.h, records_sql.h).
#ifndef LABSTORE_LIB_EXPORT_MANIFEST_H_
#define LABSTORE_LIB_EXPORT_MANIFEST_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "labstore/status.h"

namespace labstore::internal {

inline constexpr int kManifestVersion = 1;

struct ManifestExperiment {
  std::string folder;
  std::map<std::string, std::string> files;
  std::map<std::string, std::string> data;
  std::map<std::string, std::pair<uint64_t, uint64_t>> records;  // scope -> (rows, bytes)
};

struct Manifest {
  std::string root;
  std::map<std::string, ManifestExperiment> experiments;
};

std::string EncodeManifest(const Manifest& m);
// Errors: Corruption naming the problem (not JSON, wrong shape); NotSupported
// for a newer manifest version.
Result<Manifest> DecodeManifest(std::string_view text);

// XXH3-64 of `bytes` as 16 lower-case hex digits.
std::string ContentTag(std::string_view bytes);

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_EXPORT_MANIFEST_H_
