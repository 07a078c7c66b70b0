// Tasks over HTTP: agents and admins create them, clients move their own along, scope hides other
// clients' tasks (404, like a missing one), role rules on changes, the list's filters and pages,
// the clock's overdue mark, and the notifications and emails (down to the .eml file) of each
// step.
#include <doctest/doctest.h>

#include "core/domain/deadline_sweeper.h"
#include "events/timestamp.h"
#include "tests/support/api_agency.h"
#include "tests/support/api_fixture.h"
#include "tests/support/delivered_emails.h"

namespace ledger {
namespace {

using boost::beast::http::verb;
using testing::ApiFixture;

struct Agency : testing::ApiAgency {
  // Creates a task as `token`; answers it.
  nlohmann::json create(const std::string& token, nlohmann::json body) {
    if (!body.contains("client") && !body.contains("client_id")) body["client"] = alice_id;
    if (!body.contains("title")) body["title"] = "Send the logo";
    if (!body.contains("priority")) body["priority"] = "high";
    auto created = f.post(token, "/api/tasks/", body.dump());
    REQUIRE_MESSAGE(created.status == 201, created.body);
    return created.json();
  }
};

using testing::position_of;

TEST_CASE("an agent's task for a client: the client moves it along, the agent hears it is done") {
  Agency a;
  const auto task = a.create(a.mia, {{"title", "Send the logo"},
                                     {"description", "PNG, 512 px"},
                                     {"service", "marketing"},
                                     {"due_date", "2026-11-30"}});
  CHECK(task["client_id"] == a.alice_id);
  CHECK(task["assigned_to"] == a.alice_id);  // the client by default
  CHECK(task["created_by"] == a.mia_id);
  CHECK(task["status"] == "todo");
  CHECK(task["priority"] == "high");
  CHECK(task["service"] == "marketing");
  CHECK(task["due_date"] == "2026-11-30");
  CHECK(task["overdue"] == false);
  CHECK(task["completed_at"].is_null());
  CHECK(task["position"].is_number());
  const std::string path = "/api/tasks/" + task["id"].get<std::string>() + "/";

  auto seen = a.f.get(a.alice, path);
  REQUIRE(seen.status == 200);
  CHECK(seen.json()["title"] == "Send the logo");
  CHECK(a.f.get(a.alice, "/api/tasks/").json()["count"] == 1);
  auto started = a.f.call(a.alice, verb::patch, path, R"({"status":"in_progress"})");
  REQUIRE_MESSAGE(started.status == 200, started.body);
  CHECK(started.json()["status"] == "in_progress");
  auto done = a.f.post(a.alice, path + "complete/");
  REQUIRE_MESSAGE(done.status == 200, done.body);
  CHECK(done.json()["status"] == "done");
  CHECK(done.json()["completed_by"] == a.alice_id);
  CHECK(done.json()["completed_at"] == events::format_rfc3339(a.f.clock.now_us()));

  // Done is final, for everyone and every way of changing it.
  for (const auto& [token, method, target, body] :
       {std::tuple{&a.alice, verb::patch, path, R"({"status":"in_progress"})"},
        {&a.mia, verb::patch, path, R"({"title":"Again"})"},
        {&a.mia, verb::post, path + "complete/", "{}"},
        {&a.admin, verb::delete_, path, ""}}) {
    auto refused = a.f.call(*token, method, target, body);
    CHECK(refused.status == 422);
    CHECK(refused.json()["code"] == "invalid_transition");
  }

  // mia's own task, assigned to herself and done by herself: nobody hears of their own doing.
  const std::string own = a.create(
      a.mia,
      {{"title", "Draft the plan"}, {"service", "marketing"}, {"assigned_to", a.mia_id}})["id"];
  auto own_done = a.f.post(a.mia, "/api/tasks/" + own + "/complete/");
  REQUIRE(own_done.status == 200);

  // alice heard of the task; mia (who created it, and alice's marketing agent) of its
  // completion, once; alice not of her own doing.
  const std::string at = own_done.header("X-Ledger-Position");
  const auto assigned = a.notifications(a.alice, "task_assigned", at);
  REQUIRE(assigned.size() == 1);
  CHECK(assigned[0]["message"] == "Send the logo was assigned to you, due 2026-11-30");
  CHECK(assigned[0]["link"] == path.substr(4, path.size() - 5));  // "/tasks/<id>"
  const auto completed = a.notifications(a.mia, "task_completed", at);
  REQUIRE(completed.size() == 1);
  CHECK(completed[0]["message"] == "The task Send the logo is done");
  CHECK(a.notifications(a.alice, "task_completed", at).empty());
  CHECK(a.notifications(a.web, "task_completed", at).empty());  // a marketing task
  CHECK(a.notifications(a.mia, "task_assigned", at).empty());
}

TEST_CASE("tasks out of scope are not found, exactly like a missing task, for every endpoint") {
  Agency a;
  const std::string id = a.create(a.mia, {{"service", "marketing"}})["id"];
  const std::string path = "/api/tasks/" + id + "/";
  const std::string missing = "/api/tasks/01JZZZZZZZZZZZZZZZZZZZZZZZ/";
  // Another client, a marketing agent of another client, alice's website agent (a marketing
  // task is not theirs).
  for (const auto* token : {&a.bob, &a.max, &a.web}) {
    for (const auto& [method, suffix, body] : {std::tuple{verb::get, "", ""},
                                               {verb::patch, "", R"({"status":"done"})"},
                                               {verb::post, "complete/", "{}"},
                                               {verb::delete_, "", ""}}) {
      if (token == &a.bob && method == verb::delete_) continue;  // clients may not cancel: 403
      const std::string shown_suffix = suffix;
      CAPTURE(shown_suffix);
      auto hidden = a.f.call(*token, method, path + suffix, body);
      auto absent = a.f.call(*token, method, missing + suffix, body);
      CHECK(hidden.status == 404);
      CHECK(hidden.body == absent.body);
    }
    CHECK(a.f.get(*token, "/api/tasks/").json()["count"] == 0);
    CHECK(a.f.get(*token, "/api/tasks/?client=" + a.alice_id).json()["count"] == 0);
  }
  // A task of no service is seen by every agent serving the client.
  const std::string general = a.create(a.admin, {{"title", "Sign the contract"}})["id"];
  CHECK(a.f.get(a.web, "/api/tasks/" + general + "/").status == 200);
  CHECK(a.f.get(a.web, "/api/tasks/").json()["count"] == 1);
  CHECK(a.f.get(a.mia, "/api/tasks/").json()["count"] == 2);
  CHECK(a.f.get(a.max, "/api/tasks/" + general + "/").status == 404);
  CHECK(a.f.get(a.admin, "/api/tasks/").json()["count"] == 2);
  // Nothing changed by the refused calls.
  CHECK(a.f.get(a.alice, path).json()["status"] == "todo");

  // Creating for a client out of scope answers like an unknown client, byte for byte.
  const std::string unknown = "01JUNKNOWNCLIENT0000000000";
  // max serves bob, not alice; web serves alice, not bob.
  for (const auto& [token, hidden] : {std::pair{&a.max, a.alice_id}, {&a.web, a.bob_id}}) {
    auto out_of_scope =
        a.f.post(*token, "/api/tasks/",
                 nlohmann::json{{"client", hidden}, {"title", "x"}, {"priority", "low"}}.dump());
    auto not_a_client =
        a.f.post(*token, "/api/tasks/",
                 nlohmann::json{{"client", a.mia_id}, {"title", "x"}, {"priority", "low"}}.dump());
    auto absent =
        a.f.post(*token, "/api/tasks/",
                 nlohmann::json{{"client", unknown}, {"title", "x"}, {"priority", "low"}}.dump());
    CHECK(out_of_scope.status == 404);
    CHECK(out_of_scope.body == absent.body);
    CHECK(not_a_client.body == absent.body);
    CHECK(absent.json()["detail"] == "there is no such client");
  }
}

TEST_CASE("who may do what: clients move their own tasks along, agents keep to their service") {
  Agency a;
  const std::string hers = a.create(a.mia, {})["id"];
  const std::string mias = a.create(a.mia, {{"assigned_to", a.mia_id}})["id"];
  const std::string path = "/api/tasks/" + hers + "/";
  // Clients do not create or cancel tasks.
  CHECK(a.f.post(a.alice, "/api/tasks/",
                 nlohmann::json{{"client", a.alice_id}, {"title", "x"}, {"priority", "low"}}.dump())
            .status == 403);
  CHECK(a.f.call(a.alice, verb::delete_, path).status == 403);
  // A client changes nothing but the status, and only to in_progress or done.
  for (const char* body :
       {R"({"title":"Mine now"})", R"({"priority":"low"})", R"({"assigned_to":"someone"})",
        R"({"due_date":"2026-12-01"})", R"({"status":"cancelled"})", R"({"status":"todo"})",
        R"({"status":"done","description":"x"})"}) {
    CAPTURE(body);
    auto refused = a.f.call(a.alice, verb::patch, path, body);
    CHECK(refused.status == 403);
  }
  // ... and only on tasks assigned to them.
  const std::string other = "/api/tasks/" + mias + "/";
  CHECK(a.f.call(a.alice, verb::patch, other, R"({"status":"in_progress"})").status == 403);
  CHECK(a.f.post(a.alice, other + "complete/").status == 403);
  CHECK(a.f.get(a.alice, other).json()["status"] == "todo");
  CHECK(a.f.call(a.alice, verb::patch, path, R"({"status":"done"})").json()["status"] == "done");

  // An agent's tasks are of the agent's service or of none.
  auto website = a.f.post(
      a.mia, "/api/tasks/",
      nlohmann::json{
          {"client", a.alice_id}, {"title", "x"}, {"priority", "low"}, {"service", "website"}}
          .dump());
  CHECK(website.status == 403);
  CHECK(website.json()["errors"].contains("service"));
  CHECK(a.f.call(a.mia, verb::patch, other, R"({"service":"website"})").status == 403);
  // Agents and admins change everything else and cancel.
  auto changed = a.f.call(a.mia, verb::patch, other,
                          R"({"title":"Call the printer","priority":"low","due_date":"2026-12-24",)"
                          R"("description":"Ask for 500","status":"in_progress"})");
  REQUIRE_MESSAGE(changed.status == 200, changed.body);
  CHECK(changed.json()["title"] == "Call the printer");
  CHECK(changed.json()["priority"] == "low");
  CHECK(changed.json()["due_date"] == "2026-12-24");
  CHECK(changed.json()["status"] == "in_progress");
  auto cancelled = a.f.call(a.admin, verb::delete_, other);
  REQUIRE(cancelled.status == 200);
  CHECK(cancelled.json()["status"] == "cancelled");
  CHECK(cancelled.json()["cancelled_by"] != nullptr);
  CHECK(a.f.get(a.mia, other).json()["status"] == "cancelled");  // it stays, cancelled
}

TEST_CASE("task input is checked field by field, the assignee must be one who may hold it") {
  Agency a;
  const auto head = a.f.log->head().position;
  const std::string client = "\"client\":\"" + a.alice_id + "\"";
  for (const std::string& body : std::vector<std::string>{
           R"({"title":"x","priority":"low"})",                    // no client
           "{" + client + R"(,"priority":"low"})",                 // no title
           "{" + client + R"(,"title":"x"})",                      // no priority
           "{" + client + R"(,"title":"x","priority":"urgent"})",  //
           "{" + client + R"(,"title":"  ","priority":"low"})",    //
           "{" + client + R"(,"title":"x","priority":"low","service":"plumbing"})",
           "{" + client + R"(,"title":"x","priority":"low","due_date":"2026-11-22"})",
           "{" + client + R"(,"title":"x","priority":"low","due_date":"tomorrow"})",
           "{" + client + R"(,"title":"x","priority":"low","status":"done"})",
           "{" + client + R"(,"client_id":"other","title":"x","priority":"low"})",
           "{" + client + R"(,"title":"x","priority":"low","assigned_to":")" + a.bob_id + "\"}",
           "{" + client + R"(,"title":"x","priority":"low","assigned_to":")" + a.max_id + "\"}",
           "{" + client + R"(,"title":"x","priority":"low","service":"marketing","assigned_to":")" +
               a.web_id + "\"}",
           "{" + client + R"(,"title":"x","priority":"low","assigned_to":"nobody"})"}) {
    CAPTURE(body);
    auto refused = a.f.post(a.admin, "/api/tasks/", body);
    CHECK(refused.status == 400);
    CHECK(refused.header("Content-Type") == "application/problem+json");
  }
  auto stranger = a.f.post(
      a.admin, "/api/tasks/",
      nlohmann::json{
          {"client", a.alice_id}, {"title", "x"}, {"priority", "low"}, {"assigned_to", a.max_id}}
          .dump());
  CHECK(stranger.json()["errors"].contains("assigned_to"));
  CHECK(a.f.log->head().position == head);

  // Who may hold it: the client, an agent serving the client (for the service), an admin; the
  // seed's name for the client and ours alike.
  const auto admin_id = a.f.get(a.admin, "/api/auth/me/").json()["id"].get<std::string>();
  CHECK(a.create(a.admin, {{"client_id", a.alice_id}, {"assigned_to", a.web_id}})["assigned_to"] ==
        a.web_id);
  CHECK(a.create(a.admin, {{"client", a.alice_id},
                           {"client_id", a.alice_id},
                           {"assigned_to", admin_id},
                           {"service", "courses"}})["assigned_to"] == admin_id);
  CHECK(a.create(a.mia, {{"assigned_to", a.mia_id}, {"service", "marketing"}})["assigned_to"] ==
        a.mia_id);
  // Handing over checks the same.
  const std::string id = a.create(a.mia, {{"service", "marketing"}})["id"];
  auto handed = a.f.call(a.mia, verb::patch, "/api/tasks/" + id + "/",
                         R"({"assigned_to":")" + a.web_id + "\"}");
  CHECK(handed.status == 400);
  CHECK(handed.json()["errors"].contains("assigned_to"));
}

TEST_CASE("the list filters by status, client, assignee and the overdue mark, in pages") {
  Agency a;
  const std::string first = a.create(a.mia, {{"due_date", "2026-11-23"}})["id"];
  const std::string second = a.create(a.mia, {{"assigned_to", a.mia_id}})["id"];
  const std::string bobs = a.create(a.max, {{"client", a.bob_id}})["id"];
  const std::string third = a.create(a.admin, {{"due_date", "2026-11-24"}})["id"];
  REQUIRE(a.f.post(a.mia, "/api/tasks/" + second + "/complete/").status == 200);

  auto ids = [&](const std::string& token, const std::string& query) {
    auto answer = a.f.get(token, "/api/tasks/" + query);
    REQUIRE_MESSAGE(answer.status == 200, answer.body);
    const auto body = answer.json();
    std::vector<std::string> found;
    for (const auto& task : body["results"]) found.push_back(task["id"]);
    CHECK(body["count"] == found.size());
    return found;
  };
  using Ids = std::vector<std::string>;
  CHECK(ids(a.admin, "") == Ids{third, bobs, second, first});  // newest first
  CHECK(ids(a.admin, "?client=" + a.alice_id) == Ids{third, second, first});
  CHECK(ids(a.admin, "?client_id=" + a.bob_id) == Ids{bobs});
  CHECK(ids(a.admin, "?status=done") == Ids{second});
  CHECK(ids(a.admin, "?status=todo&client=" + a.alice_id) == Ids{third, first});
  CHECK(ids(a.admin, "?assigned_to=" + a.mia_id) == Ids{second});
  CHECK(ids(a.admin, "?assigned_to=" + a.alice_id + "&status=todo") == Ids{third, first});
  CHECK(ids(a.alice, "?client=" + a.bob_id).empty());
  CHECK(ids(a.mia, "") == Ids{third, second, first});
  CHECK(ids(a.max, "") == Ids{bobs});
  CHECK(ids(a.admin, "?overdue=true").empty());
  CHECK(a.f.get(a.admin, "/api/tasks/?status=gone").status == 400);
  CHECK(a.f.get(a.admin, "/api/tasks/?overdue=maybe").status == 400);
  CHECK(a.f.get(a.admin, "/api/tasks/?client=" + a.alice_id + "&client_id=" + a.bob_id).status ==
        400);

  // The clock passes the end of the first due date: the sweeper marks it, once.
  a.f.clock.set_us(*events::parse_rfc3339("2026-11-24T00:00:00Z"));
  domain::DeadlineSweeper sweeper(*a.f.log, a.f.ledger, a.f.clock, a.f.ids);
  auto swept = sweeper.sweep_once();
  REQUIRE(swept.ok());
  CHECK(swept->commands_submitted == 1);
  CHECK(sweeper.sweep_once()->commands_submitted == 0);
  CHECK(ids(a.admin, "?overdue=true") == Ids{first});
  CHECK(ids(a.alice, "?overdue=true") == Ids{first});
  CHECK(ids(a.admin, "?overdue=false&client=" + a.alice_id) == Ids{third, second});
  CHECK(a.f.get(a.alice, "/api/tasks/" + first + "/").json()["overdue"] == true);

  // Pages of one, forwards and back.
  auto page = a.f.get(a.admin, "/api/tasks/?limit=1").json();
  CHECK(page["count"] == 4);
  REQUIRE(page["results"].size() == 1);
  CHECK(page["results"][0]["id"] == third);
  CHECK(page["previous"].is_null());
  const std::string next = page["next"];
  auto second_page = a.f.get(a.admin, next.substr(next.find("/api/"))).json();
  REQUIRE(second_page["results"].size() == 1);
  CHECK(second_page["results"][0]["id"] == bobs);
}

TEST_CASE("assignment, completion and the overdue mark notify and email the right people") {
  Agency a;
  // mia hands a task of alice's to web, who finishes it: web hears of the task, mia (who
  // created it) of its completion. Titles are the agency's words, escaped wherever they land.
  const auto task = a.create(
      a.mia,
      {{"title", "Logo <b>v2</b> & co"}, {"description", "PNG & SVG"}, {"due_date", "2026-11-23"}});
  const std::string path = "/api/tasks/" + task["id"].get<std::string>() + "/";
  auto handed = a.f.call(a.mia, verb::patch, path,
                         R"({"assigned_to":")" + a.web_id + R"(","priority":"low"})");
  REQUIRE_MESSAGE(handed.status == 200, handed.body);
  CHECK(handed.json()["assigned_to"] == a.web_id);

  a.f.clock.set_us(*events::parse_rfc3339("2026-11-24T08:00:00Z"));
  domain::DeadlineSweeper sweeper(*a.f.log, a.f.ledger, a.f.clock, a.f.ids);
  REQUIRE(sweeper.sweep_once().ok());
  CHECK(a.f.get(a.web, path).json()["overdue"] == true);
  auto done = a.f.post(a.web, path + "complete/");
  REQUIRE_MESSAGE(done.status == 200, done.body);
  CHECK(done.json()["overdue"] == false);  // done: no longer overdue

  const std::string at = done.header("X-Ledger-Position");
  const auto to_web = a.notifications(a.web, "task_assigned", at);
  REQUIRE(to_web.size() == 1);
  CHECK(to_web[0]["message"] == "Logo <b>v2</b> & co was assigned to you, due 2026-11-23");
  CHECK(a.notifications(a.alice, "task_assigned", at).size() == 1);  // at creation
  const auto overdue = a.notifications(a.web, "task_overdue", at);
  REQUIRE(overdue.size() == 1);
  CHECK(overdue[0]["message"] ==
        "The task Logo <b>v2</b> & co was due 2026-11-23 and is not done yet");
  CHECK(a.notifications(a.alice, "task_overdue", at).empty());  // no longer hers
  CHECK(a.notifications(a.mia, "task_completed", at).size() == 1);
  CHECK(a.notifications(a.web, "task_completed", at).empty());  // their own doing

  // The emails, as the delivery worker writes them.
  const auto emails = testing::delivered_emails(a.f, position_of(done));
  // The subjects of the emails to `address`, sorted, one a line.
  auto subjects_to = [&](const std::string& address) {
    std::vector<std::string> subjects;
    auto [begin, end] = emails.equal_range(address);
    for (auto it = begin; it != end; ++it)
      subjects.push_back(testing::header_value(it->second, "Subject"));
    std::sort(subjects.begin(), subjects.end());
    std::string lines;
    for (const auto& subject : subjects) lines += subject + "\n";
    return lines;
  };
  std::string everyone;
  for (const auto& [to, message] : emails) {
    everyone += to + ": " + testing::header_value(message, "Subject") + "\n";
  }
  INFO(everyone);
  CHECK(subjects_to("web@x.com") ==
        "New task: Logo <b>v2</b> & co\nTask overdue: Logo <b>v2</b> & co\nWelcome to the "
        "platform\n");
  CHECK(subjects_to("mia@x.com") == "Task done: Logo <b>v2</b> & co\nWelcome to the platform\n");
  CHECK(subjects_to("alice@x.com") ==
        "New task: Logo <b>v2</b> & co\nWelcome to the platform\n");  // at creation
  auto [begin, end] = emails.equal_range("web@x.com");
  bool seen_assignment = false;
  for (auto it = begin; it != end; ++it) {
    const auto& message = it->second;
    if (!testing::header_value(message, "Subject").starts_with("New task")) continue;
    seen_assignment = true;
    REQUIRE(message.parts.size() == 2);
    CHECK(message.parts[0].body ==
          "A task was assigned to you: Logo <b>v2</b> & co.\n\nPNG & SVG\n\nPriority: low. Due "
          "2026-11-23.");
    const std::string& html = message.parts[1].body;
    CHECK(html.find("Logo &lt;b&gt;v2&lt;/b&gt; &amp; co") != std::string::npos);
    CHECK(html.find("<b>") == std::string::npos);
  }
  CHECK(seen_assignment);
}

}  // namespace
}  // namespace ledger
