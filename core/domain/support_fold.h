// The "support" fold: each support ticket, its per-client index row and its thread of replies,
// from the ticket events.
//
//   ticket/<ticket_id>                          TicketState
//   of-client/<client_id>/<ticket_id>           TicketState holding only ticket_id
//   reply/<ticket_id>/<reply number, 6 digits>  TicketReplyState (the thread, oldest first)
//
// Tickets and replies are never erased: a closed ticket stays, with its thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/domain/fold.h"

namespace ledger::domain {

inline constexpr std::string_view kTicketKeyPrefix = "ticket/";
std::string ticket_key(std::string_view ticket_id);
std::string client_ticket_prefix(std::string_view client_id);
std::string ticket_reply_prefix(std::string_view ticket_id);
std::string ticket_reply_key(std::string_view ticket_id, std::uint32_t reply_number);

InlineFold support_fold();

}  // namespace ledger::domain
