#include "core/store/write_resumer.h"

#include <cstdio>

namespace ledger::store {

Status WriteResumer::resume_once() {
  if (log_.writable()) return {};
  auto resumed = log_.resume();
  if (!resumed) return resumed;
  if (on_resumed_) on_resumed_();
  {
    std::lock_guard lock(mutex_);
    ++resumes_;
  }
  std::printf("ledgerd: the store takes writes again\n");
  std::fflush(stdout);
  return {};
}

void WriteResumer::start(std::chrono::milliseconds interval) {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this, interval] {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      wake_.wait_for(lock, interval, [this] { return stopping_; });
      if (stopping_) break;
      lock.unlock();
      (void)resume_once();  // still faulty: the store stays read-only and says why
      lock.lock();
    }
  });
}

void WriteResumer::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::uint64_t WriteResumer::resumes() const {
  std::lock_guard lock(mutex_);
  return resumes_;
}

}  // namespace ledger::store
