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

// Data directories from before the pending index: mark what is still to deliver, once.
Status EmailDelivery::index_pending_once() {
  if (indexed_) return {};
  constexpr std::string_view kIndexedMarker = "meta/pending-index";
  auto marker = log_.read_state(domain::kOutboxKeyspace, kIndexedMarker);
  if (!marker) return std::move(marker).error();
  if (!marker->has_value()) {
    std::vector<store::StateWrite> writes;
    auto scanned = log_.scan_state(
        domain::kOutboxKeyspace, "email/", store::ReadDirection::forward,
        [&](std::string_view, std::string_view value) {
          events::OutboxEmail email;
          if (!email.ParseFromArray(value.data(), static_cast<int>(value.size()))) return true;
          if (email.status() == "queued" ||
              (email.status() == "failed" && email.attempts() < kEmailAttemptsMax)) {
            writes.push_back({domain::kOutboxKeyspace,
                              domain::outbox_pending_key(email.email_id()), std::string()});
          }
          return true;
        });
    if (!scanned) return scanned;
    writes.push_back({domain::kOutboxKeyspace, std::string(kIndexedMarker), std::string("1")});
    if (auto written = log_.write_state(writes); !written) return written;
  }
  indexed_ = true;
  return {};
}

Result<DeliveryReport> EmailDelivery::deliver_once() {
  DeliveryReport report;
  if (auto indexed = index_pending_once(); !indexed) return std::move(indexed).error();
  const std::int64_t now = clock_.now_us();
  // The pending index names what is left to deliver; a pass takes at most a batch of it.
  std::vector<std::string> pending;
  auto listed = log_.scan_state(domain::kOutboxKeyspace, domain::kOutboxPendingPrefix,
                                store::ReadDirection::forward,
                                [&](std::string_view key, std::string_view) {
                                  pending.emplace_back(
                                      key.substr(std::string_view(domain::kOutboxPendingPrefix).size()));
                                  return true;
                                });
  if (!listed) return std::move(listed).error();
  for (const auto& id : pending) {
    if (stopping_ || report.sent + report.failed >= kDeliveryBatchMax) break;
    const std::string key = domain::outbox_email_key(id);
    auto row = log_.read_state(domain::kOutboxKeyspace, key);
    if (!row) return std::move(row).error();
    events::OutboxEmail email;
    const bool readable = row->has_value() && email.ParseFromString(**row);
    const bool due = readable && (email.status() == "queued" ||
                                  (email.status() == "failed" &&
                                   email.attempts() < kEmailAttemptsMax &&
                                   email.next_attempt_at_us() <= now));
    if (!due) {
      if (readable && email.status() == "failed" && email.attempts() < kEmailAttemptsMax) {
        continue;  // waiting for its backoff
      }
      const store::StateWrite done{domain::kOutboxKeyspace, domain::outbox_pending_key(id),
                                   std::nullopt};
      if (auto saved = log_.write_state({&done, 1}); !saved) return std::move(saved).error();
      continue;
    }
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
    std::vector<store::StateWrite> writes = {
        {domain::kOutboxKeyspace, key, email.SerializeAsString()}};
    if (email.status() == "sent" || email.attempts() >= kEmailAttemptsMax) {
      writes.push_back({domain::kOutboxKeyspace, domain::outbox_pending_key(id), std::nullopt});
    }
    if (auto saved = log_.write_state(writes); !saved) return std::move(saved).error();
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
      bool more = false;
      if (auto report = deliver_once(); !report) {
        std::fprintf(stderr, "ledgerd: email delivery: %s\n", report.error().message.c_str());
      } else {
        more = report->sent + report->failed >= kDeliveryBatchMax;  // a full batch: go on
      }
      lock.lock();
      if (!more) wake_.wait_for(lock, interval, [this] { return stopping_.load(); });
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
