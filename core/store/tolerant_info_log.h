// TolerantInfoLog: RocksDB's informational log (STORE/LOG) written with stdio, ignoring write
// errors. RocksDB's own file logger asserts when it writes again after a failed write; Debian's
// librocksdb 7.8 is built with assertions, so on a full disk the server aborted (at the second
// log line after ENOSPC) instead of turning read-only and serving reads. This logger never fails
// its caller: a line that cannot be written is lost. The previous run's log is kept as LOG.old;
// the log stops at `bytes_max` (a line says so), so it cannot fill the disk by itself.
#pragma once

#include <rocksdb/env.h>

#include <cstdarg>
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>

namespace ledger::store {

class TolerantInfoLog final : public rocksdb::Logger {
 public:
  // Opens DIRECTORY/LOG (moving an existing one to LOG.old). Null when it cannot be created:
  // RocksDB then logs nothing.
  static std::shared_ptr<rocksdb::Logger> open(const std::string& directory, std::size_t bytes_max);
  ~TolerantInfoLog() override;

  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list arguments) override;
  void Flush() override;

 private:
  TolerantInfoLog(std::FILE* file, std::size_t bytes_max) : file_(file), bytes_max_(bytes_max) {}

  std::mutex mutex_;
  std::FILE* file_;
  std::size_t bytes_written_ = 0;
  const std::size_t bytes_max_;
};

}  // namespace ledger::store
