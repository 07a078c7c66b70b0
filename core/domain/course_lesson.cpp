#include "core/domain/course_lesson.h"

#include <fmt/format.h>

#include <string>
#include <tuple>
#include <vector>

#include "core/assert.h"
#include "core/domain/course.h"
#include "core/domain/courses_fold.h"
#include "core/domain/keyspaces.h"
#include "core/domain/text_limits.h"
#include "core/domain/validation.h"

namespace ledger::domain {
namespace {

// The lesson with its body, as the rows hold it (not_found when the course has no such lesson).
Result<events::LessonAnswer> load_lesson(UnitOfWork& uow, std::string_view course_id,
                                         std::string_view lesson_id) {
  if (auto valid = require_id(lesson_id, "lesson_id"); !valid) return std::move(valid).error();
  auto lesson = uow.load<events::LessonState>(kCoursesKeyspace, lesson_key(course_id, lesson_id));
  if (!lesson) return std::move(lesson).error();
  if (!lesson->has_value()) {
    return make_error(Errc::not_found,
                      fmt::format("course {} has no lesson {}", course_id, lesson_id));
  }
  auto body =
      uow.load<events::LessonBodyState>(kCoursesKeyspace, lesson_body_key(course_id, lesson_id));
  if (!body) return std::move(body).error();
  events::LessonAnswer answer;
  *answer.mutable_lesson() = std::move(**lesson);
  if (body->has_value()) answer.set_body((*body)->body());
  return answer;
}

Status require_in_range(std::optional<std::int64_t> value, std::string_view field,
                        std::int64_t max) {
  if (!value || (*value >= 0 && *value <= max)) return {};
  return make_error(Errc::invalid_argument, fmt::format("{} must be from 0 to {}", field, max),
                    std::string(field));
}

// What can be told of the fields alone: numbers in range, at most one kind of content.
Status validate_fields(const LessonFields& fields) {
  if (auto valid = require_in_range(fields.order, "order", kLessonOrderMax); !valid) return valid;
  if (auto valid =
          require_in_range(fields.duration_minutes, "duration_minutes", kLessonDurationMinutesMax);
      !valid) {
    return valid;
  }
  if (fields.body && fields.video_url) {
    return make_error(Errc::invalid_argument, "a lesson is a body or a video_url, not both",
                      "body");
  }
  return {};
}

// The rules of a whole lesson, after its fields are applied.
Status validate_lesson(const events::LessonAnswer& draft) {
  const events::LessonState& lesson = draft.lesson();
  if (auto valid = require_text(lesson.title(), "title", text_limits::kName); !valid) return valid;
  if (auto valid = require_text(lesson.module(), "module", text_limits::kName); !valid) {
    return valid;
  }
  if (draft.body().empty() == lesson.video_url().empty()) {
    return make_error(Errc::invalid_argument, "a lesson needs a body or a video_url", "body");
  }
  if (auto valid = limit_text(draft.body(), "body", text_limits::kLessonBody); !valid) {
    return valid;
  }
  if (!lesson.video_url().empty() && !valid_web_url(lesson.video_url())) {
    return make_error(Errc::invalid_argument, "video_url must be an http(s) address", "video_url");
  }
  return {};
}

// Applies `fields` to `draft`, naming each field whose value changed in `changed`. Content given
// replaces the other kind.
void apply_fields(const LessonFields& fields, events::LessonAnswer& draft,
                  std::vector<std::string>& changed) {
  events::LessonState& lesson = *draft.mutable_lesson();
  auto note = [&changed](bool differs, const char* name) {
    if (differs) changed.emplace_back(name);
  };
  if (fields.title) {
    note(*fields.title != lesson.title(), "title");
    lesson.set_title(*fields.title);
  }
  if (fields.module) {
    note(*fields.module != lesson.module(), "module");
    lesson.set_module(*fields.module);
  }
  if (fields.order) {
    note(*fields.order != static_cast<std::int64_t>(lesson.order()), "order");
    lesson.set_order(static_cast<std::uint32_t>(*fields.order));
  }
  if (fields.duration_minutes) {
    note(*fields.duration_minutes != static_cast<std::int64_t>(lesson.duration_minutes()),
         "duration_minutes");
    lesson.set_duration_minutes(static_cast<std::uint32_t>(*fields.duration_minutes));
  }
  if (fields.body) {
    note(*fields.body != draft.body(), "body");
    note(!lesson.video_url().empty(), "video_url");
    draft.set_body(*fields.body);
    lesson.set_video_url("");
  }
  if (fields.video_url) {
    note(*fields.video_url != lesson.video_url(), "video_url");
    note(!draft.body().empty(), "body");
    lesson.set_video_url(*fields.video_url);
    draft.set_body("");
  }
}

// The course of a lesson command, which must not be deleted.
Result<events::CourseState> load_changeable_course(UnitOfWork& uow, const CourseId& course_id) {
  auto course = load_course(uow, course_id.str());
  if (!course) return course;
  if (auto alive = require_course_not_deleted(*course); !alive) return std::move(alive).error();
  return course;
}

}  // namespace

bool lesson_lists_before(const events::LessonState& a, const events::LessonState& b) {
  using SortKey = std::tuple<const std::string&, std::uint32_t, std::int64_t, const std::string&>;
  return SortKey(a.module(), a.order(), a.created_at_us(), a.lesson_id()) <
         SortKey(b.module(), b.order(), b.created_at_us(), b.lesson_id());
}

Result<events::LessonAnswer> add_lesson(UnitOfWork& uow, const AddLesson& command) {
  if (auto valid = require_id(command.lesson_id.str(), "lesson_id"); !valid) {
    return std::move(valid).error();
  }
  auto course = load_changeable_course(uow, command.course_id);
  if (!course) return std::move(course).error();
  if (auto valid = validate_fields(command.fields); !valid) return std::move(valid).error();
  if (!command.fields.order) {
    return make_error(Errc::invalid_argument, "order is required", "order");
  }
  if (!command.fields.duration_minutes) {
    return make_error(Errc::invalid_argument, "duration_minutes is required", "duration_minutes");
  }
  events::LessonAnswer draft;
  std::vector<std::string> ignored;
  apply_fields(command.fields, draft, ignored);
  if (auto valid = validate_lesson(draft); !valid) return std::move(valid).error();
  if (course->lesson_count() >= kLessonsPerCourseMax) {
    return make_error(Errc::too_many_lessons,
                      fmt::format("course {} has {} lessons, the most a course may have",
                                  course->title(), kLessonsPerCourseMax));
  }
  if (auto unused =
          uow.require_unused(command.lesson_id, kCoursesKeyspace,
                             lesson_key(command.course_id.str(), command.lesson_id.str()));
      !unused) {
    return std::move(unused).error();
  }
  events::LessonAdded added;
  added.set_lesson_id(command.lesson_id.str());
  added.set_course_id(command.course_id.str());
  added.set_title(draft.lesson().title());
  added.set_module(draft.lesson().module());
  added.set_order(draft.lesson().order());
  added.set_body(draft.body());
  added.set_video_url(draft.lesson().video_url());
  added.set_duration_minutes(draft.lesson().duration_minutes());
  added.set_added_by(command.added_by.str());
  if (auto emitted = uow.emit(course_stream(command.course_id.str()), added); !emitted) {
    return std::move(emitted).error();
  }
  return load_lesson(uow, command.course_id.str(), command.lesson_id.str());
}

Result<events::LessonAnswer> update_lesson(UnitOfWork& uow, const UpdateLesson& command) {
  auto course = load_changeable_course(uow, command.course_id);
  if (!course) return std::move(course).error();
  auto lesson = load_lesson(uow, command.course_id.str(), command.lesson_id.str());
  if (!lesson) return lesson;
  if (auto valid = validate_fields(command.fields); !valid) return std::move(valid).error();
  std::vector<std::string> changed;
  apply_fields(command.fields, *lesson, changed);
  if (auto valid = validate_lesson(*lesson); !valid) return std::move(valid).error();
  if (changed.empty()) return lesson;  // nothing to record
  events::LessonUpdated updated;
  updated.set_lesson_id(command.lesson_id.str());
  updated.set_course_id(command.course_id.str());
  for (const auto& name : changed) updated.add_changed(name);
  updated.set_title(lesson->lesson().title());
  updated.set_module(lesson->lesson().module());
  updated.set_order(lesson->lesson().order());
  updated.set_body(lesson->body());
  updated.set_video_url(lesson->lesson().video_url());
  updated.set_duration_minutes(lesson->lesson().duration_minutes());
  updated.set_updated_by(command.updated_by.str());
  if (auto emitted = uow.emit(course_stream(command.course_id.str()), updated); !emitted) {
    return std::move(emitted).error();
  }
  return load_lesson(uow, command.course_id.str(), command.lesson_id.str());
}

Result<events::LessonAnswer> remove_lesson(UnitOfWork& uow, const RemoveLesson& command) {
  auto course = load_changeable_course(uow, command.course_id);
  if (!course) return std::move(course).error();
  auto lesson = load_lesson(uow, command.course_id.str(), command.lesson_id.str());
  if (!lesson) return lesson;
  events::LessonRemoved removed;
  removed.set_lesson_id(command.lesson_id.str());
  removed.set_course_id(command.course_id.str());
  removed.set_title(lesson->lesson().title());
  removed.set_removed_by(command.removed_by.str());
  if (auto emitted = uow.emit(course_stream(command.course_id.str()), removed); !emitted) {
    return std::move(emitted).error();
  }
  auto gone =
      uow.exists(kCoursesKeyspace, lesson_key(command.course_id.str(), command.lesson_id.str()));
  if (!gone) return std::move(gone).error();
  LEDGER_ASSERT(!*gone, "a removed lesson's row is erased by the fold");
  return lesson;
}

}  // namespace ledger::domain
