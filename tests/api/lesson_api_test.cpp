// Courses end to end beyond purchases: lessons written by admins and read by everyone (content
// only with access), a client buying from the wallet and learning, progress, the completion and
// its certificate checked against the hash-chained log, access by subscription, and changing and
// deleting a course.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "tests/support/api_agency.h"

namespace ledger {
namespace {

using boost::beast::http::verb;
using testing::ApiAgency;
using testing::position_of;

struct Course {
  std::string id;
  std::string path;  // "/api/courses/<id>/"
};

Course create_course(ApiAgency& a, const std::string& body) {
  auto created = a.f.post(a.admin, "/api/courses/", body);
  REQUIRE_MESSAGE(created.status == 201, created.body);
  const std::string id = created.json()["id"];
  return {id, "/api/courses/" + id + "/"};
}

std::string add_lesson(ApiAgency& a, const Course& course, const nlohmann::json& lesson) {
  auto added = a.f.post(a.admin, course.path + "lessons/", lesson.dump());
  REQUIRE_MESSAGE(added.status == 201, added.body);
  return added.json()["id"];
}

std::string text_lesson(ApiAgency& a, const Course& course, const std::string& title,
                        const std::string& module, int order) {
  return add_lesson(a, course,
                    {{"title", title},
                     {"module", module},
                     {"order", order},
                     {"body", "The text of " + title},
                     {"duration_minutes", 12}});
}

// The balance of `account` in the trial balance, and the sum of all of them.
std::pair<std::string, std::string> trial_balance(ApiAgency& a, const std::string& account) {
  auto answer = a.f.get(a.admin, "/api/ledger/accounts/?limit=500");
  REQUIRE(answer.status == 200);
  const nlohmann::json accounts = answer.json();
  std::string balance = "0.00";
  for (const auto& row : accounts["results"]) {
    if (row["account"] == account) balance = row["balance"];
  }
  return {balance, accounts["sum_of_balances"]};
}

std::vector<std::string> titles(const nlohmann::json& list) {
  std::vector<std::string> names;
  names.reserve(list["results"].size());
  for (const auto& item : list["results"]) names.push_back(item["title"]);
  return names;
}

TEST_CASE(
    "a client buys a course from the wallet, reads its lessons, completes them and gets a "
    "certificate that the ledger's events and head verify") {
  ApiAgency a;
  const Course seo = create_course(a, R"({"title":"SEO basics","price":"25.00"})");
  const std::string second = text_lesson(a, seo, "Keywords", "1 Basics", 2);
  const std::string first = text_lesson(a, seo, "What SEO is", "1 Basics", 1);
  const std::string video = add_lesson(a, seo,
                                       {{"title", "Link building"},
                                        {"module", "2 Advanced"},
                                        {"order", 0},
                                        {"video_url", "https://videos.example.com/links.mp4"},
                                        {"duration_minutes", 30}});
  CHECK(a.f.get(a.admin, seo.path).json()["lesson_count"] == 3);

  // Before buying: titles, modules, order and durations, no content; nothing to complete.
  auto locked = a.f.get(a.alice, seo.path + "lessons/");
  REQUIRE(locked.status == 200);
  CHECK(locked.json()["count"] == 3);
  CHECK(titles(locked.json()) ==
        std::vector<std::string>{"What SEO is", "Keywords", "Link building"});
  const nlohmann::json locked_lessons = locked.json()["results"];
  for (const auto& lesson : locked_lessons) {
    CHECK(lesson["body"].is_null());
    CHECK(lesson["video_url"].is_null());
    CHECK(lesson["is_accessible"] == false);
    CHECK(lesson["duration_minutes"].get<int>() > 0);
  }
  CHECK(locked.json()["results"][2]["content_type"] == "video");
  auto refused = a.f.post(a.alice, seo.path + "lessons/" + first + "/complete/");
  CHECK(refused.status == 422);
  CHECK(refused.json()["code"] == "course_not_accessible");

  // Bought from the wallet: the money is in the trial balance.
  a.f.fund(a.admin, a.alice, "30.00");
  const auto revenue_before = trial_balance(a, "revenue:courses").first;
  auto bought = a.f.post(a.alice, seo.path + "purchase/", R"({"payment_method":"wallet"})");
  REQUIRE_MESSAGE(bought.status == 201, bought.body);
  CHECK(bought.json()["balance"] == "5.00");
  CHECK(revenue_before == "0.00");
  const auto [revenue, sum] = trial_balance(a, "revenue:courses");
  CHECK(revenue == "25.00");
  CHECK(trial_balance(a, "wallet:" + a.alice_id).first == "5.00");
  CHECK(sum == "0.00");

  auto open = a.f.get(a.alice, seo.path + "lessons/");
  REQUIRE(open.status == 200);
  CHECK(open.json()["results"][0]["body"] == "The text of What SEO is");
  CHECK(open.json()["results"][0]["video_url"].is_null());
  CHECK(open.json()["results"][2]["video_url"] == "https://videos.example.com/links.mp4");
  CHECK(open.json()["results"][2]["body"].is_null());
  auto one = a.f.get(a.alice, seo.path + "lessons/" + second + "/");
  REQUIRE(one.status == 200);
  CHECK(one.json()["body"] == "The text of Keywords");
  CHECK(one.json()["is_completed"] == false);

  auto none_yet = a.f.get(a.alice, seo.path + "certificate/");
  CHECK(none_yet.status == 404);

  // Each lesson once: again is the same answer, and nothing is written.
  auto done = a.f.post(a.alice, seo.path + "lessons/" + first + "/complete/");
  REQUIRE_MESSAGE(done.status == 200, done.body);
  CHECK(done.json()["completed"] == 1);
  CHECK(done.json()["total"] == 3);
  CHECK(done.json()["percent"] == 33);
  CHECK(done.json()["is_completed"] == false);
  const auto head = a.f.log->head().position;
  auto again = a.f.post(a.alice, seo.path + "lessons/" + first + "/complete/");
  REQUIRE(again.status == 200);
  CHECK(a.f.log->head().position == head);
  CHECK(again.json()["completed"] == 1);
  auto progress = a.f.get(a.alice, seo.path + "progress/");
  REQUIRE(progress.status == 200);
  CHECK(progress.json()["completed"] == 1);
  CHECK(progress.json()["total"] == 3);
  CHECK(progress.json()["percent"] == 33);
  CHECK(progress.json()["completed_lessons"] == nlohmann::json::array({first}));
  CHECK(a.f.get(a.alice, seo.path + "lessons/").json()["results"][0]["is_completed"] == true);

  REQUIRE(a.f.post(a.alice, seo.path + "lessons/" + video + "/complete/").status == 200);
  auto last = a.f.post(a.alice, seo.path + "lessons/" + second + "/complete/");
  REQUIRE(last.status == 200);
  CHECK(last.json()["percent"] == 100);
  CHECK(last.json()["is_completed"] == true);
  CHECK(last.json()["completed_at"].is_string());
  const std::string certificate_id = last.json()["certificate_id"];

  // The certificate: the completion event's position and hash.
  auto certificate = a.f.get(a.alice, seo.path + "certificate/");
  REQUIRE_MESSAGE(certificate.status == 200, certificate.body);
  const nlohmann::json cert = certificate.json();
  CHECK(cert["id"] == certificate_id);
  CHECK(cert["user"] == a.alice_id);
  CHECK(cert["user_name"] == "User alice@x.com");
  CHECK(cert["course"] == seo.id);
  CHECK(cert["course_title"] == "SEO basics");
  CHECK(cert["lessons_completed"] == 3);
  CHECK(cert["completed_at"] == last.json()["completed_at"]);
  CHECK(cert["position"] == last.json()["position"]);
  const std::uint64_t position = cert["position"];
  // Nothing was written since: the completion is the head of the chain.
  auto ledger_head = a.f.get("", "/api/ledger/head/");
  REQUIRE(ledger_head.status == 200);
  CHECK(ledger_head.json()["position"] == position);
  CHECK(ledger_head.json()["hash"] == cert["hash"]);
  auto events =
      a.f.get(a.admin, "/api/ledger/events/?after=" + std::to_string(position - 1) + "&limit=1");
  REQUIRE(events.status == 200);
  const nlohmann::json event = events.json()["results"][0];
  CHECK(event["position"] == position);
  CHECK(event["hash"] == cert["hash"]);
  CHECK(event["type"] == "CourseFinished");
  CHECK(event["stream_id"] == cert["stream_id"]);
  CHECK(event["stream_id"] == "course-certificate:" + certificate_id);
  CHECK(event["data"]["user_id"] == a.alice_id);
  CHECK(event["data"]["course_id"] == seo.id);
  CHECK(event["data"]["certificate_id"] == certificate_id);
  // The chain goes on from it: the next event's previous hash is the certificate's hash.
  REQUIRE(a.f.post(a.bob, seo.path + "purchase/", R"({"payment_method":"paypal"})").status == 201);
  auto next =
      a.f.get(a.admin, "/api/ledger/events/?after=" + std::to_string(position) + "&limit=1");
  REQUIRE(next.json()["results"].size() == 1);
  CHECK(next.json()["results"][0]["previous_hash"] == cert["hash"]);
  CHECK(a.f.get("", "/api/ledger/head/").json()["position"].get<std::uint64_t>() > position);
  // The same certificate tomorrow.
  CHECK(a.f.get(a.alice, seo.path + "certificate/").json() == cert);

  // The client hears of it.
  auto heard = a.notifications(a.alice, "course_completed", position_of(last));
  REQUIRE(heard.size() == 1);
  CHECK(heard[0]["link"] == "/courses/" + seo.id);

  // Bob (a pending PayPal purchase) reads no content, completes nothing, has no certificate.
  auto bobs = a.f.get(a.bob, seo.path + "lessons/" + first + "/");
  CHECK(bobs.json()["body"].is_null());
  CHECK(bobs.json()["is_accessible"] == false);
  CHECK(a.f.post(a.bob, seo.path + "lessons/" + first + "/complete/").json()["code"] ==
        "course_not_accessible");
  auto bobs_progress = a.f.get(a.bob, seo.path + "progress/");
  CHECK(bobs_progress.json()["completed"] == 0);
  CHECK(bobs_progress.json()["total"] == 3);
  CHECK(a.f.get(a.bob, seo.path + "certificate/").status == 404);
  // Staff read the content; only clients learn.
  CHECK(a.f.get(a.web, seo.path + "lessons/" + first + "/").json()["body"] ==
        "The text of What SEO is");
  CHECK(a.f.post(a.admin, seo.path + "lessons/" + first + "/complete/").status == 403);
  CHECK(a.f.get(a.admin, seo.path + "progress/").status == 403);
  CHECK(a.f.post(a.alice, seo.path + "lessons/nope/complete/").status == 404);
  CHECK(a.f.get(a.alice, "/api/courses/nope/lessons/").status == 404);
}

TEST_CASE(
    "an active subscription to the courses service opens every course, cancelled, it opens "
    "nothing, and certificates stay") {
  ApiAgency a;
  const Course ads = create_course(a, R"({"title":"Ads","price":"40.00"})");
  const std::string lesson = text_lesson(a, ads, "Budgets", "Basics", 1);
  auto marketing = a.f.post(a.admin, "/api/subscriptions/",
                            nlohmann::json{{"client_id", a.bob_id},
                                           {"plan", "Growth"},
                                           {"service", "marketing"},
                                           {"price", "20.00"},
                                           {"renews_on", "2026-12-23"},
                                           {"pays_from_wallet", false}}
                                .dump());
  REQUIRE_MESSAGE(marketing.status == 201, marketing.body);
  CHECK(a.f.get(a.bob, ads.path).json()["is_accessible"] == false);

  auto courses = a.f.post(a.admin, "/api/subscriptions/",
                          nlohmann::json{{"client_id", a.bob_id},
                                         {"plan", "Learner"},
                                         {"service", "courses"},
                                         {"price", "15.00"},
                                         {"renews_on", "2026-12-23"},
                                         {"pays_from_wallet", false}}
                              .dump());
  REQUIRE_MESSAGE(courses.status == 201, courses.body);
  auto seen = a.f.get(a.bob, ads.path).json();
  CHECK(seen["is_accessible"] == true);
  CHECK(seen["is_purchased"] == false);
  CHECK(a.f.get(a.alice, ads.path).json()["is_accessible"] == false);  // bob's alone
  auto listed = a.f.get(a.bob, ads.path + "lessons/");
  CHECK(listed.json()["results"][0]["body"] == "The text of Budgets");
  auto completed = a.f.post(a.bob, ads.path + "lessons/" + lesson + "/complete/");
  REQUIRE_MESSAGE(completed.status == 200, completed.body);
  CHECK(completed.json()["is_completed"] == true);
  // finish/ answers no purchase: the access came from the subscription.
  auto finished_again = a.f.post(a.bob, ads.path + "finish/");
  CHECK(finished_again.json()["code"] == "already_finished");

  auto cancelled = a.f.post(
      a.admin, "/api/subscriptions/" + courses.json()["id"].get<std::string>() + "/cancel/",
      R"({"reason":"ended"})");
  REQUIRE_MESSAGE(cancelled.status == 200, cancelled.body);
  CHECK(a.f.get(a.bob, ads.path).json()["is_accessible"] == false);
  CHECK(a.f.get(a.bob, ads.path + "lessons/").json()["results"][0]["body"].is_null());
  CHECK(a.f.get(a.bob, ads.path + "certificate/").status == 200);
  CHECK(a.f.get(a.bob, ads.path + "progress/").json()["is_completed"] == true);
}

TEST_CASE(
    "admins change and delete courses: a deleted course leaves the catalogue but stays with those "
    "who bought it") {
  ApiAgency a;
  const Course seo = create_course(a, R"({"title":"SEO","price":"10.00"})");
  const Course ads = create_course(a, R"({"title":"Ads","price":"10.00"})");
  const std::string lesson = text_lesson(a, seo, "One", "Basics", 1);
  text_lesson(a, seo, "Two", "Basics", 2);
  a.f.fund(a.admin, a.alice, "10.00");
  REQUIRE(a.f.post(a.alice, seo.path + "purchase/", R"({"payment_method":"wallet"})").status ==
          201);

  CHECK(a.f.call(a.alice, verb::patch, seo.path, R"({"title":"Mine"})").status == 403);
  auto changed = a.f.call(a.admin, verb::patch, seo.path,
                          R"({"title":"SEO 2","price":"12.50","access_days":30})");
  REQUIRE_MESSAGE(changed.status == 200, changed.body);
  CHECK(changed.json()["title"] == "SEO 2");
  CHECK(changed.json()["price"] == "12.50");
  CHECK(changed.json()["access_days"] == 30);
  CHECK(changed.json()["updated_at"].is_string());
  CHECK(changed.json()["position"].is_number());
  auto purchases = a.f.get(a.alice, "/api/courses/my_purchases/").json();
  CHECK(purchases["results"][0]["amount_paid"] == "10.00");  // what she paid
  CHECK(purchases["results"][0]["access_expires_at"].is_null());
  auto lifetime = a.f.call(a.admin, verb::patch, seo.path, R"({"access_days":0,"is_free":true})");
  REQUIRE(lifetime.status == 200);
  CHECK(lifetime.json()["access_days"].is_null());
  CHECK(lifetime.json()["price"] == "0.00");
  CHECK(a.f.call(a.admin, verb::patch, "/api/courses/nope/", R"({"title":"X"})").status == 404);
  REQUIRE(a.f.call(a.admin, verb::patch, seo.path, R"({"is_free":false,"price":"12.50"})").status ==
          200);

  CHECK(a.f.call(a.alice, verb::delete_, seo.path).status == 403);
  auto deleted = a.f.call(a.admin, verb::delete_, seo.path);
  REQUIRE_MESSAGE(deleted.status == 200, deleted.body);
  CHECK(deleted.json()["is_deleted"] == true);
  CHECK(deleted.json()["deleted_at"].is_string());
  auto twice = a.f.call(a.admin, verb::delete_, seo.path);
  CHECK(twice.status == 422);
  CHECK(twice.json()["code"] == "invalid_transition");
  auto patched = a.f.call(a.admin, verb::patch, seo.path, R"({"title":"Back"})");
  CHECK(patched.status == 422);
  CHECK(patched.json()["code"] == "invalid_transition");
  auto new_lesson =
      a.f.post(a.admin, seo.path + "lessons/",
               R"({"title":"3","module":"M","order":3,"body":"x","duration_minutes":1})");
  CHECK(new_lesson.json()["code"] == "invalid_transition");

  // Bob never bought it: gone from his catalogue, and as unknown as a course that never was.
  CHECK(titles(a.f.get(a.bob, "/api/courses/").json()) == std::vector<std::string>{"Ads"});
  CHECK(a.f.get(a.bob, seo.path).status == 404);
  CHECK(a.f.get(a.bob, seo.path + "lessons/").status == 404);
  CHECK(a.f.post(a.bob, seo.path + "purchase/", R"({"payment_method":"wallet"})").status == 404);
  CHECK(a.f.get(a.web, seo.path).status == 404);
  // Alice bought it: she reads it, its lessons, and learns.
  auto list = a.f.get(a.alice, "/api/courses/").json();
  CHECK(list["count"] == 2);
  auto hers = a.f.get(a.alice, seo.path);
  REQUIRE(hers.status == 200);
  CHECK(hers.json()["is_deleted"] == true);
  CHECK(hers.json()["is_accessible"] == true);
  CHECK(a.f.get(a.alice, seo.path + "lessons/").json()["results"][0]["body"] == "The text of One");
  CHECK(a.f.post(a.alice, seo.path + "lessons/" + lesson + "/complete/").json()["completed"] == 1);
  // Admins still see it.
  CHECK(a.f.get(a.admin, seo.path).status == 200);
  CHECK(a.f.get(a.admin, "/api/courses/").json()["count"] == 2);
  CHECK(a.f.get(a.admin, ads.path).json()["is_deleted"] == false);
}

TEST_CASE(
    "a deleted course answers a client who did not buy it exactly as a course that never was, on "
    "every route that names one") {
  ApiAgency a;
  const Course seo = create_course(a, R"({"title":"SEO","price":"10.00"})");
  const std::string lesson = text_lesson(a, seo, "One", "Basics", 1);
  REQUIRE(a.f.call(a.admin, verb::delete_, seo.path).status == 200);
  const std::string unknown = "/api/courses/01JZZZZZZZZZZZZZZZZZZZZZZZ/";
  struct Route {
    verb method;
    std::string suffix;
    std::string body;
  };
  const std::vector<Route> routes = {
      {verb::get, "", ""},
      {verb::post, "purchase/", R"({"payment_method":"wallet"})"},
      {verb::post, "finish/", "{}"},
      {verb::get, "lessons/", ""},
      {verb::get, "lessons/" + lesson + "/", ""},
      {verb::post, "lessons/" + lesson + "/complete/", "{}"},
      {verb::get, "progress/", ""},
      {verb::get, "certificate/", ""},
  };
  for (const auto& route : routes) {
    const auto& [method, suffix, body] = route;
    CAPTURE(route.suffix);
    const auto head = a.f.log->head().position;
    auto hidden = a.f.call(a.bob, method, seo.path + suffix, body);
    auto absent = a.f.call(a.bob, method, unknown + suffix, body);
    CHECK(hidden.status == 404);
    CHECK(absent.status == hidden.status);
    CHECK(absent.json()["detail"] == hidden.json()["detail"]);
    CHECK(a.f.log->head().position == head);
  }
}

TEST_CASE("admins rewrite and remove lessons, progress counts the lessons there are, lists page") {
  ApiAgency a;
  const Course course = create_course(a, R"({"title":"Intro","is_free":true})");
  std::vector<std::string> ids;
  ids.reserve(5);
  for (int i = 0; i < 5; ++i) {
    ids.push_back(text_lesson(a, course, "Lesson " + std::to_string(i), "Module", 5 - i));
  }
  // Listed by order: lesson 4 first.
  auto page = a.f.get(a.bob, course.path + "lessons/?limit=2");
  REQUIRE(page.status == 200);
  CHECK(page.json()["count"] == 5);
  CHECK(titles(page.json()) == std::vector<std::string>{"Lesson 4", "Lesson 3"});
  REQUIRE(page.json()["next"].is_string());
  auto next = a.f.get(a.bob, page.json()["next"].get<std::string>());
  CHECK(titles(next.json()) == std::vector<std::string>{"Lesson 2", "Lesson 1"});
  REQUIRE(next.json()["previous"].is_string());
  auto back = a.f.get(a.bob, next.json()["previous"].get<std::string>());
  CHECK(titles(back.json()) == titles(page.json()));
  // A free course is open to everyone.
  CHECK(page.json()["results"][0]["body"] == "The text of Lesson 4");

  auto video = a.f.call(a.admin, verb::patch, course.path + "lessons/" + ids[0] + "/",
                        R"({"video_url":"https://videos.example.com/0.mp4","module":"A first"})");
  REQUIRE_MESSAGE(video.status == 200, video.body);
  CHECK(video.json()["content_type"] == "video");
  CHECK(video.json()["body"].is_null());
  CHECK(video.json()["video_url"] == "https://videos.example.com/0.mp4");
  CHECK(titles(a.f.get(a.bob, course.path + "lessons/?limit=1").json()) ==
        std::vector<std::string>{"Lesson 0"});  // module "A first" lists first
  CHECK(a.f.call(a.bob, verb::patch, course.path + "lessons/" + ids[0] + "/", R"({"order":1})")
            .status == 403);

  for (int i = 0; i < 3; ++i) {
    REQUIRE(a.f.post(a.bob, course.path + "lessons/" + ids[i] + "/complete/").status == 200);
  }
  CHECK(a.f.get(a.bob, course.path + "progress/").json()["percent"] == 60);
  auto removed = a.f.call(a.admin, verb::delete_, course.path + "lessons/" + ids[1] + "/");
  REQUIRE(removed.status == 200);
  CHECK(removed.json()["title"] == "Lesson 1");
  CHECK(a.f.call(a.admin, verb::delete_, course.path + "lessons/" + ids[1] + "/").status == 404);
  CHECK(a.f.get(a.bob, course.path + "lessons/" + ids[1] + "/").status == 404);
  auto progress = a.f.get(a.bob, course.path + "progress/").json();
  CHECK(progress["completed"] == 2);
  CHECK(progress["total"] == 4);
  CHECK(progress["percent"] == 50);
  CHECK(a.f.get(a.admin, course.path).json()["lesson_count"] == 4);
  // Nothing left but what remains: finish/ refuses while a lesson remains.
  auto early = a.f.post(a.bob, course.path + "finish/");
  CHECK(early.status == 422);
  CHECK(early.json()["code"] == "lessons_incomplete");
  for (int i : {3, 4}) {
    REQUIRE(a.f.post(a.bob, course.path + "lessons/" + ids[i] + "/complete/").status == 200);
  }
  auto certificate = a.f.get(a.bob, course.path + "certificate/");
  REQUIRE(certificate.status == 200);
  CHECK(certificate.json()["lessons_completed"] == 4);
}

}  // namespace
}  // namespace ledger
