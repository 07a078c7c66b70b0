#include "http/routes/account_routes.h"

#include <fmt/format.h>
#include <boost/asio/post.hpp>

#include <cstdio>

#include "core/domain/email_preferences.h"
#include "core/domain/passwords.h"
#include "core/domain/text_limits.h"
#include "core/domain/user_profile.h"
#include "core/domain/users.h"
#include "core/hex.h"
#include "core/secure_random.h"
#include "events/enum_names.h"
#include "http/api_support.h"
#include "http/domain_json.h"
#include "http/route_declaration.h"

namespace ledger::http {
namespace {

using domain::UnitOfWork;

// 160 random bits, as 40 hex digits: one line of an email, easy to copy.
constexpr std::size_t kResetTokenBytes = 20;

Renderer<events::UserState> render_user() {
  return [](const events::UserState& user) -> Result<nlohmann::json> { return user_json(user); };
}

// A new password obeys registration's rules; the refusal names the field it came in.
Status check_new_password(const std::string& password) {
  auto valid = validate_new_password(password);
  if (valid) return valid;
  Error error = std::move(valid).error();
  error.field = "new_password";
  return error;
}

// Runs `work` on the pool for slow work (scrypt), with a copy of the request that outlives the
// handler's.
template <class Work>
void off_the_io_thread(ApiContext& api, const Request& request, Reply reply, Work work) {
  auto shared_request = std::make_shared<Request>(request);
  boost::asio::post(
      api.slow_work, [shared_request, work = std::move(work), reply = std::move(reply)]() mutable {
        run_guarded(*shared_request, reply, [&] { work(*shared_request, std::move(reply)); });
      });
}

void change_password(ApiContext& api, const RouteInput& in, Reply reply) {
  const Request& request = in.request;
  const std::string& new_password = in.body.text("new_password");
  if (auto valid = check_new_password(new_password); !valid) {
    return reply_error(request, valid.error(), reply);
  }
  // Someone holding a stolen token must not get to guess the password behind it at leisure.
  const domain::UserId user_id = in.caller.user_id;
  if (rate_limited(api, request, reply, "change-password:" + user_id.str(),
                   api.options.login_limit)) {
    return;
  }
  off_the_io_thread(
      api, request, std::move(reply),
      [&api, user_id, kept = in.caller.token_digest, old_password = in.body.text("old_password"),
       new_password](const Request& request, Reply reply) {
        auto user = domain::find_user(api.log, user_id.str());
        if (!user) return reply_error(request, user.error(), reply);
        if (!user->has_value()) {
          return reply_error(request, make_error(Errc::not_found, "there is no such user"), reply);
        }
        domain::ChangeOwnPassword command{.user_id = user_id,
                                          .checked_password_hash = (*user)->password_hash()};
        command.old_password_matches = verify_password(old_password, command.checked_password_hash);
        // A wrong old password is refused by the decider; no new hash is worth making for it.
        if (command.old_password_matches) {
          command.new_password_hash = hash_password(new_password, api.options.password_hashing);
        }
        command.kept_token_digest = kept;
        run_command<events::UserState>(
            api, request, user_id,
            [command](UnitOfWork& uow) { return domain::change_own_password(uow, command); },
            render_user(), beast_http::status::ok, std::move(reply));
      });
}

// Answered 202 before the request is decided, and the same whatever the email: neither the
// answer nor its timing tells whether an account has that address. The decision, made after,
// sends the token when there is one to send.
void request_password_reset(ApiContext& api, const RouteInput& in, Reply reply) {
  const Request& request = in.request;
  auto email = domain::normalize_email(in.body.text("email"));
  if (!email) return reply_error(request, email.error(), reply);
  if (rate_limited(api, request, reply, "password-reset-ip:" + peer_address(request),
                   api.options.login_limit) ||
      rate_limited(api, request, reply, "password-reset:" + *email,
                   api.options.password_reset_limit)) {
    return;
  }
  auto origin = command_origin(api, request, "anonymous");
  if (!origin) return reply_error(request, origin.error(), reply);
  // Anonymous callers share one scope: a key one of them sent must not swallow another's reset.
  origin->idempotency_key.clear();
  origin->request_fingerprint.clear();
  domain::RequestPasswordReset command{*email, to_hex(secure_random_bytes(kResetTokenBytes)),
                                       api.options.code_mac_key, domain::EmailId{api.ids.next()}};
  api.ledger.execute<events::PasswordResetIssued>(
      std::move(*origin),
      [command](UnitOfWork& uow) { return domain::request_password_reset(uow, command); },
      [](const Result<domain::Executed<events::PasswordResetIssued>>& issued) {
        if (!issued) {
          std::fprintf(stderr, "ledgerd: a password reset was not recorded: %s\n",
                       issued.error().message.c_str());
        }
      });
  reply(json_response(request, beast_http::status::accepted,
                      {{"detail", "if an account has this email, a reset token is on its way"}}));
}

void confirm_password_reset(ApiContext& api, const RouteInput& in, Reply reply) {
  const Request& request = in.request;
  const std::string& new_password = in.body.text("new_password");
  if (auto valid = check_new_password(new_password); !valid) {
    return reply_error(request, valid.error(), reply);
  }
  const std::string& email = in.body.text("email");
  // An address that is not one cannot match a token: the decider refuses it like a wrong one.
  auto normalized = domain::normalize_email(email);
  const std::string limited_email = normalized ? *normalized : email;
  if (rate_limited(api, request, reply, "password-reset-ip:" + peer_address(request),
                   api.options.login_limit) ||
      rate_limited(api, request, reply, "password-reset-confirm:" + limited_email,
                   api.options.password_reset_limit)) {
    return;
  }
  off_the_io_thread(
      api, request, std::move(reply),
      [&api, email, token = in.body.text("token"), new_password](const Request& request,
                                                                 Reply reply) {
        domain::ResetPassword command{email, token, api.options.code_mac_key,
                                      hash_password(new_password, api.options.password_hashing)};
        run_command<events::UserState>(
            api, request, "anonymous",
            [command](UnitOfWork& uow) { return domain::reset_password(uow, command); },
            [](const events::UserState&) -> Result<nlohmann::json> {
              return nlohmann::json{{"detail", "the password is changed"}};
            },
            beast_http::status::ok, std::move(reply));
      });
}

void rename_me(ApiContext& api, const RouteInput& in, Reply reply) {
  domain::RenameUser command{in.caller.user_id, in.body.text("name"), in.caller.user_id};
  run_command<events::UserState>(
      api, in.request, in.caller.user_id,
      [command](UnitOfWork& uow) { return domain::rename_user(uow, command); }, render_user(),
      beast_http::status::ok, std::move(reply));
}

std::string category_name(events::EmailCategory category) {
  return std::string(events::enum_name(category));
}

nlohmann::json preferences_json(const events::UserState& user) {
  nlohmann::json json = nlohmann::json::object();
  for (const auto category : domain::optional_email_categories()) {
    json[category_name(category)] =
        domain::email_category_wanted(user.muted_email_categories(), category);
  }
  return json;
}

schema::Schema preferences_schema() {
  std::vector<std::pair<std::string, schema::Schema>> properties;
  for (const auto category : domain::optional_email_categories()) {
    properties.emplace_back(category_name(category), schema::boolean());
  }
  return schema::named("EmailPreferences", schema::object(properties));
}

std::vector<Field> preference_fields() {
  std::vector<Field> fields;
  for (const auto category : domain::optional_email_categories()) {
    fields.push_back(field::boolean(category_name(category))
                         .optional()
                         .described("false: no such emails (security emails are always sent)"));
  }
  return fields;
}

void get_email_preferences(ApiContext& api, const RouteInput& in, Reply reply) {
  answer_query(api, in.request, reply, [&]() -> Result<nlohmann::json> {
    auto user = domain::find_user(api.log, in.caller.user_id.str());
    if (!user) return std::move(user).error();
    if (!user->has_value()) return make_error(Errc::not_found, "there is no such user");
    return preferences_json(**user);
  });
}

void set_email_preferences(ApiContext& api, const RouteInput& in, Reply reply) {
  domain::SetEmailPreferences command{in.caller.user_id, {}};
  for (const auto category : domain::optional_email_categories()) {
    if (auto wanted = in.body.optional_boolean(category_name(category))) {
      command.wanted[category] = *wanted;
    }
  }
  run_command<events::UserState>(
      api, in.request, in.caller.user_id,
      [command](UnitOfWork& uow) { return domain::set_email_preferences(uow, command); },
      [](const events::UserState& user) -> Result<nlohmann::json> {
        return preferences_json(user);
      },
      beast_http::status::ok, std::move(reply));
}

void update_user(ApiContext& api, const RouteInput& in, Reply reply) {
  domain::UpdateUser command{.user_id = domain::UserId{in.path.get("id")},
                             .name = in.body.optional_text("name"),
                             .department = in.body.optional_text("department"),
                             .active = in.body.optional_boolean("is_active"),
                             .updated_by = in.caller.user_id};
  if (auto max_clients = in.body.optional_integer("max_clients")) {
    command.max_clients = static_cast<std::uint32_t>(*max_clients);
  }
  run_command<events::UserState>(
      api, in.request, in.caller.user_id,
      [command](UnitOfWork& uow) { return domain::update_user(uow, command); }, render_user(),
      beast_http::status::ok, std::move(reply));
}

schema::Schema detail_schema() { return schema::object({{"detail", schema::string()}}); }

}  // namespace

RouteTable account_routes() {
  using beast_http::verb;
  namespace limits = domain::text_limits;
  const Field email = field::text("email", limits::kEmail);
  const Field new_password =
      field::text("new_password", limits::kPassword).described("8-200 characters");
  return {
      {.method = verb::post,
       .path = "/api/auth/change-password/",
       .operation_id = "changePassword",
       .summary = "Change one's password; every other token of the caller is revoked",
       .body = {field::text("old_password", limits::kPassword), new_password},
       .answer = user_schema(),
       .errors = {Errc::wrong_password, Errc::rate_limited},
       .handler = change_password},
      {.method = verb::post,
       .path = "/api/auth/password-reset/",
       .operation_id = "requestPasswordReset",
       .summary = "Ask for a password reset: 202 whatever the email; an account with it gets a "
                  "single-use token by email, valid 30 minutes",
       .audience = Audience::everyone,
       .body = {email},
       .success = beast_http::status::accepted,
       .answer = detail_schema(),
       .answers_position = false,
       .errors = {Errc::rate_limited},
       .handler = request_password_reset},
      {.method = verb::post,
       .path = "/api/auth/password-reset/confirm/",
       .operation_id = "confirmPasswordReset",
       .summary = "Set a new password with an emailed reset token; every token of the user is "
                  "revoked",
       .audience = Audience::everyone,
       .body = {email, field::text("token", limits::kResetToken).described("as emailed"),
                new_password},
       .answer = detail_schema(),
       .errors = {Errc::invalid_reset_token, Errc::rate_limited},
       .handler = confirm_password_reset},
      {.method = verb::patch,
       .path = "/api/auth/me/",
       .operation_id = "updateMe",
       .summary = "Change one's name",
       .body = {field::text("name", limits::kName)},
       .answer = user_schema(),
       .errors = {Errc::not_found},
       .handler = rename_me},
      {.method = verb::get,
       .path = "/api/auth/me/email-preferences/",
       .operation_id = "getEmailPreferences",
       .summary = "Which kinds of email the caller receives (all, until turned off)",
       .answer = preferences_schema(),
       .errors = {Errc::not_found},
       .handler = get_email_preferences},
      {.method = verb::patch,
       .path = "/api/auth/me/email-preferences/",
       .operation_id = "updateEmailPreferences",
       .summary = "Turn kinds of email on or off; security emails are always sent",
       .body = preference_fields(),
       .answer = preferences_schema(),
       .errors = {Errc::not_found},
       .handler = set_email_preferences},
      {.method = verb::patch,
       .path = "/api/users/{id}/",
       .operation_id = "updateUser",
       .summary = "Update a user: name, an agent's department and capacity, active or not "
                  "(deactivating revokes every token of the user and frees their assignments)",
       .roles = {Role::admin},
       .body = {field::text("name", limits::kName).optional(),
                field::choice("department", {"marketing", "website"})
                    .optional()
                    .described("agents only; refused while the agent serves clients"),
                field::integer("max_clients", 1, domain::kAgentCapacityMax)
                    .optional()
                    .described("agents only; not below the clients it serves"),
                field::boolean("is_active")
                    .optional()
                    .described("false: no login, every token revoked, assignments freed")},
       .answer = user_schema(),
       .errors = {Errc::not_found, Errc::cannot_deactivate_self, Errc::agent_has_clients},
       .handler = update_user},
  };
}

}  // namespace ledger::http
