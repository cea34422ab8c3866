// The size limit of one file (labstore/data.h, kMaxFileBytes), with a hook
// that lets tests lower it so that the edge can be reached with small files.
#ifndef LABSTORE_LIB_DATA_FILE_LIMIT_H_
#define LABSTORE_LIB_DATA_FILE_LIMIT_H_

#include <cstdint>
#include <string_view>

#include "labstore/status.h"

namespace labstore::internal {

// The limit in force: kMaxFileBytes unless a ScopedFileLimit lowers it.
uint64_t MaxFileBytes();

// OK when a file of `size` bytes is allowed, else InvalidArgument naming the
// file, its size and the limit.
Status CheckFileSize(std::string_view path, std::string_view id, uint64_t size);

// For tests only: lowers the limit of the whole process while it lives. Not
// to be used while files are written on other threads.
class ScopedFileLimit {
 public:
  explicit ScopedFileLimit(uint64_t limit);
  ~ScopedFileLimit();
  ScopedFileLimit(const ScopedFileLimit&) = delete;
  ScopedFileLimit& operator=(const ScopedFileLimit&) = delete;

 private:
  uint64_t previous_;
};

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_DATA_FILE_LIMIT_H_
