#include "projections/email_delivery.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <vector>

#include <fmt/format.h>

#include "core/domain/keyspaces.h"
#include "events/timestamp.h"

namespace ledger::projections {
namespace {

constexpr std::int64_t kFirstBackoffUs = kMicrosPerMinute;

Status write_file_atomically(const std::filesystem::path& path, const std::string& contents) {
  const std::string temporary = path.string() + ".tmp";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) return make_error(Errc::io_error, fmt::format("cannot create {}", temporary));
  const bool written =
      ::write(fd, contents.data(), contents.size()) == static_cast<ssize_t>(contents.size());
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  if (!written || !synced || std::rename(temporary.c_str(), path.c_str()) != 0) {
    return make_error(Errc::io_error, fmt::format("cannot write {}", path.string()));
  }
  return {};
}

}  // namespace

std::string render_eml(const events::OutboxEmail& email, std::string_view from) {
  const std::string boundary = "ledger-" + email.email_id();
  std::string text;
  for (char c : email.text_body()) {
    if (c == '\n') text += "\r\n"; else text.push_back(c);
  }
  return fmt::format(
      "From: {}\r\nTo: {}\r\nSubject: {}\r\nDate: {}\r\nMessage-ID: <{}@ledger>\r\n"
      "MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"{}\"\r\n\r\n"
      "--{}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{}\r\n"
      "--{}\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{}\r\n--{}--\r\n",
      from, email.to(), email.subject(), events::format_rfc3339(email.created_at_us()),
      email.email_id(), boundary, boundary, text, boundary,
      email.html_body().empty() ? "<p>" + email.text_body() + "</p>" : email.html_body(),
      boundary);
}

Status EmailDelivery::deliver(const events::OutboxEmail& email) {
  std::error_code error;
  std::filesystem::create_directories(outbox_dir_, error);
  if (error) return make_error(Errc::io_error, "cannot create " + outbox_dir_);
  return write_file_atomically(std::filesystem::path(outbox_dir_) / (email.email_id() + ".eml"),
                               render_eml(email, from_));
}

Result<DeliveryReport> EmailDelivery::deliver_once() {
  DeliveryReport report;
  const std::int64_t now = clock_.now_us();
  std::vector<std::pair<std::string, events::OutboxEmail>> due;
  auto scanned = log_.scan_state(domain::kOutboxKeyspace, "email/", store::ReadDirection::forward,
                                 [&](std::string_view key, std::string_view value) {
                                   events::OutboxEmail email;
                                   if (!email.ParseFromArray(value.data(),
                                                             static_cast<int>(value.size()))) {
                                     return true;
                                   }
                                   const bool retry = email.status() == "failed" &&
                                                      email.attempts() < kEmailAttemptsMax &&
                                                      email.next_attempt_at_us() <= now;
                                   if (email.status() == "queued" || retry) {
                                     due.emplace_back(std::string(key), std::move(email));
                                   }
                                   return true;
                                 });
  if (!scanned) return std::move(scanned).error();
  for (auto& [key, email] : due) {
    email.set_attempts(email.attempts() + 1);
    if (auto delivered = deliver(email); delivered) {
      email.set_status("sent");
      email.set_sent_at_us(now);
      email.clear_last_error();
      if (email.template_name() == "verification_code") {
        email.clear_text_body();  // the code leaves no trace once it is on its way
        email.clear_html_body();
      }
      ++report.sent;
    } else {
      email.set_status("failed");
      email.set_last_error(delivered.error().message);
      email.set_next_attempt_at_us(now + (kFirstBackoffUs << (email.attempts() - 1)));
      ++report.failed;
    }
    const store::StateWrite write{domain::kOutboxKeyspace, key, email.SerializeAsString()};
    if (auto saved = log_.write_state({&write, 1}); !saved) return std::move(saved).error();
  }
  return report;
}

void EmailDelivery::start(std::chrono::milliseconds interval) {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this, interval] {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      lock.unlock();
      if (auto report = deliver_once(); !report) {
        std::fprintf(stderr, "ledgerd: email delivery: %s\n", report.error().message.c_str());
      }
      lock.lock();
      wake_.wait_for(lock, interval, [this] { return stopping_; });
    }
  });
}

void EmailDelivery::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace ledger::projections
