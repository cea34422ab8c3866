// FileWriter / FileReader: streams in bounded memory, dedup of streamed
// content, snapshots, abandoned and crashed writers, GarbageCollect.
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "data/content_store.h"
#include "experiment/lookup.h"
#include "data_test_util.h"
#include "util/coding.h"
#include "util/hash.h"
#include "util/return_if_error.h"

namespace labstore {
namespace {

constexpr size_t kMiB = size_t{1} << 20;  // = internal::kInlineBytes, where uploads start
using test::Code;
using data_test::CountBlobKeys;
using data_test::Load;

// Deterministic bytes: block `i` of a stream seeded by `seed`.
void FillBlock(std::string* block, uint64_t seed, uint64_t i) {
  uint64_t x = (seed + 1) * 0x9e3779b97f4a7c15ull ^ (i + 1) * 0xbf58476d1ce4e5b9ull;
  for (size_t j = 0; j + 8 <= block->size(); j += 8) {
    x ^= x << 13, x ^= x >> 7, x ^= x << 17;
    std::memcpy(block->data() + j, &x, 8);
  }
}

std::string Stream(size_t n, uint64_t seed) {
  std::string s(n + 8, '\0');
  FillBlock(&s, seed, 0);
  s.resize(n);
  return s;
}

// Writes `bytes` through a FileWriter in appends of `step` bytes.
Status WriteStream(Store& store, const std::string& id, const std::string& path, std::string_view bytes, size_t step) {
  auto w = FileWriter::Open(store, id, path);
  if (!w.ok()) return w.status();
  for (size_t at = 0; at < bytes.size(); at += step) LABSTORE_RETURN_IF_ERROR(w->Append(bytes.substr(at, step)));
  return w->Close();
}

// Reads a whole file through a FileReader in reads of `step` bytes.
std::string ReadStream(Store& store, const std::string& id, const std::string& path, size_t step) {
  auto r = FileReader::Open(store, id, path);
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  std::string out, buf(step, '\0');
  while (true) {
    auto n = r->Read(buf);
    REQUIRE_MESSAGE(n.ok(), n.status().ToString());
    if (*n == 0) return out;
    out.append(buf.data(), *n);
  }
}

// Peak resident memory (VmHWM) in bytes; ResetPeak() starts a new peak.
uint64_t PeakRss() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::strtoull(line.c_str() + 6, nullptr, 10) * 1024;
  }
  return 0;
}
uint64_t CurrentRss() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::strtoull(line.c_str() + 6, nullptr, 10) * 1024;
  }
  return 0;
}
bool ResetPeak() {
  std::ofstream out("/proc/self/clear_refs");
  out << "5";
  out.flush();
  return out.good();
}

TEST_SUITE("data") {

TEST_CASE("FileWriter and FileReader round-trip files around the chunk size") {
  data_test::DataFixture f;
  size_t chunk = internal::ChunkSizeFor(*internal::StateOf(f.store));
  for (size_t size : {size_t{0}, size_t{1}, chunk - 1, chunk, chunk + 1, kMiB - 1, kMiB, kMiB + 1, 3 * kMiB + 17}) {
    for (size_t step : {size_t{1000}, kMiB, 5 * kMiB}) {
      if (step == 1000 && size > 2 * kMiB) continue;
      CAPTURE(size);
      CAPTURE(step);
      std::string bytes = Stream(size, size + step);
      std::string path = fmt::format("data/s{}_{}.bin", size, step);
      REQUIRE(WriteStream(f.store, f.id, path, bytes, step).ok());
      CHECK(Load(f.store, f.id, path) == bytes);
      CHECK(ReadStream(f.store, f.id, path, 4096) == bytes);
      CHECK(ReadStream(f.store, f.id, path, 3 * kMiB) == bytes);
      auto r = FileReader::Open(f.store, f.id, path);
      REQUIRE(r.ok());
      CHECK(r->size() == size);
      CHECK(r->content_hash() == internal::ToHex(internal::Hash128(bytes)));
      CHECK(r->format() == DataFormat::kRaw);
    }
  }
  CHECK(CountBlobKeys(f.store, 'u') == 0);
}

TEST_CASE("A streamed file equal to a stored one is stored once") {
  data_test::DataFixture f;
  std::string bytes = Stream(4 * kMiB + 3, 11);
  REQUIRE(SaveFile(f.store, f.id, "a", bytes).ok());
  REQUIRE(WriteStream(f.store, f.id, "b", bytes, 65536).ok());
  REQUIRE(WriteStream(f.store, data_test::NewExperiment(f.store), "c", bytes, kMiB).ok());
  CHECK(CountBlobKeys(f.store, 'h') == 1);
  CHECK(CountBlobKeys(f.store, 'd') == data_test::Chunks(f.store, bytes.size()));
  CHECK(CountBlobKeys(f.store, 'u') == 0);
  CHECK(Load(f.store, f.id, "b") == bytes);
  REQUIRE(DeleteFile(f.store, f.id, "a").ok());
  REQUIRE(DeleteFile(f.store, f.id, "b").ok());
  CHECK(CountBlobKeys(f.store, 'd') == data_test::Chunks(f.store, bytes.size()));
}

TEST_CASE("A FileWriter destroyed without Close leaves nothing") {
  data_test::DataFixture f;
  REQUIRE(SaveFile(f.store, f.id, "x", "old").ok());
  {
    auto w = FileWriter::Open(f.store, f.id, "x");
    REQUIRE(w.ok());
    REQUIRE(w->Append(Stream(3 * kMiB, 1)).ok());
    CHECK(w->bytes_written() == 3 * kMiB);
    CHECK(CountBlobKeys(f.store, 'u') == 1);
  }
  CHECK(Load(f.store, f.id, "x") == "old");
  CHECK(CountBlobKeys(f.store, 'u') == 0);
  CHECK(CountBlobKeys(f.store, 'd') == 1);
  auto w = FileWriter::Open(f.store, f.id, "y");
  REQUIRE(w.ok());
  REQUIRE(w->Close().ok());
  CHECK(Load(f.store, f.id, "y") == "");
  CHECK(Code(w->Append("more")) == "InvalidArgument");
  CHECK(Code(w->Close()) == "InvalidArgument");
}

TEST_CASE("A FileReader reads the snapshot of its Open while the file is replaced and reclaimed") {
  data_test::DataFixture f;
  std::string before = Stream(3 * kMiB + 5, 21);
  REQUIRE(SaveFile(f.store, f.id, "x", before).ok());
  auto r = FileReader::Open(f.store, f.id, "x");
  REQUIRE(r.ok());
  std::string first(1000, '\0');
  REQUIRE(*r->Read(first) == 1000);
  REQUIRE(SaveFile(f.store, f.id, "x", "after").ok());
  REQUIRE(DeleteFile(f.store, f.id, "x").ok());
  CHECK(CountBlobKeys(f.store, 'h') == 0);
  std::string rest(8 * kMiB, '\0');
  auto n = r->Read(rest);
  REQUIRE(n.ok());
  CHECK(first + rest.substr(0, *n) == before);
  CHECK(*r->Read(rest) == 0);
  CHECK(Code(FileReader::Open(f.store, f.id, "x")) == "NotFound");
}

TEST_CASE("FileReader reports a hash mismatch as Corruption at the end") {
  data_test::DataFixture f;
  REQUIRE(WriteStream(f.store, f.id, "data/x.bin", Stream(2 * kMiB + 1, 5), kMiB).ok());
  auto* st = internal::StateOf(f.store);
  std::string chunk;
  std::string key = "d";
  std::unique_ptr<rocksdb::Iterator> it(st->db->NewIterator({}, st->handle(internal::kCfBlobs)));
  it->Seek("d");
  REQUIRE(it->Valid());
  key = it->key().ToString();
  std::string damaged = it->value().ToString();
  damaged[100] ^= 1;
  REQUIRE(st->db->Put({}, st->handle(internal::kCfBlobs), key, damaged).ok());
  auto r = FileReader::Open(f.store, f.id, "data/x.bin");
  REQUIRE(r.ok());
  std::string buf(kMiB, '\0');
  Status last;
  for (int i = 0; i < 10; ++i) {
    auto n = r->Read(buf);
    if (!n.ok()) { last = n.status(); break; }
    if (*n == 0) break;
  }
  CHECK(Code(last) == "Corruption");
  CHECK(last.message().find("file \"data/x.bin\" of experiment \"" + f.id + "\" does not match its hash") !=
        std::string::npos);
}

TEST_CASE("Large files stream in bounded memory" * doctest::test_suite("slow")) {
  // LABSTORE_LONG=1: 1 GiB; otherwise 256 MiB. Either way RSS may grow by
  // less than 64 MiB: two memtables of kUploadFlushBytes, one batch, and the
  // index and filter blocks of the new tables in the block cache.
  const char* long_mode = std::getenv("LABSTORE_LONG");
  uint64_t mib = long_mode && *long_mode && std::string(long_mode) != "0" ? 1024 : 256;
  data_test::DataFixture f;
  std::string block(kMiB, '\0');
  internal::ContentHasher written;
  // Warm up RocksDB's own allocations (block cache, table readers) on a small file first.
  REQUIRE(WriteStream(f.store, f.id, "warm", Stream(4 * kMiB, 2), kMiB).ok());
  REQUIRE(ReadStream(f.store, f.id, "warm", kMiB).size() == 4 * kMiB);
  uint64_t base = CurrentRss();
  bool have_peak = ResetPeak();
  {
    auto w = FileWriter::Open(f.store, f.id, "data/big.bin");
    REQUIRE(w.ok());
    for (uint64_t i = 0; i < mib; ++i) {
      FillBlock(&block, 99, i);
      written.Update(block);
      REQUIRE(w->Append(block).ok());
    }
    REQUIRE(w->Close().ok());
  }
  uint64_t write_peak = PeakRss();
  ResetPeak();
  {
    auto r = FileReader::Open(f.store, f.id, "data/big.bin");
    REQUIRE(r.ok());
    CHECK(r->size() == mib << 20);
    internal::ContentHasher read;
    uint64_t total = 0;
    while (true) {
      auto n = r->Read(block);
      REQUIRE_MESSAGE(n.ok(), n.status().ToString());
      if (*n == 0) break;
      read.Update(std::string_view(block.data(), *n));
      total += *n;
    }
    CHECK(total == mib << 20);
    CHECK(read.Finish() == written.Finish());
  }
  uint64_t read_peak = PeakRss();
  MESSAGE(fmt::format("{} MiB file: peak RSS {} MiB over the {} MiB before writing, {} MiB reading", mib,
                      (write_peak - std::min(write_peak, base)) >> 20, base >> 20,
                      (read_peak - std::min(read_peak, base)) >> 20));
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  have_peak = false;  // the sanitizers keep freed memory in quarantine: RSS says nothing here
#endif
  if (have_peak) {
    CHECK(write_peak < base + (64u << 20));
    CHECK(read_peak < base + (64u << 20));
  }
  auto files = ListFiles(f.store, f.id, "data/");
  REQUIRE(files.ok());
  CHECK((*files)[0].size == mib << 20);
  CHECK(CountBlobKeys(f.store, 'd') == data_test::Chunks(f.store, 4 * kMiB) + data_test::Chunks(f.store, mib << 20));
}

TEST_CASE("GarbageCollect removes what a writer killed mid-file left, and nothing else") {
  test::TempDir tmp;
  std::string dir = tmp.Sub("s");
  std::string kept = Stream(2 * kMiB + 9, 4);
  std::string id;
  {
    Store store = test::OpenStore(dir);
    id = data_test::NewExperiment(store);
    REQUIRE(SaveFile(store, id, "kept", kept).ok());
  }
  std::string out;
  int rc = test::RunCommand(fmt::format("{} {} data/partial.bin 40", LABSTORE_CRASH_WRITER, dir), &out);
  REQUIRE_MESSAGE(rc == 128 + 9, out);  // SIGKILL
  std::string crashed_id = out.substr(0, 6);
  Store store = test::OpenStore(dir);
  CHECK(Code(LoadFile(store, crashed_id, "data/partial.bin")) == "NotFound");
  CHECK(CountBlobKeys(store, 'u') == 1);
  CHECK(CountBlobKeys(store, 'd') > data_test::Chunks(store, kept.size()));  // flushed chunks of the dead writer
  auto stats = GarbageCollect(store);
  REQUIRE_MESSAGE(stats.ok(), stats.status().ToString());
  CHECK(stats->uploads_removed == 1);
  CHECK(stats->contents_removed == 0);
  CHECK(stats->references_fixed == 0);
  CHECK(CountBlobKeys(store, 'u') == 0);
  CHECK(CountBlobKeys(store, 'd') == data_test::Chunks(store, kept.size()));
  CHECK(Load(store, id, "kept") == kept);
  // A writer open during GarbageCollect keeps its chunks.
  auto w = FileWriter::Open(store, id, "streaming");
  REQUIRE(w.ok());
  REQUIRE(w->Append(Stream(2 * kMiB + 1, 6)).ok());
  REQUIRE(GarbageCollect(store)->uploads_removed == 0);
  REQUIRE(w->Close().ok());
  CHECK(Load(store, id, "streaming") == Stream(2 * kMiB + 1, 6));
}

TEST_CASE("GarbageCollect recounts references from the files") {
  data_test::DataFixture f;
  REQUIRE(SaveFile(f.store, f.id, "a", "content a").ok());
  REQUIRE(SaveFile(f.store, f.id, "b", "content b").ok());
  REQUIRE(SaveFile(f.store, f.id, "b2", "content b").ok());
  auto* st = internal::StateOf(f.store);
  // Drop one file entry and bump a count behind labstore's back.
  auto key = internal::LookupKey(*st, f.id);
  REQUIRE(key.ok());
  REQUIRE(st->db->Delete({}, st->handle(internal::kCfFiles), *key + "a").ok());
  std::string header_key = "h" + internal::Hash128("content b"), header;
  REQUIRE(st->db->Get({}, st->handle(internal::kCfBlobs), header_key, &header).ok());
  CHECK(internal::GetFixed64(header) == 2);
  std::string bumped = header;
  bumped[0] = 7;
  REQUIRE(st->db->Put({}, st->handle(internal::kCfBlobs), header_key, bumped).ok());
  auto stats = GarbageCollect(f.store);
  REQUIRE(stats.ok());
  CHECK(stats->references_fixed == 2);
  CHECK(stats->contents_removed == 1);
  CHECK(stats->bytes_removed == 9);
  REQUIRE(st->db->Get({}, st->handle(internal::kCfBlobs), header_key, &header).ok());
  CHECK(internal::GetFixed64(header) == 2);
  CHECK(CountBlobKeys(f.store, 'h') == 1);
  REQUIRE(DeleteFile(f.store, f.id, "b").ok());
  REQUIRE(DeleteFile(f.store, f.id, "b2").ok());
  CHECK(CountBlobKeys(f.store, 'h') == 0);
  CHECK(GarbageCollect(f.store)->references_fixed == 0);
}

TEST_CASE("Deleted contents give their disk space back after GarbageCollect") {
  data_test::DataFixture f;
  REQUIRE(WriteStream(f.store, f.id, "big", Stream(64 * kMiB, 77), kMiB).ok());
  REQUIRE(SaveFile(f.store, f.id, "small", "stays").ok());
  REQUIRE(GarbageCollect(f.store).ok());
  auto dir_bytes = [&] {
    uint64_t total = 0;
    for (auto& e : std::filesystem::recursive_directory_iterator(f.dir)) {
      if (e.is_regular_file()) total += e.file_size();
    }
    return total;
  };
  uint64_t with_file = dir_bytes();
  CHECK(with_file > (64u << 20));
  REQUIRE(DeleteFile(f.store, f.id, "big").ok());
  auto stats = GarbageCollect(f.store);
  REQUIRE(stats.ok());
  uint64_t after = dir_bytes();
  MESSAGE(
      fmt::format("store: {} MiB with the file, {} MiB after delete + GarbageCollect", with_file >> 20, after >> 20));
  CHECK(after < with_file - (56u << 20));
  CHECK(Load(f.store, f.id, "small") == "stays");
}

}  // TEST_SUITE
}  // namespace
}  // namespace labstore
