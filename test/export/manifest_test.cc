// The export manifest (lib/export/manifest.h): what the last export wrote.
#include "export/manifest.h"

#include <doctest/doctest.h>

#include "test_util.h"

namespace labstore::internal {
namespace {

TEST_SUITE("export") {

TEST_CASE("The export manifest round-trips and rejects damage") {
  Manifest m;
  m.root = "/data/out";
  m.experiments["rm3SAJ"] = {.folder = "rm3SAJ",
                             .files = {{"experiment.json", ContentTag("x")}},
                             .data = {{"data/a.txt", "00ff"}},
                             .records = {{"default", {3, 345}}}};
  auto back = DecodeManifest(EncodeManifest(m));
  REQUIRE(back.ok());
  CHECK(back->root == "/data/out");
  CHECK(back->experiments.at("rm3SAJ").files.at("experiment.json") == ContentTag("x"));
  CHECK(back->experiments.at("rm3SAJ").records.at("default") == std::make_pair(uint64_t{3}, uint64_t{345}));
  CHECK(test::Code(DecodeManifest("{")) == "Corruption");
  CHECK(test::Code(DecodeManifest(R"({"labstore_export": 99, "root": "/", "experiments": {}})")) == "NotSupported");
  CHECK(test::Code(DecodeManifest(R"({"labstore_export": 1, "root": 3, "experiments": {}})")) == "Corruption");
}

}  // TEST_SUITE

}  // namespace
}  // namespace labstore::internal
