// Lessons, learners' progress, course completion and certificates, course changes and deletion,
// and access by subscription, through the real sequencer and store; the pure rules (list order,
// tallies, the access rule) on their own; and the courses rows with all of it as the fold of the
// log.
#include <doctest/doctest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/domain/course.h"
#include "core/domain/course_lesson.h"
#include "core/domain/course_progress.h"
#include "core/domain/courses_fold.h"
#include "core/domain/event_decoder.h"
#include "core/domain/inline_folds.h"
#include "core/domain/keyspaces.h"
#include "core/domain/read_model.h"
#include "core/domain/subscription.h"
#include "core/domain/text_limits.h"
#include "events/lesson_events.pb.h"
#include "replay/inline_rebuild.h"
#include "tests/support/course_steps.h"
#include "tests/support/fold_replay.h"
#include "tests/support/ledger_fixture.h"

namespace ledger {
namespace {

using domain::UnitOfWork;
using testing::add_course;
using testing::LedgerFixture;
using testing::usd;

domain::LessonFields text_lesson(const std::string& title, const std::string& module = "Basics",
                                 std::int64_t order = 1) {
  return {title, module, order, "Read this: " + title, std::nullopt, 10};
}

Result<domain::Executed<events::LessonAnswer>> add(LedgerFixture& f, const std::string& course,
                                                   const std::string& lesson,
                                                   const domain::LessonFields& fields) {
  return f.run<events::LessonAnswer>([=](UnitOfWork& uow) {
    return domain::add_lesson(
        uow, {domain::LessonId{lesson}, domain::CourseId{course}, fields, "admin"});
  });
}

void add_text(LedgerFixture& f, const std::string& course, const std::string& lesson,
              const std::string& module = "Basics", std::int64_t order = 1) {
  REQUIRE(add(f, course, lesson, text_lesson("Lesson " + lesson, module, order)).ok());
}

Result<domain::Executed<events::LessonAnswer>> change(LedgerFixture& f, const std::string& course,
                                                      const std::string& lesson,
                                                      const domain::LessonFields& fields) {
  return f.run<events::LessonAnswer>([=](UnitOfWork& uow) {
    return domain::update_lesson(
        uow, {domain::CourseId{course}, domain::LessonId{lesson}, fields, "admin"});
  });
}

Result<domain::Executed<events::LessonAnswer>> remove(LedgerFixture& f, const std::string& course,
                                                      const std::string& lesson) {
  return f.run<events::LessonAnswer>([=](UnitOfWork& uow) {
    return domain::remove_lesson(uow,
                                 {domain::CourseId{course}, domain::LessonId{lesson}, "admin"});
  });
}

Result<domain::Executed<events::CourseProgressAnswer>> complete(LedgerFixture& f,
                                                                const std::string& course,
                                                                const std::string& lesson,
                                                                const std::string& user) {
  const std::string certificate = "cert-" + f.id();
  return f.run<events::CourseProgressAnswer>([=](UnitOfWork& uow) {
    return domain::complete_lesson(uow, {domain::CourseId{course}, domain::LessonId{lesson},
                                         domain::UserId{user}, domain::CertificateId{certificate}});
  });
}

Result<domain::Executed<events::CourseProgressAnswer>> finish(LedgerFixture& f,
                                                              const std::string& course,
                                                              const std::string& user) {
  const std::string certificate = "cert-" + f.id();
  return f.run<events::CourseProgressAnswer>([=](UnitOfWork& uow) {
    return domain::finish_course(
        uow, {domain::CourseId{course}, domain::UserId{user}, domain::CertificateId{certificate}});
  });
}

Result<domain::Executed<events::CourseState>> change_course(LedgerFixture& f,
                                                            const std::string& course,
                                                            const domain::CourseChanges& changes) {
  return f.run<events::CourseState>([=](UnitOfWork& uow) {
    return domain::update_course(uow, {domain::CourseId{course}, changes, "admin"});
  });
}

Result<domain::Executed<events::CourseState>> delete_course(LedgerFixture& f,
                                                            const std::string& course) {
  return f.run<events::CourseState>([=](UnitOfWork& uow) {
    return domain::delete_course(uow, {domain::CourseId{course}, "admin"});
  });
}

void buy(LedgerFixture& f, const std::string& course, const std::string& user) {
  const std::string purchase = f.id();
  REQUIRE(f.run<events::CoursePurchaseState>([=](UnitOfWork& uow) {
             return domain::purchase_course(
                 uow, {domain::PurchaseId{purchase}, domain::CourseId{course}, domain::UserId{user},
                       "wallet", domain::TransactionId{purchase + "-tx"}});
           }).ok());
}

void subscribe(LedgerFixture& f, const std::string& id, const std::string& user,
               const std::string& service) {
  REQUIRE(f.run<events::SubscriptionState>([=](UnitOfWork& uow) {
             return domain::activate_subscription(
                 uow, {domain::SubscriptionId{id}, domain::UserId{user}, "Learn", service,
                       usd("9.00"), "2026-12-23", /*pays_from_wallet=*/false, "admin",
                       domain::TransactionId{id + "-tx"}});
           }).ok());
}

void unsubscribe(LedgerFixture& f, const std::string& id) {
  REQUIRE(f.run<events::SubscriptionState>([=](UnitOfWork& uow) {
             return domain::cancel_subscription(
                 uow, {domain::SubscriptionId{id}, domain::UserId{}, "admin", "done"});
           }).ok());
}

// Runs `refused`, which must fail with `code` (naming `field` when given) and write nothing.
template <class Answer>
void check_refused(LedgerFixture& f, const std::function<Result<Answer>()>& refused, Errc code,
                   std::string_view field = {}) {
  const auto head = f.log->head().position;
  auto result = refused();
  REQUIRE_FALSE(result.ok());
  CHECK(errc_name(result.error().code) == errc_name(code));
  if (!field.empty()) CHECK(result.error().field == field);
  CHECK(f.log->head().position == head);
}

using LessonResult = Result<domain::Executed<events::LessonAnswer>>;
using ProgressResult = Result<domain::Executed<events::CourseProgressAnswer>>;
using CourseResult = Result<domain::Executed<events::CourseState>>;

events::CourseState course_row(LedgerFixture& f, std::string_view course) {
  auto row = f.row<events::CourseState>(domain::kCoursesKeyspace, domain::course_key(course));
  REQUIRE(row);
  return *row;
}

domain::Learner learner_of(LedgerFixture& f, std::string_view user, std::string_view course) {
  domain::LogRows rows(*f.log);
  auto learner = domain::load_learner(rows, user, course);
  REQUIRE(learner.ok());
  return *learner;
}

bool accessible(LedgerFixture& f, std::string_view user, std::string_view course) {
  return domain::course_is_accessible(course_row(f, course), learner_of(f, user, course),
                                      f.clock.now_us());
}

TEST_CASE("a lesson has a title, a module, an order, a duration and a body or an http(s) video") {
  LedgerFixture f;
  add_course(f, "seo", usd("10.00"));
  auto refused = [&](domain::LessonFields fields, Errc code, std::string_view field) {
    check_refused<domain::Executed<events::LessonAnswer>>(
        f, [&] { return add(f, "seo", "l1", fields); }, code, field);
  };
  auto fields = text_lesson("Intro");
  auto without = [&](auto change) {
    auto copy = fields;
    change(copy);
    return copy;
  };
  refused(without([](auto& l) { l.title = ""; }), Errc::invalid_argument, "title");
  refused(without([](auto& l) { l.title = std::string(domain::text_limits::kName + 1, 't'); }),
          Errc::invalid_argument, "title");
  refused(without([](auto& l) { l.module.reset(); }), Errc::invalid_argument, "module");
  refused(without([](auto& l) { l.order.reset(); }), Errc::invalid_argument, "order");
  refused(without([](auto& l) { l.order = -1; }), Errc::invalid_argument, "order");
  refused(without([](auto& l) { l.order = domain::kLessonOrderMax + 1; }), Errc::invalid_argument,
          "order");
  refused(without([](auto& l) { l.duration_minutes = 1441; }), Errc::invalid_argument,
          "duration_minutes");
  refused(without([](auto& l) { l.duration_minutes.reset(); }), Errc::invalid_argument,
          "duration_minutes");
  refused(without([](auto& l) { l.body.reset(); }), Errc::invalid_argument, "body");
  refused(without([](auto& l) { l.body = ""; }), Errc::invalid_argument, "body");
  refused(without([](auto& l) { l.video_url = "https://v.example.com/1"; }), Errc::invalid_argument,
          "body");  // both
  refused(without([](auto& l) { l.body = std::string(domain::text_limits::kLessonBody + 1, 'b'); }),
          Errc::invalid_argument, "body");
  for (const char* url : {"ftp://v.example.com/1", "javascript:alert(1)", "https://", "v.mp4"}) {
    CAPTURE(url);
    refused(without([&](auto& l) {
              l.body.reset();
              l.video_url = url;
            }),
            Errc::invalid_argument, "video_url");
  }
  refused({}, Errc::invalid_argument, "order");
  check_refused<domain::Executed<events::LessonAnswer>>(
      f, [&] { return add(f, "nope", "l1", fields); }, Errc::not_found);
  check_refused<domain::Executed<events::LessonAnswer>>(
      f, [&] { return add(f, "seo", "", fields); }, Errc::invalid_argument, "lesson_id");

  auto text = add(f, "seo", "l1", fields);
  REQUIRE(text.ok());
  CHECK(text->answer.body() == "Read this: Intro");
  CHECK(text->answer.lesson().body_bytes() == text->answer.body().size());
  CHECK(text->answer.lesson().video_url().empty());
  auto video =
      add(f, "seo", "l2", {"Watch", "Basics", 0, std::nullopt, "https://v.example.com/2", 0});
  REQUIRE(video.ok());
  CHECK(video->answer.body().empty());
  CHECK(video->answer.lesson().video_url() == "https://v.example.com/2");
  CHECK(course_row(f, "seo").lesson_count() == 2);
  check_refused<domain::Executed<events::LessonAnswer>>(
      f, [&] { return add(f, "seo", "l1", fields); }, Errc::invalid_argument, "lesson_id");
}

TEST_CASE("a course holds at most 200 lessons: one more is too_many_lessons, and writes nothing") {
  LedgerFixture f;
  add_course(f, "seo", usd("10.00"));
  for (std::uint32_t i = 0; i < domain::kLessonsPerCourseMax; ++i) {
    add_text(f, "seo", "l" + std::to_string(i), "Basics", i);
  }
  check_refused<domain::Executed<events::LessonAnswer>>(
      f, [&] { return add(f, "seo", "one-more", text_lesson("More")); }, Errc::too_many_lessons);
  REQUIRE(remove(f, "seo", "l7").ok());
  CHECK(add(f, "seo", "one-more", text_lesson("More")).ok());
  CHECK(course_row(f, "seo").lesson_count() == domain::kLessonsPerCourseMax);
}

TEST_CASE("changing a lesson sets what is given, one kind of content replaces the other") {
  LedgerFixture f;
  add_course(f, "seo", usd("10.00"));
  add_course(f, "ads", usd("10.00"));
  add_text(f, "seo", "l1");
  auto to_video =
      change(f, "seo", "l1", {"Watch", std::nullopt, 4, std::nullopt, "http://v.example.com/1", 7});
  REQUIRE(to_video.ok());
  const auto& lesson = to_video->answer.lesson();
  CHECK(lesson.title() == "Watch");
  CHECK(lesson.module() == "Basics");  // not given: kept
  CHECK(lesson.order() == 4);
  CHECK(lesson.duration_minutes() == 7);
  CHECK(lesson.video_url() == "http://v.example.com/1");
  CHECK(to_video->answer.body().empty());
  CHECK_FALSE(f.row<events::LessonBodyState>(domain::kCoursesKeyspace,
                                             domain::lesson_body_key("seo", "l1")));
  auto stored = f.log->read_all(f.log->head().position - 1, 1);
  REQUIRE(stored.ok());
  auto updated = domain::decode_event<events::LessonUpdated>(stored->front());
  REQUIRE(updated.ok());
  CHECK(std::vector<std::string>(updated->changed().begin(), updated->changed().end()) ==
        std::vector<std::string>{"title", "order", "duration_minutes", "video_url", "body"});

  auto to_text =
      change(f, "seo", "l1",
             {std::nullopt, std::nullopt, std::nullopt, "Now a text", std::nullopt, std::nullopt});
  REQUIRE(to_text.ok());
  CHECK(to_text->answer.body() == "Now a text");
  CHECK(to_text->answer.lesson().video_url().empty());

  const auto head = f.log->head().position;
  auto same = change(f, "seo", "l1", {"Watch", "Basics", 4, "Now a text", std::nullopt, 7});
  REQUIRE(same.ok());
  CHECK(f.log->head().position == head);  // nothing asked that it does not have

  using Fields = domain::LessonFields;
  check_refused<domain::Executed<events::LessonAnswer>>(
      f, [&] { return change(f, "seo", "l1", Fields{.body = "b", .video_url = "https://v.x/1"}); },
      Errc::invalid_argument, "body");
  check_refused<domain::Executed<events::LessonAnswer>>(
      f, [&] { return change(f, "seo", "l1", Fields{.body = ""}); }, Errc::invalid_argument,
      "body");
  check_refused<domain::Executed<events::LessonAnswer>>(
      f, [&] { return change(f, "seo", "l1", Fields{.title = ""}); }, Errc::invalid_argument,
      "title");
  // Through another course, a lesson does not exist.
  check_refused<domain::Executed<events::LessonAnswer>>(
      f, [&] { return change(f, "ads", "l1", Fields{.title = "X"}); }, Errc::not_found);
  check_refused<domain::Executed<events::LessonAnswer>>(
      f, [&] { return remove(f, "ads", "l1"); }, Errc::not_found);
  auto removed = remove(f, "seo", "l1");
  REQUIRE(removed.ok());
  CHECK(removed->answer.lesson().title() == "Watch");
  check_refused<domain::Executed<events::LessonAnswer>>(
      f, [&] { return remove(f, "seo", "l1"); }, Errc::not_found);
  CHECK(course_row(f, "seo").lesson_count() == 0);
}

TEST_CASE("lessons list by module, then order, then when they were added") {
  auto lesson = [](std::string module, std::uint32_t order, std::int64_t added, std::string id) {
    events::LessonState state;
    state.set_module(std::move(module));
    state.set_order(order);
    state.set_created_at_us(added);
    state.set_lesson_id(std::move(id));
    return state;
  };
  std::vector<events::LessonState> lessons = {
      lesson("B", 0, 1, "b0"), lesson("A", 2, 2, "a2"),   lesson("A", 1, 9, "a1-late"),
      lesson("A", 1, 3, "a1"), lesson("AB", 0, 4, "ab0"), lesson("A", 10, 5, "a10")};
  std::sort(lessons.begin(), lessons.end(), domain::lesson_lists_before);
  std::vector<std::string> ids;
  ids.reserve(lessons.size());
  for (const auto& state : lessons) ids.push_back(state.lesson_id());
  CHECK(ids == std::vector<std::string>{"a1", "a1-late", "a2", "a10", "ab0", "b0"});
}

TEST_CASE("percent rounds down, a course without lessons is 0 % until completed, then 100 %") {
  events::CourseLessonsState lessons;
  for (const char* id : {"l1", "l2", "l3"}) lessons.add_lesson_ids(id);
  events::CourseProgressState progress;
  (*progress.mutable_completed_at_us())["l1"] = 1;
  (*progress.mutable_completed_at_us())["gone"] = 2;  // removed since: counted nowhere
  auto tally = domain::tally_lessons(progress, lessons);
  CHECK(tally.completed == 1);
  CHECK(tally.total == 3);
  CHECK(tally.percent == 33);
  (*progress.mutable_completed_at_us())["l2"] = 3;
  CHECK(domain::tally_lessons(progress, lessons).percent == 66);
  (*progress.mutable_completed_at_us())["l3"] = 4;
  CHECK(domain::tally_lessons(progress, lessons).percent == 100);

  const events::CourseLessonsState none;
  events::CourseProgressState fresh;
  CHECK(domain::tally_lessons(fresh, none).percent == 0);
  fresh.set_finished_at_us(5);
  CHECK(domain::tally_lessons(fresh, none).percent == 100);
}

TEST_CASE(
    "a learner completes each lesson once, the last one completes the course in the same commit, "
    "on the certificate's own stream") {
  LedgerFixture f;
  add_course(f, "seo", usd("10.00"));
  add_text(f, "seo", "l1", "Basics", 1);
  add_text(f, "seo", "l2", "Basics", 2);
  f.fund("alice", usd("10.00"));
  buy(f, "seo", "alice");

  auto first = complete(f, "seo", "l1", "alice");
  REQUIRE(first.ok());
  CHECK(first->answer.lessons_completed() == 1);
  CHECK(first->answer.lessons_total() == 2);
  CHECK(first->answer.percent() == 50);
  CHECK_FALSE(first->answer.newly_completed());
  CHECK(first->answer.progress().finished_at_us() == 0);
  auto stored = f.log->read_all(first->position - 1, 1);
  REQUIRE(stored.ok());
  CHECK(stored->front().event_type() == "LessonCompleted");
  CHECK(stored->front().stream_id() == domain::course_progress_stream("seo", "alice"));

  const auto head = f.log->head().position;
  auto again = complete(f, "seo", "l1", "alice");
  REQUIRE(again.ok());
  CHECK(f.log->head().position == head);  // a no-op answer
  CHECK(again->answer.lessons_completed() == 1);

  f.clock.advance_us(kMicrosPerMinute);
  auto last = complete(f, "seo", "l2", "alice");
  REQUIRE(last.ok());
  CHECK(last->answer.newly_completed());
  CHECK(last->answer.percent() == 100);
  const auto& progress = last->answer.progress();
  CHECK(progress.finished_at_us() == f.clock.now_us());
  REQUIRE_FALSE(progress.certificate_id().empty());
  CHECK(last->answer.purchase().course_id() == "seo");
  // One commit: the lesson, then the course.
  auto commit = f.log->read_all(head, 10);
  REQUIRE(commit.ok());
  REQUIRE(commit->size() == 2);
  CHECK((*commit)[0].event_type() == "LessonCompleted");
  CHECK((*commit)[1].event_type() == "CourseFinished");
  CHECK((*commit)[1].position() == last->position);
  CHECK((*commit)[1].stream_id() == domain::course_certificate_stream(progress.certificate_id()));
  CHECK((*commit)[1].stream_version() == 1);
  auto finished = domain::decode_event<events::CourseFinished>((*commit)[1]);
  REQUIRE(finished.ok());
  CHECK(finished->user_id() == "alice");
  CHECK(finished->course_title() == "Course seo");
  CHECK(finished->lessons_completed() == 2);
  CHECK(finished->purchase_id() == last->answer.purchase().purchase_id());

  // The certificate is that event: its position and chain hash.
  auto found = domain::find_course_completion(*f.log, progress);
  REQUIRE(found.ok());
  CHECK(found->position() == (*commit)[1].position());
  CHECK(found->hash() == (*commit)[1].hash());
  CHECK(f.row<events::CourseProgressState>(domain::kCoursesKeyspace,
                                           domain::certificate_key(progress.certificate_id()))
            ->user_id() == "alice");
  check_refused<domain::Executed<events::CourseProgressAnswer>>(
      f, [&] { return finish(f, "seo", "alice"); }, Errc::already_finished);
  check_refused<domain::Executed<events::CourseProgressAnswer>>(
      f, [&] { return complete(f, "seo", "nope", "alice"); }, Errc::not_found);
  check_refused<domain::Executed<events::CourseProgressAnswer>>(
      f, [&] { return complete(f, "seo", "", "alice"); }, Errc::invalid_argument, "lesson_id");

  // A lesson added later is there to complete; the completion stands.
  add_text(f, "seo", "l3", "More", 1);
  auto later = complete(f, "seo", "l3", "alice");
  REQUIRE(later.ok());
  CHECK(later->answer.lessons_completed() == 3);
  CHECK_FALSE(later->answer.newly_completed());
  CHECK(later->answer.progress().finished_at_us() == progress.finished_at_us());
}

TEST_CASE("without access nothing is completed: not bought, pending, refunded, expired") {
  LedgerFixture f;
  add_course(f, "seo", usd("10.00"), false, true, 7);
  add_text(f, "seo", "l1");
  f.fund("alice", usd("10.00"));
  auto refused = [&](const std::string& user) {
    check_refused<domain::Executed<events::CourseProgressAnswer>>(
        f, [&] { return complete(f, "seo", "l1", user); }, Errc::course_not_accessible);
    check_refused<domain::Executed<events::CourseProgressAnswer>>(
        f, [&] { return finish(f, "seo", user); }, Errc::course_not_accessible);
  };
  refused("alice");  // not bought
  const std::string pending = f.id();
  REQUIRE(f.run<events::CoursePurchaseState>([&](UnitOfWork& uow) {
             return domain::purchase_course(uow, {domain::PurchaseId{pending}, "seo", "bob",
                                                  "paypal", domain::TransactionId{"t"}});
           }).ok());
  refused("bob");
  buy(f, "seo", "alice");
  CHECK(accessible(f, "alice", "seo"));
  f.clock.advance_us(7 * kMicrosPerDay);
  CHECK_FALSE(accessible(f, "alice", "seo"));
  refused("alice");  // expired
}

TEST_CASE("finishing: nothing left to complete, a removed lesson leaves everyone's progress") {
  LedgerFixture f;
  add_course(f, "seo", Money::zero(), /*is_free=*/true);
  add_course(f, "empty", Money::zero(), /*is_free=*/true);
  add_text(f, "seo", "l1");
  add_text(f, "seo", "l2");
  REQUIRE(complete(f, "seo", "l1", "alice").ok());
  check_refused<domain::Executed<events::CourseProgressAnswer>>(
      f, [&] { return finish(f, "seo", "alice"); }, Errc::lessons_incomplete);
  // The lesson alice did not complete goes: she has completed every lesson there is.
  REQUIRE(remove(f, "seo", "l2").ok());
  domain::LogRows rows(*f.log);
  auto progress = domain::load_progress_answer(rows, "alice", "seo");
  REQUIRE(progress.ok());
  CHECK(progress->lessons_completed() == 1);
  CHECK(progress->lessons_total() == 1);
  CHECK(progress->progress().finished_at_us() == 0);
  auto finished = finish(f, "seo", "alice");
  REQUIRE(finished.ok());
  CHECK(finished->answer.newly_completed());
  CHECK_FALSE(finished->answer.has_purchase());  // a free course, never taken
  // The one she did complete goes: it no longer counts, not even for her.
  REQUIRE(remove(f, "seo", "l1").ok());
  auto after = domain::load_progress_answer(rows, "alice", "seo");
  REQUIRE(after.ok());
  CHECK(after->lessons_completed() == 0);
  CHECK(after->lessons_total() == 0);
  CHECK(after->percent() == 100);  // completed
  CHECK(after->progress().completed_at_us().empty());

  // A course without lessons is finished at once.
  CHECK(finish(f, "empty", "bob").ok());
}

TEST_CASE("changing a course: checked as at creation, purchases keep what they paid") {
  LedgerFixture f;
  add_course(f, "seo", usd("10.00"));
  f.fund("alice", usd("10.00"));
  buy(f, "seo", "alice");
  auto changed =
      change_course(f, "seo", {.title = "SEO 2", .price = usd("20.00"), .access_days = 30});
  REQUIRE(changed.ok());
  CHECK(changed->answer.title() == "SEO 2");
  CHECK(changed->answer.price_minor() == 2000);
  CHECK(changed->answer.access_days() == 30);
  CHECK(changed->answer.updated_at_us() == f.clock.now_us());
  auto purchase = f.row<events::CoursePurchaseState>(domain::kCoursesKeyspace,
                                                     domain::user_course_key("alice", "seo"));
  REQUIRE(purchase);
  CHECK(purchase->amount_minor() == 1000);
  CHECK(purchase->access_expires_at_us() == 0);
  CHECK(purchase->course_title() == "Course seo");

  auto free = change_course(f, "seo", {.is_free = true});
  REQUIRE(free.ok());
  CHECK(free->answer.price_minor() == 0);
  const auto head = f.log->head().position;
  REQUIRE(change_course(f, "seo", {.is_free = true}).ok());
  CHECK(f.log->head().position == head);  // nothing to record
  check_refused<domain::Executed<events::CourseState>>(
      f, [&] { return change_course(f, "seo", {.is_free = false}); }, Errc::invalid_argument,
      "price");
  check_refused<domain::Executed<events::CourseState>>(
      f, [&] { return change_course(f, "seo", {.price = usd("5.00")}); }, Errc::invalid_argument,
      "price");  // still free
  check_refused<domain::Executed<events::CourseState>>(
      f, [&] { return change_course(f, "seo", {.title = ""}); }, Errc::invalid_argument, "title");
  check_refused<domain::Executed<events::CourseState>>(
      f, [&] { return change_course(f, "seo", {.access_days = 36'501}); }, Errc::invalid_argument,
      "access_days");
  check_refused<domain::Executed<events::CourseState>>(
      f, [&] { return change_course(f, "nope", {.title = "X"}); }, Errc::not_found);
  auto paid = change_course(f, "seo", {.price = usd("5.00"), .is_free = false});
  REQUIRE(paid.ok());
  CHECK(paid->answer.price_minor() == 500);
  CHECK_FALSE(paid->answer.is_free());
}

TEST_CASE(
    "a deleted course is final: not for sale, no changes, its lessons frozen, those who bought it "
    "keep it, the others lose it") {
  LedgerFixture f;
  add_course(f, "seo", usd("10.00"));
  add_course(f, "intro", Money::zero(), /*is_free=*/true);
  add_text(f, "seo", "l1");
  add_text(f, "intro", "i1");
  f.fund("alice", usd("10.00"));
  f.fund("bob", usd("10.00"));
  buy(f, "seo", "alice");
  subscribe(f, "s1", "carol", "courses");
  CHECK(accessible(f, "carol", "seo"));
  CHECK(accessible(f, "bob", "intro"));

  auto deleted = delete_course(f, "seo");
  REQUIRE(deleted.ok());
  CHECK(deleted->answer.deleted_at_us() == f.clock.now_us());
  REQUIRE(delete_course(f, "intro").ok());
  check_refused<domain::Executed<events::CourseState>>(
      f, [&] { return delete_course(f, "seo"); }, Errc::invalid_transition);
  check_refused<domain::Executed<events::CourseState>>(
      f, [&] { return change_course(f, "seo", {.title = "X"}); }, Errc::invalid_transition);
  check_refused<domain::Executed<events::LessonAnswer>>(
      f, [&] { return add(f, "seo", "l2", text_lesson("New")); }, Errc::invalid_transition);
  check_refused<domain::Executed<events::LessonAnswer>>(
      f, [&] { return change(f, "seo", "l1", {.title = "X"}); }, Errc::invalid_transition);
  check_refused<domain::Executed<events::LessonAnswer>>(
      f, [&] { return remove(f, "seo", "l1"); }, Errc::invalid_transition);
  check_refused<domain::Executed<events::CoursePurchaseState>>(
      f,
      [&] {
        return f.run<events::CoursePurchaseState>([&](UnitOfWork& uow) {
          return domain::purchase_course(uow, {domain::PurchaseId{"p-bob"}, "seo", "bob", "wallet",
                                               domain::TransactionId{"t-bob"}});
        });
      },
      Errc::not_for_sale);

  // Alice bought it: she still sees and opens it, and completes its lessons.
  const auto course = course_row(f, "seo");
  CHECK(domain::course_is_visible(course, learner_of(f, "alice", "seo")));
  CHECK(accessible(f, "alice", "seo"));
  auto completed = complete(f, "seo", "l1", "alice");
  REQUIRE(completed.ok());
  CHECK(completed->answer.newly_completed());
  // The subscriber and the free course's learner lose them.
  CHECK_FALSE(domain::course_is_visible(course, learner_of(f, "carol", "seo")));
  CHECK_FALSE(accessible(f, "carol", "seo"));
  CHECK_FALSE(accessible(f, "bob", "intro"));
  check_refused<domain::Executed<events::CourseProgressAnswer>>(
      f, [&] { return complete(f, "intro", "i1", "bob"); }, Errc::course_not_accessible);
}

TEST_CASE(
    "an active subscription to the courses service opens every course, another service's or a "
    "cancelled one does not") {
  LedgerFixture f;
  add_course(f, "seo", usd("10.00"));
  add_text(f, "seo", "l1");
  f.fund("alice", usd("30.00"));
  subscribe(f, "s-marketing", "alice", "marketing");
  CHECK_FALSE(accessible(f, "alice", "seo"));
  check_refused<domain::Executed<events::CourseProgressAnswer>>(
      f, [&] { return complete(f, "seo", "l1", "alice"); }, Errc::course_not_accessible);

  subscribe(f, "s-courses", "alice", "courses");
  CHECK(learner_of(f, "alice", "seo").subscribed);
  CHECK(accessible(f, "alice", "seo"));
  CHECK_FALSE(accessible(f, "bob", "seo"));  // hers alone
  auto completed = complete(f, "seo", "l1", "alice");
  REQUIRE(completed.ok());
  CHECK(completed->answer.newly_completed());
  CHECK_FALSE(completed->answer.has_purchase());
  auto stored = f.log->read_all(completed->position - 1, 1);
  REQUIRE(stored.ok());
  auto finished = domain::decode_event<events::CourseFinished>(stored->front());
  REQUIRE(finished.ok());
  CHECK(finished->purchase_id().empty());

  unsubscribe(f, "s-courses");
  CHECK_FALSE(learner_of(f, "alice", "seo").subscribed);
  CHECK_FALSE(f.row<events::CourseSubscriberState>(domain::kCoursesKeyspace,
                                                   domain::course_subscriber_key("alice")));
  CHECK_FALSE(accessible(f, "alice", "seo"));
}

// Rows as a decider reads them, for the access rule over states that are long to reach through
// commands (a past-due subscription needs a failed renewal).
struct FakeRows {
  std::map<std::string, std::string> rows;  // keyspace NUL key -> bytes
  void put(std::string_view keyspace, std::string_view key, const google::protobuf::Message& row) {
    rows[std::string(keyspace) + '\0' + std::string(key)] = row.SerializeAsString();
  }
  template <class M>
  Result<std::optional<M>> load(std::string_view keyspace, std::string_view key) {
    const auto found = rows.find(std::string(keyspace) + '\0' + std::string(key));
    if (found == rows.end()) return std::optional<M>();
    M row;
    REQUIRE(row.ParseFromString(found->second));
    return std::optional<M>(std::move(row));
  }
};

TEST_CASE("the access rule: purchase, or a course not deleted that is free or subscribed to") {
  events::CourseState paid;
  paid.set_price_minor(1000);
  events::CourseState free = paid;
  free.set_is_free(true);
  events::CourseState gone = paid;
  gone.set_deleted_at_us(5);
  events::CoursePurchaseState bought;
  bought.set_status(events::COURSE_PURCHASE_STATUS_COMPLETED);
  bought.set_access_expires_at_us(100);
  events::CoursePurchaseState refunded = bought;
  refunded.set_status(events::COURSE_PURCHASE_STATUS_REFUNDED);
  const domain::Learner nobody;
  const domain::Learner subscriber{std::nullopt, true};
  const domain::Learner buyer{bought, false};
  CHECK_FALSE(domain::course_is_accessible(paid, nobody, 50));
  CHECK(domain::course_is_accessible(free, nobody, 50));
  CHECK(domain::course_is_accessible(paid, subscriber, 50));
  CHECK(domain::course_is_accessible(paid, buyer, 99));
  CHECK_FALSE(domain::course_is_accessible(paid, buyer, 100));  // expired
  CHECK(domain::course_is_accessible(gone, buyer, 99));
  CHECK_FALSE(domain::course_is_accessible(gone, subscriber, 50));
  CHECK_FALSE(domain::course_is_accessible(paid, domain::Learner{refunded, false}, 50));
  CHECK(domain::course_is_visible(gone, buyer));
  CHECK(domain::course_is_visible(gone, domain::Learner{bought, false}));
  CHECK_FALSE(domain::course_is_visible(gone, domain::Learner{refunded, true}));
  CHECK(domain::course_is_visible(paid, nobody));

  // Only an active subscription subscribes: past due (a renewal charge failed) and cancelled do
  // not, whatever the index holds.
  for (const auto status :
       {events::SUBSCRIPTION_STATUS_ACTIVE, events::SUBSCRIPTION_STATUS_PAST_DUE,
        events::SUBSCRIPTION_STATUS_CANCELLED}) {
    CAPTURE(status);
    FakeRows rows;
    events::CourseSubscriberState subscriptions;
    subscriptions.add_subscription_ids("s1");
    rows.put(domain::kCoursesKeyspace, domain::course_subscriber_key("alice"), subscriptions);
    events::SubscriptionState subscription;
    subscription.set_status(status);
    rows.put(domain::kBillingKeyspace, domain::subscription_key("s1"), subscription);
    auto learner = domain::load_learner(rows, "alice", "seo");
    REQUIRE(learner.ok());
    CHECK(learner->subscribed == (status == events::SUBSCRIPTION_STATUS_ACTIVE));
  }
}

TEST_CASE(
    "the courses rows with lessons, progress, certificates and subscribers are the fold of the "
    "log: replayed alone and rebuilt from position 0 they are the same bytes") {
  LedgerFixture f;
  add_course(f, "seo", usd("10.00"));
  add_course(f, "intro", Money::zero(), true);
  add_text(f, "seo", "l1", "Basics", 1);
  add_text(f, "seo", "l2", "Basics", 2);
  REQUIRE(
      add(f, "seo", "l3", {"Video", "More", 0, std::nullopt, "https://v.example.com/3", 5}).ok());
  add_text(f, "intro", "i1");
  f.fund("alice", usd("10.00"));
  buy(f, "seo", "alice");
  subscribe(f, "s1", "bob", "courses");
  subscribe(f, "s2", "carol", "courses");
  unsubscribe(f, "s2");
  f.clock.advance_us(kMicrosPerMinute);
  for (const char* lesson : {"l1", "l2", "l3"}) REQUIRE(complete(f, "seo", lesson, "alice").ok());
  REQUIRE(complete(f, "seo", "l1", "bob").ok());
  REQUIRE(change(f, "seo", "l2", {.title = "Two", .video_url = "https://v.example.com/2"}).ok());
  REQUIRE(remove(f, "seo", "l1").ok());
  REQUIRE(complete(f, "seo", "l2", "bob").ok());  // prunes l1 from bob's row
  REQUIRE(complete(f, "intro", "i1", "dave").ok());
  REQUIRE(change_course(f, "intro", {.title = "Intro 2"}).ok());
  REQUIRE(delete_course(f, "intro").ok());

  const auto stored = testing::stored_rows(*f.log, domain::kCoursesKeyspace);
  auto count = [&](std::string_view prefix) {
    return std::count_if(stored.begin(), stored.end(),
                         [&](const auto& row) { return row.first.starts_with(prefix); });
  };
  CHECK(count("lesson/") == 3);       // l2, l3, i1
  CHECK(count("lesson-body/") == 1);  // i1: l2 became a video
  CHECK(count("lessons-of/") == 2);
  CHECK(count("progress/") == 3);     // alice and bob in seo, dave in intro
  CHECK(count("certificate/") == 2);  // alice's seo, dave's intro
  CHECK(count("subscriber/") == 1);   // bob's; carol cancelled
  auto bob = f.row<events::CourseProgressState>(domain::kCoursesKeyspace,
                                                domain::course_progress_key("bob", "seo"));
  REQUIRE(bob);
  CHECK(bob->completed_at_us().size() == 1);
  CHECK(testing::replayed_rows(*f.log, domain::kCoursesKeyspace) == stored);

  const domain::InlineFold* const folds[] = {domain::find_inline_fold(domain::kCoursesKeyspace)};
  REQUIRE(folds[0] != nullptr);
  CHECK(folds[0]->version == 4);
  auto rebuilt = replay::rebuild_inline(*f.log, folds);
  REQUIRE(rebuilt.ok());
  CHECK(rebuilt->keyspaces[0].rows == stored.size());
  CHECK(testing::stored_rows(*f.log, domain::kCoursesKeyspace) == stored);
}

TEST_CASE("a completion recorded on a purchase's stream, before certificates, is found there") {
  LedgerFixture f;
  add_course(f, "seo", usd("10.00"));
  f.fund("alice", usd("10.00"));
  buy(f, "seo", "alice");
  auto purchase = f.row<events::CoursePurchaseState>(domain::kCoursesKeyspace,
                                                     domain::user_course_key("alice", "seo"));
  REQUIRE(purchase);
  // As the finish decider wrote it then: on the purchase's stream, without a certificate id.
  events::CourseFinished legacy;
  legacy.set_purchase_id(purchase->purchase_id());
  legacy.set_course_id("seo");
  legacy.set_user_id("alice");
  legacy.set_course_title("Course seo");
  auto written = f.run<events::CourseProgressState>(
      [&](UnitOfWork& uow) -> Result<events::CourseProgressState> {
        if (auto emitted =
                uow.emit(domain::course_purchase_stream(purchase->purchase_id()), legacy);
            !emitted) {
          return std::move(emitted).error();
        }
        return events::CourseProgressState();
      });
  REQUIRE(written.ok());
  auto progress = f.row<events::CourseProgressState>(domain::kCoursesKeyspace,
                                                     domain::course_progress_key("alice", "seo"));
  REQUIRE(progress);
  CHECK(progress->certificate_id() == purchase->purchase_id());
  CHECK(progress->finished_stream_id() == domain::course_purchase_stream(purchase->purchase_id()));
  auto found = domain::find_course_completion(*f.log, *progress);
  REQUIRE(found.ok());
  CHECK(found->position() == written->position);
  CHECK(found->stream_version() == 2);  // after CoursePurchased
  CHECK(f.row<events::CoursePurchaseState>(domain::kCoursesKeyspace,
                                           domain::user_course_key("alice", "seo"))
            ->finished_at_us() == f.clock.now_us());

  events::CourseProgressState unfinished;
  CHECK(domain::find_course_completion(*f.log, unfinished).error().code == Errc::not_found);
}

}  // namespace
}  // namespace ledger
