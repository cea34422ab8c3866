// Many threads saving, overwriting, deleting and reading files at once: the
// reference counts stay exact (GarbageCollect finds nothing to fix).
#include <algorithm>
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "data/content_store.h"
#include "data_test_util.h"

namespace labstore {
namespace {

TEST_SUITE("data") {

TEST_CASE("Files saved, overwritten and deleted from many threads concurrently keep exact reference counts") {
  data_test::DataFixture f;
  std::vector<std::string> ids = {f.id, data_test::NewExperiment(f.store), data_test::NewExperiment(f.store)};
  // Few distinct contents, so that threads share them all the time; one is large (streamed).
  std::vector<std::string> contents = {"a", "bb", std::string(5000, 'c'), std::string(internal::kInlineBytes + 7, 'd')};
  constexpr int kThreads = 4, kOps = 60;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kOps; ++i) {
        const std::string& id = ids[(t + i) % ids.size()];
        std::string path = fmt::format("data/f{}.bin", (t * 7 + i) % 5);
        const std::string& content = contents[(t + i * 3) % contents.size()];
        Status s;
        switch (i % 4) {
          case 0: case 1: s = SaveFile(f.store, id, path, content); break;
          case 2: {
            auto w = FileWriter::Open(f.store, id, path);
            s = w.ok() ? w->Append(content) : w.status();
            if (s.ok()) s = w->Close();
            break;
          }
          case 3: {
            s = DeleteFile(f.store, id, path);
            if (s.IsNotFound()) s = Status::OK();
            auto r = LoadFile(f.store, id, fmt::format("data/f{}.bin", i % 5));
            if (!r.ok() && !r.status().IsNotFound()) s = r.status();
            break;
          }
        }
        if (!s.ok()) {
          ++failures;
          MESSAGE(s.ToString());
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(failures == 0);
  auto stats = GarbageCollect(f.store);
  REQUIRE(stats.ok());
  CHECK(stats->references_fixed == 0);
  CHECK(stats->uploads_removed == 0);
  CHECK(data_test::CountBlobKeys(f.store, 'u') == 0);
  // Every surviving file reads back as one of the contents.
  size_t files = 0;
  for (const auto& id : ids) {
    auto list = ListFiles(f.store, id);
    REQUIRE(list.ok());
    for (const auto& fi : *list) {
      std::string bytes = data_test::Load(f.store, id, fi.path);
      CHECK(std::find(contents.begin(), contents.end(), bytes) != contents.end());
      ++files;
    }
  }
  CHECK(data_test::CountBlobKeys(f.store, 'h') <= std::min(files, contents.size()));
}

}  // TEST_SUITE
}  // namespace
}  // namespace labstore
