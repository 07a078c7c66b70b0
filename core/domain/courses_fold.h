// The "courses" fold: the catalogue (each course, with its count of completed purchases and of
// lessons), each purchase under two keys, the lessons, the learners' progress and certificates,
// and the clients who subscribe to the courses service, from the course, lesson and subscription
// events.
//
//   course/<course_id>               CourseState (purchases: completed ones, refunds excluded;
//                                    deleted_at_us once deleted: the row stays)
//   purchase/<purchase_id>           CoursePurchaseState
//   of-user/<user_id>/<course_id>    CoursePurchaseState: the user's latest purchase of the course
//                                    (the one-purchase-per-user guard and the access check)
//   pending/<purchase_id>            CoursePurchaseState holding only purchase_id and
//                                    purchased_at_us, while a PayPal purchase is pending (erased
//                                    when it is confirmed, failed, cancelled or expired): what the
//                                    deadline sweeper scans to expire unpaid purchases
//   lesson/<course_id>/<lesson_id>   LessonState, without its body (erased when removed)
//   lesson-body/<course_id>/<lesson_id>
//                                    LessonBodyState: a text lesson's body
//   lessons-of/<course_id>           CourseLessonsState: the ids of its current lessons
//   progress/<user_id>/<course_id>   CourseProgressState: the lessons the user completed and
//                                    whether and where the course was completed
//   certificate/<certificate_id>     CourseProgressState holding only user_id and course_id: whose
//                                    completion the certificate is
//   subscriber/<client_id>           CourseSubscriberState: the client's subscriptions to the
//                                    courses service not cancelled (their status is the billing
//                                    fold's; core/domain/course.h reads both)
//
// Version 3 added the pending/ rows (and the cancelled status); version 4 the lessons, progress,
// certificates, subscribers and the courses' lesson count, updates and deletion.
//
// The course and purchase key helpers (course_key, course_purchase_key, user_course_key,
// user_course_prefix, pending_purchase_key) are declared in course.h, the others here.
#pragma once

#include <string>
#include <string_view>

#include "core/domain/fold.h"

namespace ledger::domain {

std::string lesson_prefix(std::string_view course_id);
std::string lesson_key(std::string_view course_id, std::string_view lesson_id);
std::string lesson_body_key(std::string_view course_id, std::string_view lesson_id);
std::string course_lessons_key(std::string_view course_id);
std::string course_progress_key(std::string_view user_id, std::string_view course_id);
std::string certificate_key(std::string_view certificate_id);
std::string course_subscriber_key(std::string_view client_id);

InlineFold courses_fold();

}  // namespace ledger::domain
