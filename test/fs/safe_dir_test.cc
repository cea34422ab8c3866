// SafeDir (lib/fs/safe_dir.h): file operations confined below one root. What
// it refuses (paths with '..', absolute paths, NUL bytes, symbolic links below
// the root) and what it does (atomic writes, temporaries swept).
#include "fs/safe_dir.h"

#include <algorithm>
#include <filesystem>
#include <string>

#include <doctest/doctest.h>

#include "test_util.h"

namespace labstore::internal {
namespace {

// Regular files below `dir`, symbolic links not followed.
size_t CountFiles(const std::string& dir) {
  size_t n = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) n += e.is_regular_file() ? 1 : 0;
  return n;
}

// <tmp>/root/a/ (the root and a folder in it) and <tmp>/outside/secret.
void MakeRootAndOutside(const test::TempDir& tmp) {
  std::filesystem::create_directories(tmp.Sub("root/a"));
  std::filesystem::create_directories(tmp.Sub("outside"));
  test::WriteFile(tmp.Sub("outside/secret"), "secret");
}

// SafeDir's message for a symbolic link at `path` that it will not follow.
std::string RefusedLink(const std::string& path) {
  return "refusing to follow the symbolic link " + path + ": links are never followed below the export or import root";
}

TEST_SUITE("fs") {

TEST_CASE("SafeDir refuses paths that leave the root and does not follow links") {
  test::TempDir tmp;
  std::filesystem::create_directories(tmp.Sub("root/a"));
  std::filesystem::create_directories(tmp.Sub("outside"));
  std::filesystem::create_directory_symlink(tmp.Sub("outside"), tmp.Sub("root/link"));
  auto root = SafeDir::Open(tmp.Sub("root"), false);
  REQUIRE(root.ok());
  for (const char* bad : {"", "/etc/passwd", "../x", "a/../../x", "a//b", "a/./b", "a/"}) {
    CAPTURE(bad);
    CHECK(test::Code(root->WriteAtomic(bad, "x", 0644, false)) == "InvalidArgument");
  }
  CHECK(test::Code(root->WriteAtomic(std::string("a\0b", 3), "x", 0644, false)) == "InvalidArgument");
  Status s = root->WriteAtomic("link/x", "x", 0644, false);
  CHECK(test::Code(s) == "InvalidArgument");
  CHECK(s.message().find("symbolic link") != std::string::npos);
  CHECK(test::Code(root->Read("link/x")) == "InvalidArgument");
  CHECK(!std::filesystem::exists(tmp.Sub("outside/x")));
  // A symlink as the final name is replaced, not written through.
  std::filesystem::create_symlink(tmp.Sub("outside/target"), tmp.Sub("root/a/file"));
  REQUIRE(root->WriteAtomic("a/file", "new", 0644, false).ok());
  CHECK(!std::filesystem::exists(tmp.Sub("outside/target")));
  CHECK(!std::filesystem::is_symlink(tmp.Sub("root/a/file")));
  CHECK(test::ReadFile(tmp.Sub("root/a/file")) == "new");
  // RemoveTree removes a link, not what it points to.
  test::WriteFile(tmp.Sub("outside/keep"), "k");
  REQUIRE(root->RemoveTree("link").ok());
  CHECK(std::filesystem::exists(tmp.Sub("outside/keep")));
}

TEST_CASE("SafeDir writes atomically and sweeps temporaries") {
  test::TempDir tmp;
  auto root = SafeDir::Open(tmp.Sub("root"), true);
  REQUIRE(root.ok());
  REQUIRE(root->WriteAtomic("a/b/c.txt", "one", 0644, true).ok());
  auto f = root->CreateAtomic("a/b/c.txt", 0644);
  REQUIRE(f.ok());
  REQUIRE(f->CopyExisting().ok());
  REQUIRE(f->Append("+two").ok());
  CHECK(test::ReadFile(tmp.Sub("root/a/b/c.txt")) == "one");  // not yet committed
  REQUIRE(f->Commit(false).ok());
  CHECK(test::ReadFile(tmp.Sub("root/a/b/c.txt")) == "one+two");
  {
    auto abandoned = root->CreateAtomic("a/d.txt", 0644);
    REQUIRE(abandoned.ok());
    REQUIRE(abandoned->Append("x").ok());
  }
  CHECK(!std::filesystem::exists(tmp.Sub("root/a/d.txt")));
  CHECK(root->List("a")->size() == 1);  // the abandoned temporary is gone
  test::WriteFile(tmp.Sub("root/a/.labstore-tmp.left.123"), "partial");
  std::filesystem::create_directories(tmp.Sub("root/.labstore-tmp.dir/x"));
  auto swept = root->SweepTemporaries();
  REQUIRE(swept.ok());
  CHECK(*swept == 2);
  CHECK(CountFiles(tmp.Sub("root")) == 1);
}

TEST_CASE("CheckRelative names why a path is refused") {
  CHECK(SafeDir::CheckRelative("a/b.txt").ok());
  CHECK(SafeDir::CheckRelative(".hidden/..x").ok());  // names that merely start with dots are fine
  CHECK(SafeDir::CheckRelative("").message() == "invalid relative path \"\": it is empty");
  CHECK(SafeDir::CheckRelative("/etc/passwd").message() == "invalid relative path \"/etc/passwd\": it is absolute");
  CHECK(SafeDir::CheckRelative("a/../../x").message() ==
        "invalid relative path \"a/../../x\": '.' and '..' are not allowed");
  CHECK(SafeDir::CheckRelative("..").message() == "invalid relative path \"..\": '.' and '..' are not allowed");
  CHECK(SafeDir::CheckRelative("a//b").message() == "invalid relative path \"a//b\": empty segment");
  CHECK(SafeDir::CheckRelative(std::string("a\0b", 3)).message() == "invalid relative path \"a\\0b\": NUL byte");
}

TEST_CASE("Every SafeDir operation refuses '..' and absolute paths, and leaves the outside alone") {
  test::TempDir tmp;
  MakeRootAndOutside(tmp);
  test::WriteFile(tmp.Sub("root/a/f"), "inside");
  auto root = SafeDir::Open(tmp.Sub("root"), false);
  REQUIRE(root.ok());
  const std::string abs = tmp.Sub("outside/secret");
  for (const std::string& bad : {std::string("../outside/secret"), std::string("a/../../outside/secret"), abs}) {
    CAPTURE(bad);
    const std::string dir = ParentOf(bad);
    CHECK(test::Code(root->Read(bad)) == "InvalidArgument");
    CHECK(test::Code(root->Kind(bad)) == "InvalidArgument");
    CHECK(test::Code(root->Size(bad)) == "InvalidArgument");
    CHECK(test::Code(root->OpenFile(bad)) == "InvalidArgument");
    CHECK(test::Code(root->List(dir)) == "InvalidArgument");
    CHECK(test::Code(root->SyncDir(dir)) == "InvalidArgument");
    CHECK(test::Code(root->MakeDirs(dir + "/made")) == "InvalidArgument");
    CHECK(test::Code(root->WriteAtomic(bad, "x", 0644, false)) == "InvalidArgument");
    CHECK(test::Code(root->CreateAtomic(bad, 0644)) == "InvalidArgument");
    CHECK(test::Code(root->RemoveFile(bad)) == "InvalidArgument");
    CHECK(test::Code(root->RemoveTree(dir)) == "InvalidArgument");
    CHECK(test::Code(root->Rename(bad, "a/stolen", false)) == "InvalidArgument");
    CHECK(test::Code(root->Rename("a/f", bad, false)) == "InvalidArgument");
    CHECK(test::Code(root->LinkTree(dir, "copy")) == "InvalidArgument");
    CHECK(test::Code(root->LinkTree("a", dir + "/copy")) == "InvalidArgument");
    CHECK(test::Code(root->Exchange("a", dir, false)) == "InvalidArgument");
  }
  CHECK(test::ReadFile(tmp.Sub("outside/secret")) == "secret");
  CHECK(CountFiles(tmp.Sub("outside")) == 1);
  CHECK(!std::filesystem::exists(tmp.Sub("outside/made")));
  CHECK(!std::filesystem::exists(tmp.Sub("outside/copy")));
  CHECK(test::ReadFile(tmp.Sub("root/a/f")) == "inside");
  CHECK(!std::filesystem::exists(tmp.Sub("root/copy")));
}

TEST_CASE("Symbolic links below the root are reported, never followed") {
  test::TempDir tmp;
  MakeRootAndOutside(tmp);
  std::filesystem::create_directory_symlink(tmp.Sub("outside"), tmp.Sub("root/dirlink"));
  std::filesystem::create_symlink(tmp.Sub("outside/secret"), tmp.Sub("root/filelink"));
  auto root = SafeDir::Open(tmp.Sub("root"), false);
  REQUIRE(root.ok());
  CHECK(*root->Kind("dirlink") == EntryKind::kSymlink);
  CHECK(*root->Kind("filelink") == EntryKind::kSymlink);
  auto entries = root->List("");
  REQUIRE(entries.ok());
  REQUIRE(entries->size() == 3);
  CHECK((*entries)[1].name == "dirlink");
  CHECK((*entries)[1].kind == EntryKind::kSymlink);
  CHECK((*entries)[2].kind == EntryKind::kSymlink);
  // A link as the last segment.
  CHECK(test::Code(root->Read("filelink")) == "InvalidArgument");
  CHECK(root->Read("filelink").status().message() == RefusedLink(tmp.Sub("root/filelink")));
  CHECK(test::Code(root->Size("filelink")) == "InvalidArgument");
  CHECK(test::Code(root->List("dirlink")) == "InvalidArgument");
  // A link on the way.
  CHECK(test::Code(root->Kind("dirlink/secret")) == "InvalidArgument");
  CHECK(root->Kind("dirlink/secret").status().message() == RefusedLink(tmp.Sub("root/dirlink")));
  CHECK(test::Code(root->Read("dirlink/secret")) == "InvalidArgument");
  CHECK(test::Code(root->MakeDirs("dirlink/made")) == "InvalidArgument");
  CHECK(test::Code(root->RemoveFile("dirlink/secret")) == "InvalidArgument");
  CHECK(test::Code(root->Rename("dirlink/secret", "a/stolen", false)) == "InvalidArgument");
  CHECK(test::ReadFile(tmp.Sub("outside/secret")) == "secret");
  CHECK(!std::filesystem::exists(tmp.Sub("outside/made")));
  CHECK(!std::filesystem::exists(tmp.Sub("root/a/stolen")));
  // LinkTree refuses to copy a tree holding a link.
  std::filesystem::create_symlink(tmp.Sub("outside/secret"), tmp.Sub("root/a/link"));
  Status linked = root->LinkTree("a", "copy");
  CHECK(test::Code(linked) == "InvalidArgument");
  CHECK(linked.message() == tmp.Sub("root/a/link") + " is not a regular file or folder: "
                                                     "symbolic links are never followed below the export root");
}

TEST_CASE("SweepTemporaries removes a temporary that is a link, not its target, and does not enter linked folders") {
  test::TempDir tmp;
  MakeRootAndOutside(tmp);
  test::WriteFile(tmp.Sub("outside/.labstore-tmp.kept"), "k");
  std::filesystem::create_directory_symlink(tmp.Sub("outside"), tmp.Sub("root/dirlink"));
  std::filesystem::create_directory_symlink(tmp.Sub("outside"), tmp.Sub("root/.labstore-tmp.link"));
  auto root = SafeDir::Open(tmp.Sub("root"), false);
  REQUIRE(root.ok());
  auto swept = root->SweepTemporaries();
  REQUIRE(swept.ok());
  CHECK(*swept == 1);
  CHECK(!std::filesystem::is_symlink(tmp.Sub("root/.labstore-tmp.link")));
  // The same SafeDir lists its root again after the sweep (the listings share
  // the root descriptor's offset: each one starts from the beginning).
  auto first = root->List("");
  auto second = root->List("");
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  auto names = [](const std::vector<DirEntry>& entries) {
    std::vector<std::string> out;
    for (const auto& e : entries) out.push_back(e.name);
    std::sort(out.begin(), out.end());
    return out;
  };
  CHECK(names(*first) == std::vector<std::string>{"a", "dirlink"});
  CHECK(names(*second) == names(*first));
  CHECK(test::ReadFile(tmp.Sub("outside/.labstore-tmp.kept")) == "k");
  CHECK(test::ReadFile(tmp.Sub("outside/secret")) == "secret");
}

TEST_CASE("The root itself may be a symbolic link; it must be a directory") {
  test::TempDir tmp;
  std::filesystem::create_directories(tmp.Sub("real"));
  test::WriteFile(tmp.Sub("real/f"), "bytes");
  std::filesystem::create_directory_symlink(tmp.Sub("real"), tmp.Sub("root"));
  auto root = SafeDir::Open(tmp.Sub("root/"), false);
  REQUIRE(root.ok());
  CHECK(root->path() == tmp.Sub("root"));
  CHECK(*root->Read("f") == "bytes");
  auto file = SafeDir::Open(tmp.Sub("real/f"), false);
  CHECK(test::Code(file) == "InvalidArgument");
  CHECK(file.status().message() == tmp.Sub("real/f") + " is not a directory");
  CHECK(test::Code(SafeDir::Open(tmp.Sub("missing"), false)) == "NotFound");
  CHECK(SafeDir::Open(tmp.Sub("made/here"), true).ok());
  CHECK(std::filesystem::is_directory(tmp.Sub("made/here")));
}

}  // TEST_SUITE

}  // namespace
}  // namespace labstore::internal
