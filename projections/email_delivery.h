// EmailDelivery: the worker that sends what the outbox holds. Each pass takes the queued emails
// (and failed ones whose backoff has passed), delivers each, and records the outcome on its row:
// "sent", or "failed" with the attempt count, the error and the next attempt time (backoff
// doubling from one minute, at most 8 attempts). Verification codes are erased from their row
// once sent.
//
// Delivery writes each email as an RFC 5322 message (`<email_id>.eml`, multipart text + HTML)
// into the outbox directory, atomically (temporary file, fsync, rename), for a relay or an
// operator to pick up. Sending through an SMTP relay directly is not built yet.
#pragma once

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "core/clock.h"
#include "core/store/event_log.h"
#include "events/outbox_state.pb.h"

namespace ledger::projections {

inline constexpr std::uint32_t kEmailAttemptsMax = 8;

struct DeliveryReport {
  std::uint64_t sent = 0;
  std::uint64_t failed = 0;
};

class EmailDelivery {
 public:
  EmailDelivery(store::EventLog& log, const Clock& clock, std::string outbox_dir,
                std::string from_address = "no-reply@localhost")
      : log_(log), clock_(clock), outbox_dir_(std::move(outbox_dir)),
        from_(std::move(from_address)) {}
  ~EmailDelivery() { stop(); }

  Result<DeliveryReport> deliver_once();
  void start(std::chrono::milliseconds interval);
  void stop();

 private:
  Status deliver(const events::OutboxEmail& email);

  store::EventLog& log_;
  const Clock& clock_;
  std::string outbox_dir_;
  std::string from_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

// The RFC 5322 text of an email (CRLF line ends, multipart/alternative).
std::string render_eml(const events::OutboxEmail& email, std::string_view from);

}  // namespace ledger::projections
