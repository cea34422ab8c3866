// Path rules of labstore/data.h, one check per rule, through every entry point.
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "data/path.h"
#include "data_test_util.h"

namespace labstore {
namespace {

using test::Code;

// The message of ValidatePath, or "OK".
std::string Check(std::string_view path) {
  Status s = internal::ValidatePath(path);
  return s.ok() ? "OK" : s.ToString();
}

TEST_SUITE("data") {

TEST_CASE("Relative normalized paths are accepted") {
  CHECK(Check("a") == "OK");
  CHECK(Check("data/result.json") == "OK");
  CHECK(Check("data/nested/notes.txt") == "OK");
  CHECK(Check(".hidden") == "OK");
  CHECK(Check("a/...") == "OK");       // only "." and ".." are special
  CHECK(Check("a/..b/c..") == "OK");
  CHECK(Check("m/s²/ünï code") == "OK");
  CHECK(Check(std::string(255, 'x')) == "OK");
  CHECK(Check(std::string(255, 'x') + "/" + std::string(255, 'y') + "/" + std::string(255, 'z') + "/" +
              std::string(255, 'w')) == "OK");  // 1023 bytes
}

TEST_CASE("Every path rule is InvalidArgument naming the path") {
  CHECK(Check("") == "InvalidArgument: invalid path \"\": a path may not be empty");
  CHECK(Check("/abs") == "InvalidArgument: invalid path \"/abs\": a path must be relative, not start with '/'");
  CHECK(Check("/") == "InvalidArgument: invalid path \"/\": a path must be relative, not start with '/'");
  CHECK(Check("a//b") ==
        "InvalidArgument: invalid path \"a//b\": a path may not have an empty segment (\"//\" or a trailing '/')");
  CHECK(Check("a/") ==
        "InvalidArgument: invalid path \"a/\": a path may not have an empty segment (\"//\" or a trailing '/')");
  CHECK(Check("..") == "InvalidArgument: invalid path \"..\": a path may not have a \"..\" segment");
  CHECK(Check("../x") == "InvalidArgument: invalid path \"../x\": a path may not have a \"..\" segment");
  CHECK(Check("a/../b") == "InvalidArgument: invalid path \"a/../b\": a path may not have a \"..\" segment");
  CHECK(Check("a/..") == "InvalidArgument: invalid path \"a/..\": a path may not have a \"..\" segment");
  CHECK(Check(".") == "InvalidArgument: invalid path \".\": a path may not have a \".\" segment");
  CHECK(Check("a/./b") == "InvalidArgument: invalid path \"a/./b\": a path may not have a \".\" segment");
  CHECK(Check("./a") == "InvalidArgument: invalid path \"./a\": a path may not have a \".\" segment");
  CHECK(Check(std::string("a\0b", 3)) ==
        "InvalidArgument: invalid path \"a\\x00b\": a path may not contain a NUL byte");
  CHECK(Check(std::string(256, 'x')).find("a path segment may have at most 255 bytes") != std::string::npos);
  std::string long_path = std::string(255, 'x') + "/" + std::string(255, 'y') + "/" + std::string(255, 'z') + "/" +
                          std::string(255, 'w') + "/v";  // 1025 bytes
  CHECK(Check(long_path).find("a path may have at most 1024 bytes, this one has 1025") != std::string::npos);
}

TEST_CASE("Save, load, delete, stream and data paths all check the path") {
  data_test::DataFixture f;
  for (std::string bad :
       std::vector<std::string>{"", "/etc/passwd", "a//b", "../x", "a/../b", "a/./b", std::string("a\0b", 3)}) {
    CAPTURE(bad);
    CHECK(Code(SaveFile(f.store, f.id, bad, "x")) == "InvalidArgument");
    CHECK(Code(LoadFile(f.store, f.id, bad)) == "InvalidArgument");
    CHECK(Code(DeleteFile(f.store, f.id, bad)) == "InvalidArgument");
    CHECK(Code(FileWriter::Open(f.store, f.id, bad)) == "InvalidArgument");
    CHECK(Code(FileReader::Open(f.store, f.id, bad)) == "InvalidArgument");
    CHECK(Code(SaveData(f.store, f.id, bad, DataValue::Bytes("x"))) == "InvalidArgument");
    CHECK(Code(LoadData(f.store, f.id, bad)) == "InvalidArgument");
  }
  Status s = SaveData(f.store, f.id, "../escape.txt", DataValue::Bytes("x"));
  CHECK(s.message() == "invalid path \"../escape.txt\": a path may not have a \"..\" segment");
  // "data/" + 1020 bytes is over the limit although the caller's part is not.
  std::string near = std::string(255, 'a') + "/" + std::string(255, 'b') + "/" + std::string(255, 'c') + "/" +
                     std::string(252, 'd');
  CHECK(Check(near) == "OK");
  CHECK(Code(SaveData(f.store, f.id, near, DataValue::Bytes("x"))) == "InvalidArgument");
  CHECK(data_test::ListFilesCount(f.store, f.id) == 0);
}

TEST_CASE("A file cannot also be a folder") {
  data_test::DataFixture f;
  REQUIRE(SaveFile(f.store, f.id, "a/b", "1").ok());
  Status s = SaveFile(f.store, f.id, "a", "2");
  CHECK(s.ToString() == "InvalidArgument: cannot save \"a\": it is the folder of file \"a/b\"");
  s = SaveFile(f.store, f.id, "a/b/c", "3");
  CHECK(s.ToString() == "InvalidArgument: cannot save \"a/b/c\": \"a/b\" is a file");
  CHECK(Code(FileWriter::Open(f.store, f.id, "a/b/c")) == "InvalidArgument");
  CHECK(SaveFile(f.store, f.id, "a/c", "4").ok());   // a sibling is fine
  CHECK(SaveFile(f.store, f.id, "ab", "5").ok());    // and so is a longer name
  CHECK(SaveFile(f.store, f.id, "a/b", "6").ok());   // and overwriting
  REQUIRE(DeleteFile(f.store, f.id, "a/b").ok());
  REQUIRE(DeleteFile(f.store, f.id, "a/c").ok());
  CHECK(SaveFile(f.store, f.id, "a", "7").ok());     // the folder is gone with its files
}

}  // TEST_SUITE
}  // namespace
}  // namespace labstore
