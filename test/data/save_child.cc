// save_child STORE_DIR EXPERIMENT_ID SIDE_FILE SEED FIRST_VERSION
//
// Saves large files until it is killed: version v goes to path
// data/f<v % 5>.bin (so files are overwritten), is 1..8 MiB long and holds
// SaveContent(v) (test/data/save_content.h); even versions go through
// SaveData, odd ones are streamed with a FileWriter. After each save returns
// OK it appends "<path> <v>\n" to SIDE_FILE and fdatasyncs it. The parent
// (test/data/crash_test.cc) SIGKILLs it at a random moment and checks the store.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "labstore/data.h"
#include "labstore/labstore.h"
#include "save_content.h"

namespace {

int Fail(const labstore::Status& s) {
  std::fprintf(stderr, "%s\n", s.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 6) {
    std::fprintf(stderr, "usage: save_child STORE_DIR EXPERIMENT_ID SIDE_FILE SEED FIRST_VERSION\n");
    return 2;
  }
  auto store = labstore::Store::Open({.create_if_missing = false}, argv[1]);
  if (!store.ok()) return Fail(store.status());
  int side = ::open(argv[3], O_WRONLY | O_APPEND | O_CREAT, 0644);
  if (side < 0) return 1;
  const uint64_t seed = std::strtoull(argv[4], nullptr, 10);
  for (uint64_t v = std::strtoull(argv[5], nullptr, 10);; ++v) {
    const std::string path = labstore::test::SavePath(v);
    const std::string content = labstore::test::SaveContent(v, seed);
    if (v % 2 == 0) {
      // SaveData names files below data/, as machinable's save_data does.
      labstore::Status s =
          labstore::SaveData(*store, argv[2], path.substr(5), labstore::DataValue::Bytes(content));
      if (!s.ok()) return Fail(s);
    } else {
      auto w = labstore::FileWriter::Open(*store, argv[2], path);
      if (!w.ok()) return Fail(w.status());
      for (size_t at = 0; at < content.size(); at += 300000) {
        labstore::Status s = w->Append(std::string_view(content).substr(at, 300000));
        if (!s.ok()) return Fail(s);
      }
      if (labstore::Status s = w->Close(); !s.ok()) return Fail(s);
    }
    std::string line = path + " " + std::to_string(v) + "\n";
    if (::write(side, line.data(), line.size()) != static_cast<ssize_t>(line.size())) return 1;
    ::fdatasync(side);
  }
}
