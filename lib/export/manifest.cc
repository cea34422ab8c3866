#include "export/manifest.h"

#include <fmt/format.h>

#include "json/py_json.h"
#include "util/hash.h"

namespace labstore::internal {

std::string ContentTag(std::string_view bytes) { return fmt::format("{:016x}", Hash64(bytes)); }

std::string EncodeManifest(const Manifest& m) {
  auto strings = [](const std::map<std::string, std::string>& map) {
    PyJson o = PyJson::Object();
    for (const auto& [k, v] : map) o.members().emplace_back(k, PyJson::String(v));
    return o;
  };
  PyJson experiments = PyJson::Object();
  for (const auto& [id, e] : m.experiments) {
    PyJson records = PyJson::Object();
    for (const auto& [scope, rb] : e.records) {
      records.members().emplace_back(scope, PyJson::Array({PyJson::IntText(std::to_string(rb.first)),
                                                           PyJson::IntText(std::to_string(rb.second))}));
    }
    experiments.members().emplace_back(id, PyJson::Object({{"folder", PyJson::String(e.folder)},
                                                           {"files", strings(e.files)},
                                                           {"data", strings(e.data)},
                                                           {"records", std::move(records)}}));
  }
  PyJson doc = PyJson::Object({{"labstore_export", PyJson::Int(kManifestVersion)},
                               {"root", PyJson::String(m.root)},
                               {"experiments", std::move(experiments)}});
  return DumpPyJson(doc, PyDialect::kFile) + "\n";
}

Result<Manifest> DecodeManifest(std::string_view text) {
  auto doc = ParsePyJson(text, "the export manifest");
  if (!doc.ok()) return Status::Corruption(doc.status().message());
  auto bad = [](std::string_view why) {
    return Status::Corruption(fmt::format("damaged export manifest: {}", why));
  };
  if (!doc->is_object()) return bad("not an object");
  const PyJson* version = doc->Find("labstore_export");
  if (version == nullptr || !version->AsInt64()) return bad("no \"labstore_export\" version");
  if (*version->AsInt64() > kManifestVersion) {
    return Status::NotSupported(fmt::format("export manifest version {} is newer than this labstore ({})",
                                            *version->AsInt64(), kManifestVersion));
  }
  Manifest m;
  const PyJson* root = doc->Find("root");
  if (root == nullptr || !root->is_string()) return bad("no \"root\"");
  m.root = root->text();
  const PyJson* experiments = doc->Find("experiments");
  if (experiments == nullptr || !experiments->is_object()) return bad("no \"experiments\"");
  for (const auto& [id, e] : experiments->members()) {
    ManifestExperiment out;
    const PyJson* folder = e.Find("folder");
    if (!e.is_object() || folder == nullptr || !folder->is_string()) return bad(fmt::format("experiment {}", id));
    out.folder = folder->text();
    for (const char* key : {"files", "data"}) {
      const PyJson* map = e.Find(key);
      if (map == nullptr) continue;
      if (!map->is_object()) return bad(fmt::format("experiment {} {}", id, key));
      auto& target = std::string_view(key) == "files" ? out.files : out.data;
      for (const auto& [path, tag] : map->members()) {
        if (!tag.is_string()) return bad(fmt::format("experiment {} {} {}", id, key, path));
        target[path] = tag.text();
      }
    }
    if (const PyJson* records = e.Find("records"); records != nullptr && records->is_object()) {
      for (const auto& [scope, rb] : records->members()) {
        if (!rb.is_array() || rb.items().size() != 2 || !rb.items()[0].AsInt64() || !rb.items()[1].AsInt64()) {
          return bad(fmt::format("experiment {} records {}", id, scope));
        }
        out.records[scope] = {static_cast<uint64_t>(*rb.items()[0].AsInt64()),
                              static_cast<uint64_t>(*rb.items()[1].AsInt64())};
      }
    }
    m.experiments.emplace(id, std::move(out));
  }
  return m;
}

}  // namespace labstore::internal
