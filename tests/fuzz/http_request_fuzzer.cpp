// Fuzzes the HTTP request path in-process: raw bytes -> Beast's request parser (with the
// server's header and body limits) -> the router -> every handler, against a real store on a
// temporary directory with the real sequencer, projections and API context (as ledgerd wires
// them), then checks the answer. No sockets: the session's I/O is the only part left out.
//
// Input: one byte choosing the caller (its value modulo 5: none, admin, client, marketing agent,
// website agent: a valid bearer token is added unless the request sends its own Authorization)
// and a twist (its value divided by 5, modulo 8: none, a duplicated JSON key, a NUL after the
// body, a text/plain Content-Type, invalid UTF-8 in a JSON string, in a query parameter, in a
// path parameter, in header values), then the raw request. In the target and the body, `$CLIENT`,
// `$AGENT`, `$PROJECT`, `$TASK`, `$MESSAGE`, `$TICKET`, `$COURSE` and `$LESSON` are replaced by the
// ids of the fuzzing client, its marketing agent, its website project, a task of the client's, a
// message from the client to the agent, a support ticket of the client's, a course the client
// bought and a lesson of it, so that routes with ids reach their handlers; uploads (multipart) go
// to a real blob store. State accumulates over inputs, as in a server.
//
// Properties, for every request the parser accepts:
// - the handler answers exactly once, within 30 s, and nothing throws;
// - the answer has a status between 100 and 599 and is never 500: malformed input is the
//   caller's fault (4xx); 503 only with Retry-After (storage busy, a position not reached);
// - it serializes to HTTP/1.1 that a parser reads back with the same status and body, and a body
//   has a Content-Length that matches it;
// - a JSON content type carries valid JSON; a problem document has the answer's status and a
//   `code`, and its `errors`, when present, name fields with lists of sentences;
// - 415 only for a body not sent as application/json, naming Content-Type;
// - a matched route with invalid UTF-8 in a query or path parameter is 400 naming it.
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/domain/keyspaces.h"
#include "core/domain/ledger.h"
#include "core/id_generator.h"
#include "core/store/blob_store.h"
#include "core/store/rocksdb_event_log.h"
#include "http/api_context.h"
#include "http/cors.h"
#include "http/initial_admin.h"
#include "http/metrics.h"
#include "http/route_table.h"
#include "http/router.h"
#include "http/server_options.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using namespace ledger;
namespace beast_http = boost::beast::http;

constexpr std::int64_t kStartUs = 1'795'428'000'000'000;  // 2026-11-23T10:00:00Z
constexpr auto kAnswerTimeout = std::chrono::seconds(30);
constexpr char kWebhookSecret[] = "fuzz-webhook-secret";

// A fresh directory under $TMPDIR (scripts/fuzz points it at a tmpfs when there is one).
std::string make_directory() {
  std::string pattern = (std::filesystem::temp_directory_path() / "ledger-fuzz-XXXXXX").string();
  FUZZ_CHECK(::mkdtemp(pattern.data()) != nullptr, "mkdtemp failed");
  return pattern;
}

std::unique_ptr<store::RocksDbEventLog> open_log(const std::string& directory) {
  store::StoreOptions options;
  options.path = directory + "/store";
  options.state_keyspaces = domain::domain_keyspaces();
  options.block_cache_bytes = 8 << 20;
  options.write_buffer_bytes = 4 << 20;
  auto log = store::RocksDbEventLog::open(options);
  FUZZ_CHECK(log.ok(), log.ok() ? "" : log.error().message);
  return std::move(log).value();
}

std::unique_ptr<store::BlobStore> open_blobs(const std::string& directory) {
  auto blobs = store::BlobStore::open(std::filesystem::path(directory) / "blobs");
  FUZZ_CHECK(blobs.ok(), blobs.ok() ? "" : blobs.error().message);
  return std::move(blobs).value();
}

http::ApiOptions api_options() {
  http::ApiOptions options;
  options.webhook_secret = kWebhookSecret;
  // Online backups are left out (empty backup_dir): each would copy the whole store.
  options.password_hashing.log2_cost = 10;                    // cheap, as in the API tests
  options.min_position_wait = std::chrono::milliseconds(10);  // a fuzzed X-Min-Position waits
  return options;
}

// What a handler gave back through its Reply, shared with the Reply so that a late or second
// answer is still seen.
struct Answer {
  std::mutex mutex;
  std::condition_variable answered;
  int replies = 0;
  http::Response response;
  std::shared_ptr<http::StreamSource> stream;
};

struct Environment {
  std::string directory = make_directory();
  std::unique_ptr<store::RocksDbEventLog> log = open_log(directory);
  ManualClock clock{kStartUs};
  Sequencer sequencer{*log, clock};
  domain::Ledger ledger{sequencer};
  IdGenerator ids{clock};
  boost::asio::thread_pool slow_work{2};
  http::RateLimiter limiter{clock};
  http::ApiContext api{*log, ledger, clock, ids, slow_work, limiter, api_options()};
  projections::ProjectionRegistry projections{*log, clock};
  http::Metrics metrics;
  http::Router router;
  std::unique_ptr<store::BlobStore> blobs = open_blobs(directory);
  http::ServerOptions server_options = fuzzed_server_options();  // the parser's limits, CORS
  static constexpr int kCallers = 5;
  std::string tokens[kCallers];  // none, admin, client, marketing agent, website agent
  std::string client_id;
  std::string agent_id;
  std::string project_id;
  std::string task_id;
  std::string message_id;
  std::string ticket_id;
  std::string course_id;
  std::string lesson_id;

  Environment() {
    sequencer.start();
    auto password =
        http::ensure_initial_admin(ledger, *log, ids, directory, api.options.password_hashing);
    FUZZ_CHECK(password.ok() && password->has_value(), "cannot create the first admin");
    projections::add_server_projections(projections);
    FUZZ_CHECK(projections.start().ok(), "cannot start the projections");
    api.projections = &projections;
    api.blobs = blobs.get();
    api.metrics = &metrics;
    http::add_declared_routes(router, api);
    set_up_users(**password);
  }

  ~Environment() {
    api.min_position_waiters.stop();  // its completions read the projections
    slow_work.join();
    projections.stop();
    sequencer.stop();
    log.reset();
    std::error_code ignored;
    std::filesystem::remove_all(directory, ignored);
  }

  // An admin, a client with money and the marketing and website services, and a marketing agent
  // assigned to the client: the fuzzer's callers.
  void set_up_users(const std::string& admin_password) {
    tokens[1] = login(http::kInitialAdminEmail, admin_password);
    client_id = create_user("client@fuzz.test", "client", "");
    agent_id = create_user("agent@fuzz.test", "agent", "marketing");
    const std::string web_id = create_user("web@fuzz.test", "agent", "website");
    tokens[2] = login("client@fuzz.test", "password-client@fuzz.test");
    tokens[3] = login("agent@fuzz.test", "password-agent@fuzz.test");
    tokens[4] = login("web@fuzz.test", "password-web@fuzz.test");
    for (const char* service : {"marketing", "website"}) {
      expect(201,
             call(tokens[2], beast_http::verb::post, "/api/service-settings/activate_service/",
                  nlohmann::json{{"service", service}}.dump()),
             200);
    }
    for (const auto& [service, agent] : {std::pair{"marketing", agent_id}, {"website", web_id}}) {
      expect(200,
             call(tokens[1], beast_http::verb::post, "/api/clients/" + client_id + "/assign_agent/",
                  nlohmann::json{{"service", service}, {"agent_id", agent}}.dump()));
    }
    project_id =
        expect(201, call(tokens[2], beast_http::verb::post, "/api/website-projects/",
                         R"({"name":"Shop","answers":{"business_name":"A","goals":"B"}})"))["id"]
            .get<std::string>();
    task_id = expect(201, call(tokens[1], beast_http::verb::post, "/api/tasks/",
                               nlohmann::json{{"client", client_id},
                                              {"title", "Send the logo"},
                                              {"priority", "high"}}
                                   .dump()))["id"]
                  .get<std::string>();
    message_id =
        expect(201,
               call(tokens[2], beast_http::verb::post, "/api/messages/",
                    nlohmann::json{{"recipient", agent_id}, {"content", "Hello"}}.dump()))["id"]
            .get<std::string>();
    ticket_id =
        expect(201, call(tokens[2], beast_http::verb::post, "/api/support-tickets/",
                         R"({"subject":"The site is down","description":"Since noon"})"))["id"]
            .get<std::string>();
    auto topup = expect(201, call(tokens[2], beast_http::verb::post, "/api/wallet/topup/",
                                  R"({"amount":"1000.00","payment_method":"card"})"));
    expect(200, call(tokens[1], beast_http::verb::post,
                     "/api/wallet/topups/" + topup["id"].get<std::string>() + "/confirm/",
                     R"({"provider_reference":"fuzz"})"));
    course_id = expect(201, call(tokens[1], beast_http::verb::post, "/api/courses/",
                                 R"({"title":"SEO basics","price":"25.00"})"))["id"]
                    .get<std::string>();
    lesson_id =
        expect(201,
               call(tokens[1], beast_http::verb::post, "/api/courses/" + course_id + "/lessons/",
                    R"({"title":"Keywords","module":"Basics","order":1,)"
                    R"("body":"Words people search for","duration_minutes":10})"))["id"]
            .get<std::string>();
    expect(201, call(tokens[2], beast_http::verb::post, "/api/courses/" + course_id + "/purchase/",
                     R"({"payment_method":"wallet"})"));
  }

  std::string login(const std::string& email, const std::string& password) {
    auto answer =
        expect(200, call("", beast_http::verb::post, "/api/auth/login/",
                         nlohmann::json{{"email", email}, {"password", password}}.dump()));
    return answer["token"].get<std::string>();
  }

  std::string create_user(const std::string& email, const std::string& role,
                          const std::string& department) {
    nlohmann::json body = {
        {"email", email}, {"password", "password-" + email}, {"name", email}, {"role", role}};
    if (!department.empty()) {
      body["department"] = department;
      body["max_clients"] = 100;
    }
    auto answer = expect(201, call(tokens[1], beast_http::verb::post, "/api/users/", body.dump()));
    return answer["id"].get<std::string>();
  }

  http::Response call(const std::string& token, beast_http::verb method, const std::string& target,
                      const std::string& body) {
    http::Request request(method, target, 11);
    if (!token.empty()) request.set(beast_http::field::authorization, "Bearer " + token);
    request.set(beast_http::field::content_type, "application/json");
    request.body() = body;
    request.prepare_payload();
    return dispatch(std::move(request));
  }

  static nlohmann::json expect(unsigned status, const http::Response& response,
                               unsigned other_status = 0) {
    FUZZ_CHECK(response.result_int() == status || response.result_int() == other_status,
               "setting up: " + std::to_string(response.result_int()) + " " + response.body());
    return nlohmann::json::parse(response.body());
  }

  static http::ServerOptions fuzzed_server_options() {
    http::ServerOptions options;
    options.cors_origins = {"http://dashboard.test:3000"};
    return options;
  }

  // Hands the request to the router as the server's session does (a CORS preflight answered
  // from the router's routes), and waits for the answer.
  http::Response dispatch(http::Request request) {
    request.set(http::kPeerHeader, "127.0.0.1");  // only the server sets it
    if (http::is_preflight(request)) {
      return http::preflight_response(server_options, router, request);
    }
    auto answer = std::make_shared<Answer>();
    const auto started = std::chrono::steady_clock::now();
    router.dispatch(request,
                    http::Reply(
                        [answer](http::Response response) {
                          std::lock_guard lock(answer->mutex);
                          FUZZ_CHECK(++answer->replies == 1, "a handler answered twice");
                          answer->response = std::move(response);
                          answer->answered.notify_all();
                        },
                        [answer](http::Response head, std::shared_ptr<http::StreamSource> source) {
                          std::lock_guard lock(answer->mutex);
                          FUZZ_CHECK(++answer->replies == 1, "a handler answered twice");
                          answer->response = std::move(head);
                          answer->stream = std::move(source);
                          answer->answered.notify_all();
                        }));
    std::unique_lock lock(answer->mutex);
    FUZZ_CHECK(answer->answered.wait_for(lock, kAnswerTimeout, [&] { return answer->replies > 0; }),
               "no answer within 30 s to " + std::string(request.target()));
    if (answer->stream) {
      // The server polls a stream on the connection's strand; one poll shows it works.
      (void)answer->stream->poll();
    }
    const std::string_view target(request.target().data(), request.target().size());
    const http::Route* route = router.match(request.method(), target, nullptr);
    metrics.record_request(
        route != nullptr ? route->pattern : "unmatched", request.method(),
        answer->response.result_int(),
        static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                       std::chrono::steady_clock::now() - started)
                                       .count()));
    return std::move(answer->response);
  }
};

Environment* environment = nullptr;

void tear_down() {
  delete environment;
  environment = nullptr;
}

void replace_all(std::string& text, std::string_view from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos;
       at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

// Reads `bytes` as the session does (header and body limits), answering the request when whole.
std::optional<http::Request> parse_request(std::string_view bytes) {
  beast_http::request_parser<beast_http::string_body> parser;
  parser.header_limit(static_cast<std::uint32_t>(environment->server_options.header_bytes_max));
  parser.body_limit(environment->server_options.body_bytes_max);
  parser.eager(true);
  boost::beast::error_code error;
  while (!bytes.empty() && !parser.is_done()) {
    const std::size_t used = parser.put(boost::asio::buffer(bytes.data(), bytes.size()), error);
    if (error == beast_http::error::need_more) break;
    if (error) return std::nullopt;
    if (used == 0) break;
    bytes.remove_prefix(used);
  }
  if (!parser.is_done()) {
    // As beast_http::read: a stream that ends before any byte is end_of_stream, not a request.
    if (!parser.got_some()) return std::nullopt;
    error = {};
    parser.put_eof(error);
    if (error || !parser.is_done()) return std::nullopt;
  }
  return parser.release();
}

enum class Twist {
  none,
  duplicate_key,
  trailing_nul,
  text_plain,
  invalid_utf8_string,
  invalid_utf8_query,
  invalid_utf8_path,
  invalid_utf8_headers,
};
constexpr int kTwists = 8;

// The body with its first top-level key sent twice (first with null), when it is a JSON object.
std::string with_duplicate_key(const std::string& body) {
  const auto object = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!object.is_object() || object.empty()) return body;
  return "{" + nlohmann::json(object.begin().key()).dump() + ":null," + body.substr(1);
}

void apply_twist(Twist twist, http::Request& request, std::string& target) {
  auto& body = request.body();
  switch (twist) {
    case Twist::none:
      break;
    case Twist::duplicate_key:
      body = with_duplicate_key(body);
      break;
    case Twist::trailing_nul:
      body.push_back('\0');
      break;
    case Twist::text_plain:
      request.set(beast_http::field::content_type, "text/plain");
      break;
    case Twist::invalid_utf8_string:
      if (const auto at = body.find("\":\""); at != std::string::npos) body.insert(at + 3, "\xff");
      break;
    case Twist::invalid_utf8_query:
      target += target.find('?') == std::string::npos ? "?twist=%FF%FE" : "&twist=%FF%FE";
      break;
    case Twist::invalid_utf8_path:
      replace_all(target, "$CLIENT", environment->client_id + "\xc3");
      break;
    case Twist::invalid_utf8_headers:
      for (const char* name :
           {"Idempotency-Key", "X-Min-Position", "Last-Event-ID", "X-Request-Id", "X-Signature"}) {
        request.set(name, "\xff\xfe\xc3");
      }
      break;
  }
  if (!body.empty()) request.prepare_payload();
}

// True for what the API accepts as a JSON body's type: "application/json" in any case, optionally
// surrounded by spaces or tabs, with any parameters, but a charset must be UTF-8 (RFC 8259).
bool is_json_content_type(std::string content_type) {
  for (auto& c : content_type) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const auto trim = [](std::string_view text) {
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos) return std::string_view();
    return text.substr(first, text.find_last_not_of(" \t") - first + 1);
  };
  std::vector<std::string_view> pieces;
  std::string_view rest = content_type;
  for (auto semicolon = rest.find(';');; semicolon = rest.find(';')) {
    pieces.push_back(trim(rest.substr(0, semicolon)));
    if (semicolon == std::string_view::npos) break;
    rest.remove_prefix(semicolon + 1);
  }
  if (pieces.front() != "application/json") return false;
  for (std::size_t i = 1; i < pieces.size(); ++i) {
    const auto equals = pieces[i].find('=');
    if (trim(pieces[i].substr(0, equals)) != "charset") continue;
    if (equals == std::string_view::npos) return false;
    std::string_view charset = trim(pieces[i].substr(equals + 1));
    if (charset.size() >= 2 && charset.front() == '"' && charset.back() == '"') {
      charset = charset.substr(1, charset.size() - 2);
    }
    if (charset != "utf-8") return false;
  }
  return true;
}

// The refusals of a request: 415 only for a body that is not JSON; `errors` well formed; a
// matched route with an invalid query or path parameter refused as such.
void check_refusal(const http::Request& request, const http::Response& response, Twist twist) {
  const unsigned status = response.result_int();
  const std::string where = std::string(request.target()) + " -> " + response.body().substr(0, 400);
  const auto problem = nlohmann::json::parse(response.body(), nullptr, false);
  if (status == 415) {
    FUZZ_CHECK(!is_json_content_type(std::string(request[beast_http::field::content_type])),
               "415 for a JSON body: " + where);
    FUZZ_CHECK(problem.is_object() && problem.value("code", "") == "unsupported_media_type" &&
                   problem["errors"].contains("Content-Type"),
               "a 415 that does not name Content-Type: " + where);
  }
  if (problem.is_object() && problem.contains("errors")) {
    FUZZ_CHECK(problem["errors"].is_object() && !problem["errors"].empty(), where);
    for (const auto& [field, sentences] : problem["errors"].items()) {
      FUZZ_CHECK(sentences.is_array() && !sentences.empty() && sentences[0].is_string(), where);
    }
  }
  const std::string_view target(request.target().data(), request.target().size());
  const bool matched = environment->router.match(request.method(), target, nullptr) != nullptr;
  if (matched && twist == Twist::invalid_utf8_query) {
    FUZZ_CHECK(status == 400 && problem.contains("errors"),
               "an invalid query parameter was not refused naming it: " + where);
  }
  if (matched && twist == Twist::invalid_utf8_path &&
      target.find(environment->client_id + "\xc3") != std::string_view::npos) {
    FUZZ_CHECK(status == 400 && problem.contains("errors"),
               "an invalid path parameter was not refused naming it: " + where);
  }
}

void check_answer(const http::Request& request, const http::Response& response) {
  const unsigned status = response.result_int();
  const std::string where = std::string(request.method_string()) + " " +
                            std::string(request.target()) + " -> " + std::to_string(status) + " " +
                            response.body().substr(0, 400);
  FUZZ_CHECK(status >= 100 && status <= 599, where);
  FUZZ_CHECK(status != 500, "an internal error: " + where);
  FUZZ_CHECK(status < 500 || (status == 503 && response.count(beast_http::field::retry_after)),
             where);

  const auto content_type = std::string(response[beast_http::field::content_type]);
  const bool streamed = content_type.starts_with("text/event-stream");
  if (!streamed && status >= 200 && status != 204 && status != 304) {
    FUZZ_CHECK(
        response[beast_http::field::content_length] == std::to_string(response.body().size()),
        "Content-Length does not match the body: " + where);
  }
  if (!streamed) {
    std::ostringstream wire;
    wire << response;
    beast_http::response_parser<beast_http::string_body> reader;
    reader.eager(true);
    boost::beast::error_code error;
    const std::string text = wire.str();
    reader.put(boost::asio::buffer(text), error);
    if (!reader.is_done() && !error) reader.put_eof(error);
    FUZZ_CHECK(!error && reader.is_done(), "the answer is not valid HTTP: " + error.message());
    FUZZ_CHECK(reader.get().result_int() == status, "status changed on the wire");
    FUZZ_CHECK(reader.get().body() == response.body(), "body changed on the wire: " + where);
  }
  if (content_type.find("json") != std::string::npos) {
    const auto body = nlohmann::json::parse(response.body(), nullptr, /*allow_exceptions=*/false);
    FUZZ_CHECK(!body.is_discarded(), "a JSON answer that is not JSON: " + where);
    if (content_type.starts_with("application/problem+json")) {
      FUZZ_CHECK(body.is_object() && body.value("status", 0) == static_cast<int>(status) &&
                     body.contains("code") && body["code"].is_string(),
                 "a malformed problem document: " + where);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  environment = new Environment();
  std::atexit(tear_down);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string& token = environment->tokens[data[0] % Environment::kCallers];
  const auto twist = static_cast<Twist>(data[0] / Environment::kCallers % kTwists);
  auto request = parse_request(std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));
  if (!request) return 0;  // the session answers 400/413/431 itself and closes

  std::string target(request->target());
  apply_twist(twist, *request, target);
  replace_all(target, "$CLIENT", environment->client_id);
  replace_all(target, "$AGENT", environment->agent_id);
  replace_all(target, "$PROJECT", environment->project_id);
  replace_all(target, "$TASK", environment->task_id);
  replace_all(target, "$MESSAGE", environment->message_id);
  replace_all(target, "$TICKET", environment->ticket_id);
  replace_all(target, "$COURSE", environment->course_id);
  replace_all(target, "$LESSON", environment->lesson_id);
  request->target(target);
  replace_all(request->body(), "$CLIENT", environment->client_id);
  replace_all(request->body(), "$AGENT", environment->agent_id);
  replace_all(request->body(), "$PROJECT", environment->project_id);
  replace_all(request->body(), "$TASK", environment->task_id);
  replace_all(request->body(), "$MESSAGE", environment->message_id);
  replace_all(request->body(), "$TICKET", environment->ticket_id);
  replace_all(request->body(), "$COURSE", environment->course_id);
  replace_all(request->body(), "$LESSON", environment->lesson_id);
  if (!token.empty() && request->count(beast_http::field::authorization) == 0) {
    request->set(beast_http::field::authorization, "Bearer " + token);
  }
  // Time moves a little with every request: rate limits refill, deadlines come closer.
  environment->clock.advance_us(100'000);

  const http::Request sent = *request;
  const http::Response response = environment->dispatch(std::move(*request));
  check_answer(sent, response);
  check_refusal(sent, response, twist);
  return 0;
}
