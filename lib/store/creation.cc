// The markers of a store directory and the creation protocol (creation.h).
#include "store/creation.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "util/random.h"
#include "util/return_if_error.h"

namespace labstore::internal {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kCreatingText = "labstore store being created\n";

Status Errno(std::string_view what, const std::string& path) {
  return Status::IOError(fmt::format("cannot {} {}", what, path), std::strerror(errno));
}

Status SyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Errno("open directory", dir);
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return Errno("sync directory", dir);
  return Status::OK();
}

// Writes `text` to `path` (created or truncated) and fsyncs it.
Status WriteSynced(const std::string& path, std::string_view text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("create", path);
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
  Status s = ok ? Status::OK() : Errno("write", path);
  ::close(fd);
  return s;
}

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool EndsWith(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

// A name that RocksDB (or WriteMarker) writes while a store is created.
bool IsCreationFile(std::string_view name) {
  return name == "CURRENT" || name == "IDENTITY" || name == "LOCK" || name == "LOG" || StartsWith(name, "LOG.old") ||
         StartsWith(name, "MANIFEST-") || StartsWith(name, "OPTIONS-") || EndsWith(name, ".log") ||
         EndsWith(name, ".sst") || EndsWith(name, ".blob") || EndsWith(name, ".dbtmp") ||
         StartsWith(name, std::string(kMarkerName) + ".tmp") ||
         StartsWith(name, std::string(kShardMarkerName) + ".tmp");
}

}  // namespace

Result<int> ReadMarker(const std::string& dir) {
  std::ifstream in(dir + "/" + kMarkerName);
  if (!in) return 0;
  std::string first, word;
  int version = 0;
  std::getline(in, first);
  in >> word >> version;
  if (first != "labstore store" || word != "format" || version <= 0) {
    return Status::Corruption(fmt::format("{}/{} is damaged", dir, kMarkerName),
                              "expected \"labstore store\" and \"format <N>\"");
  }
  return version;
}

Result<DirState> InspectDir(const std::string& dir) {
  DirState d;
  // LABSTORE.creating first: a creator writes it before anything else and
  // removes it only after LABSTORE, so a directory read in this order is never
  // mistaken for a foreign one while another process creates the store.
  std::error_code ec;
  d.creating = fs::exists(dir + "/" + kCreatingName, ec);
  auto version = ReadMarker(dir);
  if (!version.ok()) return version.status();
  d.version = *version;
  // writer.lock alone counts as empty: an older labstore took the lock before
  // writing any marker, so a kill could leave just that.
  d.empty = true;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.path().filename() != kLockName) {
      d.empty = false;
      break;
    }
  }
  if (ec) d.empty = false;
  return d;
}

namespace {

// Writes `text` as dir/name durably, through a temporary file of this process.
Status WriteAtomically(const std::string& dir, const std::string& name, std::string_view text) {
  std::string tmp = fmt::format("{}/{}.tmp.{}", dir, name, ::getpid());
  LABSTORE_RETURN_IF_ERROR(WriteSynced(tmp, text));
  if (::rename(tmp.c_str(), (dir + "/" + name).c_str()) != 0) return Errno("write", dir + "/" + name);
  return SyncDir(dir);
}

// Creates dir/name with `text` unless it exists, and syncs `dir`.
Status CreateMarker(const std::string& dir, const std::string& name, std::string_view text) {
  std::string path = dir + "/" + name;
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) {
    if (errno == EEXIST) return Status::OK();  // another creator was first; the lock decides
    return Errno("create", path);
  }
  // The content is for a person who looks; only the name matters.
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  if (!ok) return Errno("write", path);
  return SyncDir(dir);
}

}  // namespace

Status WriteMarker(const std::string& dir, int version) {
  return WriteAtomically(dir, kMarkerName, fmt::format("labstore store\nformat {}\n", version));
}

bool ShardComplete(const std::string& shard_dir) {
  std::error_code ec;
  return fs::exists(shard_dir + "/" + kShardMarkerName, ec);
}

Status BeginShardCreation(const std::string& shard_dir) {
  return CreateMarker(shard_dir, kShardCreatingName, "labstore shard being created\n");
}

Status EndShardCreation(const std::string& shard_dir) {
  uint64_t hi = RandomBetween(0, UINT64_MAX);
  uint64_t lo = RandomBetween(0, UINT64_MAX);
  std::string text = fmt::format("labstore shard\nformat 2\nuid {:016x}{:016x}\n", hi, lo);
  LABSTORE_RETURN_IF_ERROR(WriteAtomically(shard_dir, kShardMarkerName, text));
  std::string path = shard_dir + "/" + kShardCreatingName;
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return Errno("remove", path);
  return Status::OK();
}

Status BeginCreation(const std::string& dir) { return CreateMarker(dir, kCreatingName, kCreatingText); }

Status ClearUnfinishedCreation(const std::string& dir) {
  std::error_code ec;
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string name = entry.path().filename().string();
    if (IsCreationFile(name)) names.push_back(std::move(name));
  }
  if (ec) return Status::IOError(fmt::format("cannot list store directory {}", dir), ec.message());
  for (const std::string& name : names) {
    fs::remove(dir + "/" + name, ec);
    if (ec) {
      return Status::IOError(fmt::format("cannot remove {} left by an interrupted creation of store {}", name, dir),
                             ec.message());
    }
  }
  return Status::OK();
}

Status EndCreation(const std::string& dir) {
  std::string path = dir + "/" + kCreatingName;
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return Errno("remove", path);
  return Status::OK();
}

}  // namespace labstore::internal
