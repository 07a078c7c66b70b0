// Messages (POST /api/messages/, GET /api/messages/?with=, GET /api/messages/conversations/,
// POST /api/messages/{id}/mark_read/).
//
// What API.md leaves open, decided as the dashboards' users would expect:
// - Who may write to whom is the domain's rule (core/domain/message.h): a client to the agents
//   serving them and to admins, an agent to the clients they serve and to admins, an admin to
//   anyone. Anyone else answers 404 exactly like an unknown user.
// - `?with=` is required: one conversation of the caller's, oldest first, paged; `?service=`
//   keeps the messages about one service (a conversation is per pair of people, and each message
//   says which service it is about). Every message in it is the caller's own (sent or received),
//   so it stays readable after the other side left the caller's scope (an agent reassigned):
//   history stays. An unknown user is a 404.
// - Conversations are the caller's counterparts, the latest first, each with the last message,
//   the unread count (messages the caller received and has not marked read) and the count.
// - Only the recipient marks a message read (the sender: 403; anyone else: 404); again is a
//   no-op answering the message.
// - A new message notifies its recipient (`message_received`, live on the notification stream)
//   and emails them a preview, unless they turned message emails off.
#pragma once

#include "http/route_declaration.h"

namespace ledger::http {

RouteTable message_routes();

}  // namespace ledger::http
