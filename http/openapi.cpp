#include "http/openapi.h"

#include <fmt/format.h>

#include <map>
#include <set>

#include "core/error.h"
#include "http/error_response.h"
#include "http/json_response.h"
#include "http/route_table.h"

namespace ledger::http {
namespace {

std::string lower_method(beast_http::verb method) {
  std::string name(beast_http::to_string(method));
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

nlohmann::json problem_ref() { return {{"$ref", "#/components/schemas/Problem"}}; }

nlohmann::json header_ref(const char* name) {
  return {{"$ref", std::string("#/components/headers/") + name}};
}

// Replaces every schema titled by schema::named with a $ref to components/schemas/<title>,
// moving its definition there (once per name; a name always carries the same schema).
void hoist_named(nlohmann::json& node, nlohmann::json& schemas) {
  if (node.is_array()) {
    for (auto& item : node) hoist_named(item, schemas);
    return;
  }
  if (!node.is_object()) return;
  for (auto& [key, value] : node.items()) hoist_named(value, schemas);
  if (!node.contains("title") || !node["title"].is_string() || !node.contains("type")) return;
  const std::string name = node["title"].get<std::string>();
  nlohmann::json definition = node;
  definition.erase("title");
  if (schemas.contains(name)) {
    LEDGER_ASSERT(schemas[name] == definition, "a component name carries one schema");
  } else {
    schemas[name] = std::move(definition);
  }
  node = {{"$ref", "#/components/schemas/" + name}};
}

// A command's answer with the "position" of its commit added (to each alternative of a oneOf);
// a named answer becomes <Name>WithPosition. An answer that renders its own position is kept.
nlohmann::json with_position(nlohmann::json answer) {
  if (answer.contains("oneOf")) {
    for (auto& alternative : answer["oneOf"]) alternative = with_position(std::move(alternative));
    return answer;
  }
  if (!answer.contains("properties") || answer["properties"].contains("position")) return answer;
  const std::string title = answer.value("title", "");
  answer = schema::extended(answer, {{"position", schema::integer()}});
  return title.empty() ? answer : schema::named(title + "WithPosition", std::move(answer));
}

// The refusals a route can answer with, by status: those it declares and those every route of
// its kind can give.
std::map<int, std::set<std::string>> refusals(const RouteDeclaration& route) {
  std::map<int, std::set<std::string>> by_status;
  auto add = [&](Errc code) {
    const int status = static_cast<int>(status_of(errc_kind(code)));
    by_status[status].emplace(errc_name(code));
  };
  add(Errc::invalid_argument);  // a path parameter, the query, the body or a header
  if (route.audience == Audience::users) add(Errc::unauthenticated);
  if (route.audience == Audience::payment_provider) {  // unsigned; no webhook secret configured
    add(Errc::unauthenticated);
    add(Errc::forbidden);
  }
  if (!route.roles.empty()) add(Errc::forbidden);
  if (route.method != beast_http::verb::get && route.body_type == BodyType::json) {
    add(Errc::unsupported_media_type);
  }
  for (Errc code : route.errors) add(code);
  return by_status;
}

nlohmann::json declared_operation(const RouteDeclaration& route) {
  std::string who;
  switch (route.audience) {
    case Audience::everyone:
      who = "anyone (no token)";
      break;
    case Audience::payment_provider:
      who = "the payment provider (no token; the body signed in X-Signature)";
      break;
    case Audience::users:
      if (route.roles.empty()) who = "any signed-in user";
      for (Role role : route.roles) {
        who += (who.empty() ? "" : ", ") + std::string(role == Role::admin   ? "admin"
                                                       : role == Role::agent ? "agent"
                                                                             : "client");
      }
      break;
  }
  nlohmann::json operation = {{"operationId", route.operation_id},
                              {"summary", route.summary},
                              {"description", "Who may call it: " + who + "."}};
  const std::string tag = [&] {
    std::string_view rest = route.path;
    if (rest.starts_with("/api/")) rest.remove_prefix(5);
    if (rest.starts_with("/")) rest.remove_prefix(1);
    const auto slash = rest.find('/');
    return std::string(slash == std::string_view::npos ? rest : rest.substr(0, slash));
  }();
  operation["tags"] = {tag};
  nlohmann::json parameters = nlohmann::json::array();
  std::string_view rest = route.path;
  for (auto open = rest.find('{'); open != std::string_view::npos; open = rest.find('{')) {
    const auto close = rest.find('}', open);
    parameters.push_back({{"name", std::string(rest.substr(open + 1, close - open - 1))},
                          {"in", "path"},
                          {"required", true},
                          {"schema", {{"type", "string"}, {"maxLength", 200}}}});
    rest = rest.substr(close + 1);
  }
  for (const auto& field : route.query) {
    parameters.push_back({{"name", field.name},
                          {"in", "query"},
                          {"required", field.required},
                          {"schema", field_schema(field)}});
  }
  if (route.paged) {
    parameters.push_back({{"name", "limit"},
                          {"in", "query"},
                          {"required", false},
                          {"description", "items per page, default 50"},
                          {"schema", {{"type", "integer"}, {"minimum", 1}, {"maximum", 500}}}});
    parameters.push_back({{"name", "cursor"},
                          {"in", "query"},
                          {"required", false},
                          {"description", "from the answer's next or previous link"},
                          {"schema", {{"type", "string"}, {"maxLength", 200}}}});
  }
  const bool command = route.method != beast_http::verb::get;
  if (route.audience == Audience::users) {
    parameters.push_back(command
                             ? nlohmann::json{{"$ref", "#/components/parameters/IdempotencyKey"}}
                             : nlohmann::json{{"$ref", "#/components/parameters/MinPosition"}});
  }
  if (route.audience == Audience::payment_provider) {
    parameters.push_back({{"name", "X-Signature"},
                          {"in", "header"},
                          {"required", true},
                          {"description", "sha256=<hex HMAC-SHA256 of the body>"},
                          {"schema", {{"type", "string"}}}});
  }
  if (!parameters.empty()) operation["parameters"] = parameters;
  if (route.has_body()) {
    nlohmann::json properties = nlohmann::json::object();
    nlohmann::json required = nlohmann::json::array();
    nlohmann::json one_of_names = nlohmann::json::array();
    for (const auto& field : route.body) {
      nlohmann::json property = field_schema(field);
      if (!field.required && route.body_type == BodyType::json) {
        // null is the same as leaving the field out; `nullable` goes beside a `type`.
        if (property.contains("anyOf")) {
          for (auto& alternative : property["anyOf"]) alternative["nullable"] = true;
        } else {
          property["nullable"] = true;
        }
      }
      // A field also named otherwise (the seed's `client` for `client_id`) is either property;
      // a required one is then required under one of its names.
      if (!field.alias.empty()) {
        nlohmann::json other = property;
        other["description"] = fmt::format("the same as {}: send one of them", field.name);
        properties[field.alias] = std::move(other);
        if (field.required) {
          nlohmann::json either = nlohmann::json::array();
          for (const auto& name : {field.name, field.alias}) {
            either.push_back(nlohmann::json{{"required", nlohmann::json::array({name})}});
          }
          one_of_names.push_back(nlohmann::json{{"anyOf", std::move(either)}});
        }
      } else if (field.required) {
        required.push_back(field.name);
      }
      properties[field.name] = std::move(property);
    }
    nlohmann::json body_schema = {
        {"type", "object"}, {"additionalProperties", false}, {"properties", properties}};
    if (!required.empty()) body_schema["required"] = required;
    if (!one_of_names.empty()) body_schema["allOf"] = one_of_names;
    const char* media_type =
        route.body_type == BodyType::multipart ? "multipart/form-data" : "application/json";
    operation["requestBody"] = {{"required", !required.empty() || !one_of_names.empty()},
                                {"content", {{media_type, {{"schema", body_schema}}}}}};
  }
  nlohmann::json success = {{"description", "success"}};
  if (route.answer_type == "application/json") {
    nlohmann::json answer = route.paged ? schema::list_of(route.answer) : route.answer;
    if (command && route.answers_position) answer = with_position(std::move(answer));
    success["content"] = {{"application/json", {{"schema", std::move(answer)}}}};
  } else {
    success["content"] = {
        {route.answer_type,
         {{"schema", route.answer.is_null() ? nlohmann::json{{"type", "string"}} : route.answer}}}};
  }
  if (route.path.starts_with("/api/")) {
    nlohmann::json headers = {{"X-Ledger-Position", header_ref("LedgerPosition")}};
    if (command) headers["Idempotent-Replayed"] = header_ref("IdempotentReplayed");
    success["headers"] = headers;
  }
  nlohmann::json responses = {{std::to_string(static_cast<int>(route.success)), success}};
  for (const auto& [status, codes] : refusals(route)) {
    std::string description;
    for (const auto& code : codes) description += (description.empty() ? "" : ", ") + code;
    responses[std::to_string(status)] = {
        {"description", description},
        {"content", {{"application/problem+json", {{"schema", problem_ref()}}}}}};
  }
  responses["default"] = {
      {"description", "unavailable, overloaded, rate limited or an internal fault (503, 429, 500)"},
      {"headers", {{"Retry-After", header_ref("RetryAfter")}}},
      {"content", {{"application/problem+json", {{"schema", problem_ref()}}}}}};
  operation["responses"] = responses;
  // On a follower of a PostgreSQL log, served by the writer (http/writer_routing.h); uploads
  // are refused there instead.
  if (route.writes_log() && !route.streamed) operation["x-ledger-forwarded-to-writer"] = true;
  operation["security"] = nlohmann::json::array();
  if (route.audience == Audience::users) {
    operation["security"].push_back({{"bearer", nlohmann::json::array()}});
  }
  if (route.accepts_stream_ticket) {
    operation["security"].push_back({{"streamTicket", nlohmann::json::array()}});
  }
  return operation;
}

}  // namespace

nlohmann::json openapi_document() {
  nlohmann::json paths = nlohmann::json::object();
  for (const auto& route : route_table()) {
    paths[route.path][lower_method(route.method)] = declared_operation(route);
  }
  nlohmann::json schemas = {
      {"Money",
       {{"type", "string"},
        {"pattern", "^-?(0|[1-9][0-9]*)\\.[0-9]{2}$"},
        {"description", "an amount as a decimal string with two places"},
        {"example", "50.00"}}},
      {"Problem",
       schema::object(
           {{"type", schema::string()},
            {"title", schema::string()},
            {"status", schema::integer()},
            {"detail", schema::string()},
            {"code", schema::string()},
            {"errors", schema::optional(schema::map_of(schema::array(schema::string())))}})}};
  hoist_named(paths, schemas);
  return {
      {"openapi", "3.0.3"},
      {"info",
       {{"title", "ledger core API"},
        {"version", "1"},
        {"description",
         "Money as decimal strings with two places, times as RFC 3339 UTC. Commands answer "
         "\"position\" and X-Ledger-Position; queries answer X-Ledger-Position. Text limits "
         "(maxLength) are counted in UTF-8 bytes. Nodes sharing a PostgreSQL log serve the same "
         "API: a follower forwards the operations marked x-ledger-forwarded-to-writer to the node "
         "that writes the log and answers once its own reads show the write; while no writer "
         "is reachable they answer 503 store_read_only with Retry-After."}}},
      {"servers", {{{"url", "/"}, {"description", "the server that serves this document"}}}},
      {"paths", paths},
      {"components",
       {{"securitySchemes",
         {{"bearer", {{"type", "http"}, {"scheme", "bearer"}}},
          {"streamTicket",
           {{"type", "apiKey"},
            {"in", "query"},
            {"name", "ticket"},
            {"description",
             "for EventSource, which cannot send Authorization: a single-use ticket from POST "
             "/api/notifications/stream-ticket/, valid 60 s"}}}}},
        {"schemas", schemas},
        {"parameters",
         {{"IdempotencyKey",
           {{"name", "Idempotency-Key"},
            {"in", "header"},
            {"required", false},
            {"description", "a repeated command with the same key answers the first answer"},
            {"schema", {{"type", "string"}, {"minLength", 1}, {"maxLength", 200}}}}},
          {"MinPosition",
           {{"name", "X-Min-Position"},
            {"in", "header"},
            {"required", false},
            {"description", "answer only once the read model has reached this log position"},
            {"schema", {{"type", "integer"}, {"minimum", 0}}}}}}},
        {"headers",
         {{"LedgerPosition",
           {{"description", "the log position the answer reflects"},
            {"schema", {{"type", "integer"}}}}},
          {"IdempotentReplayed",
           {{"description", "true when the answer is the replay of an earlier command"},
            {"schema", {{"type", "string"}, {"enum", {"true"}}}}}},
          {"RetryAfter",
           {{"description", "seconds to wait before trying again (429 and 503)"},
            {"schema", {{"type", "integer"}}}}}}}}},
  };
}

RouteTable openapi_routes() {
  return {{.method = beast_http::verb::get,
           .path = "/openapi.json",
           .operation_id = "getOpenApiDocument",
           .summary = "This document",
           .audience = Audience::everyone,
           .answer = schema::any(),
           .handler = [](ApiContext&, const RouteInput& in, const Reply& reply) {
             static const std::string document = openapi_document().dump();
             reply(text_response(in.request, beast_http::status::ok, document, "application/json"));
           }}};
}

}  // namespace ledger::http
