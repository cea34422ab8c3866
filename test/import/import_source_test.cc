// What Import accepts as a machinable storage (labstore/import.h,
// CheckImportSource): a missing folder, a file, an empty folder or a folder
// of other things is refused with an error naming it, and nothing is written.
#include <filesystem>

#include <doctest/doctest.h>

#include "export/export_test_util.h"

namespace labstore::test {
namespace {

bool Has(const Status& s, const std::string& needle) { return s.ToString().find(needle) != std::string::npos; }

// Import's error, after checking that the store was left empty.
Status ImportError(Store& store, const std::string& src) {
  auto report = Import(store, src);
  CHECK_FALSE(report.ok());
  CHECK(store.List().value().empty());
  return report.ok() ? Status::OK() : report.status();
}

TEST_SUITE("import") {

TEST_CASE("Import of a missing folder is NotFound naming it, and stores nothing") {
  TempDir tmp;
  Store store = OpenStore(tmp.Sub("store"));
  Status s = ImportError(store, tmp.Sub("missing"));
  CHECK(Code(s) == "NotFound");
  CHECK(Has(s, tmp.Sub("missing") + ": the folder does not exist"));
  CHECK(Has(s, "expected a machinable storage"));
  CHECK_FALSE(std::filesystem::exists(tmp.Sub("missing")));
}

TEST_CASE("Import of an empty folder is InvalidArgument: it is not a machinable storage") {
  TempDir tmp;
  Store store = OpenStore(tmp.Sub("store"));
  std::filesystem::create_directories(tmp.Sub("empty"));
  Status s = ImportError(store, tmp.Sub("empty") + "/");
  CHECK(Code(s) == "InvalidArgument");
  CHECK(Has(s, tmp.Sub("empty") + ": the folder is empty"));
  CHECK(Has(s, "storage.sqlite"));
}

TEST_CASE("Import of a folder without storage.sqlite or experiment folders is InvalidArgument") {
  TempDir tmp;
  Store store = OpenStore(tmp.Sub("store"));
  const std::string src = tmp.Sub("thesis");
  std::filesystem::create_directories(src + "/figures");
  WriteFile(src + "/main.tex", "\\section{x}");
  WriteFile(src + "/figures/plot.json", "{}");
  std::filesystem::create_directories(src + "/.hidden");
  WriteFile(src + "/.hidden/experiment.json", "{}");  // hidden folders are not experiments
  Status s = ImportError(store, src);
  CHECK(Code(s) == "InvalidArgument");
  CHECK(Has(s, src + ": it is not a machinable storage"));
  CHECK(Has(s, "<id>/experiment.json"));
  CHECK(ReadFile(src + "/main.tex") == "\\section{x}");
}

TEST_CASE("Import of a file is InvalidArgument: it is not a folder") {
  TempDir tmp;
  Store store = OpenStore(tmp.Sub("store"));
  WriteFile(tmp.Sub("file"), "x");
  Status s = ImportError(store, tmp.Sub("file"));
  CHECK(Code(s) == "InvalidArgument");
  CHECK(Has(s, tmp.Sub("file") + ": it is not a folder"));
}

TEST_CASE("A storage.sqlite alone, or one experiment folder alone, is a machinable storage") {
  TempDir tmp;
  std::filesystem::create_directories(tmp.Sub("a"));
  std::filesystem::copy_file(kGolden + "/storage.sqlite", tmp.Sub("a/storage.sqlite"));
  CHECK(CheckImportSource(tmp.Sub("a")).ok());
  std::filesystem::create_directories(tmp.Sub("b/rm3SAJ"));
  std::filesystem::copy_file(kGolden + "/rm3SAJ/experiment.json", tmp.Sub("b/rm3SAJ/experiment.json"));
  CHECK(CheckImportSource(tmp.Sub("b")).ok());
  CHECK(CheckImportSource(kGolden).ok());
  Store store = OpenStore(tmp.Sub("store"));
  auto report = Import(store, tmp.Sub("b"));
  REQUIRE_MESSAGE(report.ok(), report.status().ToString());
  CHECK(report->imported == std::vector<std::string>{"rm3SAJ"});
}

}  // TEST_SUITE

}  // namespace
}  // namespace labstore::test
