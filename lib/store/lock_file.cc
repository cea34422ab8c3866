#include "store/lock_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include <fmt/format.h>

namespace labstore::internal {

LockFile::LockFile(LockFile&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

LockFile& LockFile::operator=(LockFile&& other) noexcept {
  if (this != &other) {
    Release();
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

LockFile::~LockFile() { Release(); }

Status LockFile::Acquire(const std::string& path, const std::string& store_dir) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Status::IOError(fmt::format("cannot open lock file {}", path), std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    char buf[32] = {};
    ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
    ::close(fd);
    if (err != EWOULDBLOCK) return Status::IOError(fmt::format("cannot lock {}", path), std::strerror(err));
    std::string pid = n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
    while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
    std::string holder = pid.empty() ? "another process" : "process " + pid;
    return Status::Busy(fmt::format("store {} is open for writing by {}", store_dir, holder),
                        "open it read-only, or stop that process first");
  }
  std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    int err = errno;
    ::close(fd);
    return Status::IOError(fmt::format("cannot write lock file {}", path), std::strerror(err));
  }
  Release();
  fd_ = fd;
  return Status::OK();
}

void LockFile::Release() {
  if (fd_ >= 0) {
    if (::ftruncate(fd_, 0) != 0) {  // best effort: a stale pid only affects a message
    }
    ::close(fd_);  // closing drops the flock
    fd_ = -1;
  }
}

}  // namespace labstore::internal
