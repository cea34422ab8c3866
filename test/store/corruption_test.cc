// Bytes flipped in the files of a closed store: table files (SST) of every
// column family, the write-ahead log and a blob file. After each flip the
// store either refuses to open with Corruption, or opens and then every read
// returns exactly what it returned before the flip or Corruption, and
// CheckStore names the damage whenever a read saw it. One flip per trial on a
// fresh copy of the store; positions and masks are deterministic.
// LABSTORE_LONG=1 runs thousands of trials instead of tens.
#include <filesystem>
#include <map>
#include <random>
#include <string>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "corruption_util.h"
#include "labstore/check.h"
#include "test_util.h"

namespace labstore {
namespace {

namespace fs = std::filesystem;
using corruption_test::Digest;
using corruption_test::StoreFile;
using test::Code;
using test::TempDir;

struct Outcomes {
  int trials = 0;
  int open_refused = 0;  // Open returned Corruption
  int reads_failed = 0;  // opened; some read returned Corruption, check named it
  int check_only = 0;    // opened; every read as before, check reported damage (an unread block, an index)
  int harmless = 0;      // opened; every read as before, check clean (padding, unused bytes)
  int lost_as_crash = 0;  // WAL only: opened as if the writer had died at the damaged record
  std::string refusal;   // the first refusal's message, as an example
  std::string damage;    // the first damage check reported, as an example
  std::string ToString(const std::string& kind) const {
    return fmt::format(
        "{}: {} trials: {} open refused, {} reads failed and check named it, {} found by check only, "
        "{} harmless{}{}{}{}{}",
        kind, trials, open_refused, reads_failed, check_only, harmless,
        kind.starts_with("wal") ? fmt::format(", {} as after a crash at that byte", lost_as_crash) : "",
        refusal.empty() ? "" : "; refused e.g. ", refusal, damage.empty() ? "" : "; check e.g. ", damage);
  }
};

// The first 160 bytes of a read, for messages.
std::string Brief(const std::string& s) { return s.size() <= 160 ? s : s.substr(0, 160) + "..."; }

// The experiment id a digest line is about ("rows rm3SAJ default" -> "rm3SAJ"), or "".
std::string IdOf(const std::string& line) {
  if (line == "list" || line == "groups" || line == "projects" || line == "default group" || line.starts_with("get ")) {
    return "";
  }
  auto space = line.find(' ');
  return line.substr(space + 1, 6);
}

// Whether the check names the damage a failed read saw: the experiment, and
// for a scope or a file its name, unless the check could not get that far
// (the experiment, its scope list or its file list is damaged).
bool Named(const CheckReport& report, const std::string& line) {
  std::string id = IdOf(line);
  if (id.empty()) return !report.ok();
  std::string name;  // the scope or path after "rows <id> " / "file <id> "
  if (line.starts_with("rows ") || line.starts_with("file ")) name = line.substr(5 + 7);
  for (const Damage& d : report.damage) {
    if (d.experiment_id != id) continue;
    if (name.empty() || d.what == "experiment metadata" || d.what == "records metadata" || d.what == "file list")
      return true;
    if (d.what.find(name) != std::string::npos) return true;
  }
  return false;
}

std::string Show(const CheckReport& report) {
  std::string out;
  for (const Damage& d : report.damage) out += d.ToString() + "\n";
  return out;
}

class Fixture {
 public:
  Fixture() {
    auto [plan, files] = corruption_test::BuildStore(pristine_);
    plan_ = plan;
    files_ = files;
    corruption_test::CopyStore(pristine_, work_);
    auto store = Store::Open({}, work_);
    REQUIRE_MESSAGE(store.ok(), store.status().ToString());
    auto report = CheckStore(*store);
    REQUIRE(report.ok());
    REQUIRE(report->ok());
    reference_ = corruption_test::ReadEverything(*store, plan_);
    for (const auto& [what, value] : reference_) REQUIRE_MESSAGE(!value.starts_with("<"), what, " ", value);
    REQUIRE(reference_.at("list").size() == 4 * 7);  // four experiments, the last one only in the WAL
  }

  const std::vector<StoreFile>& files() const { return files_; }

  // One flip of `file` at `offset`, checked and counted.
  void Trial(const StoreFile& file, uint64_t offset, uint8_t mask, Outcomes* out) {
    ++out->trials;
    corruption_test::CopyStore(pristine_, work_);
    corruption_test::FlipByte(work_ + "/" + file.name, offset, mask);
    std::string where = fmt::format("{} ({}) byte {} ^ {:#04x}", file.name, file.family, offset, mask);
    auto store = Store::Open({}, work_);
    if (!store.ok()) {
      CHECK_MESSAGE(Code(store) == "Corruption", where, ": ", store.status().ToString());
      if (file.kind == "wal") {  // the refusal names the damaged log
        CHECK_MESSAGE(store.status().ToString().find(file.name) != std::string::npos, store.status().ToString());
      }
      ++out->open_refused;
      if (out->refusal.empty()) out->refusal = store.status().ToString();
      return;
    }
    auto report = CheckStore(*store);
    REQUIRE_MESSAGE(report.ok(), where, ": ", report.status().ToString());
    Digest now = corruption_test::ReadEverything(*store, plan_);
    if (file.kind == "wal" && now != reference_) {
      // A damaged length field of a record in the log's last block reads as a
      // write cut short by a crash: the store must then be exactly as if the
      // process had died while writing that record.
      CHECK_MESSAGE(report->ok(), where, ": ", Show(*report));
      Digest cut = CutDigest(file, offset);
      for (const auto& [what, before] : reference_) {
        CHECK_MESSAGE(now[what] == cut[what], where, ": ", what, " is not as after a crash at that byte:\n",
                      Brief(now[what]), "\n--- after the crash ---\n", Brief(cut[what]));
      }
      ++out->lost_as_crash;
      return;
    }
    bool failed = false;
    for (const auto& [what, before] : reference_) {
      const std::string& after = now[what];
      if (after == before) continue;
      CHECK_MESSAGE(after == "<Corruption>", where, ": ", what, " read a different value:\n", Brief(before),
                    "\n--- now ---\n", Brief(after));
      failed = true;
      CHECK_MESSAGE(Named(*report, what), where, ": ", what, " is damaged but check did not name it:\n", Show(*report));
    }
    if (!report->ok() && out->damage.empty()) out->damage = report->damage.front().ToString();
    if (file.kind == "sst" && !report->ok()) {
      // RocksDB's checksums of the damaged table file name it and its column family.
      std::string table = fmt::format("table file {} (column family \"{}\")", file.name, file.family);
      CHECK_MESSAGE(report->damage.front().what == table, where, ": ", Show(*report));
    }
    if (failed) {
      ++out->reads_failed;
    } else if (!report->ok()) {
      ++out->check_only;
    } else {
      ++out->harmless;
    }
  }

  // The WAL cut to `length` bytes, as a crash in the middle of a write leaves
  // it: the store opens and is clean, and everything written before the last
  // flush reads as before. Returns how many reads of the experiment written
  // after the flush are as before (the rest lost with the cut).
  int Truncated(const StoreFile& file, uint64_t length) {
    Digest now = CutDigest(file, length);
    const std::string& late = plan_.ids.back();  // the experiment written after the flush
    int kept = 0;
    for (const auto& [what, before] : reference_) {
      bool flushed = IdOf(what) != late && what != "list" && !what.starts_with("get after_flush");
      if (flushed) CHECK_MESSAGE(now[what] == before, file.name, " cut to ", length, ": ", what, " changed");
      if (!flushed && now[what] == before) ++kept;
    }
    return kept;
  }

  std::string path(const StoreFile& file) const { return pristine_ + "/" + file.name; }

 private:
  // Every read of the store whose WAL is cut to `length` bytes; it must open
  // and be clean.
  Digest CutDigest(const StoreFile& file, uint64_t length) {
    corruption_test::CopyStore(pristine_, cut_);
    fs::resize_file(cut_ + "/" + file.name, length);
    std::string where = fmt::format("{} cut to {} bytes", file.name, length);
    auto store = Store::Open({}, cut_);
    REQUIRE_MESSAGE(store.ok(), where, ": ", store.status().ToString());
    auto report = CheckStore(*store);
    REQUIRE(report.ok());
    CHECK_MESSAGE(report->ok(), where, ": ", Show(*report));
    return corruption_test::ReadEverything(*store, plan_);
  }

  TempDir tmp_;
  std::string pristine_ = tmp_.Sub("pristine");
  std::string work_ = tmp_.Sub("work");
  std::string cut_ = tmp_.Sub("cut");
  corruption_test::Plan plan_;
  std::vector<StoreFile> files_;
  Digest reference_;
};

// `trials` flips at deterministic-random positions of `file`.
void FlipMany(Fixture& f, const StoreFile& file, int trials, Outcomes* out) {
  std::mt19937_64 rng(std::hash<std::string>{}(file.kind + file.family) ^ 0x5eed);
  uint64_t size = fs::file_size(f.path(file));
  REQUIRE(size > 0);
  for (int i = 0; i < trials; ++i) {
    uint64_t offset = rng() % size;
    auto mask = static_cast<uint8_t>(1 + rng() % 255);
    f.Trial(file, offset, mask, out);
  }
}

TEST_SUITE("store") {

TEST_CASE("A flipped byte in any table file is refused at open, read as Corruption or reported by check" *
          doctest::test_suite("slow")) {
  Fixture f;
  std::map<std::string, Outcomes> by_family;
  for (const StoreFile& file : f.files()) {
    if (file.kind != "sst") continue;
    FlipMany(f, file, corruption_test::Trials(6, 250), &by_family[file.family]);
  }
  CHECK(by_family.size() >= 12);  // every column family but "default" has a table file
  for (const auto& [family, outcomes] : by_family) MESSAGE(outcomes.ToString("sst " + family));
}

TEST_CASE("A flipped byte in the write-ahead log is refused at open or leaves the store as a crash at that byte would" *
          doctest::test_suite("slow")) {
  Fixture f;
  Outcomes outcomes, lengths;
  int wal_files = 0;
  for (const StoreFile& file : f.files()) {
    uint64_t size = file.kind == "wal" ? fs::file_size(f.path(file)) : 0;
    if (size == 0) continue;
    ++wal_files;
    FlipMany(f, file, corruption_test::Trials(40, 2000), &outcomes);
    // The high byte of every record's length (log format: crc32c(4) length(2,
    // LE) type(1) payload, in blocks of 32 KiB): the flips a reader cannot
    // tell from a torn write when they carry the record past the end.
    std::string log = test::ReadFile(f.path(file));
    constexpr uint64_t kBlock = 32768, kHeader = 7;
    for (uint64_t at = 0; at + kHeader <= size;) {
      if (kBlock - at % kBlock < kHeader) {  // a block trailer: zero padding
        at += kBlock - at % kBlock;
        continue;
      }
      uint64_t length = static_cast<uint8_t>(log[at + 4]) | uint64_t{static_cast<uint8_t>(log[at + 5])} << 8;
      f.Trial(file, at + 5, 0x80, &lengths);
      at += kHeader + length;
    }
  }
  CHECK(wal_files == 1);
  CHECK(lengths.trials >= 5);
  CHECK(lengths.lost_as_crash >= 1);
  MESSAGE(outcomes.ToString("wal"));
  MESSAGE(lengths.ToString("wal record lengths"));
}

TEST_CASE("A write-ahead log cut short by a crash opens, keeping every write before the cut" *
          doctest::test_suite("slow")) {
  Fixture f;
  for (const StoreFile& file : f.files()) {
    uint64_t size = file.kind == "wal" ? fs::file_size(f.path(file)) : 0;
    if (size == 0) continue;
    std::mt19937_64 rng(0xc07);
    int trials = corruption_test::Trials(20, 500), all_kept = 0, none_kept = 0;
    for (int i = 0; i < trials; ++i) {
      int kept = f.Truncated(file, rng() % size);
      all_kept += kept == 11;  // every read of the late experiment: list, get and 9 of its own
      none_kept += kept == 0;
    }
    CHECK(f.Truncated(file, size) == 11);
    MESSAGE(fmt::format("wal cut: {} trials: {} kept every late write, {} kept none, {} some", trials, all_kept,
                        none_kept, trials - all_kept - none_kept));
  }
}

TEST_CASE("A flipped byte in a blob file is refused at open, read as Corruption or reported by check" *
          doctest::test_suite("slow")) {
  Fixture f;
  Outcomes outcomes;
  int blob_files = 0;
  for (const StoreFile& file : f.files()) {
    if (file.kind != "blob") continue;
    ++blob_files;
    FlipMany(f, file, corruption_test::Trials(20, 1000), &outcomes);
  }
  CHECK(blob_files == 1);
  MESSAGE(outcomes.ToString("blob"));
}

}  // TEST_SUITE("store")

}  // namespace
}  // namespace labstore
