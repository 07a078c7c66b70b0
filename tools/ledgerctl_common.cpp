#include "tools/ledgerctl_common.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/program_options.hpp>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "core/domain/keyspaces.h"

namespace ledger::tools {

namespace po = boost::program_options;

bool parse(int argc, char** argv, CommonOptions* common, const char* title) {
  po::options_description options(title);
  options.add_options()("help,h", "show this help")(
      "data-dir", po::value(&common->data_dir)->required(), "the ledger's data directory")(
      "format", po::value(&common->format)->default_value("human"), "human or json");
  po::variables_map values;
  po::store(po::parse_command_line(argc, argv, options), values);
  if (values.count("help")) {
    std::cout << options;
    return false;
  }
  po::notify(values);
  return true;
}

void fail(const std::string& message) {
  std::fprintf(stderr, "ledgerctl: %s\n", message.c_str());
  std::exit(2);
}

std::unique_ptr<store::RocksDbEventLog> open_store(const std::string& data_dir, bool read_only) {
  store::StoreOptions options;
  options.path = (std::filesystem::path(data_dir) / "store").string();
  options.read_only = read_only;
  options.state_keyspaces = domain::domain_keyspaces();
  if (!std::filesystem::exists(options.path)) fail("no store in " + data_dir);
  auto log = store::RocksDbEventLog::open(options);
  if (!log) {
    fail(log.error().message +
         (read_only ? "" : " (is ledgerd running on this data dir? stop it first)"));
  }
  return std::move(log).value();
}

std::unique_ptr<store::EventLog> open_node(const std::string& data_dir, const std::string& store,
                                           replay::NodeAccess access) {
  auto log = replay::open_node_store({data_dir, store}, access);
  if (!log) {
    const bool rocksdb_writer = store.empty() && access != replay::NodeAccess::read_only;
    fail(log.error().message +
         (rocksdb_writer ? " (is ledgerd running on this data dir? stop it first)" : ""));
  }
  return std::move(log).value();
}

std::pair<unsigned, std::string> request_json(const std::string& url, const std::string& token,
                                              const std::string& method, const std::string& path,
                                              const std::string& body) {
  namespace beast = boost::beast;
  if (!url.starts_with("http://")) fail("--server must be http://HOST:PORT");
  const std::string authority = url.substr(7, url.find('/', 7) - 7);
  const auto colon = authority.rfind(':');
  const std::string host = authority.substr(0, colon);
  const std::string port = colon == std::string::npos ? "80" : authority.substr(colon + 1);
  try {
    boost::asio::io_context io;
    beast::tcp_stream stream(io);
    boost::asio::ip::tcp::resolver resolver(io);
    stream.connect(resolver.resolve(host, port));
    beast::http::request<beast::http::string_body> request{
        method == "POST" ? beast::http::verb::post : beast::http::verb::get, path, 11};
    request.set(beast::http::field::host, host);
    request.set(beast::http::field::authorization, "Bearer " + token);
    if (method == "POST") {
      request.set(beast::http::field::content_type, "application/json");
      request.body() = body;
    }
    request.prepare_payload();
    beast::http::write(stream, request);
    beast::flat_buffer buffer;
    beast::http::response<beast::http::string_body> response;
    beast::http::read(stream, buffer, response);
    return {response.result_int(), response.body()};
  } catch (const std::exception& error) {
    fail("cannot reach " + url + ": " + error.what());
  }
}

}  // namespace ledger::tools
