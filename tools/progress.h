// Progress for long work: a bar with a live rate on a terminal (stderr), plain
// periodic lines otherwise, nothing when quiet.
#ifndef LABSTORE_TOOLS_PROGRESS_H_
#define LABSTORE_TOOLS_PROGRESS_H_

#include <chrono>
#include <cstdint>
#include <string>

namespace labstore::tool {

class Progress {
 public:
  // `unit` names what is counted ("rows"); `total` 0 means unknown.
  Progress(std::string label, uint64_t total, std::string unit);
  ~Progress();
  // Sets the count done so far; redraws at most every 100 ms (terminal) or
  // prints a line every 2 s (otherwise). Cheap enough to call per chunk.
  void Update(uint64_t done);
  // Final line with the total and the average rate.
  void Finish();
  double seconds() const;

 private:
  void Draw(bool final);

  std::string label_, unit_;
  uint64_t total_ = 0, done_ = 0;
  bool tty_ = false, finished_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

// "12.3 M", "950 k", "42": counts and rates as people read them.
std::string Count(double n);

}  // namespace labstore::tool

#endif  // LABSTORE_TOOLS_PROGRESS_H_
