// Claims: what one live object of this process holds exclusively in an open
// store, such as the Run of an experiment (lib/experiment/run.cc), the
// RecordWriter of a scope (lib/record/writer.cc) or an upload under way
// (lib/data/content_upload.cc). Private to lib/.
//
//   claim := store_address "\0" name      store_address := the StoreState's address, as fmt prints a pointer
//
// Each kind of claim has one process-wide Claims; the store's address in front
// keeps the claims of two open stores apart. Another process cannot hold a
// claim on the same store: only one process writes it (writer.lock), and a
// second writing Open in the same process fails on that lock too. A claim is
// released by its holder, at the latest when its store closes (an OpenHandle
// ends it).
#ifndef LABSTORE_LIB_STORE_CLAIMS_H_
#define LABSTORE_LIB_STORE_CLAIMS_H_

#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace labstore::internal {

// "<address>\0": the start of every claim on the store whose StoreState is at `store_state`.
std::string StoreClaimPrefix(const void* store_state);

// A set of claims. Thread-safe.
class Claims {
 public:
  // Adds `claim`; false (and no change) if it is held already.
  bool Claim(const std::string& claim);
  void Release(const std::string& claim);
  // The first held claim (in byte order) that starts with `prefix`.
  std::optional<std::string> FirstWithPrefix(std::string_view prefix) const;
  // Every held claim that starts with `prefix`, in byte order.
  std::vector<std::string> AllWithPrefix(std::string_view prefix) const;

 private:
  mutable std::mutex mu_;
  std::set<std::string, std::less<>> held_;
};

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_STORE_CLAIMS_H_
