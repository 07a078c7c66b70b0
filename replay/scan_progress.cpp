#include "replay/scan_progress.h"

#include <unistd.h>

#include <cstdio>

namespace ledger::replay {

ScanProgress::ScanProgress(const char* what, std::uint64_t total, bool quiet)
    : what_(what), total_(total), shown_(!quiet && isatty(STDERR_FILENO)) {}

ScanProgress::~ScanProgress() {
  if (shown_) std::fprintf(stderr, "\r%100s\r", "");
}

void ScanProgress::draw(std::uint64_t position) {
  if (!shown_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_ < std::chrono::milliseconds(200)) return;
  last_ = now;
  const double elapsed = std::chrono::duration<double>(now - started_).count();
  const double rate = elapsed > 0 ? static_cast<double>(position) / elapsed : 0;
  const double left = position < total_ ? static_cast<double>(total_ - position) : 0;
  std::fprintf(stderr, "\r%s: %llu / %llu events (%.0f%%), %.0f events/s, ETA %.0f s   ", what_,
               static_cast<unsigned long long>(position), static_cast<unsigned long long>(total_),
               total_ ? 100.0 * static_cast<double>(position) / static_cast<double>(total_) : 0,
               rate, rate > 0 ? left / rate : 0.0);
}

double ScanProgress::seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
}

}  // namespace ledger::replay
