// Store::Close (and ~Store, Store::Refresh) with handles still open: record
// writers store their rows and refuse later calls, file writers abandon their
// unfinished file, readers fail their next read; nothing crashes (the ASan
// build runs these too).
#include <optional>
#include <string>

#include <doctest/doctest.h>

#include "labstore/data.h"
#include "record/record_test_util.h"

namespace labstore {
namespace {

using test::Code;
using test::TempDir;

bool Has(const Status& s, const std::string& needle) { return s.ToString().find(needle) != std::string::npos; }

// Saves rows {i: from..to-1}; none is flushed (no time or row trigger).
void SaveRows(RecordWriter& w, int from, int to) {
  for (int i = from; i < to; ++i) {
    w.Set("i", i);
    REQUIRE(w.Save().ok());
  }
}

// The values of column "i" in `scope`, as "0,1,2".
std::string Values(const std::string& dir, const std::string& id, const std::string& scope) {
  auto store = Store::Open({.read_only = true}, dir);
  REQUIRE_MESSAGE(store.ok(), store.status().ToString());
  auto cols = ReadColumns(*store, id, scope);
  REQUIRE_MESSAGE(cols.ok(), cols.status().ToString());
  std::string out;
  const ColumnData* c = cols->Find("i");
  for (uint64_t r = 0; c != nullptr && r < cols->rows; ++r) out += (r ? "," : "") + std::to_string(c->ints[r]);
  return out;
}

const RecordOptions kNoAutoFlush{.flush_interval_ms = 0};

TEST_SUITE("store") {

TEST_CASE("Store::Close stores the rows of open record writers; their later calls are InvalidArgument") {
  TempDir tmp;
  const std::string dir = tmp.Sub("s");
  std::optional<RecordWriter> a, b, done;
  std::string id;
  {
    Store store = test::OpenStore(dir);
    id = test::NewExperiment(store);
    a.emplace(test::OpenWriter(store, id, "default", kNoAutoFlush));
    b.emplace(test::OpenWriter(store, id, "validation", kNoAutoFlush));
    done.emplace(test::OpenWriter(store, id, "closed", kNoAutoFlush));
    SaveRows(*a, 0, 5);
    SaveRows(*b, 0, 3);
    SaveRows(*done, 0, 2);
    REQUIRE(done->Close().ok());
    a->Set("i", 99);  // being built, never saved: dropped
    CHECK(a->stored_rows() == 0);
    REQUIRE(store.Close().ok());
    CHECK(a->stored_rows() == 5);
    CHECK(b->stored_rows() == 3);
  }
  Status s = a->Save();
  CHECK(Code(s) == "InvalidArgument");
  CHECK(Has(s, "record writer for experiment " + id + " scope \"default\" was closed by Store::Close"));
  CHECK(Code(a->Flush()) == "InvalidArgument");
  CHECK(Has(a->Close(), "was closed by Store::Close"));
  a->Set("i", 7);  // builds in memory only
  CHECK(Code(a->Save()) == "InvalidArgument");
  CHECK(a->Last().value().Find("i")->as_int64() == 4);  // from memory
  CHECK(done->Close().ok());                            // closed by its owner: Close again is OK
  CHECK(Code(done->Last()) == "OK");
  a.reset();
  b.reset();
  done.reset();
  CHECK(Values(dir, id, "default") == "0,1,2,3,4");
  CHECK(Values(dir, id, "validation") == "0,1,2");
  CHECK(Values(dir, id, "closed") == "0,1");
}

TEST_CASE("Destroying a Store with an open record writer stores its rows; the writer stays safe to use and destroy") {
  TempDir tmp;
  const std::string dir = tmp.Sub("s");
  std::optional<RecordWriter> w;
  std::string id;
  {
    Store store = test::OpenStore(dir);
    id = test::NewExperiment(store);
    w.emplace(test::OpenWriter(store, id, "default", kNoAutoFlush));
    SaveRows(*w, 0, 4);
  }  // ~Store, no Close
  CHECK(Code(w->Save()) == "InvalidArgument");
  CHECK(Has(w->Flush(), "closed by Store::Close"));
  w.reset();
  CHECK(Values(dir, id, "default") == "0,1,2,3");
  // The scope is free again: a writer on the reopened store is not Busy.
  Store store = test::OpenStore(dir);
  RecordWriter again = test::OpenWriter(store, id, "default", kNoAutoFlush);
  SaveRows(again, 4, 6);
  REQUIRE(again.Close().ok());
  REQUIRE(store.Close().ok());
  CHECK(Values(dir, id, "default") == "0,1,2,3,4,5");
}

TEST_CASE("Moving another store over a Store with open writers closes it: the rows are stored") {
  TempDir tmp;
  std::optional<RecordWriter> w;
  std::string id;
  Store store = test::OpenStore(tmp.Sub("a"));
  id = test::NewExperiment(store);
  w.emplace(test::OpenWriter(store, id, "default", kNoAutoFlush));
  SaveRows(*w, 0, 3);
  store = test::OpenStore(tmp.Sub("b"));
  CHECK(Code(w->Save()) == "InvalidArgument");
  w.reset();
  CHECK(Values(tmp.Sub("a"), id, "default") == "0,1,2");
}

TEST_CASE("Store::Close abandons an unfinished FileWriter: nothing is stored, later calls are InvalidArgument") {
  TempDir tmp;
  const std::string dir = tmp.Sub("s");
  std::optional<FileWriter> w;
  std::string id;
  {
    Store store = test::OpenStore(dir);
    id = test::NewExperiment(store);
    w.emplace(FileWriter::Open(store, id, "data/big.bin").value());
    REQUIRE(w->Append(std::string(3u << 20, 'x')).ok());  // past the inline size: chunks are written
    REQUIRE(store.Close().ok());
  }
  Status s = w->Append("more");
  CHECK(Code(s) == "InvalidArgument");
  CHECK(Has(s, "file writer for file \"data/big.bin\" of experiment \"" + id + "\" was closed by Store::Close"));
  CHECK(Has(s, "the file was not stored"));
  CHECK(Code(w->Close()) == "InvalidArgument");
  CHECK(w->bytes_written() == 3u << 20);
  w.reset();
  Store store = test::OpenStore(dir);
  CHECK(Code(LoadFile(store, id, "data/big.bin")) == "NotFound");
  auto gc = GarbageCollect(store);
  REQUIRE(gc.ok());
  CHECK(gc->uploads_removed == 0);  // its chunks went when the store closed
}

TEST_CASE("Store::Close ends open FileReaders and RecordReaders: their next read is InvalidArgument") {
  TempDir tmp;
  std::optional<FileReader> file;
  std::optional<RecordReader> rows;
  std::string id;
  {
    Store store = test::OpenStore(tmp.Sub("s"));
    id = test::NewExperiment(store);
    REQUIRE(SaveFile(store, id, "data/a.txt", std::string(3u << 20, 'a')).ok());
    RecordWriter w = test::OpenWriter(store, id, "default", {.flush_rows = 2});
    SaveRows(w, 0, 6);
    REQUIRE(w.Close().ok());
    file.emplace(FileReader::Open(store, id, "data/a.txt").value());
    rows.emplace(RecordReader::Open(store, id, "default").value());
    std::string buf(1000, '\0');
    CHECK(file->Read(buf).value() == 1000);
    Row row;
    CHECK(rows->Next(&row));
    REQUIRE(store.Close().ok());
  }
  std::string buf(1000, '\0');
  auto n = file->Read(buf);
  CHECK(Code(n) == "InvalidArgument");
  CHECK(Has(n.status(), "file reader for file \"data/a.txt\" of experiment \"" + id + "\" was closed by Store::Close"));
  CHECK(file->size() == 3u << 20);
  Row row;
  CHECK_FALSE(rows->Next(&row));
  CHECK(Code(rows->status()) == "InvalidArgument");
  CHECK(Has(rows->status(), "record reader for experiment " + id + " scope \"default\" was closed by Store::Close"));
  file.reset();
  rows.reset();
}

TEST_CASE("Store::Refresh ends readers opened before it; new readers see the new rows") {
  TempDir tmp;
  const std::string dir = tmp.Sub("s");
  Store writer = test::OpenStore(dir);
  std::string id = test::NewExperiment(writer);
  REQUIRE(SaveFile(writer, id, "data/a.txt", "abc").ok());
  RecordWriter w = test::OpenWriter(writer, id, "default", kNoAutoFlush);
  SaveRows(w, 0, 2);
  REQUIRE(w.Flush().ok());
  auto reader = Store::Open({.read_only = true}, dir);
  REQUIRE(reader.ok());
  RecordReader rows = RecordReader::Open(*reader, id, "default").value();
  FileReader file = FileReader::Open(*reader, id, "data/a.txt").value();
  SaveRows(w, 2, 3);
  REQUIRE(w.Flush().ok());
  REQUIRE(reader->Refresh().ok());
  Row row;
  CHECK_FALSE(rows.Next(&row));
  CHECK(Has(rows.status(), "was closed by Store::Refresh"));
  std::string buf(8, '\0');
  CHECK(Has(file.Read(buf).status(), "was closed by Store::Refresh"));
  CHECK(RecordReader::Open(*reader, id, "default").value().size() == 3);
  REQUIRE(w.Close().ok());
}

}  // TEST_SUITE

}  // namespace
}  // namespace labstore
