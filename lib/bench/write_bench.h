// bench/write_bench.h — measuring what logging rows costs, with labstore and
// with the alternatives, in one run (the `labstore bench` command). Private
// to lib/: not installed; tools/cmd_bench.cc, bench/ and the tests include it.
//
//   labstore::WriteBenchOptions o;
//   o.rows = 2'000'000;
//   o.durability = labstore::BenchDurability::kSync;
//   auto results = labstore::RunWriteBench(o);
//   for (const auto& r : *results) printf("%s %.0f rows/s\n", r.name.c_str(), r.rows_per_s);
//
// Every method logs the same rows: int_columns int64 columns, float_columns
// double columns, string_columns strings of string_length bytes, plus a
// timestamp per row:
//   "labstore"             RecordWriter, `threads` writers on `threads`
//                          experiments of one store, rows split evenly
//   "RocksDB key per row"  one key per row (8-byte big-endian row number),
//                          packed binary value, WriteBatch of 1000 rows
//   "SQLite WAL"           typed table, INTEGER PRIMARY KEY, prepared INSERT,
//                          one transaction per 1000 rows
//   "JSON lines"           fmt::format_to + fwrite per row
// The peers run in one thread. Durability applies to all of them:
//   kDefault  labstore WAL on, no sync; RocksDB the same; SQLite
//             synchronous=NORMAL; JSON lines flushed (no fsync)
//   kSync     labstore RecordOptions::sync; RocksDB sync per batch; SQLite
//             synchronous=FULL; JSON lines fsync'ed at the end
//   kNoWal    labstore RecordOptions::disable_wal; RocksDB disableWAL; SQLite
//             synchronous=OFF; JSON lines as kDefault
// Time runs from the first row to the point where every row is handed to the
// storage (labstore: every RecordWriter::Close returned). Bytes on disk are
// measured after closing. With read_back, each method's rows are then read
// back (WriteBenchOptions::read_back) and timed apart.
#ifndef LABSTORE_LIB_BENCH_WRITE_BENCH_H_
#define LABSTORE_LIB_BENCH_WRITE_BENCH_H_

#include <cstdint>
#include <string>
#include <vector>

#include "labstore/progress.h"
#include "labstore/status.h"

namespace labstore {

enum class BenchDurability : uint8_t {
  kDefault = 0,  // WAL on, no fsync (RecordOptions defaults)
  kSync = 1,     // fsync per chunk (RecordOptions::sync)
  kNoWal = 2,    // no write-ahead log (RecordOptions::disable_wal)
};

struct WriteBenchOptions {
  // Rows logged by each method (split across `threads` for labstore).
  // Default 1,000,000. At least 1 and at least `threads`.
  uint64_t rows = 1'000'000;
  // The row shape. Defaults: 1 int, 3 floats, 1 string of 8 bytes (the
  // five-column row of bench/record_bench). At least one column in all; at most
  // 1000 columns; string_length at most 65536.
  uint32_t int_columns = 1;
  uint32_t float_columns = 3;
  uint32_t string_columns = 1;
  uint32_t string_length = 8;
  // Default kDefault; see the header comment for what each mode means per method.
  BenchDurability durability = BenchDurability::kDefault;
  // labstore writer threads, one experiment each. Default 1; 1..256.
  uint32_t threads = 1;
  // labstore flush policy: RecordOptions::flush_rows (1..1048576) and
  // flush_interval_ms (0: none). Defaults as RecordOptions: 16384, 1000.
  uint32_t flush_rows = 16384;
  uint32_t flush_interval_ms = 1000;
  // Also measure RocksDB key per row, SQLite WAL and JSON lines. Default true.
  bool peers = true;
  // Also read each method's rows back, after its write, into typed columns in
  // memory (one vector per column, sized for the rows): labstore ReadColumns,
  // a RocksDB iterator over every key, an SQLite SELECT ... ORDER BY row, a
  // JSON-lines parse (of the flat lines written: an upper bound for a general
  // JSON parser). Opening the store or file is not timed. Default false.
  bool read_back = false;
  // Scratch folder: a fresh folder is made inside it and removed after.
  // Default "": $TMPDIR or /tmp.
  std::string dir;
  // Called as each method logs (stage = the method's name, done/total in
  // rows). See labstore/progress.h. Default: none.
  ProgressCallback progress;
};

// One measured method.
struct WriteBenchResult {
  std::string name;              // "labstore", "RocksDB key per row", "SQLite WAL", "JSON lines"
  double seconds = 0;            // wall clock of the logging
  double cpu_seconds = 0;        // CPU (user + system, all threads of the process) over the same span
  double rows_per_s = 0;
  double mb_per_s = 0;           // bytes on disk (MiB) per second of logging
  double bytes_per_row = 0;      // bytes on disk after closing / rows
  double ratio_to_labstore = 1;  // labstore's rows/s over this method's (> 1: labstore is faster)
  double read_seconds = 0;       // with read_back: wall clock of reading the rows back, else 0
  double read_rows_per_s = 0;    // with read_back: rows / read_seconds, else 0
};

// "default", "sync", "nowal"; and back (false for anything else).
const char* BenchDurabilityName(BenchDurability d);
bool ParseBenchDurability(const std::string& name, BenchDurability* out);

// Runs labstore, then (with peers) the peers. The first result is labstore.
// Errors: InvalidArgument (options out of range), IOError (scratch folder,
// writes), or any error of the store.
Result<std::vector<WriteBenchResult>> RunWriteBench(const WriteBenchOptions& options);

}  // namespace labstore

#endif  // LABSTORE_LIB_BENCH_WRITE_BENCH_H_
