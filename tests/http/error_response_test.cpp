#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "http/error_response.h"

namespace ledger::http {
namespace {

TEST_CASE("an error quoting invalid UTF-8 renders as a valid problem document naming the field") {
  // Found by tests/fuzz/http_request_fuzzer: messages quote what the caller sent (here an id
  // from the path), and rendering them used to throw.
  Request request;
  request.version(11);
  const std::string id = "\xb5\xff";
  const auto response = error_response(
      request, make_error(Errc::not_found, "there is no client " + id, "client_" + id));
  CHECK(response.result() == beast_http::status::not_found);
  CHECK(response[beast_http::field::content_type] == "application/problem+json");
  const auto body = nlohmann::json::parse(response.body());
  CHECK(body["status"] == 404);
  CHECK(body["code"] == "not_found");
  CHECK(body["detail"] == "there is no client \xEF\xBF\xBD\xEF\xBF\xBD");
  CHECK(body["errors"].contains("client_\xEF\xBF\xBD\xEF\xBF\xBD"));
}

TEST_CASE("an unavailable store is a 503 with Retry-After") {
  Request request;
  request.version(11);
  const auto response = error_response(request, make_error(Errc::store_read_only, "read-only"));
  CHECK(response.result() == beast_http::status::service_unavailable);
  CHECK(response[beast_http::field::retry_after] == "1");
}

}  // namespace
}  // namespace ledger::http
