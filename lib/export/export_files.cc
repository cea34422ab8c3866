// Export: an experiment's stored files (labstore/data.h), byte for byte.
#include <fmt/format.h>

#include <set>
#include <vector>

#include "export/export_internal.h"
#include "labstore/data.h"
#include "util/return_if_error.h"

namespace labstore::internal {

Status ExportDataFiles(ExportContext& ctx, const std::string& id, const std::string& base, ManifestExperiment* m) {
  auto files = ListFiles(*ctx.store, id);
  if (!files.ok()) return files.status();
  std::set<std::string> seen;
  std::vector<char> buffer(1 << 20);
  for (const FileInfo& f : *files) {
    // Stored paths become paths below dest: check them again.
    if (Status s = SafeDir::CheckRelative(f.path); !s.ok()) {
      return Status::Corruption(fmt::format("experiment {} stores a file at an invalid path", id), s.message());
    }
    std::string_view first = std::string_view(f.path).substr(0, f.path.find('/'));
    if (IsReservedFolderName(first)) {
      ctx.warnings.push_back(
          fmt::format("experiment {}: file \"{}\" not exported: machinable uses that name", id, f.path));
      continue;
    }
    seen.insert(f.path);
    auto old = m->data.find(f.path);
    if (old != m->data.end() && old->second == f.content_hash) {
      ++ctx.stats->files_unchanged;
      continue;
    }
    LABSTORE_RETURN_IF_ERROR(BeforeWrite(ctx));
    auto reader = FileReader::Open(*ctx.store, id, f.path);
    if (!reader.ok()) return reader.status();
    // machinable's save_file adds the owner's executable bit to *.sh (element.py:730-732).
    mode_t mode = f.path.ends_with(".sh") ? 0744 : 0644;
    auto out = ctx.root->CreateAtomic(base + "/" + f.path, mode);
    if (!out.ok()) return out.status();
    while (true) {
      auto n = reader->Read(buffer);
      if (!n.ok()) return n.status();
      if (*n == 0) break;
      LABSTORE_RETURN_IF_ERROR(out->Append(std::string_view(buffer.data(), *n)));
    }
    ctx.stats->bytes_written += out->size();
    LABSTORE_RETURN_IF_ERROR(out->Commit(ctx.options->sync));
    ++ctx.stats->files_written;
    m->data[f.path] = f.content_hash;
  }
  for (auto it = m->data.begin(); it != m->data.end();) {
    if (seen.count(it->first) == 0) {
      LABSTORE_RETURN_IF_ERROR(BeforeWrite(ctx));
      LABSTORE_RETURN_IF_ERROR(ctx.root->RemoveFile(base + "/" + it->first));
      ++ctx.stats->files_removed;
      it = m->data.erase(it);
    } else {
      ++it;
    }
  }
  return Status::OK();
}

}  // namespace labstore::internal
