// AdviseHugePages: asks the kernel to back a large buffer that is about to be
// filled with transparent huge pages (madvise MADV_HUGEPAGE), so that first
// touching it takes one page fault per 2 MiB instead of one per 4 KiB. A hint:
// where the kernel does not support it or huge pages are off, nothing changes.
#ifndef LABSTORE_LIB_UTIL_HUGE_PAGES_H_
#define LABSTORE_LIB_UTIL_HUGE_PAGES_H_

#include <sys/mman.h>

#include <cstddef>
#include <cstdint>

namespace labstore::internal {

// Buffers smaller than this are left alone (the hint costs a system call).
inline constexpr size_t kHugePageHintBytes = size_t{4} << 20;

// Advises the whole pages inside [p, p + bytes), which the caller owns and
// has not touched yet.
inline void AdviseHugePages(const void* p, size_t bytes) {
#ifdef MADV_HUGEPAGE
  if (bytes < kHugePageHintBytes) return;
  constexpr uintptr_t kPage = 4096;
  const uintptr_t begin = (reinterpret_cast<uintptr_t>(p) + kPage - 1) & ~(kPage - 1);
  const uintptr_t end = (reinterpret_cast<uintptr_t>(p) + bytes) & ~(kPage - 1);
  if (end > begin) (void)::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
#else
  (void)p;
  (void)bytes;
#endif
}

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_UTIL_HUGE_PAGES_H_
