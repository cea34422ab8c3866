// labstore/options.h — how a store is opened.
//
//   auto store = labstore::Store::Open({.create_if_missing = true}, "./storage.labstore");
//   auto reader = labstore::Store::Open({.read_only = true}, "./storage.labstore");
#ifndef LABSTORE_OPTIONS_H_
#define LABSTORE_OPTIONS_H_

#include <cstddef>
#include <string>

namespace labstore {

// The embedded default store directory, relative to the working directory.
inline constexpr const char* kDefaultStoreDir = "./storage.labstore";

struct StoreOptions {
  // Create the directory and an empty store if it does not exist. Default: true.
  // When false, opening a missing directory is NotFound.
  bool create_if_missing = true;

  // Open without taking the writer lock. Any number of read-only handles may be
  // open while one writer runs. A read-only handle sees everything the writer
  // had stored when it opened (its write-ahead log included), and again after
  // each Store::Refresh(). Writes on a read-only handle return
  // InvalidArgument. Default: false.
  bool read_only = false;

  // Size of the shared block cache for reads. Default: 64 MiB; larger helps
  // Get() on stores with millions of experiments.
  size_t block_cache_bytes = 64u << 20;
};

}  // namespace labstore

#endif  // LABSTORE_OPTIONS_H_
