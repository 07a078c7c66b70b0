#include "http/writer_routing.h"

#include <fmt/format.h>

#include <boost/asio/ip/address.hpp>
#include <charconv>

#include "http/api_support.h"
#include "http/writer_forwarder.h"

namespace ledger::http {

namespace {

// The client's address a node forwarded with, when it is one; empty otherwise.
std::string forwarded_client(const Request& request) {
  const std::string_view value = header(request, kForwardedForHeader);
  boost::system::error_code not_an_address;
  const auto address = boost::asio::ip::make_address(std::string(value), not_an_address);
  return not_an_address ? std::string() : address.to_string();
}

// Serves a request another node forwarded (its hop header holds the node secret).
void serve_forwarded(ApiContext& api, const Handler& local, const Request& request,
                     const PathParams& params, Reply reply) {
  if (!api.forwarder->is_writer()) {
    return reply_error(
        request,
        make_error(Errc::store_read_only,
                   "a node forwarded this command here, but this node does not write the log "
                   "either (the writer changed): it is not forwarded again, try again"),
        reply);
  }
  Request served = request;
  served.erase(kNodeSecretHeader);
  if (const std::string client = forwarded_client(request); !client.empty()) {
    served.set(kPeerHeader, client);
  }
  const std::string_view target(request.target().data(), request.target().size());
  const std::string_view served_target(served.target().data(), served.target().size());
  local(served, params.rebased(target, served_target), std::move(reply));
}

// Relays the writer's answer once this node's head reached the position it names.
void relay_when_visible(ApiContext& api, Response answer, const Reply& reply) {
  const std::string_view position_text(answer["X-Ledger-Position"].data(),
                                       answer["X-Ledger-Position"].size());
  std::uint64_t position = 0;
  const auto [end, error] =
      std::from_chars(position_text.data(), position_text.data() + position_text.size(), position);
  const bool names_position = !position_text.empty() && error == std::errc() &&
                              end == position_text.data() + position_text.size();
  if (answer.result_int() >= 300 || !names_position || api.log.head().position >= position) {
    return reply(std::move(answer));
  }
  auto relayed = std::make_shared<Response>(std::move(answer));
  auto added = api.min_position_waiters.add(
      position, [&api] { return api.log.head().position; }, api.options.min_position_wait,
      api.options.min_position_waiters_max,
      // Reached or not (timeout, shutting down), the command was applied: its answer is relayed.
      [relayed, reply](const Status&) mutable { reply(std::move(*relayed)); });
  if (!added) reply(std::move(*relayed));
}

}  // namespace

Handler served_by_writer(ApiContext& api, Handler local) {
  return [&api, local = std::move(local)](const Request& request, const PathParams& params,
                                          Reply reply) {
    if (api.forwarder == nullptr) return local(request, params, std::move(reply));
    WriterForwarder& forwarder = *api.forwarder;
    if (const auto hop = request.find(kNodeSecretHeader); hop != request.end()) {
      if (!forwarder.is_node_secret(std::string_view(hop->value().data(), hop->value().size()))) {
        return reply_error(request,
                           make_error(Errc::forbidden, "the node secret of this forward is wrong"),
                           reply);
      }
      return serve_forwarded(api, local, request, params, std::move(reply));
    }
    if (forwarder.is_writer()) return local(request, params, std::move(reply));
    auto kept = std::make_shared<const Request>(request);
    forwarder.forward(request, [&api, kept, reply](Result<Response> answer) mutable {
      if (!answer) return reply_error(*kept, answer.error(), reply);
      relay_when_visible(api, std::move(*answer), reply);
    });
  };
}

Status streamed_upload_here(ApiContext& api) {
  if (api.forwarder == nullptr || api.forwarder->is_writer()) return {};
  const std::string url = api.forwarder->writer_url(/*refresh=*/false);
  return make_error(
      Errc::store_read_only,
      url.empty()
          ? std::string("uploads are not forwarded: send this upload to the node that writes the "
                        "log (none has published its address yet; try again)")
          : fmt::format("uploads are not forwarded: send this upload to the node that writes the "
                        "log, {}",
                        url));
}

}  // namespace ledger::http
