// Support tickets: a client's problem, a thread of replies between the client and the agency, and
// a status the agency moves until the problem is solved.
//
// Rules (each refused command writes nothing):
// - A client opens a ticket (the opener must be a user whose role is client: invalid_argument on
//   client_id otherwise) with a subject (1-200 bytes), a description (1-5000), a service
//   (marketing, website, courses, or none) and a priority (low, medium, high; medium when not
//   given). It is open, with an empty thread.
// - Who is party to a ticket: its client, and its staff — every admin, and the agents serving the
//   client for the ticket's service (any agent serving the client when the ticket has none).
//   Anyone else (and a deactivated user) is forbidden to act on it.
// - A reply (1-5000 bytes) is written by a party to the ticket onto its thread, numbered from 1,
//   oldest first. A closed ticket takes no reply (invalid_transition); a thread holds at most
//   500 replies (thread_full). The first reply by staff is remembered (when and by whom) for the
//   agency's response times.
// - Status: open -> in_progress | resolved; in_progress -> resolved; resolved -> closed | open
//   (reopened). closed is final. Any other move is invalid_transition; asking for the status a
//   ticket already has changes nothing. Staff make every allowed move; the client only reopens
//   or closes a resolved ticket (forbidden otherwise).
//
// Every function here decides one command against a UnitOfWork: it reads state, checks the rules
// and emits events; the rows those events fold into are written by the "support" fold
// (support_fold.h, which also lists the row keys). Ids and times come in the command or from
// uow.now_us(): given the same state and command, the same events.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/domain/support_fold.h"
#include "core/domain/unit_of_work.h"
#include "events/ticket_events.pb.h"
#include "events/ticket_state.pb.h"
#include "events/user_state.pb.h"

namespace ledger::domain {

// The most replies one ticket's thread holds.
inline constexpr std::uint32_t kTicketRepliesMax = 500;

std::string ticket_stream(std::string_view ticket_id);

// The services a ticket may be about ("marketing", "website", "courses").
std::span<const std::string_view> ticket_services();

struct OpenTicket {
  TicketId ticket_id;
  UserId client_id;  // who opens it: a client
  std::string subject;
  std::string description;
  std::string service;                             // empty: none
  std::optional<events::TicketPriority> priority;  // default medium
};
Result<events::TicketState> open_ticket(UnitOfWork& uow, const OpenTicket& command);

struct ReplyToTicket {
  TicketId ticket_id;
  ActorId author;
  std::string message;
};
// Answers the reply as its row holds it.
Result<events::TicketReplyState> reply_to_ticket(UnitOfWork& uow, const ReplyToTicket& command);

struct ChangeTicketStatus {
  TicketId ticket_id;
  events::TicketStatus status = events::TICKET_STATUS_UNSPECIFIED;
  ActorId changed_by;
};
Result<events::TicketState> change_ticket_status(UnitOfWork& uow,
                                                 const ChangeTicketStatus& command);

// Pure rules, for readers and tests.

// What a user is to a ticket (see the rules).
enum class TicketParty { none, client, staff };
// `user` is the acting user's row, `client` the row of the ticket's client.
TicketParty ticket_party(const events::UserState& user, const events::UserState& client,
                         const events::TicketState& ticket);

bool ticket_transition_allowed(events::TicketStatus from, events::TicketStatus to);
// Whether the ticket's client may make the (allowed) move: reopen or close a resolved ticket.
bool ticket_client_may_move(events::TicketStatus from, events::TicketStatus to);
// Whether a ticket in `status` takes replies (every status but closed).
bool ticket_takes_replies(events::TicketStatus status);
// Whether an author of `role` ("client", "agent", "admin") is staff.
bool ticket_staff_role(std::string_view role);
// A status as a sentence names it ("in progress"), for what people are told.
std::string ticket_status_words(events::TicketStatus status);

}  // namespace ledger::domain
