// ListNames: the names in an open directory, the one readdir loop of lib/.
#ifndef LABSTORE_LIB_FS_LIST_DIR_H_
#define LABSTORE_LIB_FS_LIST_DIR_H_

#include <string>
#include <string_view>
#include <vector>

#include "labstore/status.h"

namespace labstore::internal {

// Makes the Status of a failed system call: what was done ("open", "list"),
// on which path (for the message), and errno.
using ErrnoStatus = Status (*)(std::string_view what, const std::string& path, int err);

// The names in directory `dir_fd`, without "." and "..", in the order readdir
// returns them. The listing reads a duplicate of `dir_fd` (which stays open
// and shares its read position). Errors: error("open", display, errno) when
// the descriptor cannot be duplicated, error("list", display, errno) when it
// is not a readable directory.
Result<std::vector<std::string>> ListNames(int dir_fd, const std::string& display, ErrnoStatus error);

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_FS_LIST_DIR_H_
