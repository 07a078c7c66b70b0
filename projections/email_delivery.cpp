#include "projections/email_delivery.h"

#include <cstdio>
#include <vector>

#include <fmt/format.h>

#include "core/domain/keyspaces.h"
#include "events/timestamp.h"
#include "projections/eml_directory_transport.h"

namespace ledger::projections {
namespace {

constexpr std::int64_t kFirstBackoffUs = kMicrosPerMinute;

// A header value on one line: CR and LF become spaces.
std::string header_value(std::string_view text) {
  std::string value(text);
  for (char& c : value) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  return value;
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
      header_value(from), header_value(email.to()), header_value(email.subject()), events::format_rfc3339(email.created_at_us()),
      email.email_id(), boundary, boundary, text, boundary,
      email.html_body().empty() ? "<p>" + email.text_body() + "</p>" : email.html_body(),
      boundary);
}

EmailDelivery::EmailDelivery(store::EventLog& log, const Clock& clock, std::string outbox_dir,
                             std::string from_address)
    : EmailDelivery(log, clock, std::make_unique<EmlDirectoryTransport>(std::move(outbox_dir)),
                    std::move(from_address)) {}

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
    if (stopping_) break;  // shutting down: the rest stay queued for the next start
    email.set_attempts(email.attempts() + 1);
    if (auto delivered = transport_->send(email, from_, render_eml(email, from_)); delivered) {
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
      wake_.wait_for(lock, interval, [this] { return stopping_.load(); });
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
