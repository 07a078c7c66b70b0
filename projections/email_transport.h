// How a rendered email leaves the system: written as a file, or sent to an SMTP relay.
#pragma once

#include <string_view>

#include "core/result.h"
#include "events/outbox_state.pb.h"

namespace ledger::projections {

class EmailTransport {
 public:
  virtual ~EmailTransport() = default;
  // Delivers `message` (the RFC 5322 text of `email`, CRLF line ends) from `from` to
  // `email.to()`. An error leaves the email to be retried with backoff.
  virtual Status send(const events::OutboxEmail& email, std::string_view from,
                      std::string_view message) = 0;
};

}  // namespace ledger::projections
