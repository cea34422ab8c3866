// ScopedFd: an owned file descriptor, closed when the owner goes away.
//
//   ScopedFd fd(::openat(dir, name, O_RDONLY | O_CLOEXEC));
//   if (!fd.valid()) return Errno("open", name, errno);
//   ... ::read(fd.get(), ...) ...        // closed on every return
//
// Close() closes now and returns close(2)'s result, for the callers whose
// close can fail meaningfully (a written file). Not thread-safe.
#ifndef LABSTORE_LIB_FS_SCOPED_FD_H_
#define LABSTORE_LIB_FS_SCOPED_FD_H_

#include <unistd.h>

#include <utility>

namespace labstore::internal {

class ScopedFd {
 public:
  ScopedFd() = default;
  explicit ScopedFd(int fd) : fd_(fd) {}
  ScopedFd(ScopedFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  ScopedFd& operator=(ScopedFd&& other) noexcept {
    if (this != &other) Reset(std::exchange(other.fd_, -1));
    return *this;
  }
  ScopedFd(const ScopedFd&) = delete;
  ScopedFd& operator=(const ScopedFd&) = delete;
  ~ScopedFd() { Reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  // Gives up ownership: the caller closes the returned descriptor.
  int Release() { return std::exchange(fd_, -1); }
  // Closes the owned descriptor (if any), errors ignored, and owns `fd`.
  void Reset(int fd = -1) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
  }
  // Closes now: 0, or -1 with errno set (the descriptor is released either way).
  int Close() { return fd_ >= 0 ? ::close(std::exchange(fd_, -1)) : 0; }

 private:
  int fd_ = -1;
};

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_FS_SCOPED_FD_H_
