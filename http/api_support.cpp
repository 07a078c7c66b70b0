#include "http/api_support.h"

#include <fmt/format.h>

#include <charconv>

#include "core/domain/keyspaces.h"
#include "core/domain/users.h"
#include "core/secret_token.h"
#include "http/query_string.h"

namespace ledger::http {
namespace {

constexpr std::size_t kIdempotencyKeyMax = 200;
constexpr std::size_t kRequestIdMax = 100;

bool printable(std::string_view text) {
  for (char c : text) {
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

Result<Role> role_of(std::string_view role) {
  if (role == "admin") return Role::admin;
  if (role == "client") return Role::client;
  if (role == "agent") return Role::agent;
  return make_error(Errc::corruption, fmt::format("a stored user has an unknown role {}", role));
}

Error unauthenticated() {
  return make_error(Errc::unauthenticated,
                    "send a valid bearer token: Authorization: Bearer <token>");
}

Error internal_error(const std::exception& exception) {
  return make_error(Errc::internal, fmt::format("the query failed: {}", exception.what()));
}

// Parks a GET until its read model reaches `position` (see the header), then runs `handler` on
// the waiters' thread with copies of what it reads, since the request's own objects end here.
void handle_at_min_position(ApiContext& api, std::uint64_t position, ReadModelPosition read_model,
                            const Request& request, const PathParams& params, const Caller& caller,
                            const CallerHandler& handler, Reply reply) {
  const std::uint64_t head = api.log.head().position;
  if (position > head && position - head > api.options.min_position_ahead_max) {
    return reply_error(
        request,
        make_error(Errc::invalid_argument,
                   fmt::format("X-Min-Position {} is more than {} past the log's head ({}): no "
                               "write can reach it while this query waits",
                               position, api.options.min_position_ahead_max, head),
                   "X-Min-Position"),
        reply);
  }
  auto parked = std::make_shared<const Request>(request);
  const std::string_view target(request.target().data(), request.target().size());
  const std::string_view parked_target(parked->target().data(), parked->target().size());
  auto completion = [parked, params = params.rebased(target, parked_target), caller, handler,
                     reply](const Status& reached) mutable {
    if (!reached) return reply_error(*parked, reached.error(), reply);
    try {
      handler(*parked, params, caller, reply);
    } catch (const std::exception& exception) {
      reply_error(*parked, internal_error(exception), reply);
    }
  };
  auto added =
      api.min_position_waiters.add(position, std::move(read_model), api.options.min_position_wait,
                                   api.options.min_position_waiters_max, std::move(completion));
  if (!added) reply_error(request, added.error(), reply, /*retry_after_seconds=*/1);
}

}  // namespace

std::string_view header(const Request& request, std::string_view name) {
  const auto it = request.find(boost::beast::string_view(name.data(), name.size()));
  if (it == request.end()) return {};
  return {it->value().data(), it->value().size()};
}

namespace {

// The user of the bearer token stored under `digest`, while the token is neither revoked nor
// expired and the user is active: from the token cache while no identity row has been written
// since it was filled (http/token_cache.h), else from the rows.
Result<Caller> caller_of_token(const ApiContext& api, const std::string& digest) {
  const std::int64_t now_us = api.clock.now_us();
  // Taken before the rows are read: a write after it makes what is read here stale.
  std::uint64_t identity_writes = 0;
  if (api.keyspace_writes != nullptr) {
    identity_writes = api.keyspace_writes->count(domain::kIdentityKeyspace);
    if (auto cached = api.token_cache.find(digest, identity_writes, now_us)) {
      return std::move(*cached);
    }
  }
  auto stored = domain::find_token(api.log, digest);
  if (!stored) return std::move(stored).error();
  if (!stored->has_value() || (*stored)->revoked() || (*stored)->expires_at_us() <= now_us) {
    return unauthenticated();
  }
  auto user = domain::find_user(api.log, (*stored)->user_id());
  if (!user) return std::move(user).error();
  // Deactivation revokes every token at once; a user row saying so is refused all the same.
  if (!user->has_value() || (*user)->deactivated()) return unauthenticated();
  auto role = role_of((*user)->role());
  if (!role) return std::move(role).error();
  Caller caller;
  caller.user_id = domain::UserId{(*user)->user_id()};
  caller.email = (*user)->email();
  caller.name = (*user)->name();
  caller.role = *role;
  caller.department = (*user)->department();
  caller.token_digest = digest;
  if (api.keyspace_writes != nullptr) {
    api.token_cache.remember(caller, (*stored)->expires_at_us(), identity_writes);
  }
  return caller;
}

// `caller`, when their role is among `roles` (empty: any role); forbidden otherwise.
Result<Caller> in_roles(Result<Caller> caller, const std::vector<Role>& roles) {
  if (!caller) return caller;
  if (!roles.empty() && std::find(roles.begin(), roles.end(), caller->role) == roles.end()) {
    return make_error(Errc::forbidden, "your role may not do this");
  }
  return caller;
}

}  // namespace

Result<Caller> authenticate(const ApiContext& api, const Request& request) {
  const std::string_view authorization = header(request, "Authorization");
  constexpr std::string_view kScheme = "Bearer ";
  if (!authorization.starts_with(kScheme)) return unauthenticated();
  const std::string_view token = authorization.substr(kScheme.size());
  if (token.empty() || token.size() > 200) return unauthenticated();
  return caller_of_token(api, token_digest(token));
}

Result<Caller> authenticate_stream(ApiContext& api, const Request& request) {
  const std::string_view target(request.target().data(), request.target().size());
  const auto ticket = query_param(target, "ticket");
  if (!ticket) return authenticate(api, request);
  auto holder = api.stream_tickets.redeem(*ticket, api.clock.now_us());
  if (!holder) return std::move(holder).error();
  auto caller = caller_of_token(api, holder->token_digest);
  if (!caller) return caller;
  LEDGER_ASSERT(caller->user_id.str() == holder->user_id,
                "a ticket's user is the user of the token it was issued to");
  return caller;
}

Status verify_provider_signature(const ApiContext& api, const Request& request) {
  if (api.options.webhook_secret.empty()) {
    return make_error(Errc::forbidden, "the payment webhook is not configured");
  }
  const auto signature = request.find("X-Signature");
  const std::string expected =
      "sha256=" + to_hex(hmac_sha256(api.options.webhook_secret, request.body()));
  if (signature == request.end() ||
      !constant_time_equal(std::string_view(signature->value().data(), signature->value().size()),
                           expected)) {
    return make_error(Errc::unauthenticated,
                      "X-Signature must be sha256=<hex HMAC-SHA256 of the body>");
  }
  return {};
}

Result<Caller> authorize(const ApiContext& api, const Request& request,
                         const std::vector<Role>& roles) {
  return in_roles(authenticate(api, request), roles);
}

Handler authenticated(ApiContext& api, std::vector<Role> roles, CallerHandler handler,
                      ReadModelPosition read_model, bool accepts_stream_ticket) {
  if (!read_model) read_model = [&api] { return api.log.head().position; };
  return [&api, allowed = std::move(roles), handler = std::move(handler), accepts_stream_ticket,
          read_model = std::move(read_model)](const Request& request, const PathParams& params,
                                              Reply reply) {
    auto caller = in_roles(
        accepts_stream_ticket ? authenticate_stream(api, request) : authenticate(api, request),
        allowed);
    if (!caller) return reply_error(request, caller.error(), reply);
    if (request.method() != beast_http::verb::get) {
      return handler(request, params, *caller, std::move(reply));
    }
    auto min = min_position(request);
    if (!min) return reply_error(request, min.error(), reply);
    if (!*min || read_model() >= **min) return handler(request, params, *caller, std::move(reply));
    handle_at_min_position(api, **min, read_model, request, params, *caller, handler,
                           std::move(reply));
  };
}

std::string peer_address(const Request& request) {
  const auto it = request.find(kPeerHeader);
  return it == request.end() ? std::string() : std::string(it->value());
}

bool rate_limited(ApiContext& api, const Request& request, Reply& reply, const std::string& key,
                  const RateLimit& limit) {
  std::uint64_t retry_after = 0;
  if (auto allowed = api.limiter.attempt(key, limit, &retry_after); !allowed) {
    reply_error(request, allowed.error(), reply, retry_after);
    return true;
  }
  return false;
}

Result<domain::CommandOrigin> command_origin(ApiContext& api, const Request& request,
                                             const domain::ActorId& actor) {
  domain::CommandOrigin origin;
  const std::string_view request_id = header(request, "X-Request-Id");
  origin.correlation_id =
      !request_id.empty() && request_id.size() <= kRequestIdMax && printable(request_id)
          ? std::string(request_id)
          : api.ids.next();
  const auto key = request.find("Idempotency-Key");
  if (key != request.end()) {
    const std::string_view value(key->value().data(), key->value().size());
    if (value.empty() || value.size() > kIdempotencyKeyMax || !printable(value)) {
      return make_error(Errc::invalid_argument,
                        "Idempotency-Key must be 1 to 200 printable characters", "Idempotency-Key");
    }
    // Scoped to the caller: two users' keys never collide.
    origin.idempotency_key = actor.str() + "\n" + std::string(value);
    const auto verb = beast_http::to_string(request.method());
    const std::string_view method(verb.data(), verb.size());
    origin.request_fingerprint = to_hex(sha256(fmt::format(
        "{} {}\n{}", method, std::string_view(request.target().data(), request.target().size()),
        request.body())));
  }
  origin.actor = actor.str();
  return origin;
}

void reply_error(const Request& request, const Error& error, Reply& reply,
                 std::uint64_t retry_after_seconds) {
  Response response = error_response(request, error);
  if (retry_after_seconds > 0) {
    response.set(beast_http::field::retry_after, std::to_string(retry_after_seconds));
  }
  reply(std::move(response));
}

Request answering_head(const Request& request) {
  Request head(request.method(), request.target(), request.version());
  head.keep_alive(request.keep_alive());
  const std::string_view request_id = request_id_of(request);
  if (!request_id.empty()) {
    head.set(kRequestIdHeader, boost::beast::string_view(request_id.data(), request_id.size()));
  }
  return head;
}

Result<std::optional<std::uint64_t>> min_position(const Request& request) {
  const auto min = request.find("X-Min-Position");
  if (min == request.end()) return std::optional<std::uint64_t>();
  std::uint64_t position = 0;
  const std::string_view value(min->value().data(), min->value().size());
  const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), position);
  if (error != std::errc() || end != value.data() + value.size()) {
    return make_error(Errc::invalid_argument,
                      "X-Min-Position must be a log position (a whole number)", "X-Min-Position");
  }
  return std::optional<std::uint64_t>(position);
}

void answer_query(ApiContext& api, const Request& request, Reply& reply,
                  const std::function<Result<nlohmann::json>()>& read) {
  const std::uint64_t position = api.log.head().position;
  auto body = read();
  if (!body) return reply_error(request, body.error(), reply);
  Response response = json_response(request, beast_http::status::ok, *body);
  response.set("X-Ledger-Position", std::to_string(position));
  reply(std::move(response));
}

}  // namespace ledger::http
