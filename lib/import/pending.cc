// Imports in progress (lib/import/pending.h).
#include "import/pending.h"

#include <fmt/format.h>

#include "store/union_read.h"

namespace labstore::internal {

std::string ImportPendingKey(std::string_view id) { return "import_pending/" + std::string(id); }

Status SetImportPending(StoreState& st, std::string_view id, bool pending) {
  const std::string key = ImportPendingKey(id);
  rocksdb::Status s = pending ? st.db->Put(rocksdb::WriteOptions(), st.handle(kCfMeta), key, "")
                              : st.db->Delete(rocksdb::WriteOptions(), st.handle(kCfMeta), key);
  if (!s.ok()) return FromRocks(s, fmt::format("cannot {} import of experiment \"{}\"", pending ? "begin" : "end", id));
  return Status::OK();
}

Result<bool> IsImportPending(const StoreState& st, std::string_view id) {
  std::string value;
  rocksdb::Status s = GetAny(st, kCfMeta, ImportPendingKey(id), &value);  // the import may be another part's
  if (s.IsNotFound()) return false;
  if (!s.ok()) return FromRocks(s, fmt::format("cannot read the import state of experiment \"{}\"", id));
  return true;
}

Result<bool> IsOwnImportPending(const StoreState& st, std::string_view id) {
  const std::string key = ImportPendingKey(id);
  std::string value;
  rocksdb::Status s = st.db->Get(rocksdb::ReadOptions(), st.handle(kCfMeta), key, &value);
  if (s.ok()) return true;
  if (!s.IsNotFound()) return FromRocks(s, fmt::format("cannot read the import state of experiment \"{}\"", id));
  if (const Part* part = HasViews(st) ? ViewHoldingKey(st, kCfMeta, key) : nullptr) {
    return Status::Busy(fmt::format("experiment \"{}\" is being imported into {} of the store", id,
                                    PartName(part->number)),
                        "that part's import finishes it: run the import from that process, or after a merge");
  }
  return false;
}

}  // namespace labstore::internal
