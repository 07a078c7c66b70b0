// StreamTickets: the short-lived, single-use credentials with which a browser's EventSource, which
// cannot send an Authorization header, opens the notification stream (API.md, "Browsers";
// docs/SECURITY.md).
//
// POST /api/notifications/stream-ticket/ issues one to a signed-in caller; GET
// /api/notifications/stream/?ticket=... redeems it. A ticket is 256 random bits shown once as
// "lst_" + 64 hex digits; only its SHA-256 is kept, with the user it was issued to and the digest
// of the bearer token that asked for it. Redeeming removes it (used, it is refused like an
// unknown one), and the caller then checks that token as a bearer token is checked: a ticket of
// a revoked or expired token or of a deactivated user opens nothing.
//
// Kept in the memory of the serving process, not in the log: a ticket moves no number a user
// sees and is no fact of the ledger, like the rate limiter's counters; it lives 60 s, so a
// restart costs a dashboard one more POST, and one process serves the API today (a second one
// would need its tickets shared, as it would its rate limits). Limits: `per_user_max` tickets
// issued to one user and `issued_max` in all within one lifetime (beyond: rate_limited). Safe
// from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/result.h"

namespace ledger::http {

struct StreamTicketOptions {
  std::int64_t lifetime_us = 60'000'000;  // 60 s
  std::size_t per_user_max = 30;          // issued to one user within one lifetime
  std::size_t issued_max = 100'000;       // issued in all within one lifetime
};

class StreamTickets {
 public:
  struct Issued {
    std::string ticket;  // shown once; never stored or logged
    std::int64_t expires_at_us = 0;
  };
  struct Holder {
    std::string user_id;
    std::string token_digest;  // of the bearer token that asked for the ticket
  };

  explicit StreamTickets(StreamTicketOptions options = {}) : options_(options) {}

  // A new ticket for `user_id`, bound to the bearer token whose digest is `bearer_digest`;
  // rate_limited when a limit above is reached.
  Result<Issued> issue(std::string_view user_id, std::string_view bearer_digest,
                       std::int64_t now_us);

  // Takes the ticket: its holder when it was issued and is neither used nor expired;
  // unauthenticated otherwise.
  Result<Holder> redeem(std::string_view ticket, std::int64_t now_us);

  // Tickets issued within the last lifetime (used or not), for tests and limits.
  std::size_t issued_recently(std::int64_t now_us);

  const StreamTicketOptions& options() const { return options_; }

 private:
  struct Entry {
    Holder holder;
    std::int64_t expires_at_us = 0;
  };
  struct Issue {
    std::int64_t expires_at_us = 0;
    std::string digest;
    std::string user_id;
  };
  // Forgets the issues whose lifetime is over (and their tickets, if unused). Holds mutex_.
  void forget_expired(std::int64_t now_us);

  const StreamTicketOptions options_;
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> unused_;  // by the ticket's digest
  std::deque<Issue> issues_;                       // in the order issued, so by expiry
  std::unordered_map<std::string, std::size_t> issued_per_user_;
};

}  // namespace ledger::http
