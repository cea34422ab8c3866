// File operations confined to one directory tree (the export destination or
// an import source), for lib/export and lib/import.
//
// Every path is relative to the root and checked: '/'-separated segments, none
// empty, "." or "..", none with a NUL byte. Each segment is opened with openat
// and O_NOFOLLOW, so a symbolic link anywhere below the root is never
// followed: operations that meet one fail with InvalidArgument naming it. The
// root itself may be a symlink (the caller chose it).
//
// Writes are atomic for readers: a file is written under a temporary name
// (".labstore-tmp.<name>.<pid>") in its final directory and renamed over the
// final name, so a reader sees the old file or the new one, never a part.
// A process killed midway leaves only temporary names, which SweepTemporaries
// removes.
#ifndef LABSTORE_LIB_FS_SAFE_DIR_H_
#define LABSTORE_LIB_FS_SAFE_DIR_H_

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fs/scoped_fd.h"
#include "labstore/status.h"

namespace labstore::internal {

inline constexpr std::string_view kTempPrefix = ".labstore-tmp.";

enum class EntryKind { kMissing, kFile, kDir, kSymlink, kOther };

// The folder part of a relative path ("" for a top-level name): "a/b/c" -> "a/b".
inline std::string ParentOf(std::string_view rel) {
  size_t slash = rel.rfind('/');
  return slash == std::string_view::npos ? std::string() : std::string(rel.substr(0, slash));
}

// The last segment of a relative path: "a/b/c" -> "c".
inline std::string BaseOf(std::string_view rel) {
  size_t slash = rel.rfind('/');
  return std::string(slash == std::string_view::npos ? rel : rel.substr(slash + 1));
}

struct DirEntry {
  std::string name;
  EntryKind kind = EntryKind::kOther;
};

// A file being written under a temporary name; Commit renames it into place.
// Destroying it uncommitted removes the temporary file.
class AtomicFile {
 public:
  AtomicFile() = default;
  AtomicFile(AtomicFile&& other) noexcept = default;
  AtomicFile& operator=(AtomicFile&& other) noexcept;
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  ~AtomicFile();

  Status Append(std::string_view bytes);
  // Copies the whole content of the final file as it is now, if there is
  // one (for appending to it). Errors: IOError, InvalidArgument (not a file).
  Status CopyExisting();
  // fsync (when `sync`), close, rename over the final name.
  Status Commit(bool sync);
  uint64_t size() const { return size_; }

 private:
  friend class SafeDir;
  void Abandon();
  ScopedFd dir_fd_;
  ScopedFd fd_;
  std::string temp_name_;
  std::string final_name_;
  std::string display_;  // path for messages
  uint64_t size_ = 0;
  std::string buffer_;
};

class SafeDir {
 public:
  // Opens `path` as the root; with `create`, makes it (and its parents) first.
  // Errors: NotFound (missing and !create), InvalidArgument (not a directory),
  // IOError.
  static Result<SafeDir> Open(const std::string& path, bool create);

  SafeDir() = default;
  SafeDir(SafeDir&& other) noexcept = default;
  SafeDir& operator=(SafeDir&& other) noexcept = default;
  SafeDir(const SafeDir&) = delete;
  SafeDir& operator=(const SafeDir&) = delete;

  const std::string& path() const { return path_; }
  int fd() const { return fd_.get(); }

  // InvalidArgument unless `rel` is a relative path as described above.
  static Status CheckRelative(std::string_view rel);

  // What is at `rel` (lstat; a symlink is reported, not followed). Errors:
  // InvalidArgument (bad path, a symlink on the way), IOError.
  Result<EntryKind> Kind(std::string_view rel) const;
  // Entries of directory `rel` ("" is the root), sorted by name, without "."
  // and "..". Errors: NotFound, InvalidArgument, IOError.
  Result<std::vector<DirEntry>> List(std::string_view rel) const;
  // The bytes of regular file `rel`. Errors: NotFound, InvalidArgument
  // (symlink, not a regular file), IOError.
  Result<std::string> Read(std::string_view rel) const;
  // An open read-only descriptor of regular file `rel`, for the caller to
  // read. Errors as Read.
  Result<ScopedFd> OpenFile(std::string_view rel) const;
  // Size of regular file `rel`. Errors as Read.
  Result<uint64_t> Size(std::string_view rel) const;

  // Creates directory `rel` and its missing parents. Errors: InvalidArgument
  // (a symlink or a file in the way), IOError.
  Status MakeDirs(std::string_view rel, bool sync = false);
  // Writes `bytes` as file `rel` atomically (parents created).
  Status WriteAtomic(std::string_view rel, std::string_view bytes, mode_t mode, bool sync);
  // Starts an atomic write of `rel` (parents created).
  Result<AtomicFile> CreateAtomic(std::string_view rel, mode_t mode);
  // Renames `from` to `to` (both relative; `to` must not exist as a non-empty
  // directory). Errors: InvalidArgument, IOError.
  Status Rename(std::string_view from, std::string_view to, bool sync);
  // Makes `to` (which must not exist) a copy of directory `from` whose files
  // are hard links to `from`'s: the same bytes and inodes, at the cost of one
  // link per file. Temporary names are left out. Errors: InvalidArgument (a
  // symlink or a special file below `from`), IOError. (safe_dir_swap.cc)
  Status LinkTree(std::string_view from, std::string_view to);
  // Swaps directories `a` and `b` in one step (renameat2 RENAME_EXCHANGE):
  // a reader sees one or the other at each name, never neither. Errors:
  // NotSupported (the file system cannot exchange), IOError. (safe_dir_swap.cc)
  Status Exchange(std::string_view a, std::string_view b, bool sync);
  // Removes file `rel`; a missing file is not an error.
  Status RemoveFile(std::string_view rel);
  // Removes `rel` and everything below it (symlinks are removed, not followed).
  Status RemoveTree(std::string_view rel);
  // Removes every file and directory named kTempPrefix* below the root.
  // Returns how many were removed.
  Result<uint64_t> SweepTemporaries();
  // fsync of directory `rel`.
  Status SyncDir(std::string_view rel);

 private:
  // Opens directory `rel` below the root without following symlinks;
  // with `create`, makes missing segments. Returns a new fd.
  Result<ScopedFd> OpenDir(std::string_view rel, bool create) const;
  // Splits `rel` into (parent dir fd, last segment).
  Result<std::pair<ScopedFd, std::string>> OpenParent(std::string_view rel, bool create) const;
  Status RemoveTreeAt(int dir_fd, const std::string& name, const std::string& display);
  Result<uint64_t> SweepAt(int dir_fd, const std::string& display);
  Status LinkTreeAt(int from_fd, int to_fd, const std::string& display);

  std::string path_;
  ScopedFd fd_;
};

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_FS_SAFE_DIR_H_
