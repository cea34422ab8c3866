// labstore/data.h — data files of an experiment (machinable's save_data / save_file).
//
// Every stored experiment has a set of files, each a relative path and its
// bytes. machinable's save_data(path, value) writes "data/<path>" in the format
// that the extension names; here the same:
//
//   ".json"   a JSON value, written as Python's json.dumps(value, ensure_ascii=False)
//   ".jsonl"  a list of JSON values, one per line, json.dumps(v, sort_keys=True) + "\n"
//   ".npy"    a typed N-dimensional array (labstore/npy.h), NPY format 1.0 as numpy writes it
//   ".p"      opaque bytes (a pickle written by Python), kept verbatim
//   other     text or bytes, kept verbatim
//
//   labstore::SaveData(store, "rm3SAJ", "result.json", labstore::DataValue::Json(R"({"g": 9.81})"));
//   auto v = labstore::LoadData(store, "rm3SAJ", "result.json");   // v->json() == "{\"g\": 9.81}"
//   labstore::SaveFile(store, "rm3SAJ", "notes/run.sh", "#!/bin/sh\n");  // any path, verbatim
//
// Contents are stored once per XXH3-128 content hash: the same bytes saved in
// a thousand experiments occupy the space once, and contents that no file
// refers to any more are reclaimed when the last file goes (overwrite, delete).
// Large files stream through FileWriter / FileReader in bounded memory.
// Layout: doc/format.md, "Data files".
//
// Paths are relative and normalized: not empty, no leading '/', no empty
// segment ("a//b", "a/"), no "." or ".." segment, no NUL byte, at most
// kMaxPathBytes bytes and kMaxSegmentBytes per segment; a path that breaks a
// rule is InvalidArgument naming it (paths are rejected, never rewritten). A
// file cannot also be a folder: saving "a/b" when "a" is a file (or "a" when
// "a/b" is) is InvalidArgument, as a file system would refuse it on export.
//
// Errors common to every function below: InvalidArgument (a path rule; a
// malformed experiment id; a write on a read-only or closed store), NotFound
// (no experiment with that id), IOError (the database failed). Reads verify the
// content against its hash: a mismatch is Corruption naming the file.
//
// Thread safety: every function may be called from many threads at once on
// one Store; writes are serialized inside. A FileWriter or FileReader object
// is used by one thread at a time and must not race Store::Close. One still
// open when its Store closes (Close, ~Store, Refresh for readers) is ended:
// a FileWriter's file is not stored (as if destroyed without Close), and
// later calls of either return InvalidArgument "... was closed by
// Store::Close"; destroying it afterwards is safe.
#ifndef LABSTORE_DATA_H_
#define LABSTORE_DATA_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "labstore/experiment.h"
#include "labstore/npy.h"
#include "labstore/status.h"
#include "labstore/store.h"

namespace labstore {

// Limits, checked on every write (InvalidArgument naming the path and the limit).
inline constexpr size_t kMaxPathBytes = 1024;    // whole relative path
inline constexpr size_t kMaxSegmentBytes = 255;  // one name between '/' (NAME_MAX)
// Bytes of one file: 1 TiB. A content is stored in at most 2^32 numbered
// chunks (doc/format.md, "Data files"), which bounds a file at 2^32 times the
// chunk size (4095 bytes today, 16 TiB); the limit stays well inside that.
inline constexpr uint64_t kMaxFileBytes = uint64_t{1} << 40;

// How a file is read and written, from the extension of its path (the text
// after the last '.' of the last segment, case-sensitive, as machinable).
enum class DataFormat {
  kRaw,     // any other extension, or none: bytes verbatim
  kJson,    // ".json"
  kJsonl,   // ".jsonl"
  kNpy,     // ".npy"
  kPickle,  // ".p"
};

// "raw", "json", "jsonl", "npy", "pickle". Errors: none.
const char* DataFormatName(DataFormat format);
// The format of `path` by its extension. Errors: none.
DataFormat DataFormatOf(std::string_view path);

// A value for SaveData, as LoadData returns it. Which kind fits which format:
// kJson for .json, kJsonLines for .jsonl, kArray for .npy, kBytes for .p and
// every other extension.
class DataValue {
 public:
  enum class Kind { kBytes, kJson, kJsonLines, kArray };

  // Bytes or text, verbatim (a pickle for ".p"). Errors: none (the factories
  // and accessors of DataValue do not fail; JSON is checked by SaveData).
  static DataValue Bytes(std::string bytes);
  // One JSON value as text. JSON (RFC 8259) plus Python's NaN, Infinity and
  // -Infinity; checked when saved. LoadData returns the text as stored, i.e.
  // in machinable's FILE dialect.
  static DataValue Json(std::string json_text);
  // JSON values, one per line when saved. (machinable's save_data("x.jsonl",
  // v) writes v as a single line: pass {v} for exactly that.)
  static DataValue JsonLines(std::vector<std::string> json_texts);
  static DataValue Array(NdArray array);

  Kind kind() const { return kind_; }
  // The payload of the kind; calling the accessor of another kind returns an
  // empty value (and asserts in debug builds).
  const std::string& bytes() const;
  const std::string& json() const;
  const std::vector<std::string>& json_lines() const;
  const NdArray& array() const;

 private:
  Kind kind_ = Kind::kBytes;
  std::string text_;                // kBytes, kJson
  std::vector<std::string> lines_;  // kJsonLines
  NdArray array_;                   // kArray
};

// ---- values under data/ (machinable's save_data / load_data) ----------------

// Writes "data/<path>" of stored experiment `experiment_id`, encoded by
// EncodeData, replacing any file there. Errors: InvalidArgument (path rules, a
// value of the wrong kind for the extension, invalid JSON, more than
// kMaxFileBytes bytes, a malformed id, a read-only or closed store), NotFound,
// IOError.
//
//   auto a = labstore::NdArray::From<double>(std::vector<double>{1, 2});
//   labstore::Status s = labstore::SaveData(store, "rm3SAJ", "inputs.npy", labstore::DataValue::Array(*a));
Status SaveData(Store& store, std::string_view experiment_id, std::string_view path, const DataValue& value);

// As above for an experiment that may not be stored yet: while
// experiment.stored is false the encoded file is appended to
// experiment.pending_files and Store::Commit writes it after storing the
// experiment (machinable defers such writes the same way). Path and value are
// checked now. If a deferred write fails, Commit returns its error with the
// experiment stored; the files not yet written stay in pending_files and the
// next Commit retries them. Errors: InvalidArgument (path or value, now); for
// a stored experiment, as above.
Status SaveData(Store& store, Experiment& experiment, std::string_view path, const DataValue& value);

// Reads and decodes "data/<path>". Errors: NotFound (no experiment, or no such
// file), InvalidArgument (the stored bytes are not valid for the extension,
// e.g. a .npy of an unsupported dtype or in Fortran order; a path rule; a
// malformed id; a closed store), Corruption, IOError.
Result<DataValue> LoadData(const Store& store, std::string_view experiment_id, std::string_view path);

// The bytes SaveData stores for `value` at `path` (of which only the
// extension matters), and the reverse. No store involved.
// Errors: InvalidArgument naming `path`.
Result<std::string> EncodeData(std::string_view path, const DataValue& value);
Result<DataValue> DecodeData(std::string_view path, std::string_view bytes);

// ---- files at any relative path, verbatim ------------------------------------

// Writes `bytes` verbatim at `path` (e.g. "data/x.npy", "notes.txt"),
// replacing any file there. SaveData(p, v) is SaveFile("data/" + p,
// EncodeData(p, v)). Files imported from machinable are saved this way.
// Errors: InvalidArgument (path rules, more than kMaxFileBytes bytes, a
// malformed id, a read-only or closed store), NotFound, IOError.
//
//   labstore::Status s = labstore::SaveFile(store, "rm3SAJ", "data/results.p", pickle_bytes);
Status SaveFile(Store& store, std::string_view experiment_id, std::string_view path, std::string_view bytes);
// Deferred like SaveData(Store&, Experiment&, ...) while not stored.
// Errors: as SaveData(Store&, Experiment&, ...).
Status SaveFile(Store& store, Experiment& experiment, std::string_view path, std::string_view bytes);

// The whole file. For large files use FileReader. Errors: NotFound (no such
// experiment or file), Corruption (content does not match its hash),
// InvalidArgument (path rules, a malformed id, a closed store), IOError.
Result<std::string> LoadFile(const Store& store, std::string_view experiment_id, std::string_view path);

// Removes one file; its content is reclaimed if no other file refers to it.
// Errors: NotFound (no such experiment or file), InvalidArgument (path rules,
// a malformed id, a read-only or closed store), Busy (another part of the
// store holds an entry of the path: doc/many-writers.md), IOError.
Status DeleteFile(Store& store, std::string_view experiment_id, std::string_view path);

struct FileInfo {
  std::string path;          // relative, e.g. "data/inputs.npy"
  uint64_t size = 0;         // bytes
  DataFormat format = DataFormat::kRaw;
  std::string content_hash;  // XXH3-128 of the bytes, 32 lower-case hex digits (high half first)
};

// The files of experiment `experiment_id` whose path starts with `prefix`,
// ordered by path (byte order). Errors: InvalidArgument (id, a closed store),
// NotFound, Corruption (a damaged file entry), IOError.
//
//   auto files = labstore::ListFiles(store, "rm3SAJ", "data/");
//   if (files.ok()) for (const labstore::FileInfo& f : *files) std::puts(f.path.c_str());
Result<std::vector<FileInfo>> ListFiles(const Store& store, std::string_view experiment_id,
                                       std::string_view prefix = {});

// ---- streaming -----------------------------------------------------------------

// Writes one file as a stream: memory stays bounded (a few MiB) however large
// the file. The file appears, replacing any file at its path, only when
// Close() returns OK; a writer destroyed without Close() leaves nothing
// behind (after a crash, GarbageCollect removes what it had written).
//
//   auto w = labstore::FileWriter::Open(store, "rm3SAJ", "data/big.bin");
//   for (...) if (auto s = w->Append(block); !s.ok()) return s;
//   labstore::Status s = w->Close();
class FileWriter {
 public:
  // Errors: InvalidArgument (path, id, read-only or closed store), NotFound
  // (no such experiment), IOError.
  static Result<FileWriter> Open(Store& store, std::string_view experiment_id, std::string_view path);

  FileWriter(FileWriter&&) noexcept;
  FileWriter& operator=(FileWriter&&) noexcept;
  ~FileWriter();  // abandons the file unless closed

  // Adds bytes at the end. Errors: IOError, or InvalidArgument when the file
  // would pass kMaxFileBytes (the writer is then closed and the file not
  // stored); InvalidArgument after Close().
  Status Append(std::string_view bytes);
  // Stores the file. Errors: InvalidArgument (a path conflict found now, or
  // already closed), IOError. After an error the file is not stored.
  Status Close();

  // Bytes appended so far. Errors: none.
  uint64_t bytes_written() const;

 private:
  struct Impl;
  explicit FileWriter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Reads one file as a stream, in bounded memory, from a snapshot taken at
// Open: overwriting or deleting the file meanwhile does not disturb it. The
// content hash is checked when the end is reached: the Read that reaches it
// returns Corruption on a mismatch (bytes returned before are then suspect).
//
//   auto r = labstore::FileReader::Open(store, "rm3SAJ", "data/big.bin");
//   std::vector<char> buf(1 << 20);
//   while (true) { auto n = r->Read(buf); if (!n.ok()) return n.status(); if (*n == 0) break; use(buf.data(), *n); }
class FileReader {
 public:
  // Errors: InvalidArgument (path, id, closed store), NotFound (experiment or
  // file), IOError.
  static Result<FileReader> Open(const Store& store, std::string_view experiment_id, std::string_view path);

  FileReader(FileReader&&) noexcept;
  FileReader& operator=(FileReader&&) noexcept;
  ~FileReader();

  // Fills up to buffer.size() bytes; returns how many, 0 at the end.
  // Errors: Corruption (a missing chunk, or the content hash at the end),
  // IOError; InvalidArgument once its Store closed or refreshed.
  Result<size_t> Read(std::span<char> buffer);

  // The file's size, format and content hash. Errors: none.
  uint64_t size() const;
  DataFormat format() const;
  std::string content_hash() const;  // 32 hex digits, as FileInfo

 private:
  struct Impl;
  explicit FileReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// ---- reclaiming space ------------------------------------------------------------

struct GarbageCollectStats {
  uint64_t contents_removed = 0;    // contents that no file referred to
  uint64_t bytes_removed = 0;       // their sizes
  uint64_t uploads_removed = 0;     // streams left unfinished by a crashed process
  uint64_t references_fixed = 0;    // reference counts that disagreed with the files
};

// Mark and sweep: recounts the references of every content from the files,
// removes contents that nothing refers to and the chunks of streams that a
// crashed process left unfinished, then compacts the blob column family so the
// space returns to the file system. Contents are reclaimed without it when
// their last file goes; it is needed only after a crash. Blocks writers of
// this store while it scans. Errors: InvalidArgument (read-only or closed
// store), IOError.
Result<GarbageCollectStats> GarbageCollect(Store& store);

}  // namespace labstore

#endif  // LABSTORE_DATA_H_
