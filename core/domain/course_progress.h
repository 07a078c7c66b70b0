// Learners' progress through a course's lessons, the course's completion and its certificate.
//
// Rules (each refused command writes nothing):
// - Completing a lesson: a user with access to the course (course.h's Access rule:
//   course_not_accessible otherwise) completes one of its current lessons (not_found otherwise),
//   once: completing it again answers the progress and writes nothing.
// - Progress: `completed` counts the course's current lessons the learner completed, `total` the
//   course's current lessons, `percent` is completed * 100 / total rounded down (a course without
//   lessons: 0, or 100 once completed). A removed lesson counts in neither.
// - Completion, one notion: a course is completed by a learner when every one of its current
//   lessons is, recorded once as CourseFinished. Completing the last lesson records it in the
//   same commit, after its LessonCompleted. `finish_course` records it on request when nothing
//   remains to complete (a course without lessons, or whose remaining lessons were removed):
//   with access, once (already_finished), and never while a lesson remains (lessons_incomplete).
//   A completion stands: lessons added later, access that ends or a refund do not undo it.
// - Certificate: the CourseFinished is the only event of its stream
//   "course-certificate:<certificate_id>" (the id comes in the command), so its position and its
//   hash in the log's chain are the certificate's: anyone holding them checks them against the
//   event (`GET /api/ledger/events/`) and the chain's head. `find_course_completion` finds it.
//
// The progress and certificate rows are the "courses" fold's (courses_fold.h).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/domain/course.h"
#include "core/domain/unit_of_work.h"
#include "core/store/event_log.h"
#include "events/envelope.pb.h"
#include "events/lesson_events.pb.h"
#include "events/lesson_state.pb.h"

namespace ledger::domain {

std::string course_progress_stream(std::string_view course_id, std::string_view user_id);
std::string course_certificate_stream(std::string_view certificate_id);

struct CompleteLesson {
  CourseId course_id;
  LessonId lesson_id;
  UserId user_id;
  CertificateId certificate_id;  // the certificate's, when this completes the course
};
Result<events::CourseProgressAnswer> complete_lesson(UnitOfWork& uow,
                                                     const CompleteLesson& command);

struct FinishCourse {
  CourseId course_id;
  UserId user_id;
  CertificateId certificate_id;
};
Result<events::CourseProgressAnswer> finish_course(UnitOfWork& uow, const FinishCourse& command);

// Pure: the counts of the Progress rule.
struct LessonTally {
  std::uint32_t completed = 0;
  std::uint32_t total = 0;
  std::uint32_t percent = 0;
};
LessonTally tally_lessons(const events::CourseProgressState& progress,
                          const events::CourseLessonsState& lessons);

// Pure: drops from `progress` the lessons that are not among `lessons` (removed since).
void keep_current_lessons(events::CourseProgressState& progress,
                          const events::CourseLessonsState& lessons);

// A learner's progress in a course as the API answers it (the learner's purchase included when
// completed), read the same by deciders and queries (`rows`: a UnitOfWork or a LogRows).
template <class Rows>
Result<events::CourseProgressAnswer> load_progress_answer(Rows& rows, std::string_view user_id,
                                                          std::string_view course_id) {
  auto progress = rows.template load<events::CourseProgressState>(
      kCoursesKeyspace, course_progress_key(user_id, course_id));
  if (!progress) return std::move(progress).error();
  auto lessons = rows.template load<events::CourseLessonsState>(kCoursesKeyspace,
                                                                course_lessons_key(course_id));
  if (!lessons) return std::move(lessons).error();
  auto purchase = rows.template load<events::CoursePurchaseState>(
      kCoursesKeyspace, user_course_key(user_id, course_id));
  if (!purchase) return std::move(purchase).error();
  events::CourseProgressAnswer answer;
  events::CourseProgressState& state = *answer.mutable_progress();
  if (progress->has_value()) {
    state = std::move(**progress);
  } else {
    state.set_user_id(std::string(user_id));
    state.set_course_id(std::string(course_id));
  }
  const events::CourseLessonsState current = lessons->value_or(events::CourseLessonsState());
  keep_current_lessons(state, current);
  const LessonTally tally = tally_lessons(state, current);
  answer.set_lessons_completed(tally.completed);
  answer.set_lessons_total(tally.total);
  answer.set_percent(tally.percent);
  if (purchase->has_value() && (*purchase)->status() == events::COURSE_PURCHASE_STATUS_COMPLETED) {
    *answer.mutable_purchase() = std::move(**purchase);
  }
  return answer;
}

// The CourseFinished of a completed course, as the log stores it (its position and hash are the
// certificate's): not_found when `progress` is not completed; corruption when the event is not on
// the stream the row names.
Result<events::Envelope> find_course_completion(const store::EventLog& log,
                                                const events::CourseProgressState& progress);

}  // namespace ledger::domain
