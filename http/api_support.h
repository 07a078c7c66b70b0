// The shared steps of every API handler, so that no handler re-implements them:
//
// - `authenticated(api, roles, handler)`: a Handler that answers 401 without a valid bearer
//   token and 403 when the caller's role is not among `roles` (empty: any role), then calls
//   `handler` with the Caller.
// - `run_command(...)`: submits a domain command with its origin (actor, request id, scoped
//   idempotency key and request fingerprint) and answers, once durable, the rendered answer plus
//   "position" and the X-Ledger-Position header — or the problem document of its refusal.
//   `run_command_rendering_commit` is the same with a renderer that sees the commit's positions.
// - X-Min-Position: a GET with this header reaches its handler only once the read model it reads
//   (the log's head, or the projection named at registration) has reached that position. Until
//   then it is parked in `api.min_position_waiters`, holding no thread; a position further than
//   `min_position_ahead_max` past the log's head answers 400 (naming X-Min-Position) at once, a
//   wait past `min_position_wait` 503 timeout, and beyond `min_position_waiters_max` parked queries
//   503 overloaded with Retry-After.
// - `answer_query(...)`: answers a read with the position it reflects.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "core/domain/ledger.h"
#include "core/hex.h"
#include "core/sha256.h"
#include "http/api_context.h"
#include "http/caller.h"
#include "http/error_response.h"
#include "http/json_fields.h"
#include "http/json_response.h"
#include "http/request_guard.h"
#include "http/router.h"

namespace ledger::http {

using CallerHandler = std::function<void(const Request&, const PathParams&, const Caller&, Reply)>;

// The position a read model has reached, for X-Min-Position (empty: the log's head).
using ReadModelPosition = std::function<std::uint64_t()>;

// A request header's value (empty when absent).
std::string_view header(const Request& request, std::string_view name);

// Who is calling: the bearer token's user, or unauthenticated.
Result<Caller> authenticate(const ApiContext& api, const Request& request);

// The caller, when their role is among `roles` (empty: any role); forbidden otherwise.
Result<Caller> authorize(const ApiContext& api, const Request& request,
                         const std::vector<Role>& roles);

// Who is calling a route EventSource opens (RouteDeclaration::accepts_stream_ticket): with a
// `ticket` query parameter, the holder of that stream ticket, which is taken (single use) and
// whose bearer token must still be valid and user active (http/stream_tickets.h); without one,
// as `authenticate`.
Result<Caller> authenticate_stream(ApiContext& api, const Request& request);

// Whether the payment provider signed the body: X-Signature must be "sha256=" and the hex
// HMAC-SHA256 of the raw body under the webhook secret (unauthenticated otherwise; forbidden when
// no secret is configured).
Status verify_provider_signature(const ApiContext& api, const Request& request);

Handler authenticated(ApiContext& api, std::vector<Role> roles, CallerHandler handler,
                      ReadModelPosition read_model = {}, bool accepts_stream_ticket = false);

// The origin of a command from this request: actor, correlation id (X-Request-Id or a new id),
// idempotency key scoped to the actor and the request's fingerprint. invalid_argument when the
// Idempotency-Key header is malformed.
Result<domain::CommandOrigin> command_origin(ApiContext& api, const Request& request,
                                             const domain::ActorId& actor);

// Replies with the error's problem document (Retry-After for rate limits when given).
void reply_error(const Request& request, const Error& error, Reply& reply,
                 std::uint64_t retry_after_seconds = 0);

// What an answer built later (after the request's handler returned) needs of its request: its
// method, target, version, keep-alive and X-Request-Id (json_response, error_response, the
// exception guard's log line), without its other headers and its body.
Request answering_head(const Request& request);

template <class Answer>
using Renderer = std::function<Result<nlohmann::json>(const Answer&)>;

// A renderer that also sees where the commit landed (its first and last positions), for answers
// that show a stored event as the log holds it.
template <class Answer>
using CommitRenderer = std::function<Result<nlohmann::json>(const domain::Executed<Answer>&)>;

template <class Answer>
void run_command_rendering_commit(ApiContext& api, const Request& request,
                                  const domain::ActorId& actor, domain::DomainDecide<Answer> decide,
                                  CommitRenderer<Answer> render, beast_http::status success,
                                  Reply reply) {
  auto origin = command_origin(api, request, actor);
  if (!origin) return reply_error(request, origin.error(), reply);
  // The request outlives nothing here: keep what the answer needs.
  auto shared_request = std::make_shared<Request>(answering_head(request));
  api.ledger.execute<Answer>(
      std::move(*origin), std::move(decide),
      [shared_request, render = std::move(render), success,
       reply = std::move(reply)](Result<domain::Executed<Answer>> executed) mutable {
        // Runs on the sequencer's writer thread, which only hands the typed answer over: the JSON
        // is built on the connection's thread.
        auto answer = [shared_request, render = std::move(render), success, reply,
                       executed = std::make_shared<Result<domain::Executed<Answer>>>(
                           std::move(executed))]() mutable {
          run_guarded(*shared_request, reply, [&] {
            if (!*executed) return reply_error(*shared_request, executed->error(), reply);
            const domain::Executed<Answer>& done = executed->value();
            auto body = render(done);
            if (!body) return reply_error(*shared_request, body.error(), reply);
            (*body)["position"] = done.position;
            Response response = json_response(*shared_request, success, *body);
            response.set("X-Ledger-Position", std::to_string(done.position));
            if (done.replayed) response.set("Idempotent-Replayed", "true");
            reply(std::move(response));
          });
        };
        reply.on_connection(std::move(answer));
      });
}

template <class Answer>
void run_command(ApiContext& api, const Request& request, const domain::ActorId& actor,
                 domain::DomainDecide<Answer> decide, Renderer<Answer> render,
                 beast_http::status success, Reply reply) {
  run_command_rendering_commit<Answer>(
      api, request, actor, std::move(decide),
      [render = std::move(render)](const domain::Executed<Answer>& executed) {
        return render(executed.answer);
      },
      success, std::move(reply));
}

// The X-Min-Position header: nullopt when absent, invalid_argument when not a whole number.
Result<std::optional<std::uint64_t>> min_position(const Request& request);

// The client's address, as the server noted it (kPeerHeader); empty when unknown.
std::string peer_address(const Request& request);

// Counts an attempt against `limit` under `key` ("login-ip:<address>", ...) in api.limiter:
// false when it may go on; true when it was refused, and then `reply` has the 429 with
// Retry-After.
bool rate_limited(ApiContext& api, const Request& request, Reply& reply, const std::string& key,
                  const RateLimit& limit);

// Answers a read: notes the head position, then replies with what `read` builds. `read` runs
// after the position is taken, so the answer reflects at least it (and X-Min-Position, which
// `authenticated` waited for).
void answer_query(ApiContext& api, const Request& request, Reply& reply,
                  const std::function<Result<nlohmann::json>()>& read);

}  // namespace ledger::http
