// A progress line on stderr for the tools' long scans: position out of the total, percentage,
// rate and ETA, redrawn at most five times a second. Silent when stderr is not a terminal or
// when asked to be quiet; erased when done.
#pragma once

#include <chrono>
#include <cstdint>

namespace ledger::replay {

class ScanProgress {
 public:
  ScanProgress(const char* what, std::uint64_t total, bool quiet);
  ~ScanProgress();
  ScanProgress(const ScanProgress&) = delete;
  ScanProgress& operator=(const ScanProgress&) = delete;

  // Cheap to call for every event: draws only now and then.
  void at(std::uint64_t position) {
    if (shown_ && (position & 0x3FFF) == 0) draw(position);
  }
  // Draws now (rate-limited), for callers that report seldom (e.g. polling a status).
  void draw(std::uint64_t position);
  double seconds() const;

 private:
  const char* what_;
  std::uint64_t total_;
  bool shown_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_ = started_;
};

}  // namespace ledger::replay
