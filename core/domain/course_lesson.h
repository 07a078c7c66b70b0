// Lessons of a course: what admins add, change and remove, and the order they list in.
//
// Rules (each refused command writes nothing):
// - A lesson has a title (1-200 bytes), a module (1-200: the part of the course it belongs to), an
//   order (0-100,000: its place in the module), a duration in minutes (0-1,440) and its content:
//   a body (1-65,536 bytes of text) or a video_url (an http(s) address, core/domain/validation.h),
//   exactly one of the two (invalid_argument naming body otherwise).
// - A course holds at most kLessonsPerCourseMax lessons (too_many_lessons).
// - The lessons of a deleted course do not change (invalid_transition). A lesson is changed or
//   removed through its own course only (not_found otherwise, as for a missing one).
// - A change sets the fields given; content given as a body turns a video lesson into a text one,
//   as a video_url the other way (both at once: invalid_argument). Asking for what the lesson
//   already has records nothing.
// - Removing a lesson takes it out of every learner's progress (course_progress.h): it counts
//   neither as completed nor in the total. A completed course stays completed.
// - Lessons list by module, then order, then the order they were added in (`lesson_lists_before`).
//
// Every function here decides one command against a UnitOfWork: it reads rows, checks the rules
// and emits events on the course's stream; the rows are the "courses" fold's (courses_fold.h
// lists them).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/domain/unit_of_work.h"
#include "events/lesson_events.pb.h"
#include "events/lesson_state.pb.h"

namespace ledger::domain {

inline constexpr std::uint32_t kLessonsPerCourseMax = 200;
inline constexpr std::int64_t kLessonOrderMax = 100'000;
inline constexpr std::int64_t kLessonDurationMinutesMax = 1'440;

// A lesson's fields as a command gives them; those not given are left as they are (a new lesson
// needs all but one of body and video_url).
struct LessonFields {
  std::optional<std::string> title;
  std::optional<std::string> module;
  std::optional<std::int64_t> order;
  std::optional<std::string> body;
  std::optional<std::string> video_url;
  std::optional<std::int64_t> duration_minutes;
};

struct AddLesson {
  LessonId lesson_id;
  CourseId course_id;
  LessonFields fields;
  ActorId added_by;
};
Result<events::LessonAnswer> add_lesson(UnitOfWork& uow, const AddLesson& command);

struct UpdateLesson {
  CourseId course_id;
  LessonId lesson_id;
  LessonFields fields;
  ActorId updated_by;
};
// Answers the lesson as it is after the change.
Result<events::LessonAnswer> update_lesson(UnitOfWork& uow, const UpdateLesson& command);

struct RemoveLesson {
  CourseId course_id;
  LessonId lesson_id;
  ActorId removed_by;
};
// Answers the lesson as it was.
Result<events::LessonAnswer> remove_lesson(UnitOfWork& uow, const RemoveLesson& command);

// Pure: whether lesson `a` lists before lesson `b` (module, order, then when added; the id last so
// that the order is total).
bool lesson_lists_before(const events::LessonState& a, const events::LessonState& b);

}  // namespace ledger::domain
