// EmailDelivery: the worker that sends what the outbox holds. Each pass takes the queued emails
// (and failed ones whose backoff has passed) from the outbox's pending index, so a pass costs
// what is left to send, not every email ever sent; delivers each, and records the outcome on its
// row: "sent", or "failed" with the attempt count, the error and the next attempt time (backoff
// doubling from one minute, at most 8 attempts). Emails that carry a secret (verification codes,
// password reset tokens: email_categories.h) are erased from their row once sent.
//
// Each email is rendered as an RFC 5322 message (multipart text + HTML, email_message.h; an email
// that cannot be rendered fails like a refused delivery) and handed to a transport:
// an SMTP relay (smtp_transport.h) when one is configured, otherwise `<email_id>.eml` files in
// the outbox directory (eml_directory_transport.h).
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/clock.h"
#include "core/store/event_log.h"
#include "events/outbox_state.pb.h"
#include "projections/email_message.h"
#include "projections/email_transport.h"

namespace ledger::projections {

inline constexpr std::uint32_t kEmailAttemptsMax = 8;
inline constexpr std::uint64_t kDeliveryBatchMax =
    500;  // emails per pass (a full batch: next pass at once)

struct DeliveryReport {
  std::uint64_t sent = 0;
  std::uint64_t failed = 0;
};

class EmailDelivery {
 public:
  EmailDelivery(store::EventLog& log, const Clock& clock, std::unique_ptr<EmailTransport> transport,
                std::string from_address = "no-reply@localhost")
      : log_(log),
        clock_(clock),
        transport_(std::move(transport)),
        from_(std::move(from_address)) {}
  // Delivery into .eml files in `outbox_dir`.
  EmailDelivery(store::EventLog& log, const Clock& clock, std::string outbox_dir,
                std::string from_address = "no-reply@localhost");
  ~EmailDelivery() { stop(); }

  // One pass over the pending index: at most kDeliveryBatchMax emails.
  Result<DeliveryReport> deliver_once();
  void start(std::chrono::milliseconds interval);
  void stop();

 private:
  store::EventLog& log_;
  const Clock& clock_;
  std::unique_ptr<EmailTransport> transport_;
  std::string from_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::atomic<bool> stopping_{
      false};  // also read between emails: stop() does not wait for a long queue
  std::thread thread_;
  bool indexed_ = false;  // the pending index exists (see index_pending_once)

  Status index_pending_once();
};

}  // namespace ledger::projections
