#include "core/domain/course_progress.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/assert.h"
#include "core/domain/courses_fold.h"
#include "core/domain/event_decoder.h"
#include "core/domain/keyspaces.h"
#include "core/domain/validation.h"
#include "events/course_events.pb.h"

namespace ledger::domain {
namespace {

// A CourseFinished is its stream's only event, or (recorded before certificates had streams of
// their own) one of the first few events of its purchase's stream: purchased, confirmed, finished.
constexpr std::size_t kCompletionStreamEventsMax = 8;

// The course and what its learner may do in it: course_not_accessible without access.
struct CourseAndLearner {
  events::CourseState course;
  Learner learner;
};
Result<CourseAndLearner> load_accessible_course(UnitOfWork& uow, const CourseId& course_id,
                                                const UserId& user_id) {
  if (auto valid = require_id(user_id.str(), "user_id"); !valid) return std::move(valid).error();
  auto course = load_course(uow, course_id.str());
  if (!course) return std::move(course).error();
  auto learner = load_learner(uow, user_id.str(), course_id.str());
  if (!learner) return std::move(learner).error();
  if (!course_is_accessible(*course, *learner, uow.now_us())) {
    return make_error(Errc::course_not_accessible,
                      fmt::format("you have no access to course {}", course->title()));
  }
  return CourseAndLearner{std::move(*course), std::move(*learner)};
}

// Records the completion of the course (CourseFinished on the certificate's own stream) and
// answers the progress after it.
Result<events::CourseProgressAnswer> record_completion(UnitOfWork& uow,
                                                       const CourseAndLearner& found,
                                                       const UserId& user_id,
                                                       const CertificateId& certificate_id,
                                                       std::uint32_t lessons_total) {
  if (auto valid = require_id(certificate_id.str(), "certificate_id"); !valid) {
    return std::move(valid).error();
  }
  if (auto unused = uow.require_unused(certificate_id, kCoursesKeyspace,
                                       certificate_key(certificate_id.str()));
      !unused) {
    return std::move(unused).error();
  }
  const events::CourseState& course = found.course;
  events::CourseFinished finished;
  if (course_is_purchased(found.learner)) {
    finished.set_purchase_id(found.learner.purchase->purchase_id());
  }
  finished.set_course_id(course.course_id());
  finished.set_user_id(user_id.str());
  finished.set_course_title(course.title());
  finished.set_certificate_id(certificate_id.str());
  finished.set_lessons_completed(lessons_total);
  if (auto emitted = uow.emit(course_certificate_stream(certificate_id.str()), finished);
      !emitted) {
    return std::move(emitted).error();
  }
  auto answer = load_progress_answer(uow, user_id.str(), course.course_id());
  if (!answer) return answer;
  LEDGER_ASSERT(answer->progress().finished_at_us() == uow.now_us(),
                "the fold records the completion the decider emits");
  answer->set_newly_completed(true);
  return answer;
}

}  // namespace

std::string course_progress_stream(std::string_view course_id, std::string_view user_id) {
  return "course-progress:" + std::string(course_id) + ":" + std::string(user_id);
}

std::string course_certificate_stream(std::string_view certificate_id) {
  return "course-certificate:" + std::string(certificate_id);
}

LessonTally tally_lessons(const events::CourseProgressState& progress,
                          const events::CourseLessonsState& lessons) {
  LessonTally tally;
  tally.total = static_cast<std::uint32_t>(lessons.lesson_ids_size());
  for (const auto& lesson_id : lessons.lesson_ids()) {
    if (progress.completed_at_us().contains(lesson_id)) ++tally.completed;
  }
  LEDGER_ASSERT(tally.completed <= tally.total, "only current lessons are counted");
  if (tally.total > 0) {
    tally.percent = static_cast<std::uint32_t>(std::uint64_t{tally.completed} * 100 / tally.total);
  } else {
    tally.percent = progress.finished_at_us() != 0 ? 100 : 0;
  }
  return tally;
}

void keep_current_lessons(events::CourseProgressState& progress,
                          const events::CourseLessonsState& lessons) {
  auto& done = *progress.mutable_completed_at_us();
  for (auto it = done.begin(); it != done.end();) {
    const bool current = std::find(lessons.lesson_ids().begin(), lessons.lesson_ids().end(),
                                   it->first) != lessons.lesson_ids().end();
    it = current ? std::next(it) : done.erase(it);
  }
}

Result<events::CourseProgressAnswer> complete_lesson(UnitOfWork& uow,
                                                     const CompleteLesson& command) {
  if (auto valid = require_id(command.lesson_id.str(), "lesson_id"); !valid) {
    return std::move(valid).error();
  }
  auto found = load_accessible_course(uow, command.course_id, command.user_id);
  if (!found) return std::move(found).error();
  const std::string& course_id = found->course.course_id();
  auto lesson = uow.exists(kCoursesKeyspace, lesson_key(course_id, command.lesson_id.str()));
  if (!lesson) return std::move(lesson).error();
  if (!*lesson) {
    return make_error(Errc::not_found, fmt::format("course {} has no lesson {}",
                                                   found->course.title(), command.lesson_id.str()));
  }
  auto before = load_progress_answer(uow, command.user_id.str(), course_id);
  if (!before) return before;
  if (before->progress().completed_at_us().contains(command.lesson_id.str())) {
    return before;  // completed already: nothing to record
  }
  events::LessonCompleted completed;
  completed.set_lesson_id(command.lesson_id.str());
  completed.set_course_id(course_id);
  completed.set_user_id(command.user_id.str());
  completed.set_lessons_completed(before->lessons_completed() + 1);
  completed.set_lessons_total(before->lessons_total());
  if (auto emitted = uow.emit(course_progress_stream(course_id, command.user_id.str()), completed);
      !emitted) {
    return std::move(emitted).error();
  }
  auto after = load_progress_answer(uow, command.user_id.str(), course_id);
  if (!after) return after;
  LEDGER_ASSERT(after->lessons_completed() == completed.lessons_completed(),
                "a completed lesson counts once");
  const bool all_done = after->lessons_completed() == after->lessons_total();
  if (!all_done || after->progress().finished_at_us() != 0) return after;
  return record_completion(uow, *found, command.user_id, command.certificate_id,
                           after->lessons_total());
}

Result<events::CourseProgressAnswer> finish_course(UnitOfWork& uow, const FinishCourse& command) {
  auto found = load_accessible_course(uow, command.course_id, command.user_id);
  if (!found) return std::move(found).error();
  const std::string& course_id = found->course.course_id();
  auto progress = load_progress_answer(uow, command.user_id.str(), course_id);
  if (!progress) return progress;
  if (progress->progress().finished_at_us() != 0) {
    return make_error(Errc::already_finished,
                      fmt::format("you finished course {} already", found->course.title()));
  }
  if (progress->lessons_completed() < progress->lessons_total()) {
    return make_error(Errc::lessons_incomplete,
                      fmt::format("{} of the {} lessons of course {} remain to be completed",
                                  progress->lessons_total() - progress->lessons_completed(),
                                  progress->lessons_total(), found->course.title()));
  }
  return record_completion(uow, *found, command.user_id, command.certificate_id,
                           progress->lessons_total());
}

Result<events::Envelope> find_course_completion(const store::EventLog& log,
                                                const events::CourseProgressState& progress) {
  if (progress.finished_at_us() == 0) {
    return make_error(Errc::not_found, "the course is not completed: there is no certificate");
  }
  auto stored = log.read_stream(progress.finished_stream_id(), 1, store::ReadDirection::forward,
                                kCompletionStreamEventsMax);
  if (!stored) return std::move(stored).error();
  for (auto& envelope : *stored) {
    if (envelope.event_type() != events::CourseFinished::descriptor()->name()) continue;
    auto finished = decode_event<events::CourseFinished>(envelope);
    if (!finished) return std::move(finished).error();
    if (finished->user_id() == progress.user_id() &&
        finished->course_id() == progress.course_id()) {
      return std::move(envelope);
    }
  }
  return make_error(
      Errc::corruption,
      fmt::format("the completion of course {} by {} is not on stream {}", progress.course_id(),
                  progress.user_id(), progress.finished_stream_id()));
}

}  // namespace ledger::domain
