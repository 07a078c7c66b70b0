// Course lessons, learners' progress and certificates (API.md, "Courses"):
// GET|POST /api/courses/{id}/lessons/, GET|PATCH|DELETE /api/courses/{id}/lessons/{lesson_id}/,
// POST /api/courses/{id}/lessons/{lesson_id}/complete/, GET /api/courses/{id}/progress/ and
// GET /api/courses/{id}/certificate/.
//
// What API.md leaves open, decided as the dashboards' users would expect:
// - Any user who sees the course (http/authorization.h: a deleted course only admins and those
//   who bought it; 404 otherwise) lists its lessons, by module, then order, then when added, and
//   reads one. Every lesson shows its title, module, order, duration and content_type ("text" or
//   "video"); its body or video_url only to a caller who may open the course (admins, agents, a
//   client with access: core/domain/course.h), null to the others (is_accessible false). A
//   client also reads which lessons they completed.
// - Admins add (201), change and remove lessons: a body or a video_url (http(s)), not both;
//   changing one kind of content for the other clears the first. At most 200 lessons a course
//   (422 too_many_lessons); a deleted course's lessons do not change (422 invalid_transition).
// - complete/: a client with access (422 course_not_accessible otherwise) answers their progress
//   (200); completing a lesson again writes nothing and answers the same. The last lesson
//   completes the course: is_completed true, with the certificate's id.
// - progress/: any client who sees the course reads their own (zero without access): {completed,
//   total, percent} and the completed lessons, whether and when the course was completed.
// - certificate/: the client who completed the course: {id, user, course, completed_at, position,
//   hash, ...}, where position and hash are those of the completion event (CourseFinished) in the
//   hash-chained log, to check against GET /api/ledger/events/ and GET /api/ledger/head/ (the
//   head's position is at or past it). 404 before completion. It stands after a refund, the end of
//   access or the course's deletion: the completion happened.
#pragma once

#include "http/route_declaration.h"

namespace ledger::http {

RouteTable lesson_routes();

}  // namespace ledger::http
