// Claims of live objects on an open store (claims.h).
#include "store/claims.h"

#include <fmt/format.h>

namespace labstore::internal {

std::string StoreClaimPrefix(const void* store_state) { return fmt::format("{}", store_state) + '\0'; }

bool Claims::Claim(const std::string& claim) {
  std::lock_guard lk(mu_);
  return held_.insert(claim).second;
}

void Claims::Release(const std::string& claim) {
  std::lock_guard lk(mu_);
  held_.erase(claim);
}

std::optional<std::string> Claims::FirstWithPrefix(std::string_view prefix) const {
  std::lock_guard lk(mu_);
  auto it = held_.lower_bound(prefix);
  if (it == held_.end() || !std::string_view(*it).starts_with(prefix)) return std::nullopt;
  return *it;
}

std::vector<std::string> Claims::AllWithPrefix(std::string_view prefix) const {
  std::lock_guard lk(mu_);
  std::vector<std::string> out;
  for (auto it = held_.lower_bound(prefix); it != held_.end() && std::string_view(*it).starts_with(prefix); ++it) {
    out.push_back(*it);
  }
  return out;
}

}  // namespace labstore::internal
