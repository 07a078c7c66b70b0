// Every read model is a fold of the log, shown end to end on ledgerd as a process.
//
// A workload touching every module of the API runs over HTTP; once the asynchronous projections
// have caught up and the emails are delivered, the answer of every view is recorded. Then, with
// the server stopped, every row of every inline fold's keyspace and of the asynchronous
// projections is deleted, `ledgerctl projections rebuild --all` runs, and a restarted server,
// asked the same views with the same tokens, gives the same answers byte for byte;
// `ledger-audit verify` is clean before the deletion and after the rebuild, and no email is sent
// again.
//
// The keyspaces deleted are those of the registry (domain::all_inline_folds()) and
// "projections", so the test follows the registry as keyspaces become folds. The "outbox"
// keyspace is left alone on purpose: it holds side effects (what was sent and how delivery went,
// core/domain/keyspaces.h), is not a fold, and a rebuild never touches it.
#include <doctest/doctest.h>

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "core/clock.h"
#include "core/domain/inline_folds.h"
#include "core/domain/keyspaces.h"
#include "core/hex.h"
#include "core/secret_token.h"
#include "core/store/rocksdb_families.h"
#include "events/timestamp.h"
#include "tests/support/http_client.h"
#include "tests/support/ledgerd_process.h"
#include "tests/support/mime_checks.h"
#include "tests/support/multipart_body.h"
#include "tests/support/raw_store.h"
#include "tests/support/temp_directory.h"
#include "tests/support/tool_runner.h"

namespace ledger {
namespace {

using boost::beast::http::verb;
using testing::HttpAnswer;
using Headers = std::vector<std::pair<std::string, std::string>>;

constexpr char kWebhookSecret[] = "rebuild-everything-webhook-secret";
constexpr int kEmailIntervalMs = 100;
constexpr auto kSettleTimeout = std::chrono::seconds(60);

// Answer headers that may differ from one server run to the next however equal the state (a
// per-request id, the wall clock). ledgerd sends neither today. Nothing in a body is normalized.
const std::set<std::string> kHeadersDifferingBetweenRuns = {"Date", "X-Request-Id"};

std::int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// ledgerd on `data_dir`: cheap password hashing, room for every login of the workload, a quick
// delivery worker and deadline sweeper (reminders are part of the workload), the webhook's secret,
// and queries that wait long enough for a projection on a busy machine.
class Server {
 public:
  explicit Server(const std::string& data_dir)
      : process_(data_dir, {"--password-cost", "10", "--login-limit", "1000", "--email-interval-ms",
                            std::to_string(kEmailIntervalMs), "--sweep-interval-ms", "200",
                            "--webhook-secret", kWebhookSecret, "--min-position-wait-ms", "30000"}),
        port_(static_cast<unsigned short>(std::stoi(
            process_.wait_for_line(std::regex("listening on http://127\\.0\\.0\\.1:(\\d+)"))))) {}

  HttpAnswer call(const std::string& token, verb method, const std::string& target,
                  const std::string& body = "", Headers headers = {}) {
    if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
    testing::HttpClient client("127.0.0.1", port_);
    return client.request(method, target, body, headers);
  }
  HttpAnswer get(const std::string& token, const std::string& target, Headers headers = {}) {
    return call(token, verb::get, target, "", std::move(headers));
  }

  // A command that must be accepted: answers its body.
  nlohmann::json command(const std::string& token, verb method, const std::string& target,
                         const nlohmann::json& body = nlohmann::json::object(),
                         Headers headers = {}) {
    const auto answer = call(token, method, target, body.dump(), std::move(headers));
    REQUIRE_MESSAGE(answer.status / 100 == 2, boost::beast::http::to_string(method)
                                                  << " " << target << " answered " << answer.status
                                                  << ": " << answer.body);
    return answer.json();
  }
  nlohmann::json post(const std::string& token, const std::string& target,
                      const nlohmann::json& body = nlohmann::json::object()) {
    return command(token, verb::post, target, body);
  }

  // A command a business rule refuses (422 with `code`); it writes nothing.
  void refused(const std::string& token, const std::string& target, const nlohmann::json& body,
               const std::string& code) {
    const auto answer = call(token, verb::post, target, body.dump());
    CHECK_MESSAGE(answer.status == 422, target << ": " << answer.body);
    CHECK(answer.json()["code"] == code);
  }

  // The payment provider's notice, signed with the webhook secret.
  HttpAnswer webhook(const nlohmann::json& notice) {
    const std::string body = notice.dump();
    return call("", verb::post, "/api/payments/webhook/", body,
                {{"X-Signature", "sha256=" + to_hex(hmac_sha256(kWebhookSecret, body))}});
  }

  HttpAnswer upload(const std::string& token, const std::string& multipart) {
    return call(token, verb::post, "/api/website-versions/", multipart,
                {{"Content-Type", testing::multipart_content_type()}});
  }

  int stop() { return process_.terminate_and_wait(SIGTERM); }

 private:
  testing::LedgerdProcess process_;
  unsigned short port_;
};

struct Person {
  std::string id;
  std::string token;
};

// Who the workload made and what: the ids the views ask for.
struct Agency {
  Person admin;
  Person mia, max, web;       // agents: marketing, marketing, website
  Person alice, bob, carol;   // clients; carol registered herself
  Person ivy, dan;            // a marketing agent deactivated, the client it served
  std::string revoked_token;  // bob's second session, logged out
  std::vector<std::string> codes, courses, lessons, invoices, campaigns, posts, projects, versions,
      tasks, tickets;
  std::string carol_invoice, bob_subscription;  // due tomorrow: the sweeper reminds of them
};

Person log_in(Server& server, const std::string& email, const std::string& password) {
  const auto answer =
      server.post("", "/api/auth/login/", {{"email", email}, {"password", password}});
  return {answer["user"]["id"], answer["token"]};
}

Person hire(Server& server, const Person& admin, const std::string& name, const std::string& role,
            const std::string& department = "") {
  nlohmann::json body = {
      {"email", name + "@x.com"}, {"password", "password-" + name}, {"name", name}, {"role", role}};
  if (!department.empty()) body["department"] = department;
  server.post(admin.token, "/api/users/", body);
  return log_in(server, name + "@x.com", "password-" + name);
}

// The verification code emailed to `address`, read from the .eml file the delivery worker wrote.
std::string emailed_code(const std::filesystem::path& outbox, const std::string& address) {
  const auto deadline = std::chrono::steady_clock::now() + kSettleTimeout;
  while (std::chrono::steady_clock::now() < deadline) {
    std::error_code ignored;
    for (const auto& entry : std::filesystem::directory_iterator(outbox, ignored)) {
      if (entry.path().extension() != ".eml") continue;
      std::ifstream file(entry.path(), std::ios::binary);
      const std::string eml((std::istreambuf_iterator<char>(file)), {});
      testing::ParsedEml parsed;
      if (!testing::eml_problem(eml, parsed).empty()) continue;
      if (parsed.header("To").find(address) == std::string::npos) continue;
      const auto at = parsed.parts[0].body.find("verification code is ");
      if (at != std::string::npos) return parsed.parts[0].body.substr(at + 21, 6);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  FAIL("no verification code was emailed to " << address);
  return {};
}

Person register_client(Server& server, const std::string& data_dir, const std::string& name) {
  const std::string email = name + "@x.com";
  server.post("", "/api/auth/register/",
              {{"email", email}, {"password", "password-" + name}, {"name", name}});
  const std::string code = emailed_code(std::filesystem::path(data_dir) / "outbox", email);
  server.post("", "/api/auth/verify-email/", {{"email", email}, {"code", code}});
  return log_in(server, email, "password-" + name);
}

// People: agents hired, clients created or self-registered, agents assigned, services switched.
Agency hire_and_sign_up(Server& server, const std::string& data_dir) {
  Agency a;
  a.admin = log_in(server, "admin@localhost", testing::LedgerdProcess::admin_password(data_dir));
  a.mia = hire(server, a.admin, "mia", "agent", "marketing");
  a.max = hire(server, a.admin, "max", "agent", "marketing");
  a.web = hire(server, a.admin, "web", "agent", "website");
  a.alice = hire(server, a.admin, "alice", "client");
  a.bob = hire(server, a.admin, "bob", "client");
  a.carol = register_client(server, data_dir, "carol");
  for (const auto& [client, service, agent] : {std::tuple{&a.alice, "marketing", &a.mia},
                                               {&a.alice, "website", &a.web},
                                               {&a.bob, "marketing", &a.max},
                                               {&a.carol, "marketing", &a.mia},
                                               {&a.carol, "website", &a.web}}) {
    server.post(a.admin.token, "/api/clients/" + client->id + "/assign_agent/",
                {{"service", service}, {"agent_id", agent->id}});
  }
  for (const auto& [client, service] : {std::pair{&a.alice, "marketing"},
                                        {&a.alice, "website"},
                                        {&a.bob, "website"},
                                        {&a.carol, "courses"}}) {
    server.post(client->token, "/api/service-settings/activate_service/", {{"service", service}});
  }
  server.post(a.bob.token, "/api/service-settings/deactivate_service/", {{"service", "website"}});
  // Settings changed, some twice; carol's marketing keeps its defaults.
  const auto settings = [&](const Person& client, const std::string& service,
                            const nlohmann::json& changes) {
    server.command(client.token, verb::patch,
                   "/api/service-settings/" + client.id + "-" + service + "/update_settings/",
                   {{"settings", changes}});
  };
  settings(a.alice, "marketing", {{"posting_timezone", "Europe/Paris"}, {"weekly_report", false}});
  settings(a.alice, "marketing", {{"approval_required", false}});
  settings(a.bob, "website", {{"preferred_stack", "wordpress"}});
  settings(a.carol, "courses", {{"learning_reminders", "daily"}});
  return a;
}

std::string request_topup(Server& server, const Person& client, const std::string& amount,
                          const std::string& method = "card") {
  return server.post(client.token, "/api/wallet/topup/",
                     {{"amount", amount}, {"payment_method", method}})["id"];
}

nlohmann::json capture(const std::string& event, const std::string& id, const std::string& amount) {
  return {{"event", event},
          {"id", id},
          {"amount", amount},
          {"currency", "USD"},
          {"provider_reference", "ch-" + id}};
}

// Top-ups confirmed by the admin and by the provider, one failed, one short-paid; payments (one
// retried with its idempotency key, one refused); auto-recharge.
void move_money(Server& server, Agency& a) {
  const std::string alice_topup = request_topup(server, a.alice, "500.00");
  server.post(a.admin.token, "/api/wallet/topups/" + alice_topup + "/confirm/",
              {{"provider_reference", "PAY-1"}});
  const std::string bob_topup = request_topup(server, a.bob, "200.00", "paypal");
  CHECK(server.webhook(capture("topup.confirmed", bob_topup, "200.00")).status == 200);
  const std::string carol_topup = request_topup(server, a.carol, "150.00");
  const auto short_paid = server.webhook(capture("topup.confirmed", carol_topup, "15.00"));
  CHECK(short_paid.status == 422);  // recorded as PaymentAmountMismatched, nothing credited
  server.post(a.admin.token, "/api/wallet/topups/" + carol_topup + "/confirm/",
              {{"provider_reference", "PAY-3"}});
  const std::string declined = request_topup(server, a.bob, "30.00");
  CHECK(server.webhook({{"event", "topup.failed"}, {"id", declined}, {"reason", "card declined"}})
            .status == 200);

  // Alice's auto-recharge: the payment takes her below the threshold, a top-up is requested.
  server.post(
      a.alice.token, "/api/wallet-auto-recharge/configure/",
      {{"threshold_amount", "480.00"}, {"recharge_amount", "100.00"}, {"payment_method", "card"}});
  server.post(a.alice.token, "/api/wallet/pay/",
              {{"amount", "25.00"},
               {"service", "website"},
               {"reference", "site-1"},
               {"description", "Landing page"}});
  const auto rule = server.get(a.alice.token, "/api/wallet-auto-recharge/").json();
  REQUIRE_MESSAGE(rule["pending_topup_id"].is_string(), rule.dump());
  server.post(a.admin.token,
              "/api/wallet/topups/" + rule["pending_topup_id"].get<std::string>() + "/confirm/",
              {{"provider_reference", "PAY-AUTO"}});
  const nlohmann::json payment = {{"amount", "10.00"}, {"service", "marketing"}};
  const auto first = server.command(a.bob.token, verb::post, "/api/wallet/pay/", payment,
                                    {{"Idempotency-Key", "bob-pay-1"}});
  const auto again = server.command(a.bob.token, verb::post, "/api/wallet/pay/", payment,
                                    {{"Idempotency-Key", "bob-pay-1"}});
  CHECK(again == first);
  server.refused(a.carol.token, "/api/wallet/pay/", {{"amount", "1000.00"}, {"service", "website"}},
                 "insufficient_funds");
  server.post(
      a.bob.token, "/api/wallet-auto-recharge/configure/",
      {{"threshold_amount", "5.00"}, {"recharge_amount", "10.00"}, {"payment_method", "paypal"}});
  server.post(a.bob.token, "/api/wallet-auto-recharge/trigger/");
  server.post(a.bob.token, "/api/wallet-auto-recharge/disable/");
}

// Codes created singly and in a batch, redeemed, one deactivated; a repeat refused.
void redeem_codes(Server& server, Agency& a) {
  const auto welcome = server.post(
      a.admin.token, "/api/redeem-codes/",
      {{"code", "welcome10"}, {"value", "10.00"}, {"usage_limit", 5}, {"description", "Welcome"}});
  const auto batch = server.post(a.admin.token, "/api/redeem-codes/",
                                 {{"quantity", 3},
                                  {"prefix", "xmas"},
                                  {"value", "5.00"},
                                  {"usage_limit", 2},
                                  {"description", "Christmas"}});
  for (const auto& created : {welcome, batch}) {
    for (const auto& code : created["codes"]) a.codes.push_back(code["code"]);
  }
  REQUIRE(a.codes.size() == 4);
  server.post(a.alice.token, "/api/wallet/redeem/", {{"code", "Welcome10"}});
  server.post(a.bob.token, "/api/wallet/redeem/", {{"code", "WELCOME10"}});
  server.refused(a.bob.token, "/api/wallet/redeem/", {{"code", "WELCOME10"}},
                 "code_already_redeemed");
  server.post(a.carol.token, "/api/wallet/redeem/", {{"code", a.codes[1]}});
  server.command(a.admin.token, verb::patch, "/api/redeem-codes/" + a.codes[2] + "/",
                 {{"is_active", false}});
}

// Courses bought with the wallet and with PayPal (confirmed by the admin, failed and confirmed
// by the provider), finished, refunded; lessons added, rewritten and removed, completed to the
// end (a certificate) and part way; a course changed, and one deleted after it was bought.
void sell_courses(Server& server, Agency& a) {
  for (const auto& course :
       {nlohmann::json{{"title", "SEO basics"}, {"price", "25.00"}, {"access_days", 30}},
        nlohmann::json{{"title", "Intro"}, {"is_free", true}},
        nlohmann::json{{"title", "Ads"}, {"price", "40.00"}, {"description", "Paid ads"}}}) {
    a.courses.push_back(server.post(a.admin.token, "/api/courses/", course)["id"]);
  }
  const std::string seo = "/api/courses/" + a.courses[0] + "/";
  const std::string intro = "/api/courses/" + a.courses[1] + "/";
  const std::string ads = "/api/courses/" + a.courses[2] + "/";
  auto lesson = [&](const std::string& course, const nlohmann::json& fields) {
    return server.post(a.admin.token, course + "lessons/", fields)["id"].get<std::string>();
  };
  const std::string words = lesson(seo, {{"title", "Keywords"},
                                         {"module", "Basics"},
                                         {"order", 1},
                                         {"body", "Words people search for"},
                                         {"duration_minutes", 10}});
  const std::string links = lesson(seo, {{"title", "Links"},
                                         {"module", "Advanced"},
                                         {"order", 1},
                                         {"video_url", "https://videos.example.com/links.mp4"},
                                         {"duration_minutes", 25}});
  const std::string welcome = lesson(intro, {{"title", "Welcome"},
                                             {"module", "Start"},
                                             {"order", 0},
                                             {"body", "Hello"},
                                             {"duration_minutes", 2}});
  const std::string tour = lesson(intro, {{"title", "Tour"},
                                          {"module", "Start"},
                                          {"order", 1},
                                          {"body", "Around"},
                                          {"duration_minutes", 3}});
  const std::string extra = lesson(intro, {{"title", "Extra"},
                                           {"module", "Later"},
                                           {"order", 0},
                                           {"body", "More"},
                                           {"duration_minutes", 3}});
  a.lessons = {words, links, welcome, tour, extra};
  server.command(a.admin.token, verb::patch, intro + "lessons/" + tour + "/",
                 {{"video_url", "https://videos.example.com/tour.mp4"}, {"order", 2}});
  server.command(a.admin.token, verb::delete_, intro + "lessons/" + extra + "/");
  server.command(a.admin.token, verb::patch, ads,
                 {{"title", "Paid ads"}, {"description", "Ads that pay"}});
  const auto bought = server.post(a.alice.token, seo + "purchase/", {{"payment_method", "wallet"}});
  const auto pending = server.post(a.bob.token, seo + "purchase/", {{"payment_method", "paypal"}});
  server.post(a.admin.token, seo + "confirm_paypal_purchase/",
              {{"purchase_id", pending["purchase"]["id"]}, {"provider_reference", "PP-1"}});
  server.refused(a.bob.token, seo + "finish/", nlohmann::json::object(), "lessons_incomplete");
  server.post(a.bob.token, seo + "lessons/" + words + "/complete/");
  server.post(a.bob.token, seo + "lessons/" + links + "/complete/");  // completes the course
  server.post(a.alice.token, seo + "lessons/" + words + "/complete/");
  server.post(a.carol.token, intro + "lessons/" + welcome + "/complete/");
  const auto declined =
      server.post(a.carol.token, ads + "purchase/", {{"payment_method", "paypal"}});
  CHECK(server
            .webhook({{"event", "course_purchase.failed"},
                      {"id", declined["purchase"]["id"]},
                      {"reason", "payment declined"}})
            .status == 200);
  const auto retried =
      server.post(a.carol.token, ads + "purchase/", {{"payment_method", "paypal"}});
  CHECK(server.webhook(capture("course_purchase.confirmed", retried["purchase"]["id"], "40.00"))
            .status == 200);
  server.post(a.admin.token,
              "/api/courses/purchases/" + bought["purchase"]["id"].get<std::string>() + "/refund/");
  server.command(a.admin.token, verb::delete_, ads);  // carol keeps it
}

// Invoices paid, voided and left open (due tomorrow: reminded by the sweeper); subscriptions
// charged to the wallet, cancelled, and one renewing tomorrow (reminded).
void bill(Server& server, Agency& a) {
  const std::string in_two_months = events::format_date(now_us() + 60 * kMicrosPerDay);
  const std::string tomorrow = events::format_date(now_us() + kMicrosPerDay);
  auto invoice = [&](const Person& client, const std::string& amount, const std::string& service,
                     const std::string& due) {
    std::string id = server.post(a.admin.token, "/api/invoices/",
                                 {{"client_id", client.id},
                                  {"amount", amount},
                                  {"service", service},
                                  {"due_date", due},
                                  {"description", "Work for " + client.id}})["id"];
    a.invoices.push_back(id);
    return id;
  };
  server.post(a.alice.token,
              "/api/invoices/" + invoice(a.alice, "40.00", "website", in_two_months) + "/pay/");
  server.post(a.admin.token,
              "/api/invoices/" + invoice(a.bob, "5.00", "website", in_two_months) + "/void/",
              {{"reason", "issued twice"}});
  a.carol_invoice = invoice(a.carol, "15.00", "marketing", tomorrow);

  auto subscribe = [&](const Person& client, const std::string& plan, const std::string& price,
                       const std::string& renews_on, bool from_wallet = true) {
    return server
        .post(a.admin.token, "/api/subscriptions/",
              {{"client_id", client.id},
               {"plan", plan},
               {"service", "marketing"},
               {"price", price},
               {"renews_on", renews_on},
               {"pays_from_wallet", from_wallet}})["id"]
        .get<std::string>();
  };
  subscribe(a.alice, "Growth", "20.00", events::format_date(now_us() + 30 * kMicrosPerDay));
  // Billed by invoice at each renewal (a month away: the sweeper only reminds of it then).
  subscribe(a.carol, "Care", "8.00", events::format_date(now_us() + 31 * kMicrosPerDay), false);
  a.bob_subscription = subscribe(a.bob, "Basic", "10.00", tomorrow);
  const std::string carol_plan =
      subscribe(a.carol, "Starter", "12.00", events::format_date(now_us() + 30 * kMicrosPerDay));
  server.post(a.carol.token, "/api/subscriptions/" + carol_plan + "/cancel/",
              {{"reason", "too early"}});
}

std::string create_campaign(Server& server, const Person& agent, const Person& client,
                            const std::string& name, const std::string& budget) {
  return server.post(agent.token, "/api/campaigns/",
                     {{"client_id", client.id},
                      {"name", name},
                      {"platform", "instagram"},
                      {"budget", budget},
                      {"target_reach", 1000},
                      {"target_engagement", 100},
                      {"goal", "Sales"}})["id"];
}

// Campaigns through their workflow: holds placed when scheduled, spend posted against them, a
// budget change re-reserving, holds voided when completed or cancelled, one left running, a draft
// deleted.
void run_campaigns(Server& server, Agency& a) {
  const std::string winter = create_campaign(server, a.mia, a.alice, "Winter launch", "60.00");
  const std::string spring = create_campaign(server, a.mia, a.carol, "Spring", "30.00");
  const std::string running = create_campaign(server, a.max, a.bob, "Always on", "50.00");
  const std::string dropped = create_campaign(server, a.mia, a.alice, "Maybe later", "5.00");
  a.campaigns = {winter, spring, running, dropped};
  auto status = [&](const Person& agent, const std::string& id, const std::string& to) {
    server.post(agent.token, "/api/campaigns/" + id + "/change_status/", {{"status", to}});
  };
  const std::string path = "/api/campaigns/" + winter + "/";
  status(a.mia, winter, "scheduled");
  status(a.mia, winter, "active");
  server.post(a.mia.token, path + "update_metrics/",
              {{"reach", 600}, {"engagement", 20}, {"spend", "25.00"}});
  server.command(a.alice.token, verb::patch, path, {{"budget", "80.00"}});
  server.command(a.mia.token, verb::patch, path, {{"name", "Winter launch 2"}});
  status(a.mia, winter, "paused");
  server.post(a.mia.token, path + "update_metrics/", {{"reach", 900}, {"spend", "30.00"}});
  status(a.mia, winter, "completed");
  status(a.mia, spring, "scheduled");
  status(a.mia, spring, "cancelled");
  status(a.max, running, "scheduled");
  status(a.max, running, "active");
  server.post(a.max.token, "/api/campaigns/" + running + "/update_metrics/",
              {{"reach", 100}, {"engagement", 5}, {"spend", "5.00"}});
  server.command(a.mia.token, verb::delete_, "/api/campaigns/" + dropped + "/");
}

// Tasks through their workflow: moved along and completed by the client they are assigned to,
// changed and handed over by agents, one cancelled, one left open with a due date.
void run_tasks(Server& server, Agency& a) {
  auto create = [&](const Person& by, const nlohmann::json& body) -> std::string {
    return server.post(by.token, "/api/tasks/", body)["id"];
  };
  const std::string logo = create(a.mia, {{"client", a.alice.id},
                                          {"title", "Send the logo"},
                                          {"description", "PNG, 512 px"},
                                          {"service", "marketing"},
                                          {"priority", "high"}});
  const std::string brief =
      create(a.max, {{"client_id", a.bob.id},
                     {"title", "Approve the brief"},
                     {"priority", "medium"},
                     {"assigned_to", a.max.id},
                     {"due_date", events::format_date(now_us() + 7 * kMicrosPerDay)}});
  const std::string pages = create(a.web, {{"client", a.carol.id},
                                           {"title", "Write the About page"},
                                           {"service", "website"},
                                           {"priority", "low"},
                                           {"assigned_to", a.web.id}});
  const std::string contract = create(a.admin, {{"client", a.carol.id},
                                                {"title", "Sign the contract"},
                                                {"priority", "high"},
                                                {"assigned_to", a.admin.id}});
  a.tasks = {logo, brief, pages, contract};
  const auto path = [](const std::string& id) { return "/api/tasks/" + id + "/"; };
  server.command(a.alice.token, verb::patch, path(logo), {{"status", "in_progress"}});
  server.post(a.alice.token, path(logo) + "complete/");
  server.command(a.max.token, verb::patch, path(brief),
                 {{"title", "Approve the new brief"}, {"status", "in_progress"}});
  server.command(a.web.token, verb::patch, path(pages), {{"assigned_to", a.carol.id}});
  server.command(a.admin.token, verb::delete_, path(contract));
}

// Conversations: a client and her agent both ways (one message read), an admin and a client, an
// agent and an admin; the unread counts and the order of conversations must survive the rebuild.
void run_messages(Server& server, Agency& a) {
  auto send = [&](const Person& from, const Person& to, const std::string& content) {
    return server
        .post(from.token, "/api/messages/", {{"recipient", to.id}, {"content", content}})["id"]
        .get<std::string>();
  };
  send(a.alice, a.mia, "Can we launch on Friday?");
  const std::string answer = send(a.mia, a.alice, "Friday works. I will send the brief.");
  send(a.mia, a.alice, "Here is the brief: <b>bold</b> & short.");
  send(a.admin, a.bob, "Welcome aboard");
  send(a.max, a.admin, "Bob asked for a discount");
  server.post(a.alice.token, "/api/messages/" + answer + "/mark_read/");
}

// Support tickets through their workflow: replies on both sides (the agents' first reply times
// feed agent performance), a reopening, one closed by its client (and refusing a reply), one
// left open.
void run_tickets(Server& server, Agency& a) {
  auto open = [&](const Person& client, nlohmann::json body) -> std::string {
    body["description"] = "Since this morning";
    return server.post(client.token, "/api/support-tickets/", body)["id"];
  };
  const auto path = [](const std::string& id) { return "/api/support-tickets/" + id + "/"; };
  auto reply = [&](const Person& by, const std::string& id, const std::string& message) {
    server.post(by.token, path(id) + "reply/", {{"message", message}});
  };
  auto move = [&](const Person& by, const std::string& id, const std::string& status) {
    server.post(by.token, path(id) + "change_status/", {{"status", status}});
  };
  const std::string checkout =
      open(a.alice,
           {{"subject", "The checkout is down"}, {"service", "marketing"}, {"priority", "high"}});
  const std::string invoice = open(a.bob, {{"subject", "An invoice twice"}});
  const std::string pages = open(a.carol, {{"subject", "The About page"}, {"service", "website"}});
  a.tickets = {checkout, invoice, pages};
  reply(a.alice, checkout, "Any news?");
  reply(a.mia, checkout, "Looking into it");
  move(a.mia, checkout, "in_progress");
  move(a.mia, checkout, "resolved");
  move(a.alice, checkout, "open");
  reply(a.alice, checkout, "It broke again");
  reply(a.max, invoice, "Refunded");
  move(a.admin, invoice, "resolved");
  move(a.bob, invoice, "closed");
  server.refused(a.bob.token, path(invoice) + "reply/", {{"message", "Thanks"}},
                 "invalid_transition");
  reply(a.web, pages, "Which part?");
}

std::string schedule_post(Server& server, const Person& agent, const Person& client, int days,
                          const std::string& caption) {
  return server.post(agent.token, "/api/content-schedule/",
                     {{"client_id", client.id},
                      {"platform", "instagram"},
                      {"social_account", "@shop"},
                      {"scheduled_at", events::format_rfc3339(now_us() + days * kMicrosPerDay)},
                      {"caption", caption},
                      {"hashtags", {"#sale"}},
                      {"mentions", {"@friend"}},
                      {"media_urls", {"https://cdn.example.com/a.jpg"}}})["id"];
}

// Scheduled posts approved, failed once and published; changed and cancelled by the client;
// added to a campaign; approved by the admin.
void schedule_content(Server& server, Agency& a) {
  const std::string published = schedule_post(server, a.mia, a.alice, 2, "Winter sale");
  const std::string withdrawn = schedule_post(server, a.mia, a.alice, 10, "Spring preview");
  const std::string in_campaign = schedule_post(server, a.mia, a.alice, 5, "Launch day");
  const std::string carols = schedule_post(server, a.mia, a.carol, 3, "New menu");
  a.posts = {published, withdrawn, in_campaign, carols};
  const std::string path = "/api/content-schedule/" + published + "/";
  server.post(a.alice.token, path + "approve/");
  server.post(a.mia.token, path + "fail/", {{"error", "the API timed out"}});
  server.post(a.mia.token, path + "publish/");
  server.command(a.mia.token, verb::patch, "/api/content-schedule/" + withdrawn + "/",
                 {{"caption", "Spring preview, new words"}});
  server.post(a.alice.token, "/api/content-schedule/" + withdrawn + "/cancel/");
  server.post(a.mia.token, "/api/campaigns/" + a.campaigns[0] + "/add_content/",
              {{"content_ids", nlohmann::json::array({in_campaign})}});
  server.post(a.admin.token, "/api/content-schedule/" + carols + "/approve/");
}

std::string upload_version(Server& server, const Agency& a, const std::string& project,
                           const std::string& number, const std::string& zip) {
  const auto uploaded =
      server.upload(a.web.token, testing::multipart_body({{"project_id", project},
                                                          {"version_number", number},
                                                          {"notes", "cut " + number},
                                                          {"technologies_used", "React, Tailwind"},
                                                          {"changelog", "- home page"}},
                                                         "site-" + number + ".zip", zip));
  REQUIRE_MESSAGE(uploaded.status == 201, uploaded.body);
  return uploaded.json()["id"];
}

// Website projects started with the questionnaire, phases completed; versions uploaded
// (multipart), tested, approved, deployed, commented.
void build_websites(Server& server, Agency& a) {
  a.projects.push_back(server.post(
      a.alice.token, "/api/website-projects/",
      {{"name", "Shop"}, {"answers", {{"business_name", "Alice's"}, {"goals", "Sell"}}}})["id"]);
  a.projects.push_back(
      server.post(a.carol.token, "/api/website-projects/",
                  {{"name", "Portfolio"},
                   {"answers", {{"business_name", "Carol"}, {"goals", "Be seen"}}}})["id"]);
  for (const char* phase : {"design", "content"}) {
    server.post(a.web.token, "/api/website-projects/" + a.projects[0] + "/complete_phase/",
                {{"phase", phase}, {"note", std::string(phase) + " done"}});
  }
  const std::string site =
      testing::zip_file({{"index.html", "<html>shop</html>"}, {"assets/app.js", "console.log(1)"}});
  a.versions.push_back(upload_version(server, a, a.projects[0], "1.0.0", site));
  a.versions.push_back(
      upload_version(server, a, a.projects[0], "1.1.0", testing::zip_shaped_file(64 * 1024, 7)));
  const std::string first = "/api/website-versions/" + a.versions[0] + "/";
  server.post(a.web.token, first + "start_testing/",
              {{"preview_url", "https://preview.example.com"}});
  server.post(a.alice.token, first + "approve/");
  server.post(a.web.token, first + "deploy/", {{"deployment_url", "https://shop.example.com"}});
  server.post(a.alice.token, first + "add_feedback/", {{"message", "Looks great"}});
  const std::string second = "/api/website-versions/" + a.versions[1] + "/";
  server.post(a.web.token, second + "start_testing/");
  server.post(a.web.token, second + "add_feedback/", {{"message", "Checking on mobile"}});
}

// Accounts managed: a name and email preferences changed by their owners, a password changed, an
// agent's profile changed by the admin, and an agent deactivated with the client it served.
void manage_accounts(Server& server, Agency& a) {
  server.command(a.alice.token, verb::patch, "/api/auth/me/", {{"name", "Alice A."}});
  server.command(a.bob.token, verb::patch, "/api/auth/me/email-preferences/",
                 {{"payments", false}, {"marketing", false}});
  server.post(a.carol.token, "/api/auth/change-password/",
              {{"old_password", "password-carol"}, {"new_password", "password-carol-2"}});
  server.command(a.admin.token, verb::patch, "/api/users/" + a.max.id + "/",
                 {{"name", "Max M."}, {"max_clients", 4}});
  a.ivy = hire(server, a.admin, "ivy", "agent", "marketing");
  a.dan = hire(server, a.admin, "dan", "client");
  server.post(a.admin.token, "/api/clients/" + a.dan.id + "/assign_agent/",
              {{"service", "marketing"}, {"agent_id", a.ivy.id}});
  server.command(a.admin.token, verb::patch, "/api/users/" + a.ivy.id + "/",
                 {{"is_active", false}});
  // dan has no agent now: the admins hear of his ticket.
  a.tickets.push_back(server.post(a.dan.token, "/api/support-tickets/",
                                  {{"subject", "Who is my agent now?"},
                                   {"description", "Ivy left"},
                                   {"service", "marketing"}})["id"]);
}

std::string head_position(Server& server) {
  return server.get("", "/api/ledger/head/").json()["position"].dump();
}

// Notifications read (one, then all), and a second session of bob's logged out.
void read_and_sign_out(Server& server, Agency& a) {
  const auto feed =
      server.get(a.alice.token, "/api/notifications/", {{"X-Min-Position", head_position(server)}});
  REQUIRE_MESSAGE(feed.status == 200, feed.body);
  const auto listed = feed.json();
  REQUIRE(listed["count"] > 3);
  server.post(a.alice.token, "/api/notifications/" + listed["results"][1]["id"].get<std::string>() +
                                 "/mark_read/");
  server.post(a.bob.token, "/api/notifications/mark_all_read/");
  server.post(a.mia.token, "/api/notifications/mark_all_read/");
  a.revoked_token = log_in(server, "bob@x.com", "password-bob").token;
  server.post(a.revoked_token, "/api/auth/logout/");
}

bool stream_has(Server& server, const Agency& a, const std::string& stream,
                const std::string& type) {
  const auto events = server.get(a.admin.token, "/api/ledger/events/?stream=" + stream).json();
  for (const auto& event : events["results"]) {
    if (event["type"] == type) return true;
  }
  return false;
}

// The deadline sweeper's reminders for what is due tomorrow.
void wait_for_reminders(Server& server, const Agency& a) {
  const auto deadline = std::chrono::steady_clock::now() + kSettleTimeout;
  while (!stream_has(server, a, "invoice:" + a.carol_invoice, "InvoiceReminderDue") ||
         !stream_has(server, a, "subscription:" + a.bob_subscription,
                     "SubscriptionRenewalReminderDue")) {
    REQUIRE_MESSAGE(std::chrono::steady_clock::now() < deadline, "the sweeper sent no reminder");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

// Until every asynchronous projection has folded the whole log and no email waits to be sent.
void wait_until_settled(Server& server, const std::string& admin) {
  const auto deadline = std::chrono::steady_clock::now() + kSettleTimeout;
  for (;;) {
    const std::uint64_t head = server.get(admin, "/api/ledger/head/").json()["position"];
    const auto statuses = server.get(admin, "/api/admin/projections/").json();
    bool settled = true;
    for (const auto& status : statuses["results"]) {
      if (status["kind"] != "async") continue;
      REQUIRE_MESSAGE(status["state"] != "failed", status.dump());
      settled = settled && status["state"] == "live" && status["checkpoint"] == head;
    }
    for (const char* waiting : {"queued", "failed"}) {
      const auto emails =
          server.get(admin, std::string("/api/admin/email-outbox/?status=") + waiting);
      settled = settled && emails.json()["count"] == 0;
    }
    if (settled) return;
    REQUIRE_MESSAGE(std::chrono::steady_clock::now() < deadline,
                    "the projections or the delivery did not settle: " << statuses.dump());
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

// The delivered emails: each .eml file and when it was written. An email sent again would be
// written again under the same name (its id), so the time tells, not only the count.
std::map<std::string, std::filesystem::file_time_type> eml_files(const std::string& data_dir) {
  std::map<std::string, std::filesystem::file_time_type> files;
  std::error_code ignored;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::filesystem::path(data_dir) / "outbox", ignored)) {
    if (entry.path().extension() == ".eml") {
      files.emplace(entry.path().filename().string(), entry.last_write_time());
    }
  }
  return files;
}

// How many emails were written since `before`: again under the same name, or new.
std::size_t emails_written_again(
    const std::map<std::string, std::filesystem::file_time_type>& before,
    const std::string& data_dir) {
  std::size_t count = 0;
  for (const auto& [name, written_at] : eml_files(data_dir)) {
    const auto earlier = before.find(name);
    if (earlier == before.end() || earlier->second != written_at) ++count;
  }
  return count;
}

// One GET of one caller. `status` 0: whatever the caller's scope gives (200, or 404 outside it).
struct View {
  std::string who;
  std::string token;
  std::string target;
  unsigned status = 200;
};

struct RecordedAnswer {
  View view;
  unsigned status = 0;
  std::string headers;  // "Name: value" lines, sorted, without kHeadersDifferingBetweenRuns
  std::string body;
};

std::string comparable_headers(const HttpAnswer& answer) {
  std::vector<std::string> lines;
  for (const auto& field : answer.headers) {
    const std::string name(field.name_string());
    if (kHeadersDifferingBetweenRuns.contains(name)) continue;
    lines.push_back(name + ": " + std::string(field.value()));
  }
  std::sort(lines.begin(), lines.end());
  std::string joined;
  for (const auto& line : lines) joined += line + "\n";
  return joined;
}

// The views every caller has, whatever the role.
void add_views_of_everyone(std::vector<View>& views, const Agency& a) {
  const std::string today = events::format_date(now_us());
  const std::string fortnight = events::format_date(now_us() + 14 * kMicrosPerDay);
  const std::string calendar =
      "/api/content-schedule/calendar/?start=" + today + "&end=" + fortnight;
  const std::vector<std::pair<std::string, const Person*>> people = {
      {"admin", &a.admin}, {"mia", &a.mia}, {"max", &a.max},    {"web", &a.web},
      {"alice", &a.alice}, {"bob", &a.bob}, {"carol", &a.carol}};
  for (const auto& who_and_person : people) {
    const auto& who = who_and_person.first;
    const auto& person = who_and_person.second;
    for (const std::string& target :
         std::vector<std::string>{"/api/auth/me/",
                                  "/api/notifications/",
                                  "/api/notifications/?unread=true",
                                  "/api/notifications/unread_count/",
                                  "/api/courses/",
                                  "/api/invoices/",
                                  "/api/subscriptions/",
                                  "/api/campaigns/",
                                  "/api/campaigns/analytics/",
                                  "/api/content-schedule/",
                                  "/api/content-schedule/upcoming/",
                                  "/api/content-schedule/overdue/",
                                  calendar,
                                  "/api/website-projects/",
                                  "/api/website-versions/",
                                  "/api/tasks/",
                                  "/api/tasks/?status=todo",
                                  "/api/tasks/?overdue=false",
                                  "/api/support-tickets/",
                                  "/api/support-tickets/?status=open",
                                  "/api/auth/me/email-preferences/",
                                  "/api/messages/conversations/",
                                  "/api/messages/?with=" + a.alice.id}) {
      views.push_back({who, person->token, target});
    }
    // Each object, in scope (200) or not (404): the scope must survive the rebuild too.
    auto each = [&](const std::string& collection, const std::vector<std::string>& ids) {
      for (const auto& id : ids) views.push_back({who, person->token, collection + id + "/", 0});
    };
    each("/api/courses/", a.courses);
    for (const auto& id : a.courses) {
      const std::string course = "/api/courses/" + id + "/";
      views.push_back({who, person->token, course + "lessons/", 0});
      // A client's own progress and certificate (others' roles may not ask: 403).
      if (who == "alice" || who == "bob" || who == "carol") {
        for (const char* suffix : {"progress/", "certificate/"}) {
          views.push_back({who, person->token, course + suffix, 0});
        }
      }
      for (const auto& lesson : a.lessons) {
        std::string target = course;
        target.append("lessons/").append(lesson).append("/");
        views.push_back({who, person->token, std::move(target), 0});
      }
    }
    each("/api/invoices/", a.invoices);
    each("/api/campaigns/", a.campaigns);
    each("/api/content-schedule/", a.posts);
    each("/api/website-projects/", a.projects);
    each("/api/website-versions/", a.versions);
    each("/api/tasks/", a.tasks);
    each("/api/support-tickets/", a.tickets);
    for (const auto& id : a.versions) {
      views.push_back({who, person->token, "/api/website-versions/" + id + "/file/", 0});
    }
  }
}

// The views of clients, agents and the admin's own.
void add_views_of_roles(std::vector<View>& views, const Agency& a) {
  for (const auto& [who, client] :
       {std::pair{"alice", &a.alice}, {"bob", &a.bob}, {"carol", &a.carol}}) {
    for (const std::string& target : std::vector<std::string>{
             "/api/wallet/", "/api/wallet/transactions/", "/api/wallet/my-redeemed-codes/",
             "/api/wallet-auto-recharge/", "/api/service-settings/my_services/",
             "/api/service-settings/", "/api/courses/my_purchases/",
             "/api/ledger/accounts/wallet:" + client->id + "/statement/"}) {
      views.push_back({who, client->token, target});
    }
    views.push_back({"admin", a.admin.token, "/api/wallet/transactions/?user_id=" + client->id});
  }
  for (const auto& [who, agent] : {std::pair{"mia", &a.mia}, {"max", &a.max}, {"web", &a.web}}) {
    for (const char* target : {"/api/agents/my-clients/", "/api/campaigns/my_campaigns/",
                               "/api/website-versions/my_uploads/"}) {
      views.push_back({who, agent->token, target});
    }
  }
  const std::string week_ago = events::format_date(now_us() - 6 * kMicrosPerDay);
  for (const std::string& target : std::vector<std::string>{
           "/api/users/", "/api/users/?role=agent", "/api/users/?role=client", "/api/redeem-codes/",
           "/api/redeem-codes/stats/", "/api/admin/email-outbox/",
           "/api/admin/email-outbox/?status=sent", "/api/admin/analytics/services/",
           "/api/admin/analytics/services/?from=" + week_ago +
               "&to=" + events::format_date(now_us()),
           "/api/admin/agents/performance/", "/api/ledger/head/", "/api/ledger/accounts/",
           "/api/ledger/events/"}) {
    views.push_back({"admin", a.admin.token, target});
  }
  for (const auto& code : a.codes) {
    views.push_back({"admin", a.admin.token, "/api/redeem-codes/" + code + "/usage_history/"});
  }
  views.push_back({"bob (logged out)", a.revoked_token, "/api/auth/me/", 401});
  views.push_back({"ivy (deactivated)", a.ivy.token, "/api/auth/me/", 401});
  views.push_back({"dan", a.dan.token, "/api/service-settings/my_services/"});
  views.push_back({"dan", a.dan.token, "/api/support-tickets/"});
}

// Every view, and the statement of every account the trial balance lists.
std::vector<View> views_of(Server& server, const Agency& a) {
  std::vector<View> views;
  add_views_of_everyone(views, a);
  add_views_of_roles(views, a);
  const auto accounts = server.get(a.admin.token, "/api/ledger/accounts/").json();
  for (const auto& account : accounts["results"]) {
    views.push_back(
        {"admin", a.admin.token,
         "/api/ledger/accounts/" + account["account"].get<std::string>() + "/statement/"});
  }
  return views;
}

// Asks every view; a list with more pages adds its next page as a view of its own.
std::vector<RecordedAnswer> record(Server& server, std::vector<View> views) {
  std::vector<RecordedAnswer> recorded;
  for (std::size_t index = 0; index < views.size(); ++index) {
    const View view = views[index];  // a copy: views grows below
    const auto answer = server.get(view.token, view.target);
    INFO(view.who, " GET ", view.target, ": ", answer.body.substr(0, 500));
    if (view.status == 0) {
      REQUIRE((answer.status == 200 || answer.status == 404));
    } else {
      REQUIRE(answer.status == view.status);
    }
    if (answer.status == 200 && answer.header("Content-Type").starts_with("application/json")) {
      const auto body = answer.json();
      if (body.is_object() && body.contains("next") && body["next"].is_string()) {
        views.push_back({view.who, view.token, body["next"].get<std::string>(), 200});
      }
    }
    recorded.push_back({view, answer.status, comparable_headers(answer), answer.body});
  }
  return recorded;
}

// Where two bodies differ: a JSON patch from the first to the second, or the first differing byte.
std::string difference(const std::string& before, const std::string& after) {
  const auto first = nlohmann::json::parse(before, nullptr, false);
  const auto second = nlohmann::json::parse(after, nullptr, false);
  if (!first.is_discarded() && !second.is_discarded()) {
    return nlohmann::json::diff(first, second).dump().substr(0, 4000);
  }
  const auto at = std::mismatch(before.begin(), before.end(), after.begin(), after.end());
  return "bodies of " + std::to_string(before.size()) + " and " + std::to_string(after.size()) +
         " bytes differ from byte " + std::to_string(at.first - before.begin());
}

// Asks every recorded view again: the same status, headers and body, or one failure naming the
// view and what changed. Answers how many differ.
std::size_t compare_answers(Server& server, const std::vector<RecordedAnswer>& recorded) {
  std::size_t differing = 0;
  for (const auto& before : recorded) {
    const auto after = server.get(before.view.token, before.view.target);
    std::string changes;
    if (after.status != before.status) {
      changes +=
          "\n  status " + std::to_string(before.status) + " -> " + std::to_string(after.status);
    }
    if (const std::string headers = comparable_headers(after); headers != before.headers) {
      changes += "\n  headers before:\n" + before.headers + "  headers after:\n" + headers;
    }
    if (after.body != before.body) changes += "\n  body: " + difference(before.body, after.body);
    if (changes.empty()) continue;
    ++differing;
    FAIL_CHECK(before.view.who << " GET " << before.view.target << changes);
  }
  return differing;
}

// The keyspaces a rebuild refolds: every inline fold's, and the asynchronous projections'.
std::set<std::string> rebuilt_keyspaces() {
  std::set<std::string> keyspaces;
  for (const auto* fold : domain::all_inline_folds()) keyspaces.emplace(fold->keyspace);
  keyspaces.emplace(domain::kProjectionRowsKeyspace);
  // Never the outbox: side effects, not a fold (core/domain/keyspaces.h). Deleting it would
  // lose what delivery recorded; a rebuild never touches it, and neither does this test.
  REQUIRE_FALSE(keyspaces.contains(domain::kOutboxKeyspace));
  return keyspaces;
}

// Deletes every row of `keyspaces`, in every generation ("state.<keyspace>" and
// "state.<keyspace>#<generation>"); answers the rows deleted per keyspace.
std::map<std::string, std::uint64_t> delete_rows(const std::string& store_path,
                                                 const std::set<std::string>& keyspaces) {
  testing::RawStore raw(store_path);
  std::map<std::string, std::uint64_t> deleted;
  for (const auto& name : raw.family_names()) {
    const auto family = store::parse_state_family(name);
    if (!family || !keyspaces.contains(family->keyspace)) continue;
    deleted[family->keyspace] += raw.remove_every_row(name);
  }
  return deleted;
}

std::string recorded_body(const std::vector<RecordedAnswer>& recorded, const std::string& target) {
  for (const auto& answer : recorded) {
    if (answer.view.target == target) return answer.body;
  }
  FAIL("no recorded answer for " << target);
  return {};
}

// Views answer partly from the server's clock (a notification's "today" group, the analytics
// period ending today, upcoming and overdue posts): both runs must fall on the same UTC day.
void wait_past_midnight_if_close() {
  const auto now = std::chrono::system_clock::now();
  const auto left = std::chrono::floor<std::chrono::days>(now) + std::chrono::days(1) - now;
  if (left > std::chrono::minutes(5)) return;
  MESSAGE("waiting for the UTC day to change, so that both runs fall on the same day");
  std::this_thread::sleep_for(left + std::chrono::seconds(2));
}

struct FirstRun {
  Agency agency;
  std::vector<RecordedAnswer> answers;
  std::map<std::string, std::filesystem::file_time_type> emails_sent;
};

FirstRun run_workload_and_record(const std::string& data_dir) {
  FirstRun run;
  Server server(data_dir);
  run.agency = hire_and_sign_up(server, data_dir);
  move_money(server, run.agency);
  redeem_codes(server, run.agency);
  sell_courses(server, run.agency);
  bill(server, run.agency);
  run_campaigns(server, run.agency);
  schedule_content(server, run.agency);
  build_websites(server, run.agency);
  run_tasks(server, run.agency);
  run_messages(server, run.agency);
  run_tickets(server, run.agency);
  manage_accounts(server, run.agency);
  read_and_sign_out(server, run.agency);
  wait_for_reminders(server, run.agency);
  wait_until_settled(server, run.agency.admin.token);
  run.answers = record(server, views_of(server, run.agency));
  run.emails_sent = eml_files(data_dir);
  const auto sent = server.get(run.agency.admin.token, "/api/admin/email-outbox/?status=sent");
  CHECK(sent.json()["count"] == run.emails_sent.size());  // every email delivered is a file
  CHECK(run.emails_sent.size() > 10);
  CHECK(server.stop() == 0);
  return run;
}

// With ledgerd stopped: every row of the rebuilt keyspaces deleted (the audit notices), then
// `ledgerctl projections rebuild --all`, which folds back as many rows as the writer wrote and
// leaves a store the audit finds clean.
void delete_and_rebuild(const std::string& data_dir) {
  const std::string on_data_dir = " --data-dir " + data_dir;
  const auto keyspaces = rebuilt_keyspaces();
  for (const auto& keyspace : domain::domain_keyspaces()) {
    if (!keyspaces.contains(keyspace)) MESSAGE("keyspace left alone, not a fold: " << keyspace);
  }
  const auto deleted = delete_rows(data_dir + "/store", keyspaces);
  for (const auto& keyspace : keyspaces) {
    CHECK_MESSAGE((deleted.contains(keyspace) && deleted.at(keyspace) > 0),
                  "the workload left no row in " << keyspace);
  }
  const auto broken = testing::run_tool(LEDGER_AUDIT, "verify --quiet" + on_data_dir);
  CHECK_MESSAGE(broken.exit_code == 1, "the audit missed the deleted rows: " << broken.output);

  const auto rebuilt =
      testing::run_tool(LEDGERCTL, "projections rebuild --all --quiet --format json" + on_data_dir);
  REQUIRE_MESSAGE(rebuilt.exit_code == 0, rebuilt.output);
  std::istringstream lines(rebuilt.output);
  std::size_t inline_reports = 0;
  for (std::string line; std::getline(lines, line);) {
    const auto report = nlohmann::json::parse(line);
    if (report.value("kind", "") != "inline") continue;
    ++inline_reports;
    INFO(line);
    CHECK(report["rows"] == deleted.at(report["name"]));
  }
  CHECK(inline_reports == domain::all_inline_folds().size());
  const auto verified = testing::run_tool(LEDGER_AUDIT, "verify --quiet" + on_data_dir);
  REQUIRE_MESSAGE(verified.exit_code == 0, verified.output);
}

TEST_CASE(
    "after every inline read-model row and every projection row is deleted, a rebuild from the "
    "log gives a restarted ledgerd the same answer to every view, and no email is sent twice") {
  const auto began = std::chrono::steady_clock::now();
  wait_past_midnight_if_close();
  testing::TempDirectory dir;
  const FirstRun first = run_workload_and_record(dir.string());
  const auto audited = testing::run_tool(LEDGER_AUDIT, "verify --quiet --data-dir " + dir.string());
  REQUIRE_MESSAGE(audited.exit_code == 0, audited.output);
  delete_and_rebuild(dir.string());

  Server again(dir.string());
  wait_until_settled(again, first.agency.admin.token);
  const std::size_t differing = compare_answers(again, first.answers);
  // Many passes of the delivery worker and of the deadline sweeper later: no email written
  // again, none queued or sent again, nothing found due again (the log is where it was).
  std::this_thread::sleep_for(std::chrono::milliseconds(20 * kEmailIntervalMs));
  const std::size_t written_again = emails_written_again(first.emails_sent, dir.string());
  CHECK_MESSAGE(written_again == 0, written_again << " emails were written again");
  for (const char* target : {"/api/admin/email-outbox/", "/api/ledger/head/"}) {
    CHECK_MESSAGE(
        again.get(first.agency.admin.token, target).body == recorded_body(first.answers, target),
        target);
  }
  CHECK(again.stop() == 0);
  MESSAGE(first.answers.size()
          << " answers compared, " << differing << " differ; " << first.emails_sent.size()
          << " emails delivered, " << written_again << " written again; "
          << std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count()
          << " s");
}

}  // namespace
}  // namespace ledger
