// The registry of handles that a closing store must end (open_handles.h).
#include "store/open_handles.h"

#include <algorithm>

#include <fmt/format.h>

namespace labstore::internal {

void OpenHandle::Register(OpenHandles& registry) {
  registry.Add(this);
  registry_ = &registry;
}

void OpenHandle::Unregister() {
  if (registry_ != nullptr) registry_->Remove(this);
  registry_ = nullptr;
}

void OpenHandles::Add(OpenHandle* handle) {
  std::lock_guard lk(mu_);
  handles_.push_back(handle);
}

void OpenHandles::Remove(OpenHandle* handle) {
  std::lock_guard lk(mu_);
  auto it = std::find(handles_.begin(), handles_.end(), handle);
  if (it != handles_.end()) handles_.erase(it);
}

Status OpenHandles::EndAll(std::string_view by) {
  std::vector<OpenHandle*> open;
  {
    std::lock_guard lk(mu_);
    open.swap(handles_);
    for (OpenHandle* h : open) h->registry_ = nullptr;
  }
  Status first;
  for (OpenHandle* h : open) {
    Status s = h->EndWithStore(by);
    if (!s.ok() && first.ok()) first = s;
  }
  return first;
}

size_t OpenHandles::size() const {
  std::lock_guard lk(mu_);
  return handles_.size();
}

Status EndedError(std::string_view what, std::string_view by, std::string_view detail) {
  return Status::InvalidArgument(fmt::format("{} was closed by {}", what, by), detail);
}

}  // namespace labstore::internal
