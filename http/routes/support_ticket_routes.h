// Support tickets (GET|POST /api/support-tickets/, GET /api/support-tickets/{id}/,
// POST .../{id}/reply/, POST .../{id}/change_status/).
//
// What API.md leaves open, decided as the dashboards' users would expect:
// - Clients open tickets (for themselves); priority is low, medium (the default) or high; a
//   ticket's service is marketing, website, courses or none.
// - Scope: a client sees their own tickets, an agent the tickets of the clients they serve that
//   are of the agent's service or of none, an admin all; any other answers 404, like a missing
//   ticket, for every endpoint. The list is newest first, filtered by ?status=, ?client=,
//   ?service= and ?priority=.
// - GET one answers the ticket with its thread (`replies`, oldest first). A reply answers 201
//   with the reply. Whoever sees a ticket may reply to it; a closed ticket takes none (422
//   invalid_transition), a thread holds at most 500 (422 thread_full).
// - change_status: open -> in_progress | resolved; in_progress -> resolved; resolved -> closed |
//   open (reopened); closed is final (422 invalid_transition). Agents and admins make every
//   move; the client only reopens or closes a resolved ticket (403 otherwise). The status the
//   ticket already has changes nothing.
// - The other side hears of each ticket, reply and status change (notifications; the client also
//   by email), never the one who did it (core/domain/support_ticket.h,
//   projections/notification_rules.cpp).
#pragma once

#include "http/route_declaration.h"

namespace ledger::http {

RouteTable support_ticket_routes();

}  // namespace ledger::http
