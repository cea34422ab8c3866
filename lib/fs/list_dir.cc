#include "fs/list_dir.h"

#include <dirent.h>
#include <unistd.h>

#include <cerrno>

#include "fs/scoped_fd.h"

namespace labstore::internal {

Result<std::vector<std::string>> ListNames(int dir_fd, const std::string& display, ErrnoStatus error) {
  ScopedFd fd(::dup(dir_fd));
  if (!fd.valid()) return error("open", display, errno);
  DIR* dir = ::fdopendir(fd.get());
  if (dir == nullptr) return error("list", display, errno);
  fd.Release();  // closedir closes it
  // A dup shares the file offset with `dir_fd`: an earlier listing through
  // another dup left it at the end, so start from the beginning.
  ::rewinddir(dir);
  std::vector<std::string> names;
  while (struct dirent* d = ::readdir(dir)) {
    std::string name = d->d_name;
    if (name != "." && name != "..") names.push_back(std::move(name));
  }
  ::closedir(dir);
  return names;
}

}  // namespace labstore::internal
