// ClearRecords: a scope's chunks and metadata removed in one batch (labstore/record.h).
#include <fmt/format.h>
#include <rocksdb/write_batch.h>

#include "experiment/lookup.h"
#include "labstore/record.h"
#include "labstore/store.h"
#include "record/scope.h"
#include "store/store_state.h"

namespace labstore {

Status ClearRecords(Store& store, std::string_view experiment_id, std::string_view scope) {
  internal::StoreState* st = store.state();
  LABSTORE_RETURN_IF_ERROR(st->CheckWritable("clear records"));
  LABSTORE_RETURN_IF_ERROR(internal::ValidateRecordName("scope", scope));
  auto key = internal::LookupKey(*st, experiment_id);
  if (!key.ok()) return key.status();

  // Holding the claim keeps a writer of this scope from opening meanwhile.
  std::string claim = internal::ScopeClaimKey(st, *key, scope);
  if (!internal::ClaimScope(claim)) {
    return Status::Busy(fmt::format("cannot clear scope \"{}\" of experiment {}: it has an open writer", scope, experiment_id),
                        "close the RecordWriter first");
  }
  // Record keys are prefix(28) chunk_start(8): prefix + nine 0xff bytes is
  // past every chunk of the scope and before the next scope hash. A scope
  // hash is never shared by two scopes of one experiment (the writer refuses).
  std::string begin = internal::RecordPrefix(*key, scope);
  std::string end = begin + std::string(9, '\xff');
  rocksdb::WriteBatch batch;
  rocksdb::Status s = batch.DeleteRange(st->handle(internal::kCfRecords), begin, end);
  if (s.ok()) s = batch.Delete(st->handle(internal::kCfScopes), internal::ScopeKey(*key, scope));
  if (s.ok()) s = st->db->Write(rocksdb::WriteOptions(), &batch);
  internal::ReleaseScope(claim);
  return internal::FromRocks(s, fmt::format("cannot clear scope \"{}\" of experiment {}", scope, experiment_id));
}

}  // namespace labstore
