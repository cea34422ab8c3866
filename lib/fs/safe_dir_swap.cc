// SafeDir::LinkTree and SafeDir::Exchange (lib/fs/safe_dir.h): how an
// export replaces an existing experiment folder in one step. The folder is
// copied as hard links under a temporary name, changed there, and exchanged
// with the original; a reader (or a kill) sees the whole old folder or the
// whole new one.
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "fs/list_dir.h"
#include "fs/safe_dir.h"
#include "fs/scoped_fd.h"
#include "util/return_if_error.h"

namespace labstore::internal {

namespace {

Status SwapError(std::string_view what, const std::string& path, int err) {
  return Status::IOError(fmt::format("cannot {} {}: {}", what, path, std::strerror(err)));
}

}  // namespace

Status SafeDir::LinkTreeAt(int from_fd, int to_fd, const std::string& display) {
  auto names = ListNames(from_fd, display, SwapError);
  if (!names.ok()) return names.status();
  for (const std::string& n : *names) {
    if (n.starts_with(kTempPrefix)) continue;
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
    ScopedFd sub_from(::openat(from_fd, n.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!sub_from.valid()) return SwapError("open", where, errno);
    ScopedFd sub_to(::openat(to_fd, n.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!sub_to.valid()) return SwapError("open the copy of", where, errno);
    LABSTORE_RETURN_IF_ERROR(LinkTreeAt(sub_from.get(), sub_to.get(), where));
  }
  return Status::OK();
}

Status SafeDir::LinkTree(std::string_view from, std::string_view to) {
  auto src = OpenDir(from, false);
  if (!src.ok()) return src.status();
  LABSTORE_RETURN_IF_ERROR(MakeDirs(to));
  auto dst = OpenDir(to, false);
  if (!dst.ok()) return dst.status();
  return LinkTreeAt(src->get(), dst->get(), path_ + "/" + std::string(from));
}

Status SafeDir::Exchange(std::string_view a, std::string_view b, bool sync) {
  auto pa = OpenParent(a, false);
  if (!pa.ok()) return pa.status();
  auto pb = OpenParent(b, false);
  if (!pb.ok()) return pb.status();
  int rc = ::renameat2(pa->first.get(), pa->second.c_str(), pb->first.get(), pb->second.c_str(), RENAME_EXCHANGE);
  int err = errno;
  if (rc == 0 && sync) {
    ::fsync(pa->first.get());
    ::fsync(pb->first.get());
  }
  if (rc != 0 && (err == EINVAL || err == ENOSYS)) {
    return Status::NotSupported(fmt::format("cannot exchange {}/{} and {}: {}", path_, a, b, std::strerror(err)));
  }
  if (rc != 0) return SwapError(fmt::format("exchange {}/{} and", path_, a), path_ + "/" + std::string(b), err);
  return Status::OK();
}

}  // namespace labstore::internal
