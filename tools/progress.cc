#include "progress.h"

#include <cstdio>

#include <fmt/format.h>

#include "format.h"

namespace labstore::tool {

std::string Count(double n) {
  if (n >= 1e9) return fmt::format("{:.1f} G", n / 1e9);
  if (n >= 1e6) return fmt::format("{:.1f} M", n / 1e6);
  if (n >= 1e4) return fmt::format("{:.0f} k", n / 1e3);
  return fmt::format("{:.0f}", n);
}

Progress::Progress(std::string label, uint64_t total, std::string unit)
    : label_(std::move(label)), unit_(std::move(unit)), total_(total), tty_(StderrIsTerminal()),
      start_(std::chrono::steady_clock::now()), last_draw_(start_) {}

Progress::~Progress() { Finish(); }

double Progress::seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void Progress::Update(uint64_t done) {
  done_ = done;
  auto now = std::chrono::steady_clock::now();
  auto every = tty_ ? std::chrono::milliseconds(100) : std::chrono::milliseconds(2000);
  if (now - last_draw_ < every) return;
  last_draw_ = now;
  Draw(false);
}

void Progress::Finish() {
  if (finished_) return;
  finished_ = true;
  Draw(true);
}

void Progress::Draw(bool final) {
  std::fflush(stdout);  // keep stdout and the progress lines on stderr in order
  double secs = seconds();
  double rate = secs > 0 ? static_cast<double>(done_) / secs : 0;
  std::string counts = total_ ? fmt::format("{}/{} {}", Count(static_cast<double>(done_)),
                                            Count(static_cast<double>(total_)), unit_)
                              : fmt::format("{} {}", Count(static_cast<double>(done_)), unit_);
  if (!note_.empty()) counts += " (" + note_ + ")";
  std::string line = fmt::format("{} {}, {} {}/s, {:.1f} s", label_, counts, Count(rate), unit_, secs);
  if (tty_) {
    std::string bar;
    if (total_) {
      int width = 24;
      int filled =
          static_cast<int>(static_cast<double>(width) * static_cast<double>(done_) / static_cast<double>(total_));
      if (filled > width) filled = width;
      bar = "[" + std::string(filled, '#') + std::string(width - filled, '.') + "] ";
    }
    std::fprintf(stderr, "\r\033[K%s%s%s", bar.c_str(), line.c_str(), final ? "\n" : "");
  } else {
    std::fprintf(stderr, "%s\n", line.c_str());
  }
  std::fflush(stderr);
}

StageProgress::StageProgress(std::string label, std::string unit, bool show_rows)
    : label_(std::move(label)), unit_(std::move(unit)), show_rows_(show_rows) {}

StageProgress::~StageProgress() { Finish(); }

labstore::ProgressCallback StageProgress::Callback() {
  return [this](const labstore::Progress& p) { Report(p); };
}

void StageProgress::Report(const labstore::Progress& p) {
  if (!bar_ || stage_ != p.stage) {
    if (bar_) bar_->Finish();
    stage_ = p.stage;
    bar_ = std::make_unique<Progress>(label_.empty() ? stage_ : label_ + " " + stage_, p.total, unit_);
  }
  if (show_rows_) bar_->SetNote(Count(static_cast<double>(p.rows)) + " rows");
  bar_->Update(p.done);
}

void StageProgress::Finish() {
  if (bar_) bar_->Finish();
  bar_.reset();
}

}  // namespace labstore::tool
