// Object-level authorization, in one place: who may see which client's objects.
//
//   admin   every client
//   client  itself only
//   agent   the clients assigned to it for its department (and, when the object belongs to a
//           service, only objects of that service)
//
// Courses are the catalogue, not a client's: every user sees every course that is not deleted; a
// deleted one only admins and the clients who bought it (core/domain/course.h). Admins and agents
// may open every course they see; a client as the access rule says.
//
// Out-of-scope objects answer not_found, exactly as if they did not exist, so nothing leaks
// about other clients' data. Handlers never compare ids themselves: they ask here.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/domain/course.h"
#include "core/result.h"
#include "core/store/event_log.h"
#include "http/caller.h"

namespace ledger::http {

// Ok when `caller` may see objects of client `client_id` (of `service`, when not empty);
// not_found (naming `what`) otherwise.
Status require_client_scope(const store::EventLog& log, const Caller& caller,
                            std::string_view client_id, std::string_view service = {},
                            std::string_view what = "object");

// For creating an object of `service` for client `client_id`: checks that it names a client in
// the caller's scope (not_found otherwise, the same answer for an unknown id, a user who is not a
// client and a client out of scope, so that no caller learns which ids exist), and
// answers the agent to record on the object — the calling agent, or the client's assigned agent
// for the service (empty when none).
Result<std::string> service_client_agent(const store::EventLog& log, const Caller& caller,
                                         const std::string& client_id, std::string_view service);

// The same decision as a boolean, for filtering lists (errors of the store still propagate).
Result<bool> in_client_scope(const store::EventLog& log, const Caller& caller,
                             std::string_view client_id, std::string_view service = {});

// A course as the caller sees it.
struct CourseView {
  events::CourseState course;
  domain::Learner learner;  // the caller's purchase and subscription
  bool purchased = false;   // the caller bought it (a completed purchase, even expired)
  bool accessible = false;  // the caller may open it: read its lessons' content
};

// `course` as `caller` sees it, or nullopt when the caller may not see it (for lists).
Result<std::optional<CourseView>> course_view(const store::EventLog& log, const Caller& caller,
                                              events::CourseState course, std::int64_t now_us);

// The course `course_id` as `caller` sees it; not_found when it does not exist or the caller may
// not see it, the same answer.
Result<CourseView> visible_course(const store::EventLog& log, const Caller& caller,
                                  std::string_view course_id, std::int64_t now_us);

}  // namespace ledger::http
