#include "projections/eml_directory_transport.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include <fmt/format.h>

namespace ledger::projections {
namespace {

Status write_file_atomically(const std::filesystem::path& path, std::string_view contents) {
  const std::string temporary = path.string() + ".tmp";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) return make_error(Errc::io_error, fmt::format("cannot create {}", temporary));
  const bool written =
      ::write(fd, contents.data(), contents.size()) == static_cast<ssize_t>(contents.size());
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!written || !synced || std::rename(temporary.c_str(), path.c_str()) != 0) {
    std::remove(temporary.c_str());
    return make_error(Errc::io_error, fmt::format("cannot write {}", path.string()));
  }
  return {};
}

}  // namespace

Status EmlDirectoryTransport::send(const events::OutboxEmail& email, std::string_view,
                                   std::string_view message) {
  std::error_code error;
  std::filesystem::create_directories(directory_, error);
  if (error) return make_error(Errc::io_error, "cannot create " + directory_);
  return write_file_atomically(std::filesystem::path(directory_) / (email.email_id() + ".eml"),
                               message);
}

}  // namespace ledger::projections
