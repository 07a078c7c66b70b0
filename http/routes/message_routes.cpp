#include "http/routes/message_routes.h"

#include <utility>

#include "core/domain/identity_fold.h"
#include "core/domain/keyspaces.h"
#include "core/domain/message.h"
#include "core/domain/read_model.h"
#include "core/domain/task.h"
#include "core/domain/text_limits.h"
#include "events/user_state.pb.h"
#include "http/api_support.h"
#include "http/domain_json.h"
#include "http/listing.h"
#include "http/route_declaration.h"

namespace ledger::http {
namespace {

using domain::UnitOfWork;

nlohmann::json text_or_null(const std::string& text) {
  return text.empty() ? nlohmann::json(nullptr) : nlohmann::json(text);
}

nlohmann::json message_json(const events::MessageState& message) {
  return {
      {"id", message.message_id()},
      {"sender", message.sender_id()},
      {"sender_name", message.sender_name()},
      {"recipient", message.recipient_id()},
      {"content", message.content()},
      {"service", text_or_null(message.service())},
      {"is_read", message.read_at_us() != 0},
      {"read_at", time_json(message.read_at_us())},
      {"created_at", time_json(message.sent_at_us())},
  };
}

std::vector<std::string> service_names() {
  std::vector<std::string> names;
  for (const auto service : domain::task_services()) names.emplace_back(service);
  return names;
}

schema::Schema service_schema() {
  using namespace schema;
  std::vector<std::string> services;
  for (const auto service : domain::task_services()) services.emplace_back(service);
  // OpenAPI 3.0: a nullable enum lists null among its values.
  Schema service = nullable(one_of(services));
  service["enum"].push_back(nullptr);
  return service;
}

schema::Schema message_schema() {
  using namespace schema;
  return named("Message", object({
                              {"id", string()},
                              {"sender", string()},
                              {"sender_name", string()},
                              {"recipient", string()},
                              {"content", string()},
                              {"service", service_schema()},
                              {"is_read", boolean()},
                              {"read_at", nullable(time())},
                              {"created_at", nullable(time())},
                          }));
}

schema::Schema conversation_schema() {
  using namespace schema;
  return named("Conversation", object({
                                   {"counterpart", string()},
                                   {"counterpart_name", string()},
                                   {"counterpart_role", one_of({"admin", "agent", "client"})},
                                   {"last_message", message_schema()},
                                   {"unread_count", integer()},
                                   {"message_count", integer()},
                               }));
}

Renderer<events::MessageState> render_message() {
  return [](const events::MessageState& message) -> Result<nlohmann::json> {
    return message_json(message);
  };
}

Result<events::UserState> known_user(const store::EventLog& log, std::string_view user_id) {
  auto user = domain::read_row<events::UserState>(log, domain::kIdentityKeyspace,
                                                  domain::user_key(user_id));
  if (!user) return std::move(user).error();
  if (!user->has_value()) return make_error(Errc::not_found, "there is no such user");
  return std::move(**user);
}

Result<events::MessageState> message_row(const store::EventLog& log, std::string_view id) {
  auto message = domain::read_row<events::MessageState>(log, domain::kMessagesKeyspace,
                                                        domain::message_key(id));
  if (!message) return std::move(message).error();
  if (!message->has_value()) {
    return make_error(Errc::corruption, "an index row names a message that is not stored");
  }
  return std::move(**message);
}

void send_message(ApiContext& api, const RouteInput& in, Reply reply) {
  domain::SendMessage command{domain::MessageId{api.ids.next()}, in.caller.user_id,
                              domain::UserId{in.body.text("recipient")}, in.body.text("content"),
                              in.body.optional_text("service").value_or("")};
  run_command<events::MessageState>(
      api, in.request, in.caller.user_id,
      [command = std::move(command)](UnitOfWork& uow) {
        return domain::send_message(uow, command);
      },
      render_message(), beast_http::status::created, std::move(reply));
}

void list_conversation(ApiContext& api, const RouteInput& in, Reply reply) {
  answer_query(api, in.request, reply, [&]() -> Result<nlohmann::json> {
    const std::string with = in.query.text("with");
    if (auto counterpart = known_user(api.log, with); !counterpart) {
      return std::move(counterpart).error();
    }
    const auto service = in.query.optional_text("service");
    const store::EventLog& log = api.log;
    ListSource source = state_rows(
        log, domain::kMessagesKeyspace, domain::thread_prefix(in.caller.user_id.str(), with),
        [&log, service](std::string_view,
                        std::string_view value) -> Result<std::optional<nlohmann::json>> {
          auto index = domain::decode_row<events::MessageState>(value, "message");
          if (!index) return std::move(index).error();
          auto message = message_row(log, index->message_id());
          if (!message) return std::move(message).error();
          if (service && message->service() != *service) return std::optional<nlohmann::json>();
          return std::optional<nlohmann::json>(message_json(*message));
        },
        /*ascending=*/true);
    auto count = count_items(source);
    if (!count) return std::move(count).error();
    return list_page(in.request, source, *count);
  });
}

void list_conversations(ApiContext& api, const RouteInput& in, Reply reply) {
  answer_query(api, in.request, reply, [&]() -> Result<nlohmann::json> {
    const store::EventLog& log = api.log;
    const std::string user = in.caller.user_id.str();
    ListSource source = state_rows(
        log, domain::kMessagesKeyspace, domain::recent_conversations_prefix(user),
        [&log, user](std::string_view,
                     std::string_view value) -> Result<std::optional<nlohmann::json>> {
          auto recent = domain::decode_row<events::RecentConversation>(value, "conversation");
          if (!recent) return std::move(recent).error();
          auto conversation = domain::read_row<events::ConversationState>(
              log, domain::kMessagesKeyspace,
              domain::conversation_key(user, recent->counterpart_id()));
          if (!conversation) return std::move(conversation).error();
          if (!conversation->has_value()) {
            return make_error(Errc::corruption, "a recent row names a conversation not stored");
          }
          auto counterpart = known_user(log, recent->counterpart_id());
          if (!counterpart) return std::move(counterpart).error();
          auto last = message_row(log, (*conversation)->last_message_id());
          if (!last) return std::move(last).error();
          return std::optional<nlohmann::json>(nlohmann::json{
              {"counterpart", counterpart->user_id()},
              {"counterpart_name", counterpart->name()},
              {"counterpart_role", counterpart->role()},
              {"last_message", message_json(*last)},
              {"unread_count", (*conversation)->unread()},
              {"message_count", (*conversation)->messages()},
          });
        });
    auto count = count_items(source);
    if (!count) return std::move(count).error();
    return list_page(in.request, source, *count);
  });
}

void mark_read(ApiContext& api, const RouteInput& in, Reply reply) {
  const domain::MarkMessageRead command{domain::MessageId{in.path.get("id")}, in.caller.user_id};
  run_command<events::MessageState>(
      api, in.request, in.caller.user_id,
      [command](UnitOfWork& uow) { return domain::mark_message_read(uow, command); },
      render_message(), beast_http::status::ok, std::move(reply));
}

}  // namespace

RouteTable message_routes() {
  using beast_http::verb;
  namespace limits = domain::text_limits;
  const std::vector<Role> everyone = {Role::admin, Role::agent, Role::client};
  return {
      {.method = verb::post,
       .path = "/api/messages/",
       .operation_id = "sendMessage",
       .summary = "Write to someone in the caller's scope (a client: their agents and admins; an "
                  "agent: their clients and admins; an admin: anyone)",
       .roles = everyone,
       .body = {field::text("recipient", limits::kId).described("the user written to"),
                field::long_text("content", limits::kDescription),
                field::choice("service", service_names())
                    .optional()
                    .described("between a client and an agent: one the agent serves the client "
                               "for (default the first)")},
       .success = beast_http::status::created,
       .answer = message_schema(),
       .errors = {Errc::not_found},
       .handler = send_message},
      {.method = verb::get,
       .path = "/api/messages/",
       .operation_id = "listConversation",
       .summary = "The caller's conversation with one user, oldest first",
       .roles = everyone,
       .query = {field::text("with", limits::kId).described("the other user"),
                 field::choice("service", service_names())
                     .optional()
                     .described("only the messages about this service")},
       .paged = true,
       .answer = message_schema(),
       .errors = {Errc::not_found},
       .handler = list_conversation},
      {.method = verb::get,
       .path = "/api/messages/conversations/",
       .operation_id = "listConversations",
       .summary = "The caller's conversations, the latest first, with the last message and the "
                  "unread count",
       .roles = everyone,
       .paged = true,
       .answer = conversation_schema(),
       .handler = list_conversations},
      {.method = verb::post,
       .path = "/api/messages/{id}/mark_read/",
       .operation_id = "markMessageRead",
       .summary = "Mark a message the caller received read",
       .roles = everyone,
       .answer = message_schema(),
       .errors = {Errc::not_found, Errc::forbidden},
       .handler = mark_read},
  };
}

}  // namespace ledger::http
