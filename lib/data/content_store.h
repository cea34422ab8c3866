// The content store: an experiment's files and their contents in RocksDB
// (doc/format.md, "Data files"). This header only gathers its parts:
//
//   content_entry.h   the keys and values of `files` and `blobs` (the layout grammar), the content hash
//   content_upload.h  chunks written before the hash is known
//   content_refs.h    file entries and reference counts: CommitFile, StoreBytes, RemoveFile, ReleaseFilesOf
//   content_read.h    read snapshots, file entries, verified reads of contents
//   content_gc.h      GarbageCollect
//
// A content is named by its hash ('h'), and its bytes sit in chunks under a
// data id chosen when writing starts, because a streamed content's hash is
// known only at its end and RocksDB cannot rename keys. Contents of at most
// kInlineBytes are written with their header and file entry in one
// WriteBatch. Larger ones are uploaded first: a 'u' marker (WAL), then the
// chunks without WAL, then a flush of the blobs column family (the chunks are
// durable), then one WriteBatch under StoreState::write_mu that names them
// ('h'), points the file at them and deletes the marker — or, when the hash is
// already stored, drops them again. The refcount is the number of file entries
// naming the hash; every change to it is in the WriteBatch that changes those
// entries, under write_mu, so it is exact after any crash. A crash can only
// leave an upload ('u' marker, maybe chunks) that GarbageCollect removes.
#ifndef LABSTORE_LIB_DATA_CONTENT_STORE_H_
#define LABSTORE_LIB_DATA_CONTENT_STORE_H_

#include "data/content_entry.h"   // IWYU pragma: export
#include "data/content_gc.h"      // IWYU pragma: export
#include "data/content_read.h"    // IWYU pragma: export
#include "data/content_refs.h"    // IWYU pragma: export
#include "data/content_upload.h"  // IWYU pragma: export

#endif  // LABSTORE_LIB_DATA_CONTENT_STORE_H_
