#include "core/domain/support_fold.h"

#include <fmt/format.h>

#include <utility>

#include "core/domain/keyspaces.h"
#include "core/domain/support_ticket.h"
#include "events/ticket_events.pb.h"
#include "events/ticket_state.pb.h"

namespace ledger::domain {
namespace {

Status ticket_opened(KeyspaceRows& rows, const FoldedEvent& event,
                     const events::TicketOpened& opened) {
  events::TicketState ticket;
  ticket.set_ticket_id(opened.ticket_id());
  ticket.set_client_id(opened.client_id());
  ticket.set_subject(opened.subject());
  ticket.set_description(opened.description());
  ticket.set_service(opened.service());
  ticket.set_priority(opened.priority());
  ticket.set_status(events::TICKET_STATUS_OPEN);
  ticket.set_opened_at_us(event.recorded_at_us);
  ticket.set_updated_at_us(event.recorded_at_us);
  rows.save(ticket_key(opened.ticket_id()), ticket);
  // The client's index row holds only the id; readers load the ticket row.
  events::TicketState index;
  index.set_ticket_id(opened.ticket_id());
  rows.save(client_ticket_prefix(opened.client_id()) + opened.ticket_id(), index);
  return {};
}

// Applies `change` to the ticket row and saves it; a ticket the fold never saw changes nothing
// (folds are total). Answers whether the row was there.
template <class Change>
Result<bool> change_ticket(KeyspaceRows& rows, const FoldedEvent& event,
                           const std::string& ticket_id, Change change) {
  auto row = rows.load<events::TicketState>(ticket_key(ticket_id));
  if (!row) return std::move(row).error();
  if (!row->has_value()) return false;
  events::TicketState& ticket = **row;
  change(ticket);
  ticket.set_updated_at_us(event.recorded_at_us);
  rows.save(ticket_key(ticket_id), ticket);
  return true;
}

Status ticket_replied(KeyspaceRows& rows, const FoldedEvent& event,
                      const events::TicketReplied& replied) {
  auto changed = change_ticket(rows, event, replied.ticket_id(), [&](events::TicketState& ticket) {
    ticket.set_reply_count(replied.reply_number());
    if (ticket_staff_role(replied.author_role()) && ticket.first_staff_reply_at_us() == 0) {
      ticket.set_first_staff_reply_at_us(event.recorded_at_us);
      ticket.set_first_staff_reply_by(replied.author_id());
    }
  });
  if (!changed) return std::move(changed).error();
  if (!*changed) return {};
  events::TicketReplyState reply;
  reply.set_ticket_id(replied.ticket_id());
  reply.set_reply_number(replied.reply_number());
  reply.set_message(replied.message());
  reply.set_author_id(replied.author_id());
  reply.set_author_role(replied.author_role());
  reply.set_created_at_us(event.recorded_at_us);
  rows.save(ticket_reply_key(replied.ticket_id(), replied.reply_number()), reply);
  return {};
}

Status evolve_support(KeyspaceRows& rows, const FoldedEvent& event) {
  if (const auto* opened = event.as<events::TicketOpened>()) {
    return ticket_opened(rows, event, *opened);
  }
  if (const auto* replied = event.as<events::TicketReplied>()) {
    return ticket_replied(rows, event, *replied);
  }
  if (const auto* moved = event.as<events::TicketStatusChanged>()) {
    auto changed = change_ticket(rows, event, moved->ticket_id(), [&](events::TicketState& ticket) {
      ticket.set_status(moved->to_status());
    });
    if (!changed) return std::move(changed).error();
  }
  return {};
}

}  // namespace

std::string ticket_key(std::string_view ticket_id) {
  return std::string(kTicketKeyPrefix) + std::string(ticket_id);
}
std::string client_ticket_prefix(std::string_view client_id) {
  return "of-client/" + std::string(client_id) + "/";
}
std::string ticket_reply_prefix(std::string_view ticket_id) {
  return "reply/" + std::string(ticket_id) + "/";
}
std::string ticket_reply_key(std::string_view ticket_id, std::uint32_t reply_number) {
  return fmt::format("{}{:06}", ticket_reply_prefix(ticket_id), reply_number);
}

InlineFold support_fold() {
  return InlineFold{
      .keyspace = kSupportKeyspace,
      .version = 1,
      .description = "support tickets, with their per-client index rows and their threads",
      .events = {events::TicketOpened::descriptor(), events::TicketReplied::descriptor(),
                 events::TicketStatusChanged::descriptor()},
      .every_event = false,
      .evolve = evolve_support};
}

}  // namespace ledger::domain
