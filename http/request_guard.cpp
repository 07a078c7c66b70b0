#include "http/request_guard.h"

#include <fmt/format.h>

#include <cstdio>
#include <exception>

#include "http/error_response.h"

namespace ledger::http {
namespace {

constexpr std::size_t kRequestIdBytesMax = 100;
constexpr std::size_t kLoggedBytesMax = 2000;  // one line, even for a huge message

// `text` with every byte outside printable ASCII written as \xNN, cut at kLoggedBytesMax.
std::string escaped_for_log(std::string_view text) {
  std::string escaped;
  for (unsigned char c : text.substr(0, kLoggedBytesMax)) {
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      escaped.push_back(static_cast<char>(c));
    } else {
      escaped += fmt::format("\\x{:02x}", c);
    }
  }
  return escaped;
}

}  // namespace

std::string target_for_log(std::string_view target) {
  const auto question = target.find('?');
  if (question == std::string_view::npos) return std::string(target);
  std::string redacted(target.substr(0, question + 1));
  std::string_view query = target.substr(question + 1);
  while (true) {
    const auto ampersand = query.find('&');
    const std::string_view pair = query.substr(0, ampersand);
    const std::string_view name = pair.substr(0, pair.find('='));
    if (name != pair && (name == "ticket" || name == "token")) {
      redacted += std::string(name) + "=[redacted]";
    } else {
      redacted += pair;
    }
    if (ampersand == std::string_view::npos) break;
    redacted += '&';
    query.remove_prefix(ampersand + 1);
  }
  return redacted;
}

std::string_view request_id_of(const Request& request) {
  const auto it = request.find(kRequestIdHeader);
  if (it == request.end()) return {};
  return {it->value().data(), it->value().size()};
}

bool is_acceptable_request_id(std::string_view request_id) {
  if (request_id.empty() || request_id.size() > kRequestIdBytesMax) return false;
  for (char c : request_id) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

void log_request_failure(const Request& request, std::string_view what) {
  const auto method = beast_http::to_string(request.method());
  const std::string line = fmt::format(
      "ledgerd: request {} {} {}: {}\n", escaped_for_log(request_id_of(request)),
      escaped_for_log({method.data(), method.size()}),
      escaped_for_log(target_for_log({request.target().data(), request.target().size()})),
      escaped_for_log(what));
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

Response unexpected_failure_response(const Request& request) {
  const auto request_id = request_id_of(request);
  Response response =
      problem_response(request, beast_http::status::internal_server_error, "internal",
                       fmt::format("the server failed unexpectedly; the log names request {}",
                                   escaped_for_log(request_id)));
  response.set(kRequestIdHeader, boost::beast::string_view(request_id.data(), request_id.size()));
  return response;
}

bool run_logged(const Request& request, const std::function<void()>& route_code) {
  try {
    route_code();
    return true;
  } catch (const std::exception& error) {
    log_request_failure(request, fmt::format("unhandled exception: {}", error.what()));
  } catch (...) {
    log_request_failure(request, "unhandled exception of an unknown type");
  }
  return false;
}

void run_guarded(const Request& request, const Reply& reply,
                 const std::function<void()>& route_code) {
  if (!run_logged(request, route_code)) reply(unexpected_failure_response(request));
}

}  // namespace ledger::http
