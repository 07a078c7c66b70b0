#include "http/projection_query.h"

#include <fmt/format.h>

#include "core/assert.h"
#include "http/api_support.h"
#include "http/json_response.h"
#include "projections/projection_registry.h"

namespace ledger::http {

void answer_from_projection(projections::ProjectionRunner& runner, const Request& request,
                            Reply& reply, const std::function<Result<nlohmann::json>()>& read) {
  const std::uint64_t position = runner.status().checkpoint;
  auto body = read();
  if (!body) return reply_error(request, body.error(), reply);
  Response response = json_response(request, beast_http::status::ok, *body);
  response.set("X-Ledger-Position", std::to_string(position));
  reply(std::move(response));
}

ReadModelOf projection_read_model(std::string name) {
  return [name = std::move(name)](ApiContext& api) -> std::uint64_t {
    const auto status = projection_named(api, name).status();
    // A failed projection reaches nothing more: its waiters time out.
    return status.state == "failed" ? 0 : status.checkpoint;
  };
}

projections::ProjectionRunner& projection_named(ApiContext& api, std::string_view name) {
  auto* runner = api.projections->find(name);
  LEDGER_ASSERT(runner != nullptr, "the projection is registered");
  return *runner;
}

}  // namespace ledger::http
