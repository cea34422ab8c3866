// SafeDir::LinkTree and SafeDir::Exchange (lib/export/safe_dir.h): how an
// export replaces an existing experiment folder in one step. The folder is
// copied as hard links under a temporary name, changed there, and exchanged
// with the original; a reader (or a kill) sees the whole old folder or the
// whole new one.
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "export/safe_dir.h"

namespace labstore::internal {

namespace {

Status SwapError(std::string_view what, const std::string& path, int err) {
  return Status::IOError(fmt::format("cannot {} {}: {}", what, path, std::strerror(err)));
}

}  // namespace

Status SafeDir::LinkTreeAt(int from_fd, int to_fd, const std::string& display) {
  int list_fd = ::dup(from_fd);
  if (list_fd < 0) return SwapError("open", display, errno);
  DIR* dir = ::fdopendir(list_fd);
  if (dir == nullptr) {
    ::close(list_fd);
    return SwapError("list", display, errno);
  }
  std::vector<std::string> names;
  while (struct dirent* d = ::readdir(dir)) {
    std::string n = d->d_name;
    if (n != "." && n != ".." && !n.starts_with(kTempPrefix)) names.push_back(std::move(n));
  }
  ::closedir(dir);
  for (const std::string& n : names) {
    const std::string where = display + "/" + n;
    struct stat st;
    if (::fstatat(from_fd, n.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return SwapError("stat", where, errno);
    if (S_ISREG(st.st_mode)) {
      if (::linkat(from_fd, n.c_str(), to_fd, n.c_str(), 0) != 0) return SwapError("link", where, errno);
      continue;
    }
    if (!S_ISDIR(st.st_mode)) {
      return Status::InvalidArgument(fmt::format("{} is not a regular file or folder", where),
                                     "symbolic links are never followed below the export root");
    }
    if (::mkdirat(to_fd, n.c_str(), 0755) != 0) return SwapError("create folder", where, errno);
    int sub_from = ::openat(from_fd, n.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (sub_from < 0) return SwapError("open", where, errno);
    int sub_to = ::openat(to_fd, n.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (sub_to < 0) {
      int err = errno;
      ::close(sub_from);
      return SwapError("open the copy of", where, err);
    }
    Status s = LinkTreeAt(sub_from, sub_to, where);
    ::close(sub_from);
    ::close(sub_to);
    LABSTORE_RETURN_IF_ERROR(s);
  }
  return Status::OK();
}

Status SafeDir::LinkTree(std::string_view from, std::string_view to) {
  auto src = OpenDir(from, false);
  if (!src.ok()) return src.status();
  LABSTORE_RETURN_IF_ERROR(MakeDirs(to));
  auto dst = OpenDir(to, false);
  if (!dst.ok()) {
    ::close(*src);
    return dst.status();
  }
  Status s = LinkTreeAt(*src, *dst, path_ + "/" + std::string(from));
  ::close(*src);
  ::close(*dst);
  return s;
}

Status SafeDir::Exchange(std::string_view a, std::string_view b, bool sync) {
  auto pa = OpenParent(a, false);
  if (!pa.ok()) return pa.status();
  auto pb = OpenParent(b, false);
  if (!pb.ok()) {
    ::close(pa->first);
    return pb.status();
  }
  int rc = ::renameat2(pa->first, pa->second.c_str(), pb->first, pb->second.c_str(), RENAME_EXCHANGE);
  int err = errno;
  if (rc == 0 && sync) {
    ::fsync(pa->first);
    ::fsync(pb->first);
  }
  ::close(pa->first);
  ::close(pb->first);
  if (rc != 0 && (err == EINVAL || err == ENOSYS)) {
    return Status::NotSupported(fmt::format("cannot exchange {}/{} and {}: {}", path_, a, b, std::strerror(err)));
  }
  if (rc != 0) return SwapError(fmt::format("exchange {}/{} and", path_, a), path_ + "/" + std::string(b), err);
  return Status::OK();
}

}  // namespace labstore::internal
