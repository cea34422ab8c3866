#include "experiment_json.h"

#include <fmt/format.h>

#include "format.h"

namespace labstore::tool {

std::string StatusWord(const ExperimentStatus& st, Timestamp now) {
  if (st.IsFinished()) return "finished";
  if (st.IsActive(now, kRunningWindowSeconds)) return "running";
  if (st.IsIncomplete(now, kRunningWindowSeconds)) return "incomplete";
  if (st.IsStarted()) return "started";
  return "created";
}

std::string ExperimentJson(const Experiment& e, const ExperimentStatus& st, Timestamp now) {
  auto instant = [](const std::optional<Timestamp>& t) { return t ? JsonString(FormatIso(*t)) : std::string("null"); };
  std::string starts = "[";
  for (size_t i = 0; i < st.started_at.size(); ++i) starts += (i ? ", " : "") + JsonString(FormatIso(st.started_at[i]));
  starts += "]";
  return fmt::format(
      "{{\"id\": {}, \"module\": {}, \"config\": {}, \"version\": {}, \"seed\": {}, \"timestamp\": {}, "
      "\"group\": {}, \"group_pattern\": {}, \"project\": {}, \"project_directory\": {}, \"ancestor\": {}, "
      "\"status\": {}, \"started_at\": {}, \"heartbeat_at\": {}, \"finished_at\": {}}}",
      JsonString(e.id), JsonString(e.module), e.config, e.version, e.seed, e.timestamp, JsonString(e.group_path),
      JsonString(e.group_pattern), JsonString(e.project), JsonString(e.project_directory),
      e.ancestor.empty() ? "null" : JsonString(e.ancestor), JsonString(StatusWord(st, now)), starts,
      instant(st.heartbeat_at), instant(st.finished_at));
}

}  // namespace labstore::tool
