// Reference counts: pointing file entries at contents and releasing them, with
// every refcount change in the WriteBatch that changes the entries (the
// protocol is at the top of content_store.h).
#ifndef LABSTORE_LIB_DATA_CONTENT_REFS_H_
#define LABSTORE_LIB_DATA_CONTENT_REFS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <rocksdb/write_batch.h>

#include "data/content_upload.h"
#include "labstore/status.h"
#include "store/store_state.h"

namespace labstore::internal {

// What CommitFile stores under the hash when it is not stored yet: the
// uploaded chunks, or `bytes` (at most kInlineBytes) written in the same batch.
// With neither, CommitFile only adds a reference and sets *missing when the
// hash is not stored.
struct NewContent {
  std::string_view hash;
  uint64_t size = 0;
  Upload* upload = nullptr;
  const std::string_view* bytes = nullptr;
};

// Points file `path` of the experiment at the content, replacing (and
// releasing) what it pointed at. `id` is the experiment's id.
// Errors: InvalidArgument (path conflicts with a file or folder), NotFound
// (`id` no longer names `experiment_key`: deleted since it was looked up), IOError.
Status CommitFile(StoreState& st, std::string_view experiment_key, std::string_view id, std::string_view path,
                  const NewContent& content, bool* missing = nullptr);

// Writes `bytes` as file `path`: up to kInlineBytes in one batch, larger ones
// uploaded unless the hash is already stored.
Status StoreBytes(StoreState& st, std::string_view experiment_key, std::string_view id, std::string_view path,
                  std::string_view bytes);

// InvalidArgument if `path` cannot be saved because a file is named like one
// of its folders ("a" for "a/b") or it is the folder of a file.
Status CheckPathConflicts(const StoreState& st, std::string_view experiment_key, std::string_view path);

// Removes file `path`. Errors: NotFound, IOError.
Status RemoveFile(StoreState& st, std::string_view experiment_key, std::string_view id, std::string_view path);

struct ReleasedFiles {
  uint64_t files = 0;
  uint64_t file_bytes = 0;
  uint64_t contents_removed = 0;       // contents left without files: header and chunks deleted
  uint64_t content_bytes_removed = 0;
  std::vector<uint64_t> data_ids;      // their data ids (chunk ranges to compact)
};

// Adds to `batch` the deletion of every file entry of the experiments and the
// release of their contents (a content's count drops by its entries; at zero
// its header and chunks are deleted), counting into *released. The caller
// holds StoreState::write_mu and writes the batch. Errors: Corruption (a
// damaged content header), IOError.
Status ReleaseFilesOf(StoreState& st, const std::vector<std::string>& experiment_keys, rocksdb::WriteBatch* batch,
                      ReleasedFiles* released);

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_DATA_CONTENT_REFS_H_
