// Followers forward commands to the writer (docs/follower-forwarding.md), with ledgerd as real
// processes sharing one PostgreSQL database: the first node to start holds the writer lease, the
// second follows. A client talking only to the follower sees one API: its commands are applied
// once by the writer and answered as the writer answers, its reads right after see its writes,
// an Idempotency-Key retry replays. A forwarded request reaching a node that does not write is
// not forwarded again, a wrong node secret is refused, no reachable writer answers 503 with
// Retry-After, an upload is refused with the writer's address (it is not forwarded), a
// stream ticket is issued by the node that will serve the stream, and a follower's token cache
// (http/token_cache.h) never authenticates a token its folded rows refuse.
#include <doctest/doctest.h>

#include <fstream>
#include <regex>
#include <thread>

#include "tests/support/http_client.h"
#include "tests/support/ledgerd_process.h"
#include "tests/support/postgres_test_database.h"
#include "tests/support/temp_directory.h"

namespace ledger {
namespace {

using boost::beast::http::verb;
using testing::HttpAnswer;
using testing::HttpClient;
using testing::LedgerdProcess;
using Headers = std::vector<std::pair<std::string, std::string>>;

constexpr char kSecret[] = "nodes-of-this-test-share-this-secret";

// A ledgerd on the database at `store`, with the nodes' secret.
struct Node {
  Node(const std::string& store, const std::string& secret_file, const Headers& extra = {}) {
    std::vector<std::string> args = {
        "--store", store, "--password-cost", "10", "--node-secret-file", secret_file};
    for (const auto& [option, value] : extra) {
      args.push_back(option);
      args.push_back(value);
    }
    process.emplace(dir.string(), args);
    port = static_cast<unsigned short>(
        std::stoi(process->wait_for_line(std::regex("listening on http://127.0.0.1:(\\d+)"))));
  }

  HttpAnswer call(const std::string& token, verb method, const std::string& target,
                  const std::string& body = "", Headers headers = {}) const {
    if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
    HttpClient client("127.0.0.1", port);
    return client.request(method, target, body, headers);
  }

  std::string login(const std::string& email, const std::string& password) const {
    auto answer = call("", verb::post, "/api/auth/login/",
                       nlohmann::json{{"email", email}, {"password", password}}.dump());
    REQUIRE_MESSAGE(answer.status == 200, answer.body);
    return answer.json()["token"].get<std::string>();
  }

  // The head of the log as this node has it (a follower: the position it has folded).
  std::uint64_t head() const {
    const auto head = call("", verb::get, "/api/ledger/head/");
    REQUIRE_MESSAGE(head.status == 200, head.body);
    return head.json()["position"].get<std::uint64_t>();
  }

  // The head once this node has folded up to `position` (or 10 s passed).
  std::uint64_t head_once_at(std::uint64_t position) const {
    std::uint64_t reached = head();
    for (int polls = 0; polls < 1000 && reached < position; ++polls) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      reached = head();
    }
    return reached;
  }

  testing::TempDirectory dir;
  std::optional<LedgerdProcess> process;
  unsigned short port = 0;
};

// Nodes on a new database: the writer (started first) and, once started, a follower.
struct Cluster {
  explicit Cluster(const Headers& writer_options = {})
      : writer(store, secret_file(), writer_options) {}

  std::string secret_file() {
    std::string path = files.child("node-secret");
    std::ofstream(path) << kSecret << '\n';
    return path;
  }

  void start_follower() {
    follower.emplace(store, secret_file());
    REQUIRE(follower->process->seen().find("forwarded to the writer") != std::string::npos);
  }

  testing::TempDirectory files;
  std::string store = testing::test_postgres_database(files.child("database"));
  Node writer;
  std::optional<Node> follower;
};

HttpAnswer create_client(const Node& node, const std::string& admin, const std::string& email) {
  return node.call(admin, verb::post, "/api/users/",
                   nlohmann::json{{"email", email},
                                  {"password", "password-of-" + email},
                                  {"name", "Client"},
                                  {"role", "client"}}
                       .dump());
}

TEST_CASE(
    "a client talking only to a follower: its commands are applied once by the writer and "
    "answered as the writer answers, its reads right after see them, and an Idempotency-Key "
    "retry replays the first answer") {
  Cluster cluster;
  cluster.start_follower();
  const Node& writer = cluster.writer;
  const Node& follower = *cluster.follower;
  CHECK(writer.process->seen().find("advertised as http://127.0.0.1:") != std::string::npos);

  // Logging in writes a token to the log: the follower forwards it, and then knows the token.
  const std::string admin =
      follower.login("admin@localhost", LedgerdProcess::admin_password(writer.dir.string()));
  const auto created = create_client(follower, admin, "alice@x.com");
  REQUIRE_MESSAGE(created.status == 201, created.body);
  const std::string alice = follower.login("alice@x.com", "password-of-alice@x.com");

  const std::uint64_t before = writer.head();
  const auto topup = follower.call(alice, verb::post, "/api/wallet/topup/",
                                   R"({"amount":"50.00","payment_method":"card"})");
  REQUIRE_MESSAGE(topup.status == 201, topup.body);
  CHECK(topup.json()["status"] == "pending");
  const std::uint64_t topup_position = topup.json()["position"].get<std::uint64_t>();
  CHECK(topup.header("X-Ledger-Position") == std::to_string(topup_position));
  CHECK(topup.header("Content-Type") == "application/json");
  CHECK_FALSE(topup.header("X-Request-Id").empty());
  CHECK(writer.head() == topup_position);
  CHECK(topup_position > before);

  const std::string confirm =
      "/api/wallet/topups/" + topup.json()["id"].get<std::string>() + "/confirm/";
  const auto confirmed =
      follower.call(admin, verb::post, confirm, R"({"provider_reference":"PAY-1"})");
  REQUIRE_MESSAGE(confirmed.status == 200, confirmed.body);
  CHECK(confirmed.json()["balance"] == "50.00");
  const std::uint64_t confirmed_position = std::stoull(confirmed.header("X-Ledger-Position"));
  // The follower's read right after its answer sees the write.
  const auto wallet = follower.call(alice, verb::get, "/api/wallet/");
  REQUIRE(wallet.status == 200);
  CHECK(wallet.json()["balance"] == "50.00");
  CHECK(std::stoull(wallet.header("X-Ledger-Position")) >= confirmed_position);

  // A refusal of the writer's is relayed as it is.
  const auto twice = follower.call(admin, verb::post, confirm, R"({"provider_reference":"PAY-1"})");
  CHECK(twice.status == 422);
  CHECK(twice.json()["code"] == "already_confirmed");
  CHECK(writer.head() == confirmed_position);

  // A retry with the same Idempotency-Key: the same answer, and one event.
  const Headers key = {{"Idempotency-Key", "topup-retry-1"}};
  const std::string body = R"({"amount":"7.00","payment_method":"card"})";
  const auto first = follower.call(alice, verb::post, "/api/wallet/topup/", body, key);
  REQUIRE_MESSAGE(first.status == 201, first.body);
  const std::uint64_t head_after_first = writer.head();
  const auto retried = follower.call(alice, verb::post, "/api/wallet/topup/", body, key);
  REQUIRE_MESSAGE(retried.status == 201, retried.body);
  CHECK(retried.header("Idempotent-Replayed") == "true");
  CHECK(retried.json()["id"] == first.json()["id"]);
  CHECK(retried.json()["position"] == first.json()["position"]);
  CHECK(writer.head() == head_after_first);
  CHECK(follower.head() == head_after_first);
}

TEST_CASE(
    "a forwarded request reaching a node that does not write is answered 503 and not forwarded "
    "again, a wrong node secret is refused, an upload is sent to the writer by the client, and a "
    "stream ticket is issued by the node serving the stream") {
  Cluster cluster;
  cluster.start_follower();
  const Node& writer = cluster.writer;
  const Node& follower = *cluster.follower;
  const std::string admin =
      writer.login("admin@localhost", LedgerdProcess::admin_password(writer.dir.string()));
  REQUIRE(create_client(writer, admin, "bob@x.com").status == 201);
  const std::string bob = writer.login("bob@x.com", "password-of-bob@x.com");
  const std::string topup = R"({"amount":"5.00","payment_method":"card"})";
  const std::uint64_t head = writer.head();
  REQUIRE(follower.head_once_at(head) == head);

  const auto looped = follower.call(bob, verb::post, "/api/wallet/topup/", topup,
                                    {{"X-Ledger-Node-Secret", kSecret}});
  CHECK(looped.status == 503);
  CHECK(looped.header("Retry-After") == "1");
  CHECK(looped.json()["code"] == "store_read_only");
  CHECK(writer.head() == head);

  for (const Node* node : {&writer, &follower}) {
    const auto forged = node->call(bob, verb::post, "/api/wallet/topup/", topup,
                                   {{"X-Ledger-Node-Secret", "not-the-secret-of-these-nodes"}});
    CHECK(forged.status == 403);
    CHECK(forged.json()["code"] == "forbidden");
  }
  CHECK(writer.head() == head);

  // With the right secret, the writer serves a forwarded request (and keys its rate limits on
  // X-Forwarded-For).
  const auto forwarded =
      writer.call(bob, verb::post, "/api/wallet/topup/", topup,
                  {{"X-Ledger-Node-Secret", kSecret}, {"X-Forwarded-For", "198.51.100.4"}});
  CHECK(forwarded.status == 201);

  // An upload is not forwarded: the follower tells where to send it, before reading its body.
  const auto upload = follower.call(bob, verb::post, "/api/website-versions/", "--x--\r\n",
                                    {{"Content-Type", "multipart/form-data; boundary=x"}});
  CHECK(upload.status == 503);
  CHECK(upload.header("Retry-After") == "1");
  CHECK(upload.json()["detail"].get<std::string>().find(
            "http://127.0.0.1:" + std::to_string(writer.port)) != std::string::npos);

  // The ticket lives in the memory of the node that issued it: the follower's opens nothing on
  // the writer.
  const auto ticket = follower.call(bob, verb::post, "/api/notifications/stream-ticket/");
  REQUIRE_MESSAGE(ticket.status == 200, ticket.body);
  const auto elsewhere = writer.call(
      "", verb::get,
      "/api/notifications/stream/?ticket=" + ticket.json()["ticket"].get<std::string>());
  CHECK(elsewhere.status == 401);
}

TEST_CASE(
    "the writer keys rate limits on the client's address a node forwarded, and on the sender's "
    "own address when the request does not come from a node") {
  Cluster cluster(Headers{{"--login-limit", "2"}});
  const Node& writer = cluster.writer;
  int attempt = 0;
  // A login for an email of its own (its per-email limit never counts), from `client` as a node
  // forwards it when `from_node`, else as any client claiming an address.
  auto login = [&](const std::string& client, bool from_node) {
    Headers headers = {{"X-Forwarded-For", client}};
    if (from_node) headers.emplace_back("X-Ledger-Node-Secret", kSecret);
    const std::string body = nlohmann::json{
        {"email", "nobody-" + std::to_string(++attempt) + "@x.com"},
        {"password",
         "not-the-password"}}.dump();
    return writer.call("", verb::post, "/api/auth/login/", body, headers).status;
  };
  CHECK(login("198.51.100.1", true) != 429);
  CHECK(login("198.51.100.1", true) != 429);
  CHECK(login("198.51.100.1", true) == 429);
  CHECK(login("198.51.100.2", true) != 429);
  // Without the hop header X-Forwarded-For is ignored: these count against 127.0.0.1.
  CHECK(login("198.51.100.3", false) != 429);
  CHECK(login("198.51.100.4", false) != 429);
  CHECK(login("198.51.100.5", false) == 429);
}

TEST_CASE("with no writer reachable, a follower answers commands 503 with Retry-After") {
  // The writer advertises an address nobody listens on.
  Cluster cluster(Headers{{"--advertise-url", "http://127.0.0.1:1"}});
  cluster.start_follower();
  const Node& writer = cluster.writer;
  const Node& follower = *cluster.follower;
  const std::string admin =
      writer.login("admin@localhost", LedgerdProcess::admin_password(writer.dir.string()));
  const std::uint64_t head = writer.head();
  REQUIRE(follower.head_once_at(head) == head);
  const auto refused = follower.call(admin, verb::post, "/api/users/",
                                     R"({"email":"carol@x.com","password":"password-carol",
                                         "name":"Carol","role":"client"})");
  CHECK(refused.status == 503);
  CHECK(refused.header("Retry-After") == "1");
  CHECK(refused.json()["code"] == "store_read_only");
  CHECK(refused.json()["detail"].get<std::string>().find("http://127.0.0.1:1") !=
        std::string::npos);
  CHECK(writer.head() == head);
}

TEST_CASE(
    "a follower's token cache: a token used on the follower is refused there right after its "
    "logout through the follower, and a deactivated user's token once the follower has folded "
    "the deactivation made on the writer, other tokens keep working") {
  Cluster cluster;
  cluster.start_follower();
  const Node& writer = cluster.writer;
  const Node& follower = *cluster.follower;
  const std::string admin =
      writer.login("admin@localhost", LedgerdProcess::admin_password(writer.dir.string()));
  REQUIRE(create_client(writer, admin, "dora@x.com").status == 201);
  const auto erin_created = create_client(writer, admin, "erin@x.com");
  REQUIRE(erin_created.status == 201);
  const std::string dora = writer.login("dora@x.com", "password-of-dora@x.com");
  const std::string erin = writer.login("erin@x.com", "password-of-erin@x.com");
  const std::uint64_t logged_in = writer.head();
  REQUIRE(follower.head_once_at(logged_in) == logged_in);

  // Each token authenticates twice on the follower: the second time from its cache.
  for (const std::string* token : {&dora, &erin, &admin}) {
    for (int round = 0; round < 2; ++round) {
      const auto me = follower.call(*token, verb::get, "/api/auth/me/");
      REQUIRE_MESSAGE(me.status == 200, me.body);
    }
  }

  // A logout sent to the follower is forwarded; the follower's next request sees it.
  const auto logout = follower.call(dora, verb::post, "/api/auth/logout/");
  REQUIRE_MESSAGE(logout.status == 200, logout.body);
  CHECK(follower.call(dora, verb::get, "/api/auth/me/").status == 401);
  CHECK(writer.call(dora, verb::get, "/api/auth/me/").status == 401);

  // Deactivated on the writer: refused by the follower once it has folded that far.
  const std::string erin_id = erin_created.json()["id"].get<std::string>();
  const auto deactivated =
      writer.call(admin, verb::patch, "/api/users/" + erin_id + "/", R"({"is_active":false})");
  REQUIRE_MESSAGE(deactivated.status == 200, deactivated.body);
  const std::uint64_t head = writer.head();
  REQUIRE(follower.head_once_at(head) == head);
  CHECK(follower.call(erin, verb::get, "/api/auth/me/").status == 401);

  CHECK(follower.call(admin, verb::get, "/api/auth/me/").status == 200);
}

}  // namespace
}  // namespace ledger
