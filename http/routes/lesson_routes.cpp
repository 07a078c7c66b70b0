#include "http/routes/lesson_routes.h"

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/domain/course.h"
#include "core/domain/course_lesson.h"
#include "core/domain/course_progress.h"
#include "core/domain/courses_fold.h"
#include "core/domain/event_decoder.h"
#include "core/domain/keyspaces.h"
#include "core/domain/read_model.h"
#include "core/domain/text_limits.h"
#include "core/domain/users.h"
#include "core/hex.h"
#include "events/course_events.pb.h"
#include "http/api_support.h"
#include "http/authorization.h"
#include "http/domain_json.h"
#include "http/listing.h"
#include "http/route_declaration.h"

namespace ledger::http {
namespace {

using domain::UnitOfWork;

// What a caller reads of a lesson: its content only when `open` (they may open the course), and
// when they completed it.
nlohmann::json lesson_json(const events::LessonState& lesson, const std::string& body, bool open,
                           std::int64_t completed_at_us) {
  const bool video = !lesson.video_url().empty();
  return {
      {"id", lesson.lesson_id()},
      {"course_id", lesson.course_id()},
      {"title", lesson.title()},
      {"module", lesson.module()},
      {"order", lesson.order()},
      {"duration_minutes", lesson.duration_minutes()},
      {"content_type", video ? "video" : "text"},
      {"body", open && !video ? nlohmann::json(body) : nlohmann::json(nullptr)},
      {"video_url", open && video ? nlohmann::json(lesson.video_url()) : nlohmann::json(nullptr)},
      {"is_accessible", open},
      {"is_completed", completed_at_us != 0},
      {"completed_at", time_json(completed_at_us)},
      {"created_at", time_json(lesson.created_at_us())},
      {"updated_at", time_json(lesson.updated_at_us())},
  };
}

schema::Schema lesson_schema() {
  using namespace schema;
  return named("CourseLesson", object({
                                   {"id", string()},
                                   {"course_id", string()},
                                   {"title", string()},
                                   {"module", string()},
                                   {"order", integer()},
                                   {"duration_minutes", integer()},
                                   {"content_type", one_of({"text", "video"})},
                                   {"body", nullable(string())},
                                   {"video_url", nullable(string())},
                                   {"is_accessible", boolean()},
                                   {"is_completed", boolean()},
                                   {"completed_at", nullable(time())},
                                   {"created_at", nullable(time())},
                                   {"updated_at", nullable(time())},
                               }));
}

// An admin's answer about a lesson: all of it.
Result<nlohmann::json> admin_lesson_json(const events::LessonAnswer& answer) {
  return lesson_json(answer.lesson(), answer.body(), true, 0);
}

// When the caller completed each lesson of the course (clients only; others complete nothing).
Result<events::CourseProgressState> caller_progress(const ApiContext& api, const Caller& caller,
                                                    std::string_view course_id) {
  if (!caller.is_client()) return events::CourseProgressState();
  auto progress = domain::read_row<events::CourseProgressState>(
      api.log, domain::kCoursesKeyspace,
      domain::course_progress_key(caller.user_id.str(), course_id));
  if (!progress) return std::move(progress).error();
  return progress->value_or(events::CourseProgressState());
}

std::int64_t completed_at(const events::CourseProgressState& progress,
                          const std::string& lesson_id) {
  const auto found = progress.completed_at_us().find(lesson_id);
  return found == progress.completed_at_us().end() ? 0 : found->second;
}

// A lesson's body, read only for those who may open it.
Result<std::string> lesson_body(const ApiContext& api, const events::LessonState& lesson,
                                bool open) {
  if (!open || !lesson.video_url().empty()) return std::string();
  auto body = domain::read_row<events::LessonBodyState>(
      api.log, domain::kCoursesKeyspace,
      domain::lesson_body_key(lesson.course_id(), lesson.lesson_id()));
  if (!body) return std::move(body).error();
  return body->has_value() ? (*body)->body() : std::string();
}

// The key of a lesson in list order (module, order, when added, id), as text whose byte order
// is that order: the module in hex (two digits a byte keep a prefix before its extensions), then
// '/' (below every hex digit) and the numbers zero-padded.
std::string list_key(const events::LessonState& lesson) {
  return fmt::format("{}/{:010}/{:020}/{}", to_hex(lesson.module()), lesson.order(),
                     lesson.created_at_us(), lesson.lesson_id());
}

// The lessons of a course in list order, as a ListSource (the few rows of one course, sorted
// here: the list is bounded by kLessonsPerCourseMax), each rendered as it is visited.
Result<ListSource> course_lessons(const ApiContext& api, const Caller& caller,
                                  const CourseView& view) {
  auto lessons = std::make_shared<std::vector<std::pair<std::string, events::LessonState>>>();
  std::optional<Error> failure;
  auto scanned = api.log.scan_state(
      domain::kCoursesKeyspace, domain::lesson_prefix(view.course.course_id()),
      store::ReadDirection::forward, [&](std::string_view, std::string_view value) {
        auto lesson = domain::decode_row<events::LessonState>(value, "lesson");
        if (!lesson) {
          failure = std::move(lesson).error();
          return false;
        }
        lessons->emplace_back(list_key(*lesson), std::move(*lesson));
        return true;
      });
  if (!scanned) return std::move(scanned).error();
  if (failure) return std::move(*failure);
  std::sort(lessons->begin(), lessons->end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  auto progress = caller_progress(api, caller, view.course.course_id());
  if (!progress) return std::move(progress).error();
  return ListSource([&api, lessons, progress = std::move(*progress), open = view.accessible](
                        std::string_view after, bool reverse, const ItemVisitor& visit) -> Status {
    auto render = [&](const std::pair<std::string, events::LessonState>& entry) -> Result<bool> {
      auto body = lesson_body(api, entry.second, open);
      if (!body) return std::move(body).error();
      return visit(entry.first, lesson_json(entry.second, *body, open,
                                            completed_at(progress, entry.second.lesson_id())));
    };
    const auto by_key = [](const auto& entry, std::string_view key) { return entry.first < key; };
    if (!reverse) {
      auto it = after.empty() ? lessons->begin()
                              : std::upper_bound(lessons->begin(), lessons->end(), after,
                                                 [](std::string_view key, const auto& entry) {
                                                   return key < entry.first;
                                                 });
      for (; it != lessons->end(); ++it) {
        auto more = render(*it);
        if (!more) return std::move(more).error();
        if (!*more) return {};
      }
      return {};
    }
    auto end = after.empty() ? lessons->end()
                             : std::lower_bound(lessons->begin(), lessons->end(), after, by_key);
    for (auto it = std::make_reverse_iterator(end); it != lessons->rend(); ++it) {
      auto more = render(*it);
      if (!more) return std::move(more).error();
      if (!*more) return {};
    }
    return {};
  });
}

void list_lessons(ApiContext& api, const RouteInput& in, Reply reply) {
  answer_query(api, in.request, reply, [&]() -> Result<nlohmann::json> {
    auto view = visible_course(api.log, in.caller, in.path.get("id"), api.clock.now_us());
    if (!view) return std::move(view).error();
    auto source = course_lessons(api, in.caller, *view);
    if (!source) return std::move(source).error();
    auto count = count_items(*source);
    if (!count) return std::move(count).error();
    return list_page(in.request, *source, *count);
  });
}

void get_lesson(ApiContext& api, const RouteInput& in, Reply reply) {
  answer_query(api, in.request, reply, [&]() -> Result<nlohmann::json> {
    auto view = visible_course(api.log, in.caller, in.path.get("id"), api.clock.now_us());
    if (!view) return std::move(view).error();
    auto lesson = domain::read_row<events::LessonState>(
        api.log, domain::kCoursesKeyspace,
        domain::lesson_key(view->course.course_id(), in.path.get("lesson_id")));
    if (!lesson) return std::move(lesson).error();
    if (!lesson->has_value()) return make_error(Errc::not_found, "there is no such lesson");
    auto body = lesson_body(api, **lesson, view->accessible);
    if (!body) return std::move(body).error();
    auto progress = caller_progress(api, in.caller, view->course.course_id());
    if (!progress) return std::move(progress).error();
    return lesson_json(**lesson, *body, view->accessible,
                       completed_at(*progress, (*lesson)->lesson_id()));
  });
}

domain::LessonFields lesson_fields(const RequestFields& body) {
  return {body.optional_text("title"),     body.optional_text("module"),
          body.optional_integer("order"),  body.optional_text("body"),
          body.optional_text("video_url"), body.optional_integer("duration_minutes")};
}

void add_lesson(ApiContext& api, const RouteInput& in, Reply reply) {
  const domain::AddLesson command{domain::LessonId{api.ids.next()},
                                  domain::CourseId{in.path.get("id")}, lesson_fields(in.body),
                                  in.caller.user_id};
  run_command<events::LessonAnswer>(
      api, in.request, in.caller.user_id,
      [command](UnitOfWork& uow) { return domain::add_lesson(uow, command); }, admin_lesson_json,
      beast_http::status::created, std::move(reply));
}

void update_lesson(ApiContext& api, const RouteInput& in, Reply reply) {
  const domain::UpdateLesson command{domain::CourseId{in.path.get("id")},
                                     domain::LessonId{in.path.get("lesson_id")},
                                     lesson_fields(in.body), in.caller.user_id};
  run_command<events::LessonAnswer>(
      api, in.request, in.caller.user_id,
      [command](UnitOfWork& uow) { return domain::update_lesson(uow, command); }, admin_lesson_json,
      beast_http::status::ok, std::move(reply));
}

void remove_lesson(ApiContext& api, const RouteInput& in, Reply reply) {
  const domain::RemoveLesson command{domain::CourseId{in.path.get("id")},
                                     domain::LessonId{in.path.get("lesson_id")}, in.caller.user_id};
  run_command<events::LessonAnswer>(
      api, in.request, in.caller.user_id,
      [command](UnitOfWork& uow) { return domain::remove_lesson(uow, command); }, admin_lesson_json,
      beast_http::status::ok, std::move(reply));
}

Result<nlohmann::json> render_progress(const events::CourseProgressAnswer& answer) {
  return course_progress_json(answer);
}

void complete_lesson(ApiContext& api, const RouteInput& in, Reply reply) {
  if (auto view = visible_course(api.log, in.caller, in.path.get("id"), api.clock.now_us());
      !view) {
    return reply_error(in.request, view.error(), reply);
  }
  const domain::CompleteLesson command{domain::CourseId{in.path.get("id")},
                                       domain::LessonId{in.path.get("lesson_id")},
                                       in.caller.user_id, domain::CertificateId{api.ids.next()}};
  run_command<events::CourseProgressAnswer>(
      api, in.request, in.caller.user_id,
      [command](UnitOfWork& uow) { return domain::complete_lesson(uow, command); }, render_progress,
      beast_http::status::ok, std::move(reply));
}

void get_progress(ApiContext& api, const RouteInput& in, Reply reply) {
  answer_query(api, in.request, reply, [&]() -> Result<nlohmann::json> {
    auto view = visible_course(api.log, in.caller, in.path.get("id"), api.clock.now_us());
    if (!view) return std::move(view).error();
    domain::LogRows rows(api.log);
    auto answer =
        domain::load_progress_answer(rows, in.caller.user_id.str(), view->course.course_id());
    if (!answer) return std::move(answer).error();
    return course_progress_json(*answer);
  });
}

schema::Schema certificate_schema() {
  using namespace schema;
  return named("CourseCertificate", object({
                                        {"id", string()},
                                        {"user", string()},
                                        {"user_name", string()},
                                        {"course", string()},
                                        {"course_title", string()},
                                        {"lessons_completed", integer()},
                                        {"completed_at", time()},
                                        {"position", integer()},
                                        {"hash", string()},
                                        {"stream_id", string()},
                                        {"event_type", string()},
                                    }));
}

// The certificate of the caller's completion of the course: the completion event as the log
// holds it (not_found before completion).
Result<nlohmann::json> certificate_json(const ApiContext& api, const Caller& caller,
                                        std::string_view course_id) {
  auto progress = domain::read_row<events::CourseProgressState>(
      api.log, domain::kCoursesKeyspace,
      domain::course_progress_key(caller.user_id.str(), course_id));
  if (!progress) return std::move(progress).error();
  if (!progress->has_value() || (*progress)->finished_at_us() == 0) {
    return make_error(Errc::not_found,
                      "you have not completed this course: there is no certificate");
  }
  auto envelope = domain::find_course_completion(api.log, **progress);
  if (!envelope) return std::move(envelope).error();
  auto finished = domain::decode_event<events::CourseFinished>(*envelope);
  if (!finished) return std::move(finished).error();
  auto user = domain::find_user(api.log, caller.user_id.str());
  if (!user) return std::move(user).error();
  return nlohmann::json{
      {"id", (*progress)->certificate_id()},
      {"user", caller.user_id.str()},
      {"user_name", user->has_value() ? (*user)->name() : std::string()},
      {"course", std::string(course_id)},
      {"course_title", finished->course_title()},
      {"lessons_completed", finished->lessons_completed()},
      {"completed_at", time_json(envelope->recorded_at_us())},
      {"position", envelope->position()},
      {"hash", to_hex(envelope->hash())},
      {"stream_id", envelope->stream_id()},
      {"event_type", envelope->event_type()},
  };
}

void get_certificate(ApiContext& api, const RouteInput& in, Reply reply) {
  answer_query(api, in.request, reply, [&]() -> Result<nlohmann::json> {
    return certificate_json(api, in.caller, in.path.get("id"));
  });
}

std::vector<Field> lesson_body_fields(bool adding) {
  namespace limits = domain::text_limits;
  const auto required = [adding](Field declared) {
    return adding ? std::move(declared) : declared.optional();
  };
  return {
      required(field::text("title", limits::kName)),
      required(field::text("module", limits::kName).described("the part of the course it is in")),
      required(field::integer("order", 0, domain::kLessonOrderMax)
                   .described("its place in the module: lessons list by module, then order")),
      field::long_text("body", limits::kLessonBody)
          .optional()
          .described("a text lesson's text; a lesson has a body or a video_url, not both"),
      field::text("video_url", limits::kUrl)
          .optional()
          .described("a video lesson's http(s) address"),
      required(field::integer("duration_minutes", 0, domain::kLessonDurationMinutesMax)),
  };
}

}  // namespace

RouteTable lesson_routes() {
  using beast_http::verb;
  const std::vector<Role> everyone = {Role::admin, Role::agent, Role::client};
  return {
      {.method = verb::get,
       .path = "/api/courses/{id}/lessons/",
       .operation_id = "listCourseLessons",
       .summary = "A course's lessons by module and order; their content only for a caller who "
                  "may open the course",
       .roles = everyone,
       .paged = true,
       .answer = lesson_schema(),
       .errors = {Errc::not_found},
       .handler = list_lessons},
      {.method = verb::post,
       .path = "/api/courses/{id}/lessons/",
       .operation_id = "addCourseLesson",
       .summary = "Add a lesson to a course (at most 200 a course)",
       .roles = {Role::admin},
       .body = lesson_body_fields(true),
       .success = beast_http::status::created,
       .answer = lesson_schema(),
       .errors = {Errc::not_found, Errc::invalid_transition, Errc::too_many_lessons},
       .handler = add_lesson},
      {.method = verb::get,
       .path = "/api/courses/{id}/lessons/{lesson_id}/",
       .operation_id = "getCourseLesson",
       .summary = "One lesson; its content only for a caller who may open the course",
       .roles = everyone,
       .answer = lesson_schema(),
       .errors = {Errc::not_found},
       .handler = get_lesson},
      {.method = verb::patch,
       .path = "/api/courses/{id}/lessons/{lesson_id}/",
       .operation_id = "updateCourseLesson",
       .summary = "Change a lesson (a body or a video_url replaces the other kind of content)",
       .roles = {Role::admin},
       .body = lesson_body_fields(false),
       .answer = lesson_schema(),
       .errors = {Errc::not_found, Errc::invalid_transition},
       .handler = update_lesson},
      {.method = verb::delete_,
       .path = "/api/courses/{id}/lessons/{lesson_id}/",
       .operation_id = "removeCourseLesson",
       .summary = "Remove a lesson: it leaves every learner's progress",
       .roles = {Role::admin},
       .answer = lesson_schema(),
       .errors = {Errc::not_found, Errc::invalid_transition},
       .handler = remove_lesson},
      {.method = verb::post,
       .path = "/api/courses/{id}/lessons/{lesson_id}/complete/",
       .operation_id = "completeCourseLesson",
       .summary = "Complete a lesson (a client with access; again: nothing written); the last "
                  "one completes the course",
       .roles = {Role::client},
       .answer = course_progress_schema(),
       .errors = {Errc::not_found, Errc::course_not_accessible},
       .handler = complete_lesson},
      {.method = verb::get,
       .path = "/api/courses/{id}/progress/",
       .operation_id = "getCourseProgress",
       .summary = "The caller's progress in a course: completed and total lessons, percent",
       .roles = {Role::client},
       .answer = course_progress_schema(),
       .errors = {Errc::not_found},
       .handler = get_progress},
      {.method = verb::get,
       .path = "/api/courses/{id}/certificate/",
       .operation_id = "getCourseCertificate",
       .summary = "The caller's certificate of a completed course: the completion event's log "
                  "position and chain hash, to verify against the log",
       .roles = {Role::client},
       .answer = certificate_schema(),
       .errors = {Errc::not_found},
       .handler = get_certificate},
  };
}

}  // namespace ledger::http
