// WriteResumer: brings the store back to writing after a storage fault (a full disk, a file-size
// limit) once the cause is gone, without a restart. Every interval, while the store reports that
// it is not writable, it calls RocksDbEventLog::resume(); when that succeeds it calls `on_resumed`
// (the server drops the sequencer's caches there) and says so on stdout. A resume that fails
// changes nothing: the store stays read-only and is tried again at the next interval.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>

#include "core/store/rocksdb_event_log.h"

namespace ledger::store {

class WriteResumer {
 public:
  WriteResumer(RocksDbEventLog& log, std::function<void()> on_resumed)
      : log_(log), on_resumed_(std::move(on_resumed)) {}
  ~WriteResumer() { stop(); }
  WriteResumer(const WriteResumer&) = delete;
  WriteResumer& operator=(const WriteResumer&) = delete;

  // One attempt: resumes the store if it is not writable. Ok when writable afterwards.
  Status resume_once();

  // Runs resume_once every `interval` on a thread of its own until stop().
  void start(std::chrono::milliseconds interval);
  void stop();

  std::uint64_t resumes() const;

 private:
  RocksDbEventLog& log_;
  std::function<void()> on_resumed_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::uint64_t resumes_ = 0;
  std::thread thread_;
};

}  // namespace ledger::store
