// Service settings end to end: a client lists their three services with ids, activity, agents
// and settings, changes the allow-listed settings of one, and sees and changes only their own.
#include <doctest/doctest.h>

#include "tests/support/api_agency.h"

namespace ledger {
namespace {

using boost::beast::http::verb;
using testing::ApiAgency;

std::string update_path(const std::string& id) {
  return "/api/service-settings/" + id + "/update_settings/";
}

TEST_CASE("a client lists each service with its id, whether active, its agent and its settings") {
  ApiAgency a;
  REQUIRE(a.f.post(a.alice, "/api/service-settings/activate_service/", R"({"service":"website"})")
              .status == 200);
  auto listed = a.f.get(a.alice, "/api/service-settings/");
  REQUIRE_MESSAGE(listed.status == 200, listed.body);
  const nlohmann::json list = listed.json();
  CHECK(list["count"] == 3);
  CHECK(list["next"].is_null());
  const auto& services = list["results"];
  REQUIRE(services.size() == 3);

  CHECK(services[0]["id"] == a.alice_id + "-marketing");
  CHECK(services[0]["service"] == "marketing");
  CHECK(services[0]["is_active"] == false);
  CHECK(services[0]["agent"]["id"] == a.mia_id);
  CHECK(services[0]["agent"]["email"] == "mia@x.com");
  CHECK(services[0]["settings"] == nlohmann::json{{"posting_timezone", "UTC"},
                                                  {"approval_required", true},
                                                  {"weekly_report", true}});
  CHECK(services[0]["updated_at"].is_null());

  CHECK(services[1]["id"] == a.alice_id + "-website");
  CHECK(services[1]["is_active"] == true);
  CHECK(services[1]["agent"]["id"] == a.web_id);
  CHECK(services[1]["settings"] ==
        nlohmann::json{{"preferred_stack", "no_preference"}, {"staging_notifications", true}});

  CHECK(services[2]["id"] == a.alice_id + "-courses");
  CHECK(services[2]["agent"].is_null());
  CHECK(services[2]["settings"] == nlohmann::json{{"learning_reminders", "weekly"}});

  // Bob sees his own services, with his own ids and agent.
  const nlohmann::json bobs = a.f.get(a.bob, "/api/service-settings/").json();
  CHECK(bobs["results"][0]["id"] == a.bob_id + "-marketing");
  CHECK(bobs["results"][0]["agent"]["id"] == a.max_id);
  CHECK(bobs["results"][1]["agent"].is_null());
}

TEST_CASE(
    "a change sets the settings it names, keeps the rest, and writes nothing when nothing "
    "changes") {
  ApiAgency a;
  const std::string marketing = update_path(a.alice_id + "-marketing");
  auto changed =
      a.f.call(a.alice, verb::patch, marketing,
               R"({"settings":{"posting_timezone":"Europe/Paris","weekly_report":false}})");
  REQUIRE_MESSAGE(changed.status == 200, changed.body);
  const nlohmann::json answer = changed.json();
  CHECK(answer["id"] == a.alice_id + "-marketing");
  CHECK(answer["agent"]["id"] == a.mia_id);
  CHECK(answer["settings"] == nlohmann::json{{"posting_timezone", "Europe/Paris"},
                                             {"approval_required", true},
                                             {"weekly_report", false}});
  CHECK_FALSE(answer["updated_at"].is_null());
  CHECK(answer["position"] == a.f.log->head().position);
  CHECK(changed.header("X-Ledger-Position") == std::to_string(a.f.log->head().position));

  const auto head = a.f.log->head().position;
  CHECK(a.f.call(a.alice, verb::patch, marketing,
                 R"({"settings":{"weekly_report":false,"approval_required":null}})")
            .status == 200);
  CHECK(a.f.call(a.alice, verb::patch, marketing, R"({"settings":{}})").status == 200);
  CHECK(a.f.log->head().position == head);

  auto website =
      a.f.call(a.alice, verb::patch, update_path(a.alice_id + "-website"),
               R"({"settings":{"preferred_stack":"nextjs","staging_notifications":false}})");
  REQUIRE_MESSAGE(website.status == 200, website.body);
  auto courses = a.f.call(a.alice, verb::patch, update_path(a.alice_id + "-courses"),
                          R"({"settings":{"learning_reminders":"off"}})");
  REQUIRE_MESSAGE(courses.status == 200, courses.body);

  const nlohmann::json listed = a.f.get(a.alice, "/api/service-settings/").json();
  CHECK(listed["results"][0]["settings"]["posting_timezone"] == "Europe/Paris");
  CHECK(listed["results"][1]["settings"] ==
        nlohmann::json{{"preferred_stack", "nextjs"}, {"staging_notifications", false}});
  CHECK(listed["results"][2]["settings"] == nlohmann::json{{"learning_reminders", "off"}});
  // Bob's are still the defaults.
  CHECK(a.f.get(a.bob, "/api/service-settings/")
            .json()["results"][0]["settings"]["posting_timezone"] == "UTC");
}

TEST_CASE("a client changes only their own settings: any other id is 404 and writes nothing") {
  ApiAgency a;
  const auto head = a.f.log->head().position;
  const std::string body = R"({"settings":{"weekly_report":false}})";
  for (const std::string& id :
       {a.alice_id + "-marketing", a.bob_id + "-gardening", a.bob_id, std::string("marketing"),
        a.bob_id + "-marketing-marketing", std::string(26, '0') + "-marketing"}) {
    CAPTURE(id);
    auto answer = a.f.call(a.bob, verb::patch, update_path(id), body);
    CHECK(answer.status == 404);
    CHECK(answer.json()["code"] == "not_found");
  }
  CHECK(a.f.log->head().position == head);
  // The same answer whether the id is someone else's or no one's.
  CHECK(a.f.call(a.bob, verb::patch, update_path(a.alice_id + "-marketing"), body).json() ==
        a.f.call(a.bob, verb::patch, update_path("nobody-marketing"), body).json());
  CHECK(a.f.call(a.bob, verb::patch, update_path(a.bob_id + "-marketing"), body).status == 200);
  CHECK(a.f.get(a.alice, "/api/service-settings/")
            .json()["results"][0]["settings"]["weekly_report"] == true);

  // Staff have no service settings of their own.
  CHECK(a.f.get(a.admin, "/api/service-settings/").status == 403);
  CHECK(a.f.get(a.mia, "/api/service-settings/").status == 403);
  CHECK(a.f.call(a.mia, verb::patch, update_path(a.alice_id + "-marketing"), body).status == 403);
}

}  // namespace
}  // namespace ledger
