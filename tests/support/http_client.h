// A small blocking HTTP/1.1 client for end-to-end tests, on Boost.Beast. One connection,
// keep-alive, one request at a time.
#pragma once

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>
#include <string>

namespace ledger::testing {

struct HttpAnswer {
  unsigned status = 0;
  std::string body;
  boost::beast::http::fields headers;

  nlohmann::json json() const { return nlohmann::json::parse(body); }
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : std::string(it->value());
  }
};

class HttpClient {
 public:
  HttpClient(const std::string& host, unsigned short port) : host_(host), stream_(io_) {
    boost::asio::ip::tcp::resolver resolver(io_);
    stream_.connect(resolver.resolve(host, std::to_string(port)));
  }
  ~HttpClient() {
    boost::beast::error_code ignored;
    stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
  }

  HttpAnswer request(boost::beast::http::verb method, const std::string& target,
                     const std::string& body = "",
                     const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    namespace http = boost::beast::http;
    http::request<http::string_body> request{method, target, 11};
    request.set(http::field::host, host_);
    if (!body.empty()) request.set(http::field::content_type, "application/json");
    for (const auto& [name, value] : headers) request.set(name, value);
    request.body() = body;
    request.prepare_payload();
    // A server refusing a large body answers before reading it all: a failed write still has
    // an answer to read.
    boost::beast::error_code write_error;
    http::write(stream_, request, write_error);
    http::response_parser<http::string_body> parser;
    parser.body_limit(std::uint64_t{1} << 30);  // file downloads are large
    http::read(stream_, buffer_, parser);
    http::response<http::string_body> response = parser.release();
    HttpAnswer answer;
    answer.status = response.result_int();
    answer.body = response.body();
    for (const auto& field : response) answer.headers.insert(field.name_string(), field.value());
    return answer;
  }

  HttpAnswer get(const std::string& target) {
    return request(boost::beast::http::verb::get, target);
  }

 private:
  std::string host_;
  boost::asio::io_context io_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
};

}  // namespace ledger::testing
