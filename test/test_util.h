// Helpers shared by the tests: temporary directories and one-line checks.
#ifndef LABSTORE_TEST_TEST_UTIL_H_
#define LABSTORE_TEST_TEST_UTIL_H_

#include <string>

#include "labstore/labstore.h"

namespace labstore::test {

// A fresh directory under $TMPDIR (or /tmp), removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Opens (creating) a writable store in `dir`; fails the test on error.
Store OpenStore(const std::string& dir);

// The status code name of a Status or Result ("OK", "NotFound", ...).
inline std::string Code(const Status& s) { return Status::CodeName(s.code()); }
template <typename T>
std::string Code(const Result<T>& r) {
  return r.ok() ? "OK" : Status::CodeName(r.status().code());
}

// Writes `content` to `path`, replacing it.
void WriteFile(const std::string& path, const std::string& content);
std::string ReadFile(const std::string& path);

// Runs `command` with /bin/sh; returns its exit status and fills `output`
// with stdout+stderr.
int RunCommand(const std::string& command, std::string* output);

}  // namespace labstore::test

#endif  // LABSTORE_TEST_TEST_UTIL_H_
