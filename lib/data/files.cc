// Files of an experiment: the public API of labstore/data.h over
// data/content_store.h.
#include <algorithm>
#include <cstring>
#include <optional>

#include <fmt/format.h>

#include "data/content_store.h"
#include "data/file_limit.h"
#include "data/path.h"
#include "experiment/lookup.h"
#include "labstore/data.h"
#include "store/union_read.h"
#include "util/coding.h"
#include "util/hash.h"
#include "util/return_if_error.h"

namespace labstore {
namespace {

using internal::StoreState;

// The store's state and the experiment key, after the checks every call makes.
struct Target {
  StoreState* st = nullptr;
  std::string key;
};

// `operation` names a write ("save a file"); empty for reads.
Result<Target> Resolve(const Store& store, std::string_view id, std::string_view operation) {
  StoreState* st = internal::StateOf(store);
  if (!operation.empty()) LABSTORE_RETURN_IF_ERROR(st->CheckWritable(operation));
  auto key = internal::LookupKey(*st, id);
  if (!key.ok()) return key.status();
  return Target{st, std::move(*key)};
}

// Resolve, after checking the path.
Result<Target> Resolve(const Store& store, std::string_view id, std::string_view path, std::string_view operation) {
  LABSTORE_RETURN_IF_ERROR(internal::ValidatePath(path));
  return Resolve(store, id, operation);
}

std::string What(std::string_view path, std::string_view id) {
  return fmt::format("file {} of experiment \"{}\"", internal::QuotePath(path), id);
}

}  // namespace

const char* DataFormatName(DataFormat format) {
  switch (format) {
    case DataFormat::kRaw: return "raw";
    case DataFormat::kJson: return "json";
    case DataFormat::kJsonl: return "jsonl";
    case DataFormat::kNpy: return "npy";
    case DataFormat::kPickle: return "pickle";
  }
  return "raw";
}

DataFormat DataFormatOf(std::string_view path) {
  std::string_view name = path.substr(path.rfind('/') + 1);  // npos + 1 == 0
  size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return DataFormat::kRaw;  // ".json" alone is a hidden file
  std::string_view ext = name.substr(dot);
  if (ext == ".json") return DataFormat::kJson;
  if (ext == ".jsonl") return DataFormat::kJsonl;
  if (ext == ".npy") return DataFormat::kNpy;
  if (ext == ".p") return DataFormat::kPickle;
  return DataFormat::kRaw;
}

Status SaveFile(Store& store, std::string_view id, std::string_view path, std::string_view bytes) {
  auto t = Resolve(store, id, path, "save a file");
  if (!t.ok()) return t.status();
  LABSTORE_RETURN_IF_ERROR(internal::CheckFileSize(path, id, bytes.size()));
  return internal::StoreBytes(*t->st, t->key, id, path, bytes);
}

Status SaveFile(Store& store, Experiment& experiment, std::string_view path, std::string_view bytes) {
  if (experiment.stored) return SaveFile(store, experiment.id, path, bytes);
  LABSTORE_RETURN_IF_ERROR(internal::ValidatePath(path));
  LABSTORE_RETURN_IF_ERROR(internal::CheckFileSize(path, experiment.id, bytes.size()));
  experiment.pending_files.emplace_back(std::string(path), std::string(bytes));
  return Status::OK();
}

Result<std::string> LoadFile(const Store& store, std::string_view id, std::string_view path) {
  auto t = Resolve(store, id, path, {});
  if (!t.ok()) return t.status();
  internal::ReadView view(*t->st);
  auto entry = internal::GetFileEntry(*t->st, view.options(), t->key, id, path);
  if (!entry.ok()) return entry.status();
  std::string out;
  out.reserve(entry->size);
  auto reader = internal::ContentReader::Open(*t->st, view.options(), std::move(*entry), What(path, id));
  if (!reader.ok()) return reader.status();
  while (true) {
    auto more = reader->Next(&out);
    if (!more.ok()) return more.status();
    if (!*more) return out;
  }
}

Status DeleteFile(Store& store, std::string_view id, std::string_view path) {
  auto t = Resolve(store, id, path, "delete a file");
  if (!t.ok()) return t.status();
  return internal::RemoveFile(*t->st, t->key, id, path);
}

Result<std::vector<FileInfo>> ListFiles(const Store& store, std::string_view id, std::string_view prefix) {
  auto t = Resolve(store, id, {});
  if (!t.ok()) return t.status();
  std::string start = internal::FileKey(t->key, prefix);
  std::vector<FileInfo> out;
  std::unique_ptr<rocksdb::Iterator> it = internal::NewUnionIterator(*t->st, internal::kCfFiles);
  for (it->Seek(start); it->Valid() && it->key().starts_with(start); it->Next()) {
    std::string path = it->key().ToString().substr(t->key.size());
    std::string_view value(it->value().data(), it->value().size());
    if (value.size() != internal::kHashSize + 8) {
      return Status::Corruption(fmt::format("damaged entry of {}", What(path, id)));
    }
    FileInfo info;
    info.format = DataFormatOf(path);
    info.size = internal::GetFixed64(value.substr(internal::kHashSize));
    info.content_hash = internal::ToHex(value.substr(0, internal::kHashSize));
    info.path = std::move(path);
    out.push_back(std::move(info));
  }
  LABSTORE_RETURN_IF_ERROR(internal::FromRocks(it->status(), fmt::format("cannot list the files of \"{}\"", id)));
  return out;
}

Result<GarbageCollectStats> GarbageCollect(Store& store) {
  LABSTORE_RETURN_IF_ERROR(internal::StateOf(store)->CheckWritable("collect garbage"));
  return internal::CollectGarbage(*internal::StateOf(store));
}

// ---- FileWriter --------------------------------------------------------------

struct FileWriter::Impl final : internal::OpenHandle {
  ~Impl() override { Unregister(); }
  // Store::Close: the unfinished file is abandoned (its chunks deleted).
  Status EndWithStore(std::string_view by) override {
    if (!closed) {
      ended_open = true;
      closed = true;
      upload.reset();
      buffer = std::string();
    }
    ended_by = std::string(by);
    return Status::OK();
  }
  Status ClosedError() const {
    if (ended_open) {
      return internal::EndedError(fmt::format("file writer for {}", What(path, id)), ended_by,
                                  "the file was not stored: Close() had not been called");
    }
    return Status::InvalidArgument(fmt::format("{} is closed", What(path, id)));
  }

  StoreState* st = nullptr;
  std::string key, id, path;
  // The bytes so far while they fit in one batch (kInlineBytes); after that
  // they go to `upload`.
  std::string buffer;
  internal::ContentHasher hasher;
  uint64_t written = 0;
  std::unique_ptr<internal::Upload> upload;
  bool closed = false;
  bool ended_open = false;  // still open when its store ended it
  std::string ended_by;
};

FileWriter::FileWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
FileWriter::FileWriter(FileWriter&&) noexcept = default;
FileWriter& FileWriter::operator=(FileWriter&&) noexcept = default;
FileWriter::~FileWriter() = default;  // an unfinished Upload deletes its chunks

Result<FileWriter> FileWriter::Open(Store& store, std::string_view id, std::string_view path) {
  auto t = Resolve(store, id, path, "save a file");
  if (!t.ok()) return t.status();
  LABSTORE_RETURN_IF_ERROR(internal::CheckPathConflicts(*t->st, t->key, path));  // fail early; Close checks again
  auto impl = std::make_unique<Impl>();
  impl->st = t->st;
  impl->key = std::move(t->key);
  impl->id = id;
  impl->path = path;
  impl->Register(t->st->handles);
  return FileWriter(std::move(impl));
}

Status FileWriter::Append(std::string_view bytes) {
  Impl& w = *impl_;
  if (w.closed) return w.ClosedError();
  if (bytes.size() > internal::MaxFileBytes() - w.written) {  // the file is lost, as after an IOError
    w.closed = true;
    w.upload.reset();
    w.buffer = std::string();
    return internal::CheckFileSize(w.path, w.id, w.written + bytes.size());
  }
  w.hasher.Update(bytes);
  w.written += bytes.size();
  if (!w.upload && w.buffer.size() + bytes.size() <= internal::kInlineBytes) {
    w.buffer.append(bytes);  // may still be stored in one batch by Close()
    return Status::OK();
  }
  Status s;
  if (!w.upload) {
    auto started = internal::Upload::Start(*w.st);
    if (!started.ok()) return started.status();
    w.upload = std::move(*started);
    s = w.upload->Append(w.buffer);
    w.buffer = std::string();
  }
  if (s.ok()) s = w.upload->Append(bytes);
  if (!s.ok()) {  // the file is lost: drop its chunks, refuse further calls
    w.closed = true;
    w.upload.reset();
  }
  return s;
}

Status FileWriter::Close() {
  Impl& w = *impl_;
  if (w.closed) return w.ClosedError();
  w.closed = true;
  std::string hash = w.hasher.Finish();
  internal::NewContent content{.hash = hash, .size = w.written};
  std::string_view bytes = w.buffer;
  if (!w.upload) {
    content.bytes = &bytes;
  } else {
    LABSTORE_RETURN_IF_ERROR(w.upload->Finish());
    content.upload = w.upload.get();
  }
  Status s = internal::CommitFile(*w.st, w.key, w.id, w.path, content);
  w.buffer = std::string();
  w.upload.reset();
  return s;
}

uint64_t FileWriter::bytes_written() const { return impl_->written; }

// ---- FileReader --------------------------------------------------------------

struct FileReader::Impl final : internal::OpenHandle {
  explicit Impl(const StoreState& st) : view(st) {}
  ~Impl() override { Unregister(); }
  // Store::Close or Refresh: the snapshot goes, reads fail from now on.
  Status EndWithStore(std::string_view by) override {
    reader.reset();
    view.Release();
    ended_by = std::string(by);
    return Status::OK();
  }

  internal::ReadView view;
  std::optional<internal::ContentReader> reader;
  std::string chunk;  // the chunk being handed out
  size_t offset = 0;  // bytes of `chunk` handed out
  DataFormat format = DataFormat::kRaw;
  std::string hash;
  uint64_t size = 0;
  std::string what;      // "file ... of experiment ..."
  std::string ended_by;  // set when its store ended it
};

FileReader::FileReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
FileReader::FileReader(FileReader&&) noexcept = default;
FileReader& FileReader::operator=(FileReader&&) noexcept = default;
FileReader::~FileReader() = default;

Result<FileReader> FileReader::Open(const Store& store, std::string_view id, std::string_view path) {
  auto t = Resolve(store, id, path, {});
  if (!t.ok()) return t.status();
  auto impl = std::make_unique<Impl>(*t->st);
  auto entry = internal::GetFileEntry(*t->st, impl->view.options(), t->key, id, path);
  if (!entry.ok()) return entry.status();
  impl->hash = internal::ToHex(entry->hash);
  impl->format = DataFormatOf(path);
  impl->size = entry->size;
  impl->what = What(path, id);
  auto reader = internal::ContentReader::Open(*t->st, impl->view.options(), std::move(*entry), impl->what);
  if (!reader.ok()) return reader.status();
  impl->reader.emplace(std::move(*reader));
  impl->Register(t->st->handles);
  return FileReader(std::move(impl));
}

Result<size_t> FileReader::Read(std::span<char> buffer) {
  Impl& r = *impl_;
  if (!r.ended_by.empty()) {
    return internal::EndedError(fmt::format("file reader for {}", r.what), r.ended_by, "open a new reader to read it");
  }
  size_t filled = 0;
  while (filled < buffer.size()) {
    if (r.offset == r.chunk.size()) {
      r.chunk.clear();
      r.offset = 0;
      auto more = r.reader->Next(&r.chunk);
      if (!more.ok()) return more.status();
      if (!*more) break;
    }
    size_t n = std::min(buffer.size() - filled, r.chunk.size() - r.offset);
    std::memcpy(buffer.data() + filled, r.chunk.data() + r.offset, n);
    filled += n;
    r.offset += n;
  }
  return filled;
}

uint64_t FileReader::size() const { return impl_->size; }
DataFormat FileReader::format() const { return impl_->format; }
std::string FileReader::content_hash() const { return impl_->hash; }

}  // namespace labstore
