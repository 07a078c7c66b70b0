#include "core/store/tolerant_info_log.h"

#include <sys/time.h>

#include <ctime>
#include <filesystem>

namespace ledger::store {

std::shared_ptr<rocksdb::Logger> TolerantInfoLog::open(const std::string& directory,
                                                       std::size_t bytes_max) {
  const auto path = std::filesystem::path(directory) / "LOG";
  std::error_code ignored;
  std::filesystem::rename(path, std::filesystem::path(directory) / "LOG.old", ignored);
  std::FILE* file = std::fopen(path.c_str(), "w");
  if (file == nullptr) return nullptr;
  return std::shared_ptr<rocksdb::Logger>(new TolerantInfoLog(file, bytes_max));
}

TolerantInfoLog::~TolerantInfoLog() { std::fclose(file_); }

void TolerantInfoLog::Logv(const char* format, va_list arguments) {
  char line[1024];
  timeval now{};
  ::gettimeofday(&now, nullptr);
  std::tm local{};
  ::localtime_r(&now.tv_sec, &local);
  int length = static_cast<int>(std::strftime(line, sizeof(line), "%Y/%m/%d-%H:%M:%S", &local));
  length += std::snprintf(line + length, sizeof(line) - static_cast<std::size_t>(length), ".%06ld ",
                          static_cast<long>(now.tv_usec));
  const int message = std::vsnprintf(line + length, sizeof(line) - static_cast<std::size_t>(length),
                                     format, arguments);
  std::size_t size =
      std::min(sizeof(line) - 1, static_cast<std::size_t>(length + std::max(0, message)));
  line[size++] = '\n';

  std::lock_guard lock(mutex_);
  if (bytes_written_ >= bytes_max_) return;
  bytes_written_ += size;
  if (bytes_written_ >= bytes_max_) {
    static constexpr char kFull[] = "(the log reached its size limit; later lines are dropped)\n";
    std::fwrite(kFull, 1, sizeof(kFull) - 1, file_);
    return;
  }
  // A failed write (full disk) loses the line and nothing else; the next one tries again.
  if (std::fwrite(line, 1, size, file_) != size) std::clearerr(file_);
  std::fflush(file_);
}

void TolerantInfoLog::Flush() {
  std::lock_guard lock(mutex_);
  std::fflush(file_);
}

}  // namespace ledger::store
