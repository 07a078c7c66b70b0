#include "http/routes/identity_routes.h"

#include <fmt/format.h>
#include <boost/asio/post.hpp>

#include "core/domain/keyspaces.h"
#include "core/domain/text_limits.h"
#include "core/domain/users.h"
#include "core/secret_token.h"
#include "core/secure_random.h"
#include "http/api_support.h"
#include "http/authorization.h"
#include "http/domain_json.h"
#include "http/listing.h"
#include "http/query_string.h"

namespace ledger::http {
namespace {

using domain::UnitOfWork;

// Verifying against this when the email is unknown takes as long as a real check, so timing
// does not tell which emails have accounts.
const std::string& decoy_password_hash(const PasswordHashOptions& options) {
  static const std::string hash = hash_password("decoy password, never matches", options);
  return hash;
}

std::string peer(const Request& request) {
  const auto it = request.find(kPeerHeader);
  return it == request.end() ? std::string() : std::string(it->value());
}

bool limited(ApiContext& api, const Request& request, Reply& reply, const std::string& key,
             const RateLimit& limit) {
  std::uint64_t retry_after = 0;
  if (auto allowed = api.limiter.attempt(key, limit, &retry_after); !allowed) {
    reply_error(request, allowed.error(), reply, retry_after);
    return true;
  }
  return false;
}

Renderer<events::UserState> render_user() {
  return [](const events::UserState& user) -> Result<nlohmann::json> { return user_json(user); };
}

std::string new_verification_code() { return fmt::format("{:06}", secure_random_below(1'000'000)); }

void login(ApiContext& api, const Request& request, Reply reply) {
  auto body = parse_body(request);
  if (!body) return reply_error(request, body.error(), reply);
  auto email = body->string("email", domain::text_limits::kEmail);
  if (!email) return reply_error(request, email.error(), reply);
  auto password = body->string("password", domain::text_limits::kPassword);
  if (!password) return reply_error(request, password.error(), reply);
  if (auto done = body->finish(); !done) return reply_error(request, done.error(), reply);
  if (limited(api, request, reply, "login-ip:" + peer(request), api.options.login_limit) ||
      limited(api, request, reply, "login-email:" + *email, api.options.login_limit)) {
    return;
  }
  // scrypt takes tens of milliseconds: off the I/O threads.
  auto shared_request = std::make_shared<Request>(request);
  boost::asio::post(api.slow_work, [&api, shared_request, email = std::move(*email),
                                    password = std::move(*password),
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
            run_guarded(*shared_request, reply, [&] {
              if (!issued) return reply_error(*shared_request, issued.error(), reply);
              nlohmann::json body = {{"token", token},
                                     {"expires_at", time_json(issued->answer.expires_at_us())},
                                     {"user", user_json(found)},
                                     {"position", issued->position}};
              Response response = json_response(*shared_request, beast_http::status::ok, body);
              response.set("X-Ledger-Position", std::to_string(issued->position));
              response.set(beast_http::field::cache_control, "no-store");
              reply(std::move(response));
            });
          });
    });
  });
}

void register_client(ApiContext& api, const Request& request, Reply reply) {
  auto body = parse_body(request);
  if (!body) return reply_error(request, body.error(), reply);
  auto email = body->string("email", domain::text_limits::kEmail);
  if (!email) return reply_error(request, email.error(), reply);
  auto password = body->string("password", domain::text_limits::kPassword);
  if (!password) return reply_error(request, password.error(), reply);
  auto name = body->string("name", domain::text_limits::kName);
  if (!name) return reply_error(request, name.error(), reply);
  if (auto done = body->finish(); !done) return reply_error(request, done.error(), reply);
  if (auto valid = validate_new_password(*password); !valid) {
    return reply_error(request, valid.error(), reply);
  }
  if (auto valid = domain::normalize_email(*email); !valid) {
    return reply_error(request, valid.error(), reply);
  }
  if (limited(api, request, reply, "register-ip:" + peer(request), api.options.register_limit)) {
    return;
  }
  auto shared_request = std::make_shared<Request>(request);
  boost::asio::post(api.slow_work, [&api, shared_request, email = std::move(*email),
                                    password = std::move(*password), name = std::move(*name),
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

void verify_email(ApiContext& api, const Request& request, Reply reply) {
  auto body = parse_body(request);
  if (!body) return reply_error(request, body.error(), reply);
  auto email = body->string("email", domain::text_limits::kEmail);
  if (!email) return reply_error(request, email.error(), reply);
  auto code = body->string("code", domain::text_limits::kVerificationCode);
  if (!code) return reply_error(request, code.error(), reply);
  if (auto done = body->finish(); !done) return reply_error(request, done.error(), reply);
  if (limited(api, request, reply, "verify-email:" + *email, api.options.verify_limit) ||
      limited(api, request, reply, "verify-ip:" + peer(request), api.options.login_limit)) {
    return;
  }
  domain::VerifyEmail command{*email, *code, api.options.code_mac_key};
  run_command<events::UserState>(
      api, request, "anonymous",
      [command](UnitOfWork& uow) { return domain::verify_email(uow, command); }, render_user(),
      beast_http::status::ok, std::move(reply));
}

void create_user(ApiContext& api, const Request& request, const Caller& caller, Reply reply) {
  auto body = parse_body(request);
  if (!body) return reply_error(request, body.error(), reply);
  auto email = body->string("email", domain::text_limits::kEmail);
  if (!email) return reply_error(request, email.error(), reply);
  auto password = body->string("password", domain::text_limits::kPassword);
  if (!password) return reply_error(request, password.error(), reply);
  auto name = body->string("name", domain::text_limits::kName);
  if (!name) return reply_error(request, name.error(), reply);
  auto role = body->choice("role", {"admin", "client", "agent"});
  if (!role) return reply_error(request, role.error(), reply);
  auto department = body->optional_string("department", domain::text_limits::kServiceName);
  if (!department) return reply_error(request, department.error(), reply);
  auto max_clients = body->optional_integer("max_clients", 1, 10'000);
  if (!max_clients) return reply_error(request, max_clients.error(), reply);
  if (auto done = body->finish(); !done) return reply_error(request, done.error(), reply);
  if (auto valid = validate_new_password(*password); !valid) {
    return reply_error(request, valid.error(), reply);
  }
  domain::RegisterUser command{domain::UserId{api.ids.next()},
                               *email,
                               *name,
                               *role,
                               department->value_or(""),
                               static_cast<std::uint32_t>(max_clients->value_or(0)),
                               "",
                               true,
                               caller.user_id,
                               "",
                               "",
                               ""};
  auto shared_request = std::make_shared<Request>(request);
  boost::asio::post(api.slow_work, [&api, shared_request, command, password = std::move(*password),
                                    actor = caller.user_id, reply = std::move(reply)]() mutable {
    run_guarded(*shared_request, reply, [&] {
      command.password_hash = hash_password(password, api.options.password_hashing);
      run_command<events::UserState>(
          api, *shared_request, actor,
          [command](UnitOfWork& uow) { return domain::register_user(uow, command); }, render_user(),
          beast_http::status::created, std::move(reply));
    });
  });
}

void list_users(ApiContext& api, const Request& request, Reply reply) {
  const std::string_view target(request.target().data(), request.target().size());
  const std::string role = query_param(target, "role").value_or("");
  if (!role.empty() && role != "admin" && role != "client" && role != "agent") {
    return reply_error(
        request, make_error(Errc::invalid_argument, "role must be admin, client or agent", "role"),
        reply);
  }
  answer_query(api, request, reply, [&]() -> Result<nlohmann::json> {
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
    return list_page(request, source, *count);
  });
}

void assign_agent(ApiContext& api, const Request& request, const PathParams& params,
                  const Caller& caller, Reply reply) {
  auto body = parse_body(request);
  if (!body) return reply_error(request, body.error(), reply);
  auto service = body->choice("service", {"marketing", "website"});
  if (!service) return reply_error(request, service.error(), reply);
  auto agent_id = body->string("agent_id", domain::text_limits::kId);
  if (!agent_id) return reply_error(request, agent_id.error(), reply);
  if (auto done = body->finish(); !done) return reply_error(request, done.error(), reply);
  domain::AssignAgent command{domain::UserId{params.get("id")}, *service, domain::UserId{*agent_id},
                              caller.user_id};
  run_command<events::UserState>(
      api, request, caller.user_id,
      [command](UnitOfWork& uow) { return domain::assign_agent(uow, command); },
      [command](const events::UserState& client) -> Result<nlohmann::json> {
        nlohmann::json json = user_json(client);
        json["service"] = command.service;
        json["agent_id"] = command.agent_id.str();
        return json;
      },
      beast_http::status::ok, std::move(reply));
}

void my_clients(ApiContext& api, const Request& request, const Caller& caller, Reply reply) {
  answer_query(api, request, reply, [&]() -> Result<nlohmann::json> {
    ListSource source = state_rows(
        api.log, domain::kIdentityKeyspace, domain::agent_clients_prefix(caller.user_id.str()),
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
    return list_page(request, source, *count);
  });
}

Result<nlohmann::json> services_json(const store::EventLog& log, const events::UserState& client) {
  nlohmann::json services = nlohmann::json::array();
  for (const char* service : {"marketing", "website", "courses"}) {
    const bool active = std::find(client.active_services().begin(), client.active_services().end(),
                                  service) != client.active_services().end();
    nlohmann::json agent = nullptr;
    if (const auto it = client.agents().find(service); it != client.agents().end()) {
      auto found = domain::find_user(log, it->second);
      if (!found) return std::move(found).error();
      if (found->has_value()) {
        agent = {
            {"id", (*found)->user_id()}, {"name", (*found)->name()}, {"email", (*found)->email()}};
      }
    }
    services.push_back({{"service", service}, {"is_active", active}, {"agent", agent}});
  }
  return nlohmann::json{{"services", services}};
}

void my_services(ApiContext& api, const Request& request, const Caller& caller, Reply reply) {
  answer_query(api, request, reply, [&]() -> Result<nlohmann::json> {
    auto client = domain::find_user(api.log, caller.user_id.str());
    if (!client) return std::move(client).error();
    if (!client->has_value()) return make_error(Errc::not_found, "there is no such user");
    return services_json(api.log, **client);
  });
}

void set_service(ApiContext& api, const Request& request, const Caller& caller, bool active,
                 Reply reply) {
  auto body = parse_body(request);
  if (!body) return reply_error(request, body.error(), reply);
  auto service = body->choice("service", {"marketing", "website", "courses"});
  if (!service) return reply_error(request, service.error(), reply);
  if (auto done = body->finish(); !done) return reply_error(request, done.error(), reply);
  domain::SetServiceActive command{caller.user_id, *service, active};
  run_command<events::UserState>(
      api, request, caller.user_id,
      [command](UnitOfWork& uow) { return domain::set_service_active(uow, command); },
      [&api](const events::UserState& client) { return services_json(api.log, client); },
      beast_http::status::ok, std::move(reply));
}

}  // namespace

void add_identity_routes(Router& router, ApiContext& api) {
  using beast_http::verb;
  router.add(verb::post, "/api/auth/login/",
             [&api](const Request& request, const PathParams&, Reply reply) {
               login(api, request, std::move(reply));
             });
  router.add(verb::post, "/api/auth/register/",
             [&api](const Request& request, const PathParams&, Reply reply) {
               register_client(api, request, std::move(reply));
             });
  router.add(verb::post, "/api/auth/verify-email/",
             [&api](const Request& request, const PathParams&, Reply reply) {
               verify_email(api, request, std::move(reply));
             });
  router.add(
      verb::post, "/api/auth/logout/",
      authenticated(
          api, {},
          [&api](const Request& request, const PathParams&, const Caller& caller, Reply reply) {
            domain::RevokeToken command{caller.token_digest, caller.user_id};
            run_command<events::TokenState>(
                api, request, caller.user_id,
                [command](UnitOfWork& uow) { return domain::revoke_token(uow, command); },
                [](const events::TokenState&) -> Result<nlohmann::json> {
                  return nlohmann::json{{"detail", "logged out"}};
                },
                beast_http::status::ok, std::move(reply));
          }));
  router.add(verb::get, "/api/auth/me/",
             authenticated(api, {},
                           [&api](const Request& request, const PathParams&, const Caller& caller,
                                  Reply reply) {
                             answer_query(api, request, reply, [&]() -> Result<nlohmann::json> {
                               auto user = domain::find_user(api.log, caller.user_id.str());
                               if (!user) return std::move(user).error();
                               if (!user->has_value())
                                 return make_error(Errc::not_found, "no such user");
                               return user_json(**user);
                             });
                           }));
  router.add(
      verb::post, "/api/users/",
      authenticated(api, {Role::admin},
                    [&api](const Request& request, const PathParams&, const Caller& caller,
                           Reply reply) { create_user(api, request, caller, std::move(reply)); }));
  router.add(verb::get, "/api/users/",
             authenticated(api, {Role::admin},
                           [&api](const Request& request, const PathParams&, const Caller&,
                                  Reply reply) { list_users(api, request, std::move(reply)); }));
  router.add(verb::post, "/api/clients/{id}/assign_agent/",
             authenticated(api, {Role::admin},
                           [&api](const Request& request, const PathParams& params,
                                  const Caller& caller, Reply reply) {
                             assign_agent(api, request, params, caller, std::move(reply));
                           }));
  router.add(
      verb::get, "/api/agents/my-clients/",
      authenticated(api, {Role::agent},
                    [&api](const Request& request, const PathParams&, const Caller& caller,
                           Reply reply) { my_clients(api, request, caller, std::move(reply)); }));
  router.add(
      verb::get, "/api/service-settings/my_services/",
      authenticated(api, {Role::client},
                    [&api](const Request& request, const PathParams&, const Caller& caller,
                           Reply reply) { my_services(api, request, caller, std::move(reply)); }));
  router.add(verb::post, "/api/service-settings/activate_service/",
             authenticated(api, {Role::client},
                           [&api](const Request& request, const PathParams&, const Caller& caller,
                                  Reply reply) {
                             set_service(api, request, caller, true, std::move(reply));
                           }));
  router.add(verb::post, "/api/service-settings/deactivate_service/",
             authenticated(api, {Role::client},
                           [&api](const Request& request, const PathParams&, const Caller& caller,
                                  Reply reply) {
                             set_service(api, request, caller, false, std::move(reply));
                           }));
}

}  // namespace ledger::http
