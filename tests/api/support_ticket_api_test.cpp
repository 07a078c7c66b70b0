// Support tickets over HTTP, as the dashboards use them: a client opens a ticket, the agent
// replies, the client reads the thread; the status workflow with a reopen; scope hides other
// clients' tickets (404, like a missing one, on every endpoint); the list's filters and pages;
// the other side notified of each step (never the one who did it) and the client's emails down
// to the .eml file; bad input changing nothing; a full thread; the agents' first reply times.
#include <doctest/doctest.h>

#include "core/domain/text_limits.h"
#include "events/timestamp.h"
#include "tests/support/api_agency.h"
#include "tests/support/api_fixture.h"
#include "tests/support/delivered_emails.h"
#include "tests/support/outbox_emails.h"

namespace ledger {
namespace {

using boost::beast::http::verb;
using testing::ApiFixture;

using testing::position_of;

// alice, bob and carol are clients; mia serves alice for marketing and web for website; max
// serves bob for marketing; carol has no agent.
struct Agency : testing::ApiAgency {
  std::string admin_id = f.get(admin, "/api/auth/me/").json()["id"];
  std::string carol_id = f.create_user(admin, "carol@x.com", "client");
  std::string carol = f.login_as("carol@x.com");

  // Opens a ticket as `client`; answers it.
  nlohmann::json open(const std::string& client, nlohmann::json body) {
    if (!body.contains("subject")) body["subject"] = "The site is down";
    if (!body.contains("description")) body["description"] = "Since this morning";
    auto opened = f.post(client, "/api/support-tickets/", body.dump());
    REQUIRE_MESSAGE(opened.status == 201, opened.body);
    return opened.json();
  }

  testing::HttpAnswer reply(const std::string& token, const std::string& id,
                            const std::string& message) {
    return f.post(token, "/api/support-tickets/" + id + "/reply/",
                  nlohmann::json{{"message", message}}.dump());
  }
  testing::HttpAnswer move(const std::string& token, const std::string& id,
                           const std::string& status) {
    return f.post(token, "/api/support-tickets/" + id + "/change_status/",
                  nlohmann::json{{"status", status}}.dump());
  }

  // The messages of the caller's notifications of `type`, newest first.
  std::vector<std::string> messages(const std::string& token, const std::string& type,
                                    std::uint64_t position) {
    std::vector<std::string> found;
    for (const auto& item : notifications(token, type, position)) found.push_back(item["message"]);
    return found;
  }
};

TEST_CASE(
    "a client opens a ticket, the agent replies, the client reads the thread, the status "
    "goes to resolved, is reopened, resolved again and closed") {
  Agency a;
  const auto ticket = a.open(a.alice, {{"subject", "The site is down"},
                                       {"description", "Since this morning"},
                                       {"service", "marketing"}});
  CHECK(ticket["client_id"] == a.alice_id);
  CHECK(ticket["status"] == "open");
  CHECK(ticket["priority"] == "medium");  // the default
  CHECK(ticket["service"] == "marketing");
  CHECK(ticket["reply_count"] == 0);
  CHECK(ticket["replies"].empty());
  CHECK(ticket["first_staff_reply_at"].is_null());
  CHECK(ticket["created_at"] == events::format_rfc3339(a.f.clock.now_us()));
  CHECK(ticket["position"].is_number());
  const std::string id = ticket["id"];
  const std::string path = "/api/support-tickets/" + id + "/";

  // The agent sees it on their list and replies; the client answers.
  CHECK(a.f.get(a.mia, "/api/support-tickets/").json()["count"] == 1);
  a.f.clock.advance_us(10 * kMicrosPerMinute);
  auto answered = a.reply(a.mia, id, "Looking into it");
  REQUIRE_MESSAGE(answered.status == 201, answered.body);
  CHECK(answered.json()["id"] == 1);
  CHECK(answered.json()["author_id"] == a.mia_id);
  CHECK(answered.json()["author_role"] == "agent");
  CHECK(answered.json()["message"] == "Looking into it");
  auto thanks = a.reply(a.alice, id, "Thanks!\nIt is the checkout page.");
  REQUIRE_MESSAGE(thanks.status == 201, thanks.body);
  CHECK(thanks.json()["id"] == 2);

  // The client's view: the thread, oldest first, and who answered first.
  auto seen = a.f.get(a.alice, path);
  REQUIRE(seen.status == 200);
  const auto thread = seen.json();
  CHECK(thread["reply_count"] == 2);
  CHECK(thread["first_staff_reply_by"] == a.mia_id);
  CHECK(thread["first_staff_reply_at"] == events::format_rfc3339(a.f.clock.now_us()));
  REQUIRE(thread["replies"].size() == 2);
  CHECK(thread["replies"][0]["message"] == "Looking into it");
  CHECK(thread["replies"][1]["message"] == "Thanks!\nIt is the checkout page.");
  CHECK(thread["replies"][1]["author_role"] == "client");

  // The workflow: staff move it along; the client only reopens or closes a resolved ticket.
  CHECK(a.move(a.alice, id, "in_progress").status == 403);
  CHECK(a.move(a.mia, id, "in_progress").json()["status"] == "in_progress");
  CHECK(a.move(a.alice, id, "resolved").status == 403);
  auto backwards = a.move(a.mia, id, "open");  // in progress cannot go back to open
  CHECK(backwards.status == 422);
  CHECK(backwards.json()["code"] == "invalid_transition");
  CHECK(a.move(a.mia, id, "resolved").json()["status"] == "resolved");
  auto reopened = a.move(a.alice, id, "open");
  REQUIRE_MESSAGE(reopened.status == 200, reopened.body);
  CHECK(reopened.json()["status"] == "open");
  CHECK(a.reply(a.alice, id, "It broke again").status == 201);
  CHECK(a.move(a.admin, id, "resolved").json()["status"] == "resolved");
  CHECK(a.move(a.alice, id, "closed").json()["status"] == "closed");

  // Closed is final: no move and no reply, for anyone; the same status changes nothing.
  const auto head = a.f.log->head().position;
  for (const auto* token : {&a.alice, &a.mia, &a.admin}) {
    for (const char* status : {"open", "in_progress", "resolved"}) {
      auto refused = a.move(*token, id, status);
      CHECK(refused.status == 422);
      CHECK(refused.json()["code"] == "invalid_transition");
    }
    auto late = a.reply(*token, id, "One more thing");
    CHECK(late.status == 422);
    CHECK(late.json()["code"] == "invalid_transition");
  }
  auto same = a.move(a.mia, id, "closed");
  CHECK(same.status == 200);
  CHECK(same.json()["status"] == "closed");
  CHECK(a.f.log->head().position == head);
  CHECK(a.f.get(a.alice, path).json()["reply_count"] == 3);
}

TEST_CASE("tickets out of scope are not found, exactly like a missing ticket, on every endpoint") {
  Agency a;
  const std::string id = a.open(a.alice, {{"service", "marketing"}})["id"];
  const std::string path = "/api/support-tickets/" + id + "/";
  const std::string missing = "/api/support-tickets/01JZZZZZZZZZZZZZZZZZZZZZZZ/";
  const auto head = a.f.log->head().position;
  // Another client, a marketing agent of another client, alice's website agent (a marketing
  // ticket is not theirs).
  for (const auto* token : {&a.bob, &a.max, &a.web}) {
    for (const auto& [method, suffix, body] :
         {std::tuple{verb::get, "", ""},
          {verb::post, "reply/", R"({"message":"Hello"})"},
          {verb::post, "change_status/", R"({"status":"resolved"})"}}) {
      const std::string shown_suffix = suffix;
      CAPTURE(shown_suffix);
      auto hidden = a.f.call(*token, method, path + suffix, body);
      auto absent = a.f.call(*token, method, missing + suffix, body);
      CHECK(hidden.status == 404);
      CHECK(hidden.body == absent.body);
    }
    CHECK(a.f.get(*token, "/api/support-tickets/").json()["count"] == 0);
    CHECK(a.f.get(*token, "/api/support-tickets/?client=" + a.alice_id).json()["count"] == 0);
  }
  CHECK(a.f.log->head().position == head);  // nothing written by the refused calls
  CHECK(a.f.get(a.alice, path).json()["status"] == "open");

  // A ticket of no service is seen by every agent serving the client, who may act on it.
  const std::string general = a.open(a.alice, {{"subject", "Billing question"}})["id"];
  CHECK(a.f.get(a.web, "/api/support-tickets/" + general + "/").status == 200);
  CHECK(a.reply(a.web, general, "I can help").status == 201);
  CHECK(a.f.get(a.web, "/api/support-tickets/").json()["count"] == 1);
  CHECK(a.f.get(a.mia, "/api/support-tickets/").json()["count"] == 2);
  CHECK(a.f.get(a.max, "/api/support-tickets/" + general + "/").status == 404);
  CHECK(a.f.get(a.admin, "/api/support-tickets/").json()["count"] == 2);
  CHECK(a.f.get(a.bob, "/api/support-tickets/").json()["count"] == 0);
}

TEST_CASE("the list filters by status, client, service and priority, newest first, in pages") {
  Agency a;
  const std::string first = a.open(a.alice, {{"service", "marketing"}, {"priority", "high"}})["id"];
  const std::string second = a.open(a.alice, {{"service", "website"}})["id"];
  const std::string bobs = a.open(a.bob, {{"priority", "low"}})["id"];
  const std::string third = a.open(a.alice, {{"priority", "high"}})["id"];
  REQUIRE(a.move(a.web, second, "resolved").status == 200);

  auto ids = [&](const std::string& token, const std::string& query) {
    auto answer = a.f.get(token, "/api/support-tickets/" + query);
    REQUIRE_MESSAGE(answer.status == 200, answer.body);
    const auto body = answer.json();
    std::vector<std::string> found;
    for (const auto& ticket : body["results"]) found.push_back(ticket["id"]);
    CHECK(body["count"] == found.size());
    return found;
  };
  using Ids = std::vector<std::string>;
  CHECK(ids(a.admin, "") == Ids{third, bobs, second, first});  // newest first
  CHECK(ids(a.admin, "?client=" + a.alice_id) == Ids{third, second, first});
  CHECK(ids(a.admin, "?status=resolved") == Ids{second});
  CHECK(ids(a.admin, "?status=open&client=" + a.alice_id) == Ids{third, first});
  CHECK(ids(a.admin, "?service=marketing") == Ids{first});
  CHECK(ids(a.admin, "?priority=high") == Ids{third, first});
  CHECK(ids(a.admin, "?priority=medium") == Ids{second});
  CHECK(ids(a.alice, "") == Ids{third, second, first});
  CHECK(ids(a.alice, "?client=" + a.bob_id).empty());
  CHECK(ids(a.bob, "") == Ids{bobs});
  CHECK(ids(a.mia, "") == Ids{third, first});
  CHECK(ids(a.web, "") == Ids{third, second});
  CHECK(ids(a.max, "") == Ids{bobs});
  for (const char* query : {"?status=gone", "?priority=urgent", "?service=plumbing"}) {
    CAPTURE(query);
    CHECK(a.f.get(a.admin, std::string("/api/support-tickets/") + query).status == 400);
  }

  // Pages of one, forwards.
  auto page = a.f.get(a.admin, "/api/support-tickets/?limit=1").json();
  CHECK(page["count"] == 4);
  REQUIRE(page["results"].size() == 1);
  CHECK(page["results"][0]["id"] == third);
  CHECK(page["previous"].is_null());
  const std::string next = page["next"];
  auto second_page = a.f.get(a.admin, next.substr(next.find("/api/"))).json();
  REQUIRE(second_page["results"].size() == 1);
  CHECK(second_page["results"][0]["id"] == bobs);
}

TEST_CASE(
    "the other side hears of each ticket, reply and status change, never the one who did "
    "it, the client is emailed of what staff did") {
  Agency a;
  // alice's marketing ticket: mia hears of it; web (website) and admins do not.
  const std::string id = a.open(a.alice, {{"subject", "Logo <b>broken</b> & co"},
                                          {"service", "marketing"},
                                          {"priority", "high"}})["id"];
  // alice's ticket of no service: both her agents; carol has no agent: the admins.
  const std::string general = a.open(a.alice, {{"subject", "Invoice"}})["id"];
  const std::string carols = a.open(a.carol, {{"subject", "Login"}})["id"];
  // bob's only agent leaves: bob has none, so the admins hear of his ticket, not max.
  REQUIRE(a.f.call(a.admin, verb::patch, "/api/users/" + a.max_id + "/", R"({"is_active":false})")
              .status == 200);
  a.open(a.bob, {{"subject", "Refund"}});

  REQUIRE(a.reply(a.mia, id, "Fixed <i>now</i> & live").status == 201);
  REQUIRE(a.reply(a.alice, id, "Thanks").status == 201);
  REQUIRE(a.move(a.mia, id, "resolved").status == 200);
  REQUIRE(a.move(a.alice, id, "open").status == 200);
  REQUIRE(a.reply(a.admin, carols, "Try again").status == 201);
  auto last = a.reply(a.carol, carols, "Works");
  REQUIRE(last.status == 201);
  const std::uint64_t at = position_of(last);

  const std::string subject = "Logo <b>broken</b> & co";
  CHECK(a.messages(a.mia, "ticket_opened", at) ==
        std::vector<std::string>{"A client opened a medium priority ticket: Invoice",
                                 "A client opened a high priority ticket: " + subject});
  CHECK(a.messages(a.web, "ticket_opened", at) ==
        std::vector<std::string>{"A client opened a medium priority ticket: Invoice"});
  CHECK(a.messages(a.admin, "ticket_opened", at) ==
        std::vector<std::string>{"A client opened a medium priority ticket: Refund",
                                 "A client opened a medium priority ticket: Login"});
  CHECK(a.notifications(a.alice, "ticket_opened", at).empty());
  const auto opened = a.notifications(a.mia, "ticket_opened", at);
  REQUIRE(opened.size() == 2);
  CHECK(opened[1]["link"] == "/support-tickets/" + id);

  // Replies: to the client from staff, to the client's agent from the client.
  CHECK(a.messages(a.alice, "ticket_reply", at) ==
        std::vector<std::string>{subject + ": Fixed <i>now</i> & live"});
  CHECK(a.messages(a.mia, "ticket_reply", at) ==
        std::vector<std::string>{"The client replied on " + subject + ": Thanks"});
  CHECK(a.notifications(a.web, "ticket_reply", at).empty());
  CHECK(a.messages(a.carol, "ticket_reply", at) == std::vector<std::string>{"Login: Try again"});
  CHECK(a.messages(a.admin, "ticket_reply", at) ==
        std::vector<std::string>{"The client replied on Login: Works"});

  // Status changes: the client hears of staff's, the agent of the client's reopening.
  CHECK(a.messages(a.alice, "ticket_status_changed", at) ==
        std::vector<std::string>{"Your ticket " + subject + " is now resolved"});
  CHECK(a.messages(a.mia, "ticket_status_changed", at) ==
        std::vector<std::string>{"The client moved the ticket " + subject +
                                 " from resolved to open"});
  CHECK(a.notifications(a.admin, "ticket_status_changed", at).empty());

  // The emails, as the delivery worker writes them: the client's, of staff's reply and move.
  const auto emails = testing::delivered_emails(a.f, at);
  auto subjects_to = [&](const std::string& address) {
    std::vector<std::string> subjects;
    auto range = emails.equal_range(address);
    for (auto it = range.first; it != range.second; ++it) {
      subjects.push_back(testing::header_value(it->second, "Subject"));
    }
    std::sort(subjects.begin(), subjects.end());
    std::string lines;
    for (const auto& line : subjects) lines += line + "\n";
    return lines;
  };
  CHECK(subjects_to("alice@x.com") ==
        "Re: " + subject + "\nTicket resolved: " + subject + "\nWelcome to the platform\n");
  CHECK(subjects_to("carol@x.com") == "Re: Login\nWelcome to the platform\n");
  CHECK(subjects_to("mia@x.com") == "Welcome to the platform\n");  // agents are notified only
  bool seen_reply = false;
  auto range = emails.equal_range("alice@x.com");
  for (auto it = range.first; it != range.second; ++it) {
    const auto& message = it->second;
    if (!testing::header_value(message, "Subject").starts_with("Re: ")) continue;
    seen_reply = true;
    REQUIRE(message.parts.size() == 2);
    CHECK(message.parts[0].body == "We replied to your support ticket " + subject +
                                       ":\n\nFixed <i>now</i> & live\n\nReply from your "
                                       "dashboard.");
    const std::string& html = message.parts[1].body;
    CHECK(html.find("Fixed &lt;i&gt;now&lt;/i&gt; &amp; live") != std::string::npos);
    CHECK(html.find("Logo &lt;b&gt;broken&lt;/b&gt; &amp; co") != std::string::npos);
    CHECK(html.find("<i>") == std::string::npos);
    CHECK(html.find("<b>") == std::string::npos);
  }
  CHECK(seen_reply);
  // The outbox holds each ticket email once, in the messages category's templates.
  int ticket_emails = 0;
  for (const auto& email : testing::outbox_emails(*a.f.log)) {
    if (email.template_name().starts_with("ticket_")) ++ticket_emails;
  }
  CHECK(ticket_emails == 3);
}

TEST_CASE("bad ticket input is refused, naming the field, and changes nothing") {
  Agency a;
  const std::string id = a.open(a.alice, {})["id"];
  const auto head = a.f.log->head().position;
  const std::string long_subject(domain::text_limits::kName + 1, 's');
  const std::string long_message(domain::text_limits::kMessage + 1, 'm');
  const std::vector<std::pair<std::string, const char*>> opening = {
      {R"({"description":"x"})", "subject"},
      {R"({"subject":"x"})", "description"},
      {R"({"subject":"  ","description":"x"})", "subject"},
      {R"({"subject":"x","description":""})", "description"},
      {R"({"subject":"x","description":"y","service":"plumbing"})", "service"},
      {R"({"subject":"x","description":"y","priority":"urgent"})", "priority"},
      {R"({"subject":"x","description":"y","status":"closed"})", "status"},
      {R"({"subject":"x","description":"y","client":"someone"})", "client"},
      {R"({"subject":")" + long_subject + R"(","description":"y"})", "subject"},
      {"{\"subject\":\"\\u202ex\",\"description\":\"y\"}", "subject"},
  };
  for (const auto& entry : opening) {
    const std::string body = entry.first;
    CAPTURE(body);
    auto refused = a.f.post(a.alice, "/api/support-tickets/", body);
    CHECK(refused.status == 400);
    CHECK(refused.header("Content-Type") == "application/problem+json");
    CHECK(refused.json()["errors"].contains(entry.second));
  }
  const std::string reply = "/api/support-tickets/" + id + "/reply/";
  const std::string change = "/api/support-tickets/" + id + "/change_status/";
  const std::vector<std::tuple<std::string, std::string, const char*>> commands = {
      {reply, "{}", "message"},
      {reply, R"({"message":""})", "message"},
      {reply, R"({"message":")" + long_message + "\"}", "message"},
      {reply, R"({"message":"x","author_id":"someone"})", "author_id"},
      {change, "{}", "status"},
      {change, R"({"status":"done"})", "status"},
      {change, R"({"status":"closed","message":"x"})", "message"},
  };
  for (const auto& command : commands) {
    const std::string target = std::get<0>(command);
    const std::string body = std::get<1>(command);
    CAPTURE(target);
    CAPTURE(body);
    auto refused = a.f.post(a.mia, target, body);
    CHECK(refused.status == 400);
    CHECK(refused.json()["errors"].contains(std::get<2>(command)));
  }
  // Only clients open tickets.
  for (const auto* token : {&a.admin, &a.mia}) {
    CHECK(
        a.f.post(*token, "/api/support-tickets/", R"({"subject":"x","description":"y"})").status ==
        403);
  }
  CHECK(a.f.log->head().position == head);
  CHECK(a.f.get(a.alice, "/api/support-tickets/" + id + "/").json()["reply_count"] == 0);
}

TEST_CASE("a thread holds 500 replies: the 501st is 422 thread_full") {
  Agency a;
  const std::string id = a.open(a.alice, {{"service", "marketing"}})["id"];
  for (int number = 1; number <= 500; ++number) {
    auto replied = a.reply(number % 2 == 0 ? a.mia : a.alice, id, "#" + std::to_string(number));
    REQUIRE_MESSAGE(replied.status == 201, replied.body);
  }
  const auto head = a.f.log->head().position;
  auto full = a.reply(a.alice, id, "One more");
  CHECK(full.status == 422);
  CHECK(full.json()["code"] == "thread_full");
  CHECK(a.f.log->head().position == head);
  const auto thread = a.f.get(a.mia, "/api/support-tickets/" + id + "/").json();
  CHECK(thread["reply_count"] == 500);
  REQUIRE(thread["replies"].size() == 500);
  CHECK(thread["replies"][0]["message"] == "#1");
  CHECK(thread["replies"][499]["message"] == "#500");
  CHECK(a.move(a.mia, id, "resolved").status == 200);  // a full ticket still moves
}

TEST_CASE("agent performance shows each agent's median first reply time to support tickets") {
  Agency a;
  // mia answers alice's marketing tickets first after 60 s and 180 s; an admin answers the third
  // first (it counts for nobody) before mia does; web answers a ticket of no service after 30 s.
  auto open_and_answer = [&](const std::string& service, const std::string& first_by,
                             std::int64_t after_seconds) {
    nlohmann::json body = nlohmann::json::object();
    if (!service.empty()) body["service"] = service;
    std::string id = a.open(a.alice, body)["id"];
    REQUIRE(a.reply(a.alice, id, "Hello?").status == 201);  // the client's own does not count
    a.f.clock.advance_us(after_seconds * kMicrosPerSecond);
    REQUIRE(a.reply(first_by, id, "Here").status == 201);
    a.f.clock.advance_us(kMicrosPerHour);
    return id;
  };
  open_and_answer("marketing", a.mia, 60);
  const std::string later = open_and_answer("marketing", a.mia, 180);
  const std::string admins = open_and_answer("marketing", a.admin, 5);
  REQUIRE(a.reply(a.mia, admins, "Me too").status == 201);
  REQUIRE(a.reply(a.mia, later, "And again").status == 201);
  open_and_answer("", a.web, 30);
  CHECK(a.reply(a.web, admins, "x").status == 404);  // web does not see a marketing ticket

  auto report = a.f.call(a.admin, verb::get, "/api/admin/agents/performance/", "",
                         {{"X-Min-Position", std::to_string(a.f.log->head().position)}});
  REQUIRE_MESSAGE(report.status == 200, report.body);
  const auto body = report.json();
  std::map<std::string, nlohmann::json> medians;
  for (const auto& agent : body["agents"]) {
    medians[agent["agent_id"].get<std::string>()] = agent["median_first_reply_seconds"];
  }
  CHECK(medians[a.mia_id] == 120.0);  // of 60 and 180
  CHECK(medians[a.web_id] == 30.0);
  CHECK(medians[a.max_id].is_null());
}

}  // namespace
}  // namespace ledger
