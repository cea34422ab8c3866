// The names in a machinable 4.1 storage folder (doc/format.md, "Export"): the
// one home of the file and folder names that export writes and import reads.
//
//   <root>/storage.sqlite
//   <root>/<id>/                        an experiment folder; a derived one is
//                                       <ancestor's folder>/derived/<id>/
//     experiment.json project.json group.json uses.json        model files
//     started_at heartbeat_at finished_at                      markers
//     output.log
//     records/<scope>.jsonl
//     execution-<suffix>/execution.json, resources-<id>.json, env.json
//     <any other path>                                         a stored file
#ifndef LABSTORE_LIB_LAYOUT_NAMES_H_
#define LABSTORE_LIB_LAYOUT_NAMES_H_

#include <string>
#include <string_view>

namespace labstore::internal {

inline constexpr char kStorageSqlite[] = "storage.sqlite";

// An experiment folder.
inline constexpr char kExperimentJson[] = "experiment.json";
inline constexpr char kProjectJson[] = "project.json";
inline constexpr char kGroupJson[] = "group.json";
inline constexpr char kUsesJson[] = "uses.json";
inline constexpr char kStartedAt[] = "started_at";
inline constexpr char kHeartbeatAt[] = "heartbeat_at";
inline constexpr char kFinishedAt[] = "finished_at";
inline constexpr char kOutputLog[] = "output.log";
inline constexpr char kRecordsFolder[] = "records";
inline constexpr char kDerivedFolder[] = "derived";

// records/<scope>.jsonl
inline constexpr std::string_view kRecordsSuffix = ".jsonl";

// An execution folder, execution-<suffix> (layout/layout.h, ExecutionFolder).
inline constexpr char kExecutionPrefix[] = "execution-";
inline constexpr char kExecutionJson[] = "execution.json";
inline constexpr char kEnvJson[] = "env.json";
// resources-<experiment id>.json
inline constexpr std::string_view kResourcesPrefix = "resources-";
inline constexpr std::string_view kResourcesSuffix = ".json";

// The four model files, in the order export writes them.
inline constexpr const char* kModelFiles[] = {kExperimentJson, kProjectJson, kGroupJson, kUsesJson};

inline bool IsMarker(std::string_view name) {
  return name == kStartedAt || name == kHeartbeatAt || name == kFinishedAt;
}

// "resources-<member>.json" for `member`.
inline std::string ResourcesFile(std::string_view member) {
  return std::string(kResourcesPrefix) + std::string(member) + std::string(kResourcesSuffix);
}

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_LAYOUT_NAMES_H_
