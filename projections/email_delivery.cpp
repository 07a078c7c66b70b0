#include "projections/email_delivery.h"

#include <cstdio>
#include <vector>

#include "core/domain/keyspaces.h"
#include "projections/email_categories.h"
#include "projections/eml_directory_transport.h"

namespace ledger::projections {
namespace {

constexpr std::int64_t kFirstBackoffUs = kMicrosPerMinute;

}  // namespace

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
            writes.push_back({domain::kOutboxKeyspace, domain::outbox_pending_key(email.email_id()),
                              std::string()});
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
  auto listed = log_.scan_state(
      domain::kOutboxKeyspace, domain::kOutboxPendingPrefix, store::ReadDirection::forward,
      [&](std::string_view key, std::string_view) {
        pending.emplace_back(key.substr(std::string_view(domain::kOutboxPendingPrefix).size()));
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
    const bool due =
        readable && (email.status() == "queued" ||
                     (email.status() == "failed" && email.attempts() < kEmailAttemptsMax &&
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
    auto message = render_eml(email, from_);
    const Status delivered =
        message ? transport_->send(email, from_, *message) : Status(std::move(message).error());
    if (delivered) {
      email.set_status("sent");
      email.set_sent_at_us(now);
      email.clear_last_error();
      if (const auto* kind = find_email_kind(email.template_name());
          kind != nullptr && kind->carries_secret) {
        email.clear_text_body();  // a code or token leaves no trace once it is on its way
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
