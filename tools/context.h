// What every subcommand shares: global flags, opening the store, failing.
#ifndef LABSTORE_TOOLS_CONTEXT_H_
#define LABSTORE_TOOLS_CONTEXT_H_

#include <stdexcept>
#include <string>

#include "labstore/labstore.h"

namespace labstore::tool {

// Thrown by commands; main() prints "labstore: <message>" and exits with `exit_code`.
struct CommandError : std::runtime_error {
  CommandError(const std::string& message, int code) : std::runtime_error(message), exit_code(code) {}
  int exit_code;
};

// Exit codes: 0 ok, 1 failure, 2 usage.
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

struct Context {
  std::string store_dir;  // --store, else $LABSTORE_STORE, else ./storage.labstore
  bool json = false;      // --json

  // Opens for writing; fails with the store's error (Busy names the holder).
  Store OpenWriter() const;
  // Opens read-only: works while another process writes.
  Store OpenReader() const;
};

// Throws CommandError(status message, kExitFailure) when !s.ok().
void Check(const Status& s);
template <typename T>
T Check(Result<T> r) {
  if (!r.ok()) Check(r.status());
  return std::move(*r);
}

}  // namespace labstore::tool

#endif  // LABSTORE_TOOLS_CONTEXT_H_
