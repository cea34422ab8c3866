#include "fs/safe_dir.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

#include "fs/list_dir.h"
#include "util/return_if_error.h"

namespace labstore::internal {
namespace {

std::atomic<uint64_t> temp_counter{0};

Status Errno(std::string_view what, const std::string& path, int err) {
  std::string msg = fmt::format("cannot {} {}: {}", what, path, std::strerror(err));
  if (err == ENOENT) return Status::NotFound(msg);
  return Status::IOError(msg);
}

std::vector<std::string_view> Segments(std::string_view rel) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= rel.size()) {
    size_t slash = rel.find('/', start);
    if (slash == std::string_view::npos) slash = rel.size();
    out.push_back(rel.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

EntryKind KindOf(mode_t mode) {
  if (S_ISREG(mode)) return EntryKind::kFile;
  if (S_ISDIR(mode)) return EntryKind::kDir;
  if (S_ISLNK(mode)) return EntryKind::kSymlink;
  return EntryKind::kOther;
}

// Explains why openat(..., O_NOFOLLOW | O_DIRECTORY) failed on an existing name.
Status NotADirectory(int dir_fd, const std::string& name, const std::string& display) {
  struct stat st;
  if (fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)) {
    return Status::InvalidArgument(fmt::format("refusing to follow the symbolic link {}", display),
                                   "links are never followed below the export or import root");
  }
  return Status::InvalidArgument(fmt::format("{} is not a directory", display));
}

Status WriteAll(int fd, std::string_view bytes, const std::string& display) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("write", display, errno);
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return Status::OK();
}

}  // namespace

// ---- AtomicFile ----------------------------------------------------------------

AtomicFile& AtomicFile::operator=(AtomicFile&& o) noexcept {
  if (this != &o) {
    Abandon();
    dir_fd_ = std::move(o.dir_fd_);
    fd_ = std::move(o.fd_);
    temp_name_ = std::move(o.temp_name_);
    final_name_ = std::move(o.final_name_);
    display_ = std::move(o.display_);
    size_ = o.size_;
    buffer_ = std::move(o.buffer_);
  }
  return *this;
}

AtomicFile::~AtomicFile() { Abandon(); }

void AtomicFile::Abandon() {
  if (fd_.valid()) {
    fd_.Reset();
    ::unlinkat(dir_fd_.get(), temp_name_.c_str(), 0);
  }
  dir_fd_.Reset();
}

Status AtomicFile::Append(std::string_view bytes) {
  if (!fd_.valid()) return Status::InvalidArgument(fmt::format("{} is already committed", display_));
  size_ += bytes.size();
  constexpr size_t kBuffer = 1 << 20;
  if (buffer_.size() + bytes.size() < kBuffer) {
    buffer_.append(bytes);
    return Status::OK();
  }
  LABSTORE_RETURN_IF_ERROR(WriteAll(fd_.get(), buffer_, display_));
  buffer_.clear();
  return WriteAll(fd_.get(), bytes, display_);
}

Status AtomicFile::CopyExisting() {
  if (!fd_.valid()) return Status::InvalidArgument(fmt::format("{} is already committed", display_));
  ScopedFd src(::openat(dir_fd_.get(), final_name_.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!src.valid()) {
    if (errno == ENOENT) return Status::OK();
    if (errno == ELOOP) {
      return Status::InvalidArgument(fmt::format("refusing to follow the symbolic link {}", display_));
    }
    return Errno("open", display_, errno);
  }
  struct stat st;
  if (fstat(src.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return Status::InvalidArgument(fmt::format("{} is not a regular file", display_));
  }
  LABSTORE_RETURN_IF_ERROR(WriteAll(fd_.get(), buffer_, display_));
  buffer_.clear();
  off_t remaining = st.st_size;
  while (remaining > 0) {
    ssize_t n = ::copy_file_range(src.get(), nullptr, fd_.get(), nullptr, static_cast<size_t>(remaining), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      // Fall back to read/write (e.g. across file systems on old kernels).
      char buf[1 << 16];
      ssize_t r = ::read(src.get(), buf, sizeof buf);
      if (r < 0) return Errno("read", display_, errno);
      if (r == 0) break;
      LABSTORE_RETURN_IF_ERROR(WriteAll(fd_.get(), std::string_view(buf, static_cast<size_t>(r)), display_));
      n = r;
    }
    remaining -= n;
    size_ += static_cast<uint64_t>(n);
  }
  return Status::OK();
}

Status AtomicFile::Commit(bool sync) {
  if (!fd_.valid()) return Status::InvalidArgument(fmt::format("{} is already committed", display_));
  LABSTORE_RETURN_IF_ERROR(WriteAll(fd_.get(), buffer_, display_));
  buffer_.clear();
  if (sync && ::fsync(fd_.get()) != 0) return Errno("fsync", display_, errno);
  if (fd_.Close() != 0) {
    int err = errno;
    ::unlinkat(dir_fd_.get(), temp_name_.c_str(), 0);
    return Errno("close", display_, err);
  }
  if (::renameat(dir_fd_.get(), temp_name_.c_str(), dir_fd_.get(), final_name_.c_str()) != 0) {
    int err = errno;
    ::unlinkat(dir_fd_.get(), temp_name_.c_str(), 0);
    return Errno("rename into place", display_, err);
  }
  if (sync && ::fsync(dir_fd_.get()) != 0) return Errno("fsync the folder of", display_, errno);
  return Status::OK();
}

// ---- SafeDir -------------------------------------------------------------------

Result<SafeDir> SafeDir::Open(const std::string& path, bool create) {
  if (create) {
    std::error_code ec;
    std::filesystem::create_directories(path, ec);
    if (ec) return Status::IOError(fmt::format("cannot create {}: {}", path, ec.message()));
  }
  ScopedFd fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) {
    if (errno == ENOTDIR) return Status::InvalidArgument(fmt::format("{} is not a directory", path));
    return Errno("open", path, errno);
  }
  SafeDir d;
  d.path_ = path;
  while (d.path_.size() > 1 && d.path_.back() == '/') d.path_.pop_back();
  d.fd_ = std::move(fd);
  return d;
}

Status SafeDir::CheckRelative(std::string_view rel) {
  auto bad = [&](std::string_view why) {
    std::string shown;
    for (char c : rel) shown += c == '\0' ? std::string("\\0") : std::string(1, c);
    return Status::InvalidArgument(fmt::format("invalid relative path \"{}\": {}", shown, why));
  };
  if (rel.empty()) return bad("it is empty");
  if (rel.front() == '/') return bad("it is absolute");
  for (std::string_view seg : Segments(rel)) {
    if (seg.empty()) return bad("empty segment");
    if (seg == "." || seg == "..") return bad("'.' and '..' are not allowed");
    if (seg.find('\0') != std::string_view::npos) return bad("NUL byte");
  }
  return Status::OK();
}

Result<ScopedFd> SafeDir::OpenDir(std::string_view rel, bool create) const {
  if (!fd_.valid()) return Status::InvalidArgument("directory is not open");
  ScopedFd fd(::dup(fd_.get()));
  if (!fd.valid()) return Errno("open", path_, errno);
  if (rel.empty()) return fd;
  LABSTORE_RETURN_IF_ERROR(CheckRelative(rel));
  std::string display = path_;
  for (std::string_view seg_view : Segments(rel)) {
    std::string seg(seg_view);
    display += "/" + seg;
    ScopedFd next(::openat(fd.get(), seg.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!next.valid() && errno == ENOENT && create) {
      if (::mkdirat(fd.get(), seg.c_str(), 0755) != 0 && errno != EEXIST) return Errno("create", display, errno);
      next.Reset(::openat(fd.get(), seg.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    }
    if (!next.valid()) {
      int err = errno;
      return (err == ELOOP || err == ENOTDIR) ? NotADirectory(fd.get(), seg, display) : Errno("open", display, err);
    }
    fd = std::move(next);
  }
  return fd;
}

Result<std::pair<ScopedFd, std::string>> SafeDir::OpenParent(std::string_view rel, bool create) const {
  LABSTORE_RETURN_IF_ERROR(CheckRelative(rel));
  size_t slash = rel.rfind('/');
  std::string_view parent = slash == std::string_view::npos ? std::string_view() : rel.substr(0, slash);
  std::string name(slash == std::string_view::npos ? rel : rel.substr(slash + 1));
  auto fd = OpenDir(parent, create);
  if (!fd.ok()) return fd.status();
  return std::make_pair(std::move(*fd), std::move(name));
}

Result<EntryKind> SafeDir::Kind(std::string_view rel) const {
  auto parent = OpenParent(rel, false);
  if (!parent.ok()) {
    if (parent.status().IsNotFound()) return EntryKind::kMissing;
    return parent.status();
  }
  struct stat st;
  if (fstatat(parent->first.get(), parent->second.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    int err = errno;
    if (err == ENOENT) return EntryKind::kMissing;
    return Errno("stat", path_ + "/" + std::string(rel), err);
  }
  return KindOf(st.st_mode);
}

Result<std::vector<DirEntry>> SafeDir::List(std::string_view rel) const {
  auto fd = OpenDir(rel, false);
  if (!fd.ok()) return fd.status();
  auto names = ListNames(fd->get(), path_ + "/" + std::string(rel), Errno);
  if (!names.ok()) return names.status();
  std::vector<DirEntry> out;
  for (std::string& name : *names) {
    struct stat st;
    EntryKind kind = EntryKind::kOther;
    if (fstatat(fd->get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) kind = KindOf(st.st_mode);
    out.push_back({std::move(name), kind});
  }
  std::sort(out.begin(), out.end(), [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; });
  return out;
}

Result<ScopedFd> SafeDir::OpenFile(std::string_view rel) const {
  auto parent = OpenParent(rel, false);
  if (!parent.ok()) return parent.status();
  std::string display = path_ + "/" + std::string(rel);
  ScopedFd fd(::openat(parent->first.get(), parent->second.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid()) {
    int err = errno;
    return err == ELOOP ? NotADirectory(parent->first.get(), parent->second, display) : Errno("read", display, err);
  }
  struct stat st;
  if (fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return Status::InvalidArgument(fmt::format("{} is not a regular file", display));
  }
  return fd;
}

Result<std::string> SafeDir::Read(std::string_view rel) const {
  auto fd = OpenFile(rel);
  if (!fd.ok()) return fd.status();
  std::string display = path_ + "/" + std::string(rel);
  std::string out;
  size_t done = 0;
  while (true) {
    if (done == out.size()) out.resize(out.size() + (out.size() < 4096 ? 4096 : out.size()));
    ssize_t n = ::read(fd->get(), out.data() + done, out.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Errno("read", display, errno);
    if (n == 0) break;
    done += static_cast<size_t>(n);
  }
  out.resize(done);
  return out;
}

Result<uint64_t> SafeDir::Size(std::string_view rel) const {
  auto parent = OpenParent(rel, false);
  if (!parent.ok()) return parent.status();
  struct stat st;
  int rc = fstatat(parent->first.get(), parent->second.c_str(), &st, AT_SYMLINK_NOFOLLOW);
  int err = errno;
  std::string display = path_ + "/" + std::string(rel);
  if (rc != 0) return Errno("stat", display, err);
  if (!S_ISREG(st.st_mode)) return Status::InvalidArgument(fmt::format("{} is not a regular file", display));
  return static_cast<uint64_t>(st.st_size);
}

Status SafeDir::MakeDirs(std::string_view rel, bool sync) {
  auto fd = OpenDir(rel, true);
  if (!fd.ok()) return fd.status();
  if (sync && ::fsync(fd->get()) != 0) {
    int err = errno;
    return Errno("fsync", path_ + "/" + std::string(rel), err);
  }
  return Status::OK();
}

Result<AtomicFile> SafeDir::CreateAtomic(std::string_view rel, mode_t mode) {
  auto parent = OpenParent(rel, true);
  if (!parent.ok()) return parent.status();
  AtomicFile f;
  f.dir_fd_ = std::move(parent->first);
  f.final_name_ = std::move(parent->second);
  f.display_ = path_ + "/" + std::string(rel);
  f.temp_name_ = fmt::format("{}{}.{}.{}", kTempPrefix, f.final_name_, ::getpid(), temp_counter++);
  if (f.temp_name_.size() > 255) f.temp_name_ = fmt::format("{}{}.{}", kTempPrefix, ::getpid(), temp_counter++);
  f.fd_.Reset(
      ::openat(f.dir_fd_.get(), f.temp_name_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode));
  if (!f.fd_.valid()) return Errno("create a temporary file for", f.display_, errno);
  return f;
}

Status SafeDir::WriteAtomic(std::string_view rel, std::string_view bytes, mode_t mode, bool sync) {
  auto f = CreateAtomic(rel, mode);
  if (!f.ok()) return f.status();
  LABSTORE_RETURN_IF_ERROR(f->Append(bytes));
  return f->Commit(sync);
}

Status SafeDir::Rename(std::string_view from, std::string_view to, bool sync) {
  auto a = OpenParent(from, false);
  if (!a.ok()) return a.status();
  auto b = OpenParent(to, true);
  if (!b.ok()) return b.status();
  int rc = ::renameat(a->first.get(), a->second.c_str(), b->first.get(), b->second.c_str());
  int err = errno;
  if (rc == 0 && sync) ::fsync(b->first.get());
  if (rc != 0) return Errno(fmt::format("rename {}/{} to", path_, from), path_ + "/" + std::string(to), err);
  return Status::OK();
}

Status SafeDir::RemoveFile(std::string_view rel) {
  auto parent = OpenParent(rel, false);
  if (!parent.ok()) return parent.status().IsNotFound() ? Status::OK() : parent.status();
  int rc = ::unlinkat(parent->first.get(), parent->second.c_str(), 0);
  int err = errno;
  if (rc != 0 && err != ENOENT) return Errno("remove", path_ + "/" + std::string(rel), err);
  return Status::OK();
}

Status SafeDir::RemoveTreeAt(int dir_fd, const std::string& name, const std::string& display) {
  struct stat st;
  if (fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    return errno == ENOENT ? Status::OK() : Errno("stat", display, errno);
  }
  if (S_ISDIR(st.st_mode)) {
    ScopedFd fd(::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd.valid()) return Errno("open", display, errno);
    auto names = ListNames(fd.get(), display, Errno);
    if (!names.ok()) return names.status();
    for (const auto& n : *names) LABSTORE_RETURN_IF_ERROR(RemoveTreeAt(fd.get(), n, display + "/" + n));
    fd.Reset();
    if (::unlinkat(dir_fd, name.c_str(), AT_REMOVEDIR) != 0) return Errno("remove", display, errno);
    return Status::OK();
  }
  if (::unlinkat(dir_fd, name.c_str(), 0) != 0 && errno != ENOENT) return Errno("remove", display, errno);
  return Status::OK();
}

Status SafeDir::RemoveTree(std::string_view rel) {
  auto parent = OpenParent(rel, false);
  if (!parent.ok()) return parent.status().IsNotFound() ? Status::OK() : parent.status();
  return RemoveTreeAt(parent->first.get(), parent->second, path_ + "/" + std::string(rel));
}

Result<uint64_t> SafeDir::SweepAt(int dir_fd, const std::string& display) {
  auto names = ListNames(dir_fd, display, Errno);
  if (!names.ok()) return names.status();
  std::vector<std::pair<std::string, bool>> entries;  // name, is a directory
  for (std::string& n : *names) {
    struct stat st;
    bool is_dir = fstatat(dir_fd, n.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
    entries.emplace_back(std::move(n), is_dir);
  }
  uint64_t removed = 0;
  for (const auto& [name, is_dir] : entries) {
    std::string sub = display + "/" + name;
    if (name.starts_with(kTempPrefix)) {
      LABSTORE_RETURN_IF_ERROR(RemoveTreeAt(dir_fd, name, sub));
      ++removed;
    } else if (is_dir) {
      ScopedFd child(::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!child.valid()) continue;
      auto n = SweepAt(child.get(), sub);
      if (!n.ok()) return n.status();
      removed += *n;
    }
  }
  return removed;
}

Result<uint64_t> SafeDir::SweepTemporaries() { return SweepAt(fd_.get(), path_); }

Status SafeDir::SyncDir(std::string_view rel) {
  auto fd = OpenDir(rel, false);
  if (!fd.ok()) return fd.status();
  if (::fsync(fd->get()) != 0) {
    int err = errno;
    return Errno("fsync", path_ + "/" + std::string(rel), err);
  }
  return Status::OK();
}

}  // namespace labstore::internal
