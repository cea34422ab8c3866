// The fidelity check of an import: where export will not reproduce the bytes of
// the source's model and marker files, a warning names the first difference.
#include <map>
#include <string>

#include <fmt/format.h>

#include "import/importer.h"
#include "labstore/store.h"
#include "layout/layout.h"
#include "layout/names.h"

namespace labstore::internal {

void Importer::CheckFidelity(const SourceExperiment& se, const ImportPlan& plan, Problems* p) {
  auto e = store_.Find(se.id);
  if (!e.ok()) return;
  auto model = ModelOf(*e);
  if (!model.ok()) return;
  std::map<std::string, std::string> ours = {{kExperimentJson, ExperimentJson(*e, *model)},
                                             {kProjectJson, ProjectJson(*e)},
                                             {kGroupJson, GroupJson(*e)},
                                             {kUsesJson, UsesJson(*model)}};
  if (!plan.started.empty()) ours[kStartedAt] = StartedAtFile(plan.started);
  if (plan.heartbeat) ours[kHeartbeatAt] = InstantFile(*plan.heartbeat);
  if (plan.finished) ours[kFinishedAt] = InstantFile(*plan.finished);
  for (const auto& [name, original] : plan.originals) {
    auto it = ours.find(name);
    if (it == ours.end() || it->second == original) continue;
    size_t at = 0;
    while (at < original.size() && at < it->second.size() && original[at] == it->second[at]) ++at;
    p->Warn(se.folder + "/" + name,
            fmt::format("will be exported differently from byte {} on: \"{}\" instead of \"{}\"", at,
                        it->second.substr(at, 40), original.substr(at, 40)));
  }
}

}  // namespace labstore::internal
