#include "core/domain/course_learning_fold.h"

#include <algorithm>
#include <string>

#include "core/domain/course.h"
#include "core/domain/course_progress.h"
#include "core/domain/courses_fold.h"
#include "events/course_events.pb.h"
#include "events/lesson_events.pb.h"
#include "events/lesson_state.pb.h"
#include "events/subscription_events.pb.h"

namespace ledger::domain {
namespace {

constexpr std::string_view kCoursesService = "courses";

// The course row counts its current lessons (a course the fold never saw has nothing to count).
Status count_lessons(KeyspaceRows& rows, const std::string& course_id,
                     const events::CourseLessonsState& lessons) {
  auto course = rows.load<events::CourseState>(course_key(course_id));
  if (!course) return std::move(course).error();
  if (!course->has_value()) return {};
  (*course)->set_lesson_count(static_cast<std::uint32_t>(lessons.lesson_ids_size()));
  rows.save(course_key(course_id), **course);
  return {};
}

// Lessons and learners belong to a course: events about a course the fold never saw change
// nothing.
Result<bool> course_known(KeyspaceRows& rows, const std::string& course_id) {
  auto course = rows.load<events::CourseState>(course_key(course_id));
  if (!course) return std::move(course).error();
  return course->has_value();
}

// A text lesson keeps its body in a row of its own; a video lesson has none.
void save_body(KeyspaceRows& rows, const std::string& course_id, const std::string& lesson_id,
               const std::string& body) {
  if (body.empty()) {
    rows.erase(lesson_body_key(course_id, lesson_id));
    return;
  }
  events::LessonBodyState row;
  row.set_body(body);
  rows.save(lesson_body_key(course_id, lesson_id), row);
}

Status lesson_added(KeyspaceRows& rows, const FoldedEvent& event,
                    const events::LessonAdded& added) {
  auto known = course_known(rows, added.course_id());
  if (!known) return std::move(known).error();
  if (!*known) return {};
  events::LessonState lesson;
  lesson.set_lesson_id(added.lesson_id());
  lesson.set_course_id(added.course_id());
  lesson.set_title(added.title());
  lesson.set_module(added.module());
  lesson.set_order(added.order());
  lesson.set_duration_minutes(added.duration_minutes());
  lesson.set_video_url(added.video_url());
  lesson.set_body_bytes(static_cast<std::uint32_t>(added.body().size()));
  lesson.set_created_at_us(event.recorded_at_us);
  lesson.set_updated_at_us(event.recorded_at_us);
  rows.save(lesson_key(added.course_id(), added.lesson_id()), lesson);
  save_body(rows, added.course_id(), added.lesson_id(), added.body());
  auto lessons = rows.load_or(course_lessons_key(added.course_id()), events::CourseLessonsState());
  if (!lessons) return std::move(lessons).error();
  const auto& ids = lessons->lesson_ids();
  if (std::find(ids.begin(), ids.end(), added.lesson_id()) == ids.end()) {
    lessons->add_lesson_ids(added.lesson_id());
  }
  rows.save(course_lessons_key(added.course_id()), *lessons);
  return count_lessons(rows, added.course_id(), *lessons);
}

Status lesson_updated(KeyspaceRows& rows, const FoldedEvent& event,
                      const events::LessonUpdated& updated) {
  const std::string key = lesson_key(updated.course_id(), updated.lesson_id());
  auto lesson = rows.load<events::LessonState>(key);
  if (!lesson) return std::move(lesson).error();
  if (!lesson->has_value()) return {};
  events::LessonState& state = **lesson;
  state.set_title(updated.title());
  state.set_module(updated.module());
  state.set_order(updated.order());
  state.set_duration_minutes(updated.duration_minutes());
  state.set_video_url(updated.video_url());
  state.set_body_bytes(static_cast<std::uint32_t>(updated.body().size()));
  state.set_updated_at_us(event.recorded_at_us);
  rows.save(key, state);
  save_body(rows, updated.course_id(), updated.lesson_id(), updated.body());
  return {};
}

Status lesson_removed(KeyspaceRows& rows, const events::LessonRemoved& removed) {
  const std::string key = lesson_key(removed.course_id(), removed.lesson_id());
  auto lesson = rows.load<events::LessonState>(key);
  if (!lesson) return std::move(lesson).error();
  if (!lesson->has_value()) return {};
  rows.erase(key);
  rows.erase(lesson_body_key(removed.course_id(), removed.lesson_id()));
  auto lessons =
      rows.load_or(course_lessons_key(removed.course_id()), events::CourseLessonsState());
  if (!lessons) return std::move(lessons).error();
  auto* ids = lessons->mutable_lesson_ids();
  ids->erase(std::remove(ids->begin(), ids->end(), removed.lesson_id()), ids->end());
  rows.save(course_lessons_key(removed.course_id()), *lessons);
  return count_lessons(rows, removed.course_id(), *lessons);
}

Result<events::CourseProgressState> load_progress(KeyspaceRows& rows, const std::string& user_id,
                                                  const std::string& course_id) {
  events::CourseProgressState fresh;
  fresh.set_user_id(user_id);
  fresh.set_course_id(course_id);
  return rows.load_or(course_progress_key(user_id, course_id), std::move(fresh));
}

// The learner's completions keep to the course's current lessons (and the one just completed),
// so that a progress row never outgrows the course.
Status lesson_completed(KeyspaceRows& rows, const FoldedEvent& event,
                        const events::LessonCompleted& completed) {
  auto known = course_known(rows, completed.course_id());
  if (!known) return std::move(known).error();
  if (!*known) return {};
  auto progress = load_progress(rows, completed.user_id(), completed.course_id());
  if (!progress) return std::move(progress).error();
  auto lessons =
      rows.load_or(course_lessons_key(completed.course_id()), events::CourseLessonsState());
  if (!lessons) return std::move(lessons).error();
  keep_current_lessons(*progress, *lessons);
  (*progress->mutable_completed_at_us())[completed.lesson_id()] = event.recorded_at_us;
  rows.save(course_progress_key(completed.user_id(), completed.course_id()), *progress);
  return {};
}

// The first completion of a course by a learner is the one that counts (the deciders record one).
Status course_finished(KeyspaceRows& rows, const FoldedEvent& event,
                       const events::CourseFinished& finished) {
  auto known = course_known(rows, finished.course_id());
  if (!known) return std::move(known).error();
  if (!*known) return {};
  auto progress = load_progress(rows, finished.user_id(), finished.course_id());
  if (!progress) return std::move(progress).error();
  if (progress->finished_at_us() != 0) return {};
  // Recorded before certificates had ids: the purchase's id, unique to it, names the certificate.
  const std::string certificate_id =
      finished.certificate_id().empty() ? finished.purchase_id() : finished.certificate_id();
  progress->set_finished_at_us(event.recorded_at_us);
  progress->set_certificate_id(certificate_id);
  progress->set_finished_stream_id(std::string(event.stream_id));
  rows.save(course_progress_key(finished.user_id(), finished.course_id()), *progress);
  if (certificate_id.empty()) return {};
  events::CourseProgressState certificate;
  certificate.set_user_id(finished.user_id());
  certificate.set_course_id(finished.course_id());
  rows.save(certificate_key(certificate_id), certificate);
  return {};
}

Status subscription_activated(KeyspaceRows& rows, const events::SubscriptionActivated& activated) {
  if (activated.service() != kCoursesService) return {};
  const std::string key = course_subscriber_key(activated.client_id());
  auto subscriber = rows.load_or(key, events::CourseSubscriberState());
  if (!subscriber) return std::move(subscriber).error();
  const auto& ids = subscriber->subscription_ids();
  if (std::find(ids.begin(), ids.end(), activated.subscription_id()) == ids.end()) {
    subscriber->add_subscription_ids(activated.subscription_id());
  }
  rows.save(key, *subscriber);
  return {};
}

Status subscription_cancelled(KeyspaceRows& rows, const events::SubscriptionCancelled& cancelled) {
  const std::string key = course_subscriber_key(cancelled.client_id());
  auto subscriber = rows.load<events::CourseSubscriberState>(key);
  if (!subscriber) return std::move(subscriber).error();
  if (!subscriber->has_value()) return {};
  auto* ids = (*subscriber)->mutable_subscription_ids();
  ids->erase(std::remove(ids->begin(), ids->end(), cancelled.subscription_id()), ids->end());
  if (ids->empty()) {
    rows.erase(key);
  } else {
    rows.save(key, **subscriber);
  }
  return {};
}

}  // namespace

std::string lesson_prefix(std::string_view course_id) {
  return "lesson/" + std::string(course_id) + "/";
}
std::string lesson_key(std::string_view course_id, std::string_view lesson_id) {
  return lesson_prefix(course_id) + std::string(lesson_id);
}
std::string lesson_body_key(std::string_view course_id, std::string_view lesson_id) {
  return "lesson-body/" + std::string(course_id) + "/" + std::string(lesson_id);
}
std::string course_lessons_key(std::string_view course_id) {
  return "lessons-of/" + std::string(course_id);
}
std::string course_progress_key(std::string_view user_id, std::string_view course_id) {
  return "progress/" + std::string(user_id) + "/" + std::string(course_id);
}
std::string certificate_key(std::string_view certificate_id) {
  return "certificate/" + std::string(certificate_id);
}
std::string course_subscriber_key(std::string_view client_id) {
  return "subscriber/" + std::string(client_id);
}

Status evolve_course_learning(KeyspaceRows& rows, const FoldedEvent& event) {
  if (const auto* added = event.as<events::LessonAdded>()) {
    return lesson_added(rows, event, *added);
  }
  if (const auto* updated = event.as<events::LessonUpdated>()) {
    return lesson_updated(rows, event, *updated);
  }
  if (const auto* removed = event.as<events::LessonRemoved>()) {
    return lesson_removed(rows, *removed);
  }
  if (const auto* completed = event.as<events::LessonCompleted>()) {
    return lesson_completed(rows, event, *completed);
  }
  if (const auto* finished = event.as<events::CourseFinished>()) {
    return course_finished(rows, event, *finished);
  }
  if (const auto* activated = event.as<events::SubscriptionActivated>()) {
    return subscription_activated(rows, *activated);
  }
  if (const auto* cancelled = event.as<events::SubscriptionCancelled>()) {
    return subscription_cancelled(rows, *cancelled);
  }
  return {};
}

std::vector<const google::protobuf::Descriptor*> course_learning_events() {
  return {events::LessonAdded::descriptor(),          events::LessonUpdated::descriptor(),
          events::LessonRemoved::descriptor(),        events::LessonCompleted::descriptor(),
          events::CourseFinished::descriptor(),       events::SubscriptionActivated::descriptor(),
          events::SubscriptionCancelled::descriptor()};
}

}  // namespace ledger::domain
