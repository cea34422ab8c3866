// Progress for long work: a bar with a live rate on a terminal (stderr), plain
// periodic lines otherwise, nothing when quiet.
#ifndef LABSTORE_TOOLS_PROGRESS_H_
#define LABSTORE_TOOLS_PROGRESS_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "labstore/progress.h"

namespace labstore::tool {

class Progress {
 public:
  // `unit` names what is counted ("rows"); `total` 0 means unknown.
  Progress(std::string label, uint64_t total, std::string unit);
  ~Progress();
  // Sets the count done so far; redraws at most every 100 ms (terminal) or
  // prints a line every 2 s (otherwise). Cheap enough to call per chunk.
  void Update(uint64_t done);
  // Text shown after the count, e.g. "1.2 M rows".
  void SetNote(std::string note) { note_ = std::move(note); }
  // Final line with the total and the average rate.
  void Finish();
  double seconds() const;

 private:
  void Draw(bool final);

  std::string label_, unit_, note_;
  uint64_t total_ = 0, done_ = 0;
  bool tty_ = false, finished_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

// A labstore::ProgressCallback that draws one Progress per stage of the
// library's work (a new bar when the stage changes), counting `unit`, with
// the rows written so far after the count when `show_rows`. Keep it alive
// while the work runs; Finish (or the destructor) closes the last bar.
class StageProgress {
 public:
  StageProgress(std::string label, std::string unit, bool show_rows);
  ~StageProgress();
  labstore::ProgressCallback Callback();
  void Finish();

 private:
  void Report(const labstore::Progress& p);

  std::string label_, unit_;
  bool show_rows_;
  std::string stage_;
  std::unique_ptr<Progress> bar_;
};

// "12.3 M", "950 k", "42": counts and rates as people read them.
std::string Count(double n);

}  // namespace labstore::tool

#endif  // LABSTORE_TOOLS_PROGRESS_H_
