#include "http/stream_tickets.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/assert.h"
#include "core/hex.h"
#include "core/secret_token.h"
#include "core/secure_random.h"

namespace ledger::http {
namespace {

constexpr std::string_view kTicketPrefix = "lst_";
constexpr std::size_t kTicketBytes = kTicketPrefix.size() + 64;

Error refused() {
  return make_error(Errc::unauthenticated,
                    "the stream ticket is unknown, used or expired: ask for a new one with POST "
                    "/api/notifications/stream-ticket/");
}

}  // namespace

void StreamTickets::forget_expired(std::int64_t now_us) {
  while (!issues_.empty() && issues_.front().expires_at_us <= now_us) {
    const Issue& issue = issues_.front();
    if (const auto unused = unused_.find(issue.digest);
        unused != unused_.end() && unused->second.expires_at_us == issue.expires_at_us) {
      unused_.erase(unused);
    }
    const auto count = issued_per_user_.find(issue.user_id);
    LEDGER_ASSERT(count != issued_per_user_.end() && count->second > 0,
                  "every issue is counted for its user");
    if (--count->second == 0) issued_per_user_.erase(count);
    issues_.pop_front();
  }
}

Result<StreamTickets::Issued> StreamTickets::issue(std::string_view user_id,
                                                   std::string_view bearer_digest,
                                                   std::int64_t now_us) {
  LEDGER_ASSERT(!user_id.empty() && !bearer_digest.empty(), "a ticket is bound to a caller");
  Issued issued{std::string(kTicketPrefix) + to_hex(secure_random_bytes(32)),
                now_us + options_.lifetime_us};
  std::string digest = token_digest(issued.ticket);
  const std::lock_guard lock(mutex_);
  forget_expired(now_us);
  const auto count = issued_per_user_.find(std::string(user_id));
  const std::size_t issued_to_user = count == issued_per_user_.end() ? 0 : count->second;
  if (issued_to_user >= options_.per_user_max || issues_.size() >= options_.issued_max) {
    return make_error(Errc::rate_limited,
                      fmt::format("too many stream tickets were asked for in the last {} s",
                                  options_.lifetime_us / 1'000'000));
  }
  // A later issue never expires before an earlier one (the deque's order), even if the clock
  // stepped back.
  if (!issues_.empty()) {
    issued.expires_at_us = std::max(issued.expires_at_us, issues_.back().expires_at_us);
  }
  unused_.emplace(digest, Entry{Holder{std::string(user_id), std::string(bearer_digest)},
                                issued.expires_at_us});
  issues_.push_back(Issue{issued.expires_at_us, std::move(digest), std::string(user_id)});
  ++issued_per_user_[std::string(user_id)];
  LEDGER_ASSERT(unused_.size() <= issues_.size(), "every unused ticket is among the issues");
  return issued;
}

Result<StreamTickets::Holder> StreamTickets::redeem(std::string_view ticket, std::int64_t now_us) {
  if (ticket.size() != kTicketBytes || !ticket.starts_with(kTicketPrefix)) return refused();
  const std::string digest = token_digest(ticket);
  const std::lock_guard lock(mutex_);
  forget_expired(now_us);
  const auto found = unused_.find(digest);
  if (found == unused_.end()) return refused();
  Entry entry = std::move(found->second);
  unused_.erase(found);  // single use, whatever follows
  if (entry.expires_at_us <= now_us) return refused();
  return std::move(entry.holder);
}

std::size_t StreamTickets::issued_recently(std::int64_t now_us) {
  const std::lock_guard lock(mutex_);
  forget_expired(now_us);
  return issues_.size();
}

}  // namespace ledger::http
