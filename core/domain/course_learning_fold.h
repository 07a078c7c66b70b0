// The part of the "courses" fold (courses_fold.h, which lists the rows) that folds lessons,
// learners' progress and certificates, and the clients who subscribe to the courses service: from
// LessonAdded, LessonUpdated, LessonRemoved, LessonCompleted, CourseFinished,
// SubscriptionActivated (of the courses service) and SubscriptionCancelled. Total, as every fold:
// an event about rows it never saw changes what it can.
#pragma once

#include <vector>

#include "core/domain/fold.h"

namespace ledger::domain {

// Folds one event of `course_learning_events()`; any other changes nothing.
Status evolve_course_learning(KeyspaceRows& rows, const FoldedEvent& event);

std::vector<const google::protobuf::Descriptor*> course_learning_events();

}  // namespace ledger::domain
