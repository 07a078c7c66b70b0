#include "http/routes/support_ticket_routes.h"

#include <string>
#include <vector>

#include "core/domain/keyspaces.h"
#include "core/domain/read_model.h"
#include "core/domain/support_ticket.h"
#include "core/domain/text_limits.h"
#include "events/enum_names.h"
#include "http/api_support.h"
#include "http/authorization.h"
#include "http/domain_json.h"
#include "http/listing.h"
#include "http/route_declaration.h"

namespace ledger::http {
namespace {

using domain::UnitOfWork;

// Text that is empty when unset, as null.
nlohmann::json text_or_null(const std::string& text) {
  return text.empty() ? nlohmann::json(nullptr) : nlohmann::json(text);
}

nlohmann::json ticket_json(const events::TicketState& ticket) {
  return {
      {"id", ticket.ticket_id()},
      {"client_id", ticket.client_id()},
      {"subject", ticket.subject()},
      {"description", ticket.description()},
      {"service", text_or_null(ticket.service())},
      {"priority", events::enum_name(ticket.priority())},
      {"status", events::enum_name(ticket.status())},
      {"reply_count", ticket.reply_count()},
      {"first_staff_reply_at", time_json(ticket.first_staff_reply_at_us())},
      {"first_staff_reply_by", text_or_null(ticket.first_staff_reply_by())},
      {"created_at", time_json(ticket.opened_at_us())},
      {"updated_at", time_json(ticket.updated_at_us())},
  };
}

std::vector<std::string> service_names() {
  std::vector<std::string> names;
  for (const auto service : domain::ticket_services()) names.emplace_back(service);
  return names;
}

schema::Schema ticket_properties() {
  using namespace schema;
  // OpenAPI 3.0: a nullable enum lists null among its values.
  Schema service = nullable(one_of(service_names()));
  service["enum"].push_back(nullptr);
  return object({
      {"id", string()},
      {"client_id", string()},
      {"subject", string()},
      {"description", string()},
      {"service", service},
      {"priority", one_of<events::TicketPriority>()},
      {"status", one_of<events::TicketStatus>()},
      {"reply_count", integer()},
      {"first_staff_reply_at", nullable(time())},
      {"first_staff_reply_by", nullable(string())},
      {"created_at", nullable(time())},
      {"updated_at", nullable(time())},
  });
}

schema::Schema ticket_schema() { return schema::named("SupportTicket", ticket_properties()); }

nlohmann::json reply_json(const events::TicketReplyState& reply) {
  return {{"id", reply.reply_number()},         {"ticket_id", reply.ticket_id()},
          {"message", reply.message()},         {"author_id", reply.author_id()},
          {"author_role", reply.author_role()}, {"created_at", time_json(reply.created_at_us())}};
}

schema::Schema reply_schema() {
  using namespace schema;
  return named("SupportTicketReply", object({{"id", integer()},
                                             {"ticket_id", string()},
                                             {"message", string()},
                                             {"author_id", string()},
                                             {"author_role", one_of({"client", "agent", "admin"})},
                                             {"created_at", nullable(time())}}));
}

schema::Schema ticket_with_replies_schema() {
  return schema::named(
      "SupportTicketWithReplies",
      schema::extended(ticket_properties(), {{"replies", schema::array(reply_schema())}}));
}

// The ticket with its thread, oldest reply first.
Result<nlohmann::json> ticket_with_replies_json(const store::EventLog& log,
                                                const events::TicketState& ticket) {
  nlohmann::json replies = nlohmann::json::array();
  std::optional<Error> failure;
  auto scanned = log.scan_state(
      domain::kSupportKeyspace, domain::ticket_reply_prefix(ticket.ticket_id()),
      store::ReadDirection::forward, [&](std::string_view, std::string_view value) {
        auto reply = domain::decode_row<events::TicketReplyState>(value, "ticket reply");
        if (!reply) {
          failure = std::move(reply).error();
          return false;
        }
        replies.push_back(reply_json(*reply));
        return true;
      });
  if (!scanned) return std::move(scanned).error();
  if (failure) return std::move(*failure);
  nlohmann::json answer = ticket_json(ticket);
  answer["replies"] = std::move(replies);
  return answer;
}

// The ticket at `id` if the caller may see it (not_found otherwise, the same answer): the scope
// of its client and service (http/authorization.h).
Result<events::TicketState> visible_ticket(const ApiContext& api, const Caller& caller,
                                           std::string_view id) {
  const Error missing = make_error(Errc::not_found, "there is no such ticket");
  auto ticket = domain::read_row<events::TicketState>(api.log, domain::kSupportKeyspace,
                                                      domain::ticket_key(id));
  if (!ticket) return std::move(ticket).error();
  if (!ticket->has_value()) return missing;
  auto visible = in_client_scope(api.log, caller, (*ticket)->client_id(), (*ticket)->service());
  if (!visible) return std::move(visible).error();
  if (!*visible) return missing;
  return std::move(**ticket);
}

void open_ticket(ApiContext& api, const RouteInput& in, Reply reply) {
  const domain::OpenTicket command{domain::TicketId{api.ids.next()},
                                   in.caller.user_id,
                                   in.body.text("subject"),
                                   in.body.text("description"),
                                   in.body.optional_text("service").value_or(""),
                                   in.body.optional_choice<events::TicketPriority>("priority")};
  run_command<events::TicketState>(
      api, in.request, in.caller.user_id,
      [command](UnitOfWork& uow) { return domain::open_ticket(uow, command); },
      [](const events::TicketState& ticket) -> Result<nlohmann::json> {
        nlohmann::json answer = ticket_json(ticket);
        answer["replies"] = nlohmann::json::array();
        return answer;
      },
      beast_http::status::created, std::move(reply));
}

std::vector<Field> ticket_filters() {
  return {field::choice<events::TicketStatus>("status").optional(),
          field::text("client", domain::text_limits::kId).optional(),
          field::choice("service", service_names()).optional(),
          field::choice<events::TicketPriority>("priority").optional()};
}

// The tickets the caller may see, newest first, filtered by the query.
ListSource visible_tickets(ApiContext& api, const RouteInput& in) {
  const auto status = in.query.optional_choice<events::TicketStatus>("status");
  const auto client = in.query.optional_text("client");
  const auto service = in.query.optional_text("service");
  const auto priority = in.query.optional_choice<events::TicketPriority>("priority");
  // The narrowest rows that hold every answer: a client's own, the filtered client's, or every
  // ticket.
  std::string prefix(domain::kTicketKeyPrefix);
  if (in.caller.is_client()) {
    prefix = domain::client_ticket_prefix(in.caller.user_id.str());
  } else if (client) {
    prefix = domain::client_ticket_prefix(*client);
  }
  const bool index = prefix != domain::kTicketKeyPrefix;
  const store::EventLog& log = api.log;
  return state_rows(
      log, domain::kSupportKeyspace, std::move(prefix),
      [&log, caller = in.caller, index, status, client, service, priority](
          std::string_view, std::string_view value) -> Result<std::optional<nlohmann::json>> {
        auto ticket = domain::decode_row<events::TicketState>(value, "ticket");
        if (!ticket) return std::move(ticket).error();
        if (index) {  // index rows hold the id only
          auto full = domain::read_row<events::TicketState>(
              log, domain::kSupportKeyspace, domain::ticket_key(ticket->ticket_id()));
          if (!full) return std::move(full).error();
          if (!full->has_value()) return std::optional<nlohmann::json>();
          ticket = std::move(**full);
        }
        const bool kept = (!status || ticket->status() == *status) &&
                          (!client || ticket->client_id() == *client) &&
                          (!service || ticket->service() == *service) &&
                          (!priority || ticket->priority() == *priority);
        if (!kept) return std::optional<nlohmann::json>();
        auto visible = in_client_scope(log, caller, ticket->client_id(), ticket->service());
        if (!visible) return std::move(visible).error();
        if (!*visible) return std::optional<nlohmann::json>();
        return std::optional<nlohmann::json>(ticket_json(*ticket));
      });
}

void list_tickets(ApiContext& api, const RouteInput& in, Reply reply) {
  answer_query(api, in.request, reply, [&]() -> Result<nlohmann::json> {
    const ListSource source = visible_tickets(api, in);
    auto count = count_items(source);
    if (!count) return std::move(count).error();
    return list_page(in.request, source, *count);
  });
}

void get_ticket(ApiContext& api, const RouteInput& in, Reply reply) {
  answer_query(api, in.request, reply, [&]() -> Result<nlohmann::json> {
    auto ticket = visible_ticket(api, in.caller, in.path.get("id"));
    if (!ticket) return std::move(ticket).error();
    return ticket_with_replies_json(api.log, *ticket);
  });
}

void reply_to_ticket(ApiContext& api, const RouteInput& in, Reply reply) {
  if (auto ticket = visible_ticket(api, in.caller, in.path.get("id")); !ticket) {
    return reply_error(in.request, ticket.error(), reply);
  }
  const domain::ReplyToTicket command{domain::TicketId{in.path.get("id")}, in.caller.user_id,
                                      in.body.text("message")};
  run_command<events::TicketReplyState>(
      api, in.request, in.caller.user_id,
      [command](UnitOfWork& uow) { return domain::reply_to_ticket(uow, command); },
      [](const events::TicketReplyState& written) -> Result<nlohmann::json> {
        return reply_json(written);
      },
      beast_http::status::created, std::move(reply));
}

void change_ticket_status(ApiContext& api, const RouteInput& in, Reply reply) {
  if (auto ticket = visible_ticket(api, in.caller, in.path.get("id")); !ticket) {
    return reply_error(in.request, ticket.error(), reply);
  }
  const domain::ChangeTicketStatus command{domain::TicketId{in.path.get("id")},
                                           in.body.choice<events::TicketStatus>("status"),
                                           in.caller.user_id};
  run_command<events::TicketState>(
      api, in.request, in.caller.user_id,
      [command](UnitOfWork& uow) { return domain::change_ticket_status(uow, command); },
      [](const events::TicketState& ticket) -> Result<nlohmann::json> {
        return ticket_json(ticket);
      },
      beast_http::status::ok, std::move(reply));
}

}  // namespace

RouteTable support_ticket_routes() {
  using beast_http::verb;
  namespace limits = domain::text_limits;
  const std::vector<Role> everyone = {Role::admin, Role::agent, Role::client};
  return {
      {.method = verb::get,
       .path = "/api/support-tickets/",
       .operation_id = "listSupportTickets",
       .summary = "Support tickets the caller may see, newest first",
       .roles = everyone,
       .query = ticket_filters(),
       .paged = true,
       .answer = ticket_schema(),
       .handler = list_tickets},
      {.method = verb::post,
       .path = "/api/support-tickets/",
       .operation_id = "openSupportTicket",
       .summary = "Open a support ticket (clients, for themselves)",
       .roles = {Role::client},
       .body =
           {field::text("subject", limits::kName),
            field::long_text("description", limits::kDescription),
            field::choice("service", service_names()).optional().described("none when left out"),
            field::choice<events::TicketPriority>("priority")
                .optional()
                .described("default medium")},
       .success = beast_http::status::created,
       .answer = ticket_with_replies_schema(),
       .handler = open_ticket},
      {.method = verb::get,
       .path = "/api/support-tickets/{id}/",
       .operation_id = "getSupportTicket",
       .summary = "One support ticket with its replies, oldest first",
       .roles = everyone,
       .answer = ticket_with_replies_schema(),
       .errors = {Errc::not_found},
       .handler = get_ticket},
      {.method = verb::post,
       .path = "/api/support-tickets/{id}/reply/",
       .operation_id = "replyToSupportTicket",
       .summary = "Reply on a ticket's thread (its client, the client's agents for its service, "
                  "admins); at most 500 replies, none on a closed ticket",
       .roles = everyone,
       .body = {field::long_text("message", limits::kMessage)},
       .success = beast_http::status::created,
       .answer = reply_schema(),
       .errors = {Errc::not_found, Errc::invalid_transition, Errc::thread_full},
       .handler = reply_to_ticket},
      {.method = verb::post,
       .path = "/api/support-tickets/{id}/change_status/",
       .operation_id = "changeSupportTicketStatus",
       .summary = "Move a ticket (staff: every allowed move; the client: reopen or close a "
                  "resolved ticket)",
       .roles = everyone,
       .body = {field::choice<events::TicketStatus>("status").described(
           "open -> in_progress | resolved; in_progress -> resolved; resolved -> closed | open; "
           "closed is final")},
       .answer = ticket_schema(),
       .errors = {Errc::not_found, Errc::forbidden, Errc::invalid_transition},
       .handler = change_ticket_status},
  };
}

}  // namespace ledger::http
