#include "http/projection_query.h"

#include <fmt/format.h>

#include "core/assert.h"
#include "http/api_support.h"
#include "http/json_response.h"
#include "projections/projection_registry.h"

namespace ledger::http {

void answer_from_projection(ApiContext& api, projections::ProjectionRunner& runner,
                            const Request& request, Reply& reply,
                            const std::function<Result<nlohmann::json>()>& read) {
  auto min = min_position(request);
  if (!min) return reply_error(request, min.error(), reply);
  if (*min) {
    if (!runner.wait_for(**min, api.options.min_position_wait)) {
      return reply_error(request,
                         make_error(Errc::timeout,
                                    fmt::format("the {} projection has not reached that position "
                                                "yet",
                                                runner.name())),
                         reply);
    }
  }
  const std::uint64_t position = runner.status().checkpoint;
  auto body = read();
  if (!body) return reply_error(request, body.error(), reply);
  Response response = json_response(request, beast_http::status::ok, *body);
  response.set("X-Ledger-Position", std::to_string(position));
  reply(std::move(response));
}

projections::ProjectionRunner& projection_named(ApiContext& api, std::string_view name) {
  auto* runner = api.projections->find(name);
  LEDGER_ASSERT(runner != nullptr, "the projection is registered");
  return *runner;
}

}  // namespace ledger::http
