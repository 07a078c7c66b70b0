// A route's declaration: everything about an endpoint in one value, the one source for the
// router, authentication, request decoding and the OpenAPI document.
//
//   RouteDeclaration{
//       .method = verb::post,
//       .path = "/api/campaigns/",
//       .operation_id = "createCampaign",
//       .summary = "Create a campaign for a client of the marketing service",
//       .roles = {Role::admin, Role::agent},
//       .body = {field::text("client_id", text_limits::kId), field::text("name", kName), ...},
//       .success = beast_http::status::created,
//       .answer = campaign_schema(),
//       .errors = {Errc::not_found, Errc::service_not_active},
//       .handler = create_campaign,
//   }
//
// `add_declared_route` (http/route_table.h) registers it: the router matches `method` and
// `path`; a route for users answers 401 without a valid bearer token and 403 when the caller's
// role is not among `roles`, a route for the payment provider 401 unless X-Signature signs the
// body (http/api_support.h); the query is decoded by `query` and a POST, PATCH or PUT body by
// `body` (http/request_fields.h), each refusal a 400 naming the field, before the handler runs;
// a GET with X-Min-Position waits for `read_model` (the log's head when unset). The handler gets
// the decoded, typed input. `openapi_document()` is generated from the same declarations.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "http/answer_schema.h"
#include "http/caller.h"
#include "http/http_types.h"
#include "http/request_fields.h"
#include "http/router.h"

namespace ledger::http {

struct ApiContext;

// Who may call a route.
enum class Audience {
  users,             // a bearer token of a user whose role is among `roles` (empty: any role)
  everyone,          // no token (login, registration, health)
  payment_provider,  // no token; X-Signature must sign the body (before it is decoded)
};

struct RouteDeclaration;

// What a handler receives: its declaration, the request, its path parameters, the caller and the
// decoded fields.
struct RouteInput {
  const RouteDeclaration& route;
  const Request& request;
  const PathParams& path;
  const Caller& caller;        // routes for everyone: an empty caller (no user id)
  const RequestFields& body;   // the declared body fields
  const RequestFields& query;  // the declared query fields
};

using RouteHandler = std::function<void(ApiContext&, const RouteInput&, Reply)>;
// A route whose body streams to a sink (see Router::add_streamed): called with the head only.
using StreamedRouteHandler =
    std::function<Result<std::unique_ptr<BodySink>>(ApiContext&, const RouteInput&)>;
// The position of the read model a query reads, for X-Min-Position.
using ReadModelOf = std::function<std::uint64_t(ApiContext&)>;

enum class BodyType {
  json,       // POST, PATCH and PUT read a JSON object (an empty body is {})
  multipart,  // multipart/form-data, streamed to `streamed` (the `body` fields are its parts)
};

struct RouteDeclaration {
  beast_http::verb method = beast_http::verb::get;
  std::string path;          // e.g. "/api/campaigns/{id}/"; the trailing slash as API.md has it
  std::string operation_id;  // unique, lowerCamelCase ("createCampaign")
  std::string summary;
  Audience audience = Audience::users;
  std::vector<Role> roles;
  BodyType body_type = BodyType::json;
  std::vector<Field> body;
  std::vector<Field> query;
  bool paged = false;  // answers the list envelope of `answer` items; reads limit and cursor
  beast_http::status success = beast_http::status::ok;
  std::string answer_type = "application/json";
  schema::Schema answer;  // of the success answer (paged: of one item)
  // A command (not a GET) whose answer also carries the log position of its commit, "position"
  // (run_command adds it); the document adds it to `answer`.
  bool answers_position = true;
  // A route a browser's EventSource opens, which cannot send Authorization: a `ticket` query
  // parameter (a stream ticket, http/stream_tickets.h) may stand for the bearer token.
  bool accepts_stream_ticket = false;
  // A route that is not a GET yet appends nothing to the log (a question, a stream ticket kept
  // in this node's memory, a local backup or rebuild): every node serves it itself. The other
  // routes that are not GETs write the log, and a follower forwards them to the writer
  // (http/writer_forwarder.h).
  bool served_locally = false;
  std::vector<Errc> errors;  // what it can refuse with beyond bad input and authentication
  ReadModelOf read_model;
  RouteHandler handler;
  StreamedRouteHandler streamed;  // instead of `handler`, for a streamed body
  std::uint64_t (*body_bytes_max)(const ApiContext&) = nullptr;  // streamed routes

  // Whether the route appends to the log, so that only the writer can serve it.
  bool writes_log() const { return method != beast_http::verb::get && !served_locally; }

  // Whether requests carry a body (POST, PATCH and PUT do; GET and DELETE do not).
  bool has_body() const {
    return method == beast_http::verb::post || method == beast_http::verb::patch ||
           method == beast_http::verb::put;
  }
};

// Every route the server has, in the order the document lists them.
using RouteTable = std::vector<RouteDeclaration>;

}  // namespace ledger::http
