// The whole API in-process for end-to-end tests: a fresh store, the real sequencer, every route,
// the Beast server on a free loopback port, and helpers to log in and call endpoints as a user.
//   ApiFixture f;
//   auto admin = f.admin();                       // token of admin@localhost
//   auto answer = f.call(admin, verb::post, "/api/users/", R"({...})");
// The clock is manual (tests move time); password hashing is cheap (log2 N = 10).
// Every answer received through call() (and get(), post(), login(), ...) is checked against
// the served OpenAPI document (http::openapi_document()): a mismatch fails the current test.
#pragma once

#include <doctest/doctest.h>

#include <boost/asio/thread_pool.hpp>
#include <fstream>

#include "core/domain/keyspaces.h"
#include "core/domain/ledger.h"
#include "core/hex.h"
#include "core/id_generator.h"
#include "core/secret_token.h"
#include "core/store/rocksdb_event_log.h"
#include "http/api_context.h"
#include "http/initial_admin.h"
#include "http/metrics.h"
#include "http/openapi.h"
#include "http/route_table.h"
#include "http/router.h"
#include "http/server.h"
#include "tests/support/http_client.h"
#include "tests/support/ledger_fixture.h"
#include "tests/support/openapi_validator.h"
#include "tests/support/temp_directory.h"

namespace ledger::testing {

inline constexpr char kWebhookSecret[] = "test-webhook-secret";
// The one origin whose pages the fixture's server lets call it from a browser (--cors-origin).
inline constexpr char kDashboardOrigin[] = "http://dashboard.test:3000";

// Fails the current test (without stopping it) when an answer to `method` on `target` is not
// what the served OpenAPI document says: its operation, status, media type, body schema and
// required headers. Answers for routes the document lacks must be 404/405 problem documents.
inline void check_documented_answer(std::string_view method, std::string_view target,
                                    unsigned status, std::string_view content_type,
                                    std::string_view body, const AnswerHeaders& headers) {
  static const nlohmann::json document = http::openapi_document();
  const std::string problem = answer_problem(document, method, target, static_cast<int>(status),
                                             content_type, body, headers);
  const std::string message = std::string(method) + " " + std::string(target) + " answered " +
                              std::to_string(status) + ", not as documented: " + problem;
  CHECK_MESSAGE(problem.empty(), message);
}

inline void check_documented_answer(boost::beast::http::verb method, std::string_view target,
                                    const HttpAnswer& answer) {
  AnswerHeaders headers;
  for (const auto& field : answer.headers) {
    headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  const auto method_name = boost::beast::http::to_string(method);
  check_documented_answer(std::string_view(method_name.data(), method_name.size()), target,
                          answer.status, answer.header("Content-Type"), answer.body, headers);
}

struct ApiFixture {
  TempDirectory dir;
  std::unique_ptr<store::RocksDbEventLog> log = LedgerFixture::open_log(dir.string());
  ManualClock clock;
  Sequencer sequencer{*log, clock};
  domain::Ledger ledger{sequencer};
  IdGenerator ids{clock};
  boost::asio::thread_pool slow_work{2};
  http::RateLimiter limiter{clock};
  http::ApiContext api{*log, ledger, clock, ids, slow_work, limiter, options()};
  projections::ProjectionRegistry projections{*log, clock};
  http::Metrics metrics;
  http::Router router;
  std::unique_ptr<http::HttpServer> server;
  std::unique_ptr<store::BlobStore> blobs;
  std::string admin_password;

  static http::ApiOptions options() {
    http::ApiOptions options;
    options.webhook_secret = kWebhookSecret;
    options.password_hashing.log2_cost = 10;
    options.min_position_wait = std::chrono::milliseconds(200);
    options.upload_bytes_max = 1 << 20;  // small, so that the oversize case is cheap
    return options;
  }

  // `start_us`: the server clock's first reading (the seed's examples are dated 2025).
  explicit ApiFixture(std::int64_t start_us = kTestEpochUs) : clock(start_us) {
    api.options.backup_dir = dir.string() + "/backups";
    sequencer.start();
    auto password =
        http::ensure_initial_admin(ledger, *log, ids, dir.string(), api.options.password_hashing);
    REQUIRE(password.ok());
    REQUIRE(password->has_value());
    admin_password = **password;
    projections::add_server_projections(projections);
    REQUIRE(projections.start().ok());
    api.projections = &projections;
    api.keyspace_writes = &log->keyspace_writes();
    auto blob_store = store::BlobStore::open(dir.path() / "blobs");
    REQUIRE(blob_store.ok());
    blobs = std::move(*blob_store);
    api.blobs = blobs.get();
    api.metrics = &metrics;
    http::add_declared_routes(router, api);
    http::ServerOptions server_options;
    server_options.listen_port = 0;
    server_options.threads = 2;
    server_options.cors_origins = {kDashboardOrigin};
    server = std::make_unique<http::HttpServer>(server_options, router);
    REQUIRE(server->start().ok());
  }

  ~ApiFixture() {
    api.min_position_waiters.stop();  // its completions answer through the server
    server->stop();
    slow_work.join();
    projections.stop();
    sequencer.stop();
  }

  HttpClient client() { return HttpClient("127.0.0.1", server->port()); }

  // Calls an endpoint with a bearer token (empty: none) and extra headers (a Content-Type given
  // replaces application/json); the answer is checked against the OpenAPI document.
  HttpAnswer call(const std::string& token, boost::beast::http::verb method,
                  const std::string& target, const std::string& body = "",
                  std::vector<std::pair<std::string, std::string>> headers = {}) {
    if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
    auto connection = client();
    HttpAnswer answer = connection.request(method, target, body, headers);
    check_documented_answer(method, target, answer);
    return answer;
  }
  HttpAnswer get(const std::string& token, const std::string& target) {
    return call(token, boost::beast::http::verb::get, target);
  }
  HttpAnswer post(const std::string& token, const std::string& target,
                  const std::string& body = "{}",
                  std::vector<std::pair<std::string, std::string>> headers = {}) {
    return call(token, boost::beast::http::verb::post, target, body, std::move(headers));
  }

  std::string login(const std::string& email, const std::string& password) {
    auto answer = post("", "/api/auth/login/",
                       nlohmann::json{{"email", email}, {"password", password}}.dump());
    REQUIRE_MESSAGE(answer.status == 200, answer.body);
    return answer.json()["token"].get<std::string>();
  }

  std::string admin() { return login(http::kInitialAdminEmail, admin_password); }

  // Creates a verified user through the admin API; answers its id.
  std::string create_user(const std::string& admin_token, const std::string& email,
                          const std::string& role, const std::string& department = "",
                          int max_clients = 0) {
    nlohmann::json body = {{"email", email},
                           {"password", "password-" + email},
                           {"name", "User " + email},
                           {"role", role}};
    if (!department.empty()) body["department"] = department;
    if (max_clients > 0) body["max_clients"] = max_clients;
    auto answer = post(admin_token, "/api/users/", body.dump());
    REQUIRE_MESSAGE(answer.status == 201, answer.body);
    return answer.json()["id"].get<std::string>();
  }

  std::string login_as(const std::string& email) { return login(email, "password-" + email); }

  // Puts money in a client's wallet: top-up requested by the client, confirmed by the admin.
  void fund(const std::string& admin_token, const std::string& client_token,
            const std::string& amount) {
    auto topup = post(client_token, "/api/wallet/topup/",
                      nlohmann::json{{"amount", amount}, {"payment_method", "card"}}.dump());
    REQUIRE_MESSAGE(topup.status == 201, topup.body);
    auto confirmed = post(
        admin_token, "/api/wallet/topups/" + topup.json()["id"].get<std::string>() + "/confirm/",
        R"({"provider_reference":"test"})");
    REQUIRE_MESSAGE(confirmed.status == 200, confirmed.body);
  }

  // Posts `notice` to the payment webhook, signed as the provider signs it.
  HttpAnswer post_webhook(const nlohmann::json& notice) {
    const std::string body = notice.dump();
    return post("", "/api/payments/webhook/", body,
                {{"X-Signature", "sha256=" + to_hex(hmac_sha256(kWebhookSecret, body))}});
  }
};

}  // namespace ledger::testing
