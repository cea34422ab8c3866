// The read half of RunWriteBench (bench/write_bench.h): each method's rows read
// back from what it wrote into typed columns in memory, one vector per
// column, as ReadColumns gives them. Private to lib/bench.
#ifndef LABSTORE_LIB_BENCH_READ_BACK_H_
#define LABSTORE_LIB_BENCH_READ_BACK_H_

#include <cstdint>
#include <string>
#include <vector>

#include "bench/write_bench.h"
#include "labstore/status.h"

namespace labstore::internal {

// The rows of one method in memory (sized once for the rows written).
struct BenchColumns {
  std::vector<int64_t> timestamps;
  std::vector<std::vector<int64_t>> ints;
  std::vector<std::vector<double>> floats;
  std::vector<std::vector<uint64_t>> string_offsets;  // rows + 1 each; row r is bytes[offsets[r], offsets[r+1])
  std::vector<std::string> string_bytes;
  uint64_t rows = 0;
};

// Each reads the rows its method wrote into `dir` (the folder given to the
// write) and returns the wall clock seconds of the read (opening the store or
// file not counted). Errors: IOError, or Corruption when the rows read back
// are not the rows written (the count, the last int).
Result<double> ReadBackLabstore(const WriteBenchOptions& o, const std::string& dir);
Result<double> ReadBackRocksDb(const WriteBenchOptions& o, const std::string& dir);
Result<double> ReadBackSqlite(const WriteBenchOptions& o, const std::string& dir);
Result<double> ReadBackJsonLines(const WriteBenchOptions& o, const std::string& dir);

}  // namespace labstore::internal

#endif  // LABSTORE_LIB_BENCH_READ_BACK_H_
