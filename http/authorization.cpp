#include "http/authorization.h"

#include <fmt/format.h>

#include "core/domain/keyspaces.h"
#include "core/domain/read_model.h"
#include "core/domain/users.h"

namespace ledger::http {

Result<bool> in_client_scope(const store::EventLog& log, const Caller& caller,
                             std::string_view client_id, std::string_view service) {
  switch (caller.role) {
    case Role::admin:
      return true;
    case Role::client:
      return caller.user_id.str() == client_id;
    case Role::agent: {
      if (!service.empty() && service != caller.department) return false;
      auto client = domain::find_user(log, client_id);
      if (!client) return std::move(client).error();
      if (!client->has_value() || (*client)->role() != "client") return false;
      const auto& agents = (*client)->agents();
      const auto assigned = agents.find(caller.department);
      return assigned != agents.end() && assigned->second == caller.user_id.str();
    }
  }
  return false;
}

namespace {

// The one answer for an object the caller may not see, whether or not it exists.
Error out_of_scope(std::string_view what) {
  return make_error(Errc::not_found, fmt::format("there is no such {}", what));
}

}  // namespace

Status require_client_scope(const store::EventLog& log, const Caller& caller,
                            std::string_view client_id, std::string_view service,
                            std::string_view what) {
  auto allowed = in_client_scope(log, caller, client_id, service);
  if (!allowed) return std::move(allowed).error();
  if (*allowed) return {};
  return out_of_scope(what);
}

Result<std::string> service_client_agent(const store::EventLog& log, const Caller& caller,
                                         const std::string& client_id, std::string_view service) {
  auto client = domain::find_user(log, client_id);
  if (!client) return std::move(client).error();
  // An unknown id and a user who is not a client answer exactly like a client outside the
  // caller's scope: the answer must not tell an agent which client ids exist.
  if (!client->has_value() || (*client)->role() != "client") return out_of_scope("client");
  if (auto scope = require_client_scope(log, caller, client_id, service, "client"); !scope) {
    return std::move(scope).error();
  }
  if (caller.is_agent()) return caller.user_id.str();
  const auto& agents = (*client)->agents();
  const auto it = agents.find(std::string(service));
  return it == agents.end() ? std::string() : it->second;
}

Result<std::optional<CourseView>> course_view(const store::EventLog& log, const Caller& caller,
                                              events::CourseState course, std::int64_t now_us) {
  domain::LogRows rows(log);
  auto learner = domain::load_learner(rows, caller.user_id.str(), course.course_id());
  if (!learner) return std::move(learner).error();
  if (!caller.is_admin() && !domain::course_is_visible(course, *learner)) {
    return std::optional<CourseView>();
  }
  CourseView view;
  view.purchased = domain::course_is_purchased(*learner);
  view.accessible = !caller.is_client() || domain::course_is_accessible(course, *learner, now_us);
  view.course = std::move(course);
  view.learner = std::move(*learner);
  return std::optional<CourseView>(std::move(view));
}

Result<CourseView> visible_course(const store::EventLog& log, const Caller& caller,
                                  std::string_view course_id, std::int64_t now_us) {
  auto course = domain::read_row<events::CourseState>(log, domain::kCoursesKeyspace,
                                                      domain::course_key(course_id));
  if (!course) return std::move(course).error();
  if (!course->has_value()) return out_of_scope("course");
  auto view = course_view(log, caller, std::move(**course), now_us);
  if (!view) return std::move(view).error();
  if (!view->has_value()) return out_of_scope("course");
  return std::move(**view);
}

}  // namespace ledger::http
