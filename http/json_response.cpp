#include "http/json_response.h"

namespace ledger::http {

Response text_response(const Request& request, beast_http::status status, std::string body,
                       std::string_view content_type) {
  Response response(status, request.version());
  response.set(beast_http::field::content_type,
               boost::beast::string_view(content_type.data(), content_type.size()));
  response.set(beast_http::field::cache_control, "no-store");
  response.keep_alive(request.keep_alive());
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

std::string render_json(const nlohmann::json& body) {
  // What body.dump(-1, ' ', false, replace) writes, into a string reserved once: appended to from
  // empty it would grow (allocate) about once per doubling of a typical answer.
  constexpr std::size_t kRenderedBytesFirst = 512;
  std::string text;
  text.reserve(kRenderedBytesFirst);
  nlohmann::detail::serializer<nlohmann::json> serializer(
      nlohmann::detail::output_adapter<char, std::string>(text), ' ',
      nlohmann::json::error_handler_t::replace);
  serializer.dump(body, /*pretty_print=*/false, /*ensure_ascii=*/false, /*indent_step=*/0);
  return text;
}

Response json_response(const Request& request, beast_http::status status,
                       const nlohmann::json& body) {
  return text_response(request, status, render_json(body), "application/json");
}

}  // namespace ledger::http
