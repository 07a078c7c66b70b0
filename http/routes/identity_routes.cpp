#include "http/routes/identity_routes.h"

#include <fmt/format.h>
#include <boost/asio/post.hpp>

#include "core/domain/keyspaces.h"
#include "core/domain/service_settings.h"
#include "core/domain/text_limits.h"
#include "core/domain/users.h"
#include "core/secret_token.h"
#include "core/secure_random.h"
#include "http/api_support.h"
#include "http/authorization.h"
#include "http/domain_json.h"
#include "http/listing.h"
#include "http/route_declaration.h"

namespace ledger::http {
namespace {

using domain::UnitOfWork;

// Verifying against this when the email is unknown takes as long as a real check, so timing
// does not tell which emails have accounts.
const std::string& decoy_password_hash(const PasswordHashOptions& options) {
  static const std::string hash = hash_password("decoy password, never matches", options);
  return hash;
}

Renderer<events::UserState> render_user() {
  return [](const events::UserState& user) -> Result<nlohmann::json> { return user_json(user); };
}

std::string new_verification_code() { return fmt::format("{:06}", secure_random_below(1'000'000)); }

void login(ApiContext& api, const RouteInput& in, Reply reply) {
  const Request& request = in.request;
  const std::string& email = in.body.text("email");
  if (rate_limited(api, request, reply, "login-ip:" + peer_address(request),
                   api.options.login_limit) ||
      rate_limited(api, request, reply, "login-email:" + email, api.options.login_limit)) {
    return;
  }
  // scrypt takes tens of milliseconds: off the I/O threads.
  auto shared_request = std::make_shared<Request>(request);
  boost::asio::post(api.slow_work, [&api, shared_request, email,
                                    password = in.body.text("password"),
                                    reply = std::move(reply)]() mutable {
    run_guarded(*shared_request, reply, [&] {
      const Request& request = *shared_request;
      auto user = domain::find_user_by_email(api.log, email);
      if (!user) return reply_error(request, user.error(), reply);
      const std::string& stored = user->has_value()
                                      ? (*user)->password_hash()
                                      : decoy_password_hash(api.options.password_hashing);
      const bool matches = verify_password(password, stored);
      if (!user->has_value() || !matches) {
        return reply_error(
            request, make_error(Errc::unauthenticated, "the email or password is wrong"), reply);
      }
      const events::UserState found = **user;
      const std::string token = new_secret_token();
      domain::IssueToken command{domain::TokenId{api.ids.next()}, domain::UserId{found.user_id()},
                                 token_digest(token),
                                 api.clock.now_us() + api.options.token_lifetime_us};
      domain::CommandOrigin origin;
      origin.actor = found.user_id();
      origin.correlation_id = api.ids.next();
      // No idempotency key: a replayed answer could not hold the token, which is never stored.
      api.ledger.execute<events::TokenState>(
          std::move(origin),
          [command](UnitOfWork& uow) { return domain::issue_token(uow, command); },
          [shared_request, token, found,
           reply = std::move(reply)](Result<domain::Executed<events::TokenState>> issued) mutable {
            // On the sequencer's writer thread: the answer is built on the connection's.
            reply.on_connection(
                [shared_request, token, found, reply,
                 issued = std::make_shared<decltype(issued)>(std::move(issued))]() mutable {
                  run_guarded(*shared_request, reply, [&] {
                    if (!*issued) return reply_error(*shared_request, issued->error(), reply);
                    const auto& done = issued->value();
                    nlohmann::json body = {{"token", token},
                                           {"expires_at", time_json(done.answer.expires_at_us())},
                                           {"user", user_json(found)},
                                           {"position", done.position}};
                    Response response =
                        json_response(*shared_request, beast_http::status::ok, body);
                    response.set("X-Ledger-Position", std::to_string(done.position));
                    response.set(beast_http::field::cache_control, "no-store");
                    reply(std::move(response));
                  });
                });
          });
    });
  });
}

schema::Schema login_schema() {
  using namespace schema;
  return object({{"token", string()},
                 {"expires_at", nullable(time())},
                 {"user", user_schema()},
                 {"position", integer()}});
}

void register_client(ApiContext& api, const RouteInput& in, Reply reply) {
  const Request& request = in.request;
  if (auto valid = validate_new_password(in.body.text("password")); !valid) {
    return reply_error(request, valid.error(), reply);
  }
  if (auto valid = domain::normalize_email(in.body.text("email")); !valid) {
    return reply_error(request, valid.error(), reply);
  }
  if (rate_limited(api, request, reply, "register-ip:" + peer_address(request),
                   api.options.register_limit)) {
    return;
  }
  auto shared_request = std::make_shared<Request>(request);
  boost::asio::post(api.slow_work, [&api, shared_request, email = in.body.text("email"),
                                    password = in.body.text("password"),
                                    name = in.body.text("name"),
                                    reply = std::move(reply)]() mutable {
    run_guarded(*shared_request, reply, [&] {
      const std::string code = new_verification_code();
      const std::string user_id = api.ids.next();
      domain::RegisterUser command{
          .user_id = domain::UserId{user_id},
          .email = email,
          .name = name,
          .role = "client",
          .password_hash = hash_password(password, api.options.password_hashing),
          .email_verified = false,
          .registered_by = "self",
          .verification_digest =
              api.options.code_mac_key.code_mac(domain::kEmailVerificationPurpose, user_id, code),
          .verification_code = code,
          .email_id = domain::EmailId{api.ids.next()}};
      run_command<events::UserState>(
          api, *shared_request, "self",
          [command](UnitOfWork& uow) { return domain::register_user(uow, command); }, render_user(),
          beast_http::status::created, std::move(reply));
    });
  });
}

void verify_email(ApiContext& api, const RouteInput& in, Reply reply) {
  const Request& request = in.request;
  const std::string& email = in.body.text("email");
  if (rate_limited(api, request, reply, "verify-email:" + email, api.options.verify_limit) ||
      rate_limited(api, request, reply, "verify-ip:" + peer_address(request),
                   api.options.login_limit)) {
    return;
  }
  domain::VerifyEmail command{email, in.body.text("code"), api.options.code_mac_key};
  run_command<events::UserState>(
      api, request, "anonymous",
      [command](UnitOfWork& uow) { return domain::verify_email(uow, command); }, render_user(),
      beast_http::status::ok, std::move(reply));
}

void logout(ApiContext& api, const RouteInput& in, Reply reply) {
  domain::RevokeToken command{in.caller.token_digest, in.caller.user_id};
  run_command<events::TokenState>(
      api, in.request, in.caller.user_id,
      [command](UnitOfWork& uow) { return domain::revoke_token(uow, command); },
      [](const events::TokenState&) -> Result<nlohmann::json> {
        return nlohmann::json{{"detail", "logged out"}};
      },
      beast_http::status::ok, std::move(reply));
}

void me(ApiContext& api, const RouteInput& in, Reply reply) {
  answer_query(api, in.request, reply, [&]() -> Result<nlohmann::json> {
    auto user = domain::find_user(api.log, in.caller.user_id.str());
    if (!user) return std::move(user).error();
    if (!user->has_value()) return make_error(Errc::not_found, "no such user");
    return user_json(**user);
  });
}

void create_user(ApiContext& api, const RouteInput& in, Reply reply) {
  const std::string& password = in.body.text("password");
  if (auto valid = validate_new_password(password); !valid) {
    return reply_error(in.request, valid.error(), reply);
  }
  domain::RegisterUser command{
      domain::UserId{api.ids.next()},
      in.body.text("email"),
      in.body.text("name"),
      in.body.text("role"),
      in.body.optional_text("department").value_or(""),
      static_cast<std::uint32_t>(in.body.optional_integer("max_clients").value_or(0)),
      "",
      true,
      in.caller.user_id,
      "",
      "",
      ""};
  auto shared_request = std::make_shared<Request>(in.request);
  boost::asio::post(api.slow_work, [&api, shared_request, command, password,
                                    actor = in.caller.user_id, reply = std::move(reply)]() mutable {
    run_guarded(*shared_request, reply, [&] {
      command.password_hash = hash_password(password, api.options.password_hashing);
      run_command<events::UserState>(
          api, *shared_request, actor,
          [command](UnitOfWork& uow) { return domain::register_user(uow, command); }, render_user(),
          beast_http::status::created, std::move(reply));
    });
  });
}

void list_users(ApiContext& api, const RouteInput& in, Reply reply) {
  const std::string role = in.query.optional_text("role").value_or("");
  answer_query(api, in.request, reply, [&]() -> Result<nlohmann::json> {
    ListSource source = state_rows(
        api.log, domain::kIdentityKeyspace, std::string(domain::kUserKeyPrefix),
        [role](std::string_view, std::string_view value) -> Result<std::optional<nlohmann::json>> {
          events::UserState user;
          if (!user.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
            return make_error(Errc::corruption, "a user row does not decode");
          }
          if (!role.empty() && user.role() != role) return std::optional<nlohmann::json>();
          return std::optional<nlohmann::json>(user_json(user));
        });
    auto count = count_items(source);
    if (!count) return std::move(count).error();
    return list_page(in.request, source, *count);
  });
}

void assign_agent(ApiContext& api, const RouteInput& in, Reply reply) {
  domain::AssignAgent command{domain::UserId{in.path.get("id")}, in.body.text("service"),
                              domain::UserId{in.body.text("agent_id")}, in.caller.user_id};
  run_command<events::UserState>(
      api, in.request, in.caller.user_id,
      [command](UnitOfWork& uow) { return domain::assign_agent(uow, command); },
      [command](const events::UserState& client) -> Result<nlohmann::json> {
        nlohmann::json json = user_json(client);
        json["service"] = command.service;
        json["agent_id"] = command.agent_id.str();
        return json;
      },
      beast_http::status::ok, std::move(reply));
}

void my_clients(ApiContext& api, const RouteInput& in, Reply reply) {
  answer_query(api, in.request, reply, [&]() -> Result<nlohmann::json> {
    ListSource source = state_rows(
        api.log, domain::kIdentityKeyspace, domain::agent_clients_prefix(in.caller.user_id.str()),
        [&api](std::string_view, std::string_view value) -> Result<std::optional<nlohmann::json>> {
          events::AgentClient link;
          if (!link.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
            return make_error(Errc::corruption, "an agent-client row does not decode");
          }
          auto client = domain::find_user(api.log, link.client_id());
          if (!client) return std::move(client).error();
          if (!client->has_value()) return std::optional<nlohmann::json>();
          nlohmann::json json = user_json(**client);
          json["service"] = link.service();
          json["assigned_at"] = time_json(link.assigned_at_us());
          return std::optional<nlohmann::json>(std::move(json));
        },
        /*ascending=*/true);
    auto count = count_items(source);
    if (!count) return std::move(count).error();
    return list_page(in.request, source, *count);
  });
}

// The agent serving `client` for `service` as {id, name, email}, or null.
Result<nlohmann::json> service_agent_json(const store::EventLog& log,
                                          const events::UserState& client,
                                          std::string_view service) {
  const auto it = client.agents().find(std::string(service));
  if (it == client.agents().end()) return nlohmann::json(nullptr);
  auto found = domain::find_user(log, it->second);
  if (!found) return std::move(found).error();
  if (!found->has_value()) return nlohmann::json(nullptr);
  return nlohmann::json{
      {"id", (*found)->user_id()}, {"name", (*found)->name()}, {"email", (*found)->email()}};
}

bool service_active(const events::UserState& client, std::string_view service) {
  return std::find(client.active_services().begin(), client.active_services().end(), service) !=
         client.active_services().end();
}

Result<nlohmann::json> services_json(const store::EventLog& log, const events::UserState& client) {
  nlohmann::json services = nlohmann::json::array();
  for (std::string_view service : domain::kClientServices) {
    auto agent = service_agent_json(log, client, service);
    if (!agent) return std::move(agent).error();
    services.push_back(
        {{"service", service}, {"is_active", service_active(client, service)}, {"agent", *agent}});
  }
  return nlohmann::json{{"services", services}};
}

schema::Schema service_agent_schema() {
  using namespace schema;
  return object({{"id", string()}, {"name", string()}, {"email", string()}});
}

schema::Schema services_schema() {
  using namespace schema;
  return named(
      "ClientServices",
      object({{"services", array(object({{"service", one_of({"marketing", "website", "courses"})},
                                         {"is_active", boolean()},
                                         {"agent", nullable(service_agent_schema())}}))}}));
}

void my_services(ApiContext& api, const RouteInput& in, Reply reply) {
  answer_query(api, in.request, reply, [&]() -> Result<nlohmann::json> {
    auto client = domain::find_user(api.log, in.caller.user_id.str());
    if (!client) return std::move(client).error();
    if (!client->has_value()) return make_error(Errc::not_found, "there is no such user");
    return services_json(api.log, **client);
  });
}

nlohmann::json settings_json(const events::ServiceSettings& settings) {
  switch (settings.of_service_case()) {
    case events::ServiceSettings::kMarketing:
      return {{"posting_timezone", settings.marketing().posting_timezone()},
              {"approval_required", settings.marketing().approval_required()},
              {"weekly_report", settings.marketing().weekly_report()}};
    case events::ServiceSettings::kWebsite:
      return {{"preferred_stack", events::enum_name(settings.website().preferred_stack())},
              {"staging_notifications", settings.website().staging_notifications()}};
    case events::ServiceSettings::kCourses:
      return {{"learning_reminders", events::enum_name(settings.courses().learning_reminders())}};
    case events::ServiceSettings::OF_SERVICE_NOT_SET:
      break;
  }
  return nlohmann::json::object();
}

// One of the client's services with its settings: {id, service, is_active, agent, settings,
// updated_at}.
Result<nlohmann::json> service_settings_json(const store::EventLog& log,
                                             const events::UserState& client,
                                             const events::ServiceSettingsState& settings) {
  auto agent = service_agent_json(log, client, settings.service());
  if (!agent) return std::move(agent).error();
  return nlohmann::json{
      {"id", domain::service_settings_id(client.user_id(), settings.service())},
      {"service", settings.service()},
      {"is_active", service_active(client, settings.service())},
      {"agent", *agent},
      {"settings", settings_json(settings.settings())},
      {"updated_at", time_json(settings.updated_at_us())},
  };
}

schema::Schema service_settings_schema() {
  using namespace schema;
  const Schema marketing = named("MarketingSettings", object({{"posting_timezone", string()},
                                                              {"approval_required", boolean()},
                                                              {"weekly_report", boolean()}}));
  const Schema website =
      named("WebsiteSettings", object({{"preferred_stack", one_of<events::WebsiteStack>()},
                                       {"staging_notifications", boolean()}}));
  const Schema courses = named(
      "CoursesSettings", object({{"learning_reminders", one_of<events::LearningReminders>()}}));
  Schema settings = {{"oneOf", Schema::array({marketing, website, courses})},
                     {"description", "the settings of the service, each with its value"}};
  return named("ServiceSettings", object({{"id", string()},
                                          {"service", one_of({"marketing", "website", "courses"})},
                                          {"is_active", boolean()},
                                          {"agent", nullable(service_agent_schema())},
                                          {"settings", std::move(settings)},
                                          {"updated_at", nullable(time())}}));
}

// The caller's user row (a client's).
Result<events::UserState> caller_client(const ApiContext& api, const Caller& caller) {
  auto client = domain::find_user(api.log, caller.user_id.str());
  if (!client) return std::move(client).error();
  if (!client->has_value()) return make_error(Errc::not_found, "there is no such user");
  return std::move(**client);
}

void list_service_settings(ApiContext& api, const RouteInput& in, Reply reply) {
  answer_query(api, in.request, reply, [&]() -> Result<nlohmann::json> {
    auto client = caller_client(api, in.caller);
    if (!client) return std::move(client).error();
    nlohmann::json results = nlohmann::json::array();
    for (std::string_view service : domain::kClientServices) {
      auto settings = domain::find_service_settings(api.log, client->user_id(), service);
      if (!settings) return std::move(settings).error();
      auto item = service_settings_json(api.log, *client, *settings);
      if (!item) return std::move(item).error();
      results.push_back(std::move(*item));
    }
    return nlohmann::json{
        {"count", results.size()}, {"next", nullptr}, {"previous", nullptr}, {"results", results}};
  });
}

domain::ServiceSettingsChanges settings_changes(const RequestFields& body) {
  domain::ServiceSettingsChanges changes;
  changes.posting_timezone = body.optional_text("settings.posting_timezone");
  changes.approval_required = body.optional_boolean("settings.approval_required");
  changes.weekly_report = body.optional_boolean("settings.weekly_report");
  changes.preferred_stack = body.optional_choice<events::WebsiteStack>("settings.preferred_stack");
  changes.staging_notifications = body.optional_boolean("settings.staging_notifications");
  changes.learning_reminders =
      body.optional_choice<events::LearningReminders>("settings.learning_reminders");
  return changes;
}

void update_service_settings(ApiContext& api, const RouteInput& in, Reply reply) {
  // Another client's id, or none at all, is not found alike.
  const auto service = domain::service_of_settings_id(in.path.get("id"), in.caller.user_id.str());
  if (!service) {
    return reply_error(in.request,
                       make_error(Errc::not_found, "there are no such service settings"), reply);
  }
  domain::ChangeServiceSettings command{in.caller.user_id, *service, settings_changes(in.body)};
  run_command<events::ServiceSettingsState>(
      api, in.request, in.caller.user_id,
      [command](UnitOfWork& uow) { return domain::change_service_settings(uow, command); },
      [&api,
       caller = in.caller](const events::ServiceSettingsState& settings) -> Result<nlohmann::json> {
        auto client = caller_client(api, caller);
        if (!client) return std::move(client).error();
        return service_settings_json(api.log, *client, settings);
      },
      beast_http::status::ok, std::move(reply));
}

void set_service(ApiContext& api, const RouteInput& in, bool active, Reply reply) {
  domain::SetServiceActive command{in.caller.user_id, in.body.text("service"), active};
  run_command<events::UserState>(
      api, in.request, in.caller.user_id,
      [command](UnitOfWork& uow) { return domain::set_service_active(uow, command); },
      [&api](const events::UserState& client) { return services_json(api.log, client); },
      beast_http::status::ok, std::move(reply));
}

void activate_service(ApiContext& api, const RouteInput& in, Reply reply) {
  set_service(api, in, true, std::move(reply));
}

void deactivate_service(ApiContext& api, const RouteInput& in, Reply reply) {
  set_service(api, in, false, std::move(reply));
}

// The settings a client may change, of every service; each belongs to one service, and the
// domain refuses another service's (service_settings.h has the table).
Field settings_body() {
  return field::object(
             "settings",
             {field::text("posting_timezone", domain::kPostingTimezoneBytesMax)
                  .optional()
                  .described("marketing: an IANA time zone name such as UTC or Europe/Paris "
                             "(default UTC)"),
              field::boolean("approval_required")
                  .optional()
                  .described("marketing: posts wait for the client's approval (default true)"),
              field::boolean("weekly_report")
                  .optional()
                  .described("marketing: a weekly performance report (default true)"),
              field::choice<events::WebsiteStack>("preferred_stack")
                  .optional()
                  .described("website: the stack the client prefers (default no_preference)"),
              field::boolean("staging_notifications")
                  .optional()
                  .described("website: hear when a version is on staging (default true)"),
              field::choice<events::LearningReminders>("learning_reminders")
                  .optional()
                  .described("courses: how often to be reminded to learn (default weekly)")})
      .described("settings of the id's service only (another service's setting is a 400)");
}

}  // namespace

RouteTable identity_routes() {
  using beast_http::verb;
  namespace limits = domain::text_limits;
  const Field email = field::text("email", limits::kEmail);
  const Field password = field::text("password", limits::kPassword);
  const Field client_service = field::choice("service", {"marketing", "website", "courses"});
  return {
      {.method = verb::post,
       .path = "/api/auth/login/",
       .operation_id = "login",
       .summary = "Log in; answers a bearer token shown once",
       .audience = Audience::everyone,
       .body = {email, password},
       .answer = login_schema(),
       .errors = {Errc::unauthenticated, Errc::email_not_verified, Errc::account_deactivated,
                  Errc::rate_limited},
       .handler = login},
      {.method = verb::post,
       .path = "/api/auth/register/",
       .operation_id = "registerClient",
       .summary = "Self-registration of a client; a 6-digit code goes to the email outbox (10 "
                  "min)",
       .audience = Audience::everyone,
       .body = {email, password.described("8-200 characters"), field::text("name", limits::kName)},
       .success = beast_http::status::created,
       .answer = user_schema(),
       .errors = {Errc::email_taken, Errc::rate_limited},
       .handler = register_client},
      {.method = verb::post,
       .path = "/api/auth/verify-email/",
       .operation_id = "verifyEmail",
       .summary = "Verify the email with its code",
       .audience = Audience::everyone,
       .body = {email, field::text("code", limits::kVerificationCode).described("6 digits")},
       .answer = user_schema(),
       .errors = {Errc::invalid_verification_code, Errc::rate_limited},
       .handler = verify_email},
      {.method = verb::post,
       .path = "/api/auth/logout/",
       .operation_id = "logout",
       .summary = "Revoke the token used",
       .answer = schema::object({{"detail", schema::string()}}),
       .handler = logout},
      {.method = verb::get,
       .path = "/api/auth/me/",
       .operation_id = "getMe",
       .summary = "The caller",
       .answer = user_schema(),
       .errors = {Errc::not_found},
       .handler = me},
      {.method = verb::post,
       .path = "/api/users/",
       .operation_id = "createUser",
       .summary = "Create a verified user",
       .roles = {Role::admin},
       .body = {email, password.described("8-200 characters"), field::text("name", limits::kName),
                field::choice("role", {"admin", "client", "agent"}),
                field::text("department", limits::kServiceName)
                    .optional()
                    .described("agents: marketing or website"),
                field::integer("max_clients", 1, 10'000)
                    .optional()
                    .described("agents: how many clients they take, default 10")},
       .success = beast_http::status::created,
       .answer = user_schema(),
       .errors = {Errc::email_taken},
       .handler = create_user},
      {.method = verb::get,
       .path = "/api/users/",
       .operation_id = "listUsers",
       .summary = "Users, newest first",
       .roles = {Role::admin},
       .query = {field::choice("role", {"admin", "client", "agent"}).optional()},
       .paged = true,
       .answer = user_schema(),
       .handler = list_users},
      {.method = verb::post,
       .path = "/api/clients/{id}/assign_agent/",
       .operation_id = "assignAgent",
       .summary = "Assign an agent of the service's department to a client",
       .roles = {Role::admin},
       .body = {field::choice("service", {"marketing", "website"}),
                field::text("agent_id", limits::kId)},
       .answer = schema::extended(user_schema(),
                                  {{"service", schema::string()}, {"agent_id", schema::string()}}),
       .errors = {Errc::not_found, Errc::department_mismatch, Errc::agent_at_capacity},
       .handler = assign_agent},
      {.method = verb::get,
       .path = "/api/agents/my-clients/",
       .operation_id = "listMyClients",
       .summary = "Clients assigned to the calling agent, with the service and when",
       .roles = {Role::agent},
       .paged = true,
       .answer = schema::extended(
           user_schema(),
           {{"service", schema::string()}, {"assigned_at", schema::nullable(schema::time())}}),
       .handler = my_clients},
      {.method = verb::get,
       .path = "/api/service-settings/",
       .operation_id = "listServiceSettings",
       .summary = "The caller's services (marketing, website, courses, in that order), each with "
                  "its id (\"<client id>-<service>\"), whether it is active, its agent and its "
                  "settings (the defaults until changed)",
       .roles = {Role::client},
       .answer = schema::list_of(service_settings_schema()),
       .errors = {Errc::not_found},
       .handler = list_service_settings},
      {.method = verb::patch,
       .path = "/api/service-settings/{id}/update_settings/",
       .operation_id = "updateServiceSettings",
       .summary = "Change settings of one of the caller's services (another client's id is "
                  "not found); settings not sent keep their value",
       .roles = {Role::client},
       .body = {settings_body()},
       .answer = service_settings_schema(),
       .errors = {Errc::not_found},
       .handler = update_service_settings},
      {.method = verb::get,
       .path = "/api/service-settings/my_services/",
       .operation_id = "listMyServices",
       .summary = "The caller's services: whether each is active, and its agent",
       .roles = {Role::client},
       .answer = services_schema(),
       .errors = {Errc::not_found},
       .handler = my_services},
      {.method = verb::post,
       .path = "/api/service-settings/activate_service/",
       .operation_id = "activateService",
       .summary = "Activate a service",
       .roles = {Role::client},
       .body = {client_service},
       .answer = services_schema(),
       .handler = activate_service},
      {.method = verb::post,
       .path = "/api/service-settings/deactivate_service/",
       .operation_id = "deactivateService",
       .summary = "Deactivate a service",
       .roles = {Role::client},
       .body = {client_service},
       .answer = services_schema(),
       .handler = deactivate_service},
  };
}

}  // namespace ledger::http
