// The writer lock: an flock(2) on <store>/writer.lock holding the owner's pid.
//
// The kernel drops the lock when the process dies (kill -9 included), so a
// crashed writer never leaves a store locked. The pid in the file is only for
// the message other processes print.
#ifndef LABSTORE_LIB_STORE_LOCK_FILE_H_
#define LABSTORE_LIB_STORE_LOCK_FILE_H_

#include <string>

#include "labstore/status.h"

namespace labstore::internal {

class LockFile {
 public:
  LockFile() = default;
  LockFile(LockFile&& other) noexcept;
  LockFile& operator=(LockFile&& other) noexcept;
  LockFile(const LockFile&) = delete;
  LockFile& operator=(const LockFile&) = delete;
  ~LockFile();

  // Takes the lock on `path` without waiting. Errors: Busy naming `store_dir`
  // and the holder's pid; IOError.
  Status Acquire(const std::string& path, const std::string& store_dir);
  void Release();
  bool held() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_STORE_LOCK_FILE_H_
