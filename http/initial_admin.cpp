#include "http/initial_admin.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <fmt/format.h>

#include "core/domain/users.h"
#include "core/secure_random.h"

namespace ledger::http {
namespace {

std::string random_password() {
  static constexpr std::string_view kAlphabet =
      "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  std::string password;
  for (int i = 0; i < 24; ++i) password.push_back(kAlphabet[secure_random_below(kAlphabet.size())]);
  return password;
}

Status write_secret_file(const std::string& path, const std::string& contents) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    return make_error(Errc::io_error,
                      fmt::format("cannot create {}: {}", path, std::strerror(errno)));
  }
  ::fchmod(fd, 0600);  // also when the file existed with other permissions
  const std::string line = contents + "\n";
  const bool written = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!written || !synced) {
    return make_error(Errc::io_error, fmt::format("cannot write {}", path));
  }
  return {};
}

}  // namespace

Result<std::optional<std::string>> ensure_initial_admin(domain::Ledger& ledger,
                                                        const store::EventLog& log,
                                                        IdGenerator& ids,
                                                        const std::string& data_dir,
                                                        const PasswordHashOptions& hashing) {
  auto existing = domain::find_user_by_email(log, kInitialAdminEmail);
  if (!existing) return std::move(existing).error();
  if (existing->has_value()) return std::optional<std::string>();

  const std::string password = random_password();
  const std::string path = (std::filesystem::path(data_dir) / kInitialAdminPasswordFile).string();
  if (auto written = write_secret_file(path, password); !written) {
    return std::move(written).error();
  }
  domain::RegisterUser command{domain::UserId{ids.next()},
                               kInitialAdminEmail,
                               "Administrator",
                               "admin",
                               "",
                               0,
                               hash_password(password, hashing),
                               true,
                               "system",
                               "",
                               "",
                               ""};
  auto created = ledger.execute_and_wait<events::UserState>(
      {"system", "first-start", "", "", ""},
      [command](domain::UnitOfWork& uow) { return domain::register_user(uow, command); });
  if (!created) return std::move(created).error();
  return std::optional<std::string>(password);
}

}  // namespace ledger::http
