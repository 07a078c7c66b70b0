#include "core/domain/support_ticket.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <utility>

#include "core/assert.h"
#include "core/domain/emit_and_read.h"
#include "core/domain/identity_fold.h"
#include "core/domain/keyspaces.h"
#include "core/domain/text_limits.h"
#include "core/domain/validation.h"
#include "events/enum_names.h"

namespace ledger::domain {
namespace {

constexpr std::array<std::string_view, 3> kTicketServices = {"marketing", "website", "courses"};

Result<std::optional<events::UserState>> load_user_row(UnitOfWork& uow, std::string_view user_id) {
  return uow.load<events::UserState>(kIdentityKeyspace, user_key(user_id));
}

Status validate_opening(const OpenTicket& command) {
  if (auto valid = require_id(command.ticket_id.str(), "ticket_id"); !valid) return valid;
  if (auto valid = require_id(command.client_id.str(), "client_id"); !valid) return valid;
  if (auto valid = require_text(command.subject, "subject", text_limits::kName); !valid) {
    return valid;
  }
  if (auto valid = require_text(command.description, "description", text_limits::kDescription);
      !valid) {
    return valid;
  }
  if (!command.service.empty() && std::find(kTicketServices.begin(), kTicketServices.end(),
                                            command.service) == kTicketServices.end()) {
    return make_error(Errc::invalid_argument, "service must be marketing, website or courses",
                      "service");
  }
  if (command.priority && *command.priority == events::TICKET_PRIORITY_UNSPECIFIED) {
    return make_error(Errc::invalid_argument, "priority must be low, medium or high", "priority");
  }
  return {};
}

Result<events::TicketState> load_ticket(UnitOfWork& uow, std::string_view ticket_id) {
  if (auto valid = require_id(ticket_id, "ticket_id"); !valid) return std::move(valid).error();
  auto row = uow.load<events::TicketState>(kSupportKeyspace, ticket_key(ticket_id));
  if (!row) return std::move(row).error();
  if (!row->has_value()) return make_error(Errc::not_found, "there is no such ticket");
  return std::move(**row);
}

// A ticket with the acting user and what they are to it.
struct TicketAndActor {
  events::TicketState ticket;
  std::string actor_role;
  TicketParty party = TicketParty::none;
};

// The ticket, when `actor` is party to it (forbidden otherwise).
Result<TicketAndActor> load_ticket_for(UnitOfWork& uow, std::string_view ticket_id,
                                       const ActorId& actor) {
  auto ticket = load_ticket(uow, ticket_id);
  if (!ticket) return std::move(ticket).error();
  const Error refused = make_error(Errc::forbidden, "only the ticket's client and staff act on it");
  auto user = load_user_row(uow, actor.str());
  if (!user) return std::move(user).error();
  if (!user->has_value()) return refused;
  auto client = load_user_row(uow, ticket->client_id());
  if (!client) return std::move(client).error();
  LEDGER_ASSERT(client->has_value(), "a ticket's client is a registered user");
  const TicketParty party = ticket_party(**user, **client, *ticket);
  if (party == TicketParty::none) return refused;
  return TicketAndActor{std::move(*ticket), (*user)->role(), party};
}

// Ok when `party` may move a ticket from `from` to `to` (another status than its own).
Status check_move(events::TicketStatus from, events::TicketStatus to, TicketParty party) {
  if (!ticket_transition_allowed(from, to)) {
    return make_error(
        Errc::invalid_transition,
        fmt::format("a {} ticket cannot become {}", events::enum_name(from),
                    to == events::TICKET_STATUS_UNSPECIFIED ? "nothing" : events::enum_name(to)),
        "status");
  }
  if (party == TicketParty::client && !ticket_client_may_move(from, to)) {
    return make_error(Errc::forbidden, "a client only reopens or closes a resolved ticket",
                      "status");
  }
  return {};
}

}  // namespace

std::string ticket_stream(std::string_view ticket_id) { return "ticket:" + std::string(ticket_id); }

std::span<const std::string_view> ticket_services() { return kTicketServices; }

TicketParty ticket_party(const events::UserState& user, const events::UserState& client,
                         const events::TicketState& ticket) {
  if (user.deactivated()) return TicketParty::none;
  if (user.user_id() == ticket.client_id()) return TicketParty::client;
  if (user.role() == "admin") return TicketParty::staff;
  if (user.role() != "agent" || client.user_id() != ticket.client_id()) return TicketParty::none;
  for (const auto& [service, agent] : client.agents()) {
    if (agent == user.user_id() && (ticket.service().empty() || service == ticket.service())) {
      return TicketParty::staff;
    }
  }
  return TicketParty::none;
}

bool ticket_transition_allowed(events::TicketStatus from, events::TicketStatus to) {
  using enum events::TicketStatus;
  static constexpr std::array<std::pair<events::TicketStatus, events::TicketStatus>, 5> kAllowed = {
      {
          {TICKET_STATUS_OPEN, TICKET_STATUS_IN_PROGRESS},
          {TICKET_STATUS_OPEN, TICKET_STATUS_RESOLVED},
          {TICKET_STATUS_IN_PROGRESS, TICKET_STATUS_RESOLVED},
          {TICKET_STATUS_RESOLVED, TICKET_STATUS_CLOSED},
          {TICKET_STATUS_RESOLVED, TICKET_STATUS_OPEN},
      }};
  return std::find(kAllowed.begin(), kAllowed.end(), std::pair{from, to}) != kAllowed.end();
}

bool ticket_client_may_move(events::TicketStatus from, events::TicketStatus to) {
  return from == events::TICKET_STATUS_RESOLVED &&
         (to == events::TICKET_STATUS_OPEN || to == events::TICKET_STATUS_CLOSED);
}

bool ticket_takes_replies(events::TicketStatus status) {
  return status != events::TICKET_STATUS_CLOSED;
}

bool ticket_staff_role(std::string_view role) { return role == "agent" || role == "admin"; }

std::string ticket_status_words(events::TicketStatus status) {
  std::string words(events::enum_name(status));
  std::replace(words.begin(), words.end(), '_', ' ');
  return words;
}

Result<events::TicketState> open_ticket(UnitOfWork& uow, const OpenTicket& command) {
  if (auto valid = validate_opening(command); !valid) return std::move(valid).error();
  auto client = load_user_row(uow, command.client_id.str());
  if (!client) return std::move(client).error();
  if (!client->has_value() || (*client)->role() != "client") {
    return make_error(Errc::invalid_argument, "client_id must name a client", "client_id");
  }
  if (auto unused = uow.require_unused(command.ticket_id, kSupportKeyspace,
                                       ticket_key(command.ticket_id.str()));
      !unused) {
    return std::move(unused).error();
  }
  events::TicketOpened opened;
  opened.set_ticket_id(command.ticket_id.str());
  opened.set_client_id(command.client_id.str());
  opened.set_subject(command.subject);
  opened.set_description(command.description);
  opened.set_service(command.service);
  opened.set_priority(command.priority.value_or(events::TICKET_PRIORITY_MEDIUM));
  return emit_and_read<events::TicketState>(uow, ticket_stream(opened.ticket_id()), opened,
                                            kSupportKeyspace, ticket_key(opened.ticket_id()));
}

Result<events::TicketReplyState> reply_to_ticket(UnitOfWork& uow, const ReplyToTicket& command) {
  if (auto valid = require_text(command.message, "message", text_limits::kMessage); !valid) {
    return std::move(valid).error();
  }
  auto found = load_ticket_for(uow, command.ticket_id.str(), command.author);
  if (!found) return std::move(found).error();
  const events::TicketState& ticket = found->ticket;
  if (!ticket_takes_replies(ticket.status())) {
    return make_error(Errc::invalid_transition, "the ticket is closed: it takes no reply");
  }
  if (ticket.reply_count() >= kTicketRepliesMax) {
    return make_error(Errc::thread_full,
                      fmt::format("the ticket's thread holds {} replies, the most it may: open a "
                                  "new ticket",
                                  kTicketRepliesMax));
  }
  events::TicketReplied replied;
  replied.set_ticket_id(ticket.ticket_id());
  replied.set_client_id(ticket.client_id());
  replied.set_subject(ticket.subject());
  replied.set_service(ticket.service());
  replied.set_reply_number(ticket.reply_count() + 1);
  replied.set_message(command.message);
  replied.set_author_id(command.author.str());
  replied.set_author_role(found->actor_role);
  return emit_and_read<events::TicketReplyState>(
      uow, ticket_stream(ticket.ticket_id()), replied, kSupportKeyspace,
      ticket_reply_key(ticket.ticket_id(), replied.reply_number()));
}

Result<events::TicketState> change_ticket_status(UnitOfWork& uow,
                                                 const ChangeTicketStatus& command) {
  auto found = load_ticket_for(uow, command.ticket_id.str(), command.changed_by);
  if (!found) return std::move(found).error();
  const events::TicketState& ticket = found->ticket;
  if (command.status == ticket.status()) return std::move(found->ticket);  // nothing to record
  if (auto allowed = check_move(ticket.status(), command.status, found->party); !allowed) {
    return std::move(allowed).error();
  }
  events::TicketStatusChanged changed;
  changed.set_ticket_id(ticket.ticket_id());
  changed.set_client_id(ticket.client_id());
  changed.set_subject(ticket.subject());
  changed.set_service(ticket.service());
  changed.set_from_status(ticket.status());
  changed.set_to_status(command.status);
  changed.set_changed_by(command.changed_by.str());
  changed.set_changer_role(found->actor_role);
  return emit_and_read<events::TicketState>(uow, ticket_stream(ticket.ticket_id()), changed,
                                            kSupportKeyspace, ticket_key(ticket.ticket_id()));
}

}  // namespace ledger::domain
