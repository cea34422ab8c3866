// Plan of an export: which experiments, in which folders, with which executions.
#include "export/plan.h"

#include <algorithm>
#include <unordered_map>

#include <fmt/format.h>

#include "experiment/codec.h"
#include "experiment/id.h"
#include "layout/names.h"
#include "store/store_state.h"

namespace labstore::internal {
namespace {

// Every stored experiment (or the selected ones and their ancestors), in
// commit order, with folders assigned.
Result<std::vector<ExportItem>> Collect(const Store& store, const ExportOptions& options) {
  auto pairs = ScanPairs(*internal::StateOf(store), kCfExperiments);
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
  std::vector<ExportItem> out;
  std::unordered_map<std::string, std::string> folders;
  for (size_t i = 0; i < all.size(); ++i) {
    if (!selected[i]) continue;
    ExportItem item;
    item.e = std::move(all[i].experiment);
    item.sequence = all[i].sequence;
    // Ids become folder names: check them again, whatever the store holds.
    if (auto n = DecodeId(item.e.id); !n.ok()) {
      return Status::Corruption(fmt::format("stored experiment id \"{}\" is not valid", item.e.id),
                                n.status().message());
    }
    item.folder = item.e.ancestor.empty() ? item.e.id
                                          : folders.at(item.e.ancestor) + "/" + kDerivedFolder + "/" + item.e.id;
    folders.emplace(item.e.id, item.folder);
    auto model = ModelOf(item.e);
    if (!model.ok()) return Status::Corruption(model.status().message());
    item.model = std::move(*model);
    out.push_back(std::move(item));
  }
  return out;
}

}  // namespace

Result<ExportPlan> PlanExport(const Store& store, const ExportOptions& options) {
  ExportPlan plan;
  auto items = Collect(store, options);
  if (!items.ok()) return items.status();
  plan.items = std::move(*items);
  std::unordered_map<std::string, size_t> index_of;
  for (size_t i = 0; i < plan.items.size(); ++i) index_of.emplace(plan.items[i].e.id, i);
  for (ExportItem& item : plan.items) {
    auto xs = store.Executions(item.e.id);
    if (!xs.ok()) return xs.status();
    for (Execution& x : *xs) {
      item.executions.push_back(x.number);
      if (plan.executions.count(x.number)) continue;
      ExecutionPlan xp;
      xp.folder_name = ExecutionFolder(x.timestamp);
      for (const std::string& m : x.members) {
        if (index_of.count(m)) xp.storage_member = m;
      }
      xp.x = std::move(x);
      plan.executions.emplace(xp.x.number, std::move(xp));
    }
    std::sort(item.executions.begin(), item.executions.end());
  }
  return plan;
}

}  // namespace labstore::internal
