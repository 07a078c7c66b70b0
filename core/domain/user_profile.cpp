#include "core/domain/user_profile.h"

#include <fmt/format.h>

#include "core/domain/identity_indexes.h"
#include "core/domain/keyspaces.h"
#include "core/domain/sessions.h"
#include "core/domain/text_limits.h"
#include "core/domain/users.h"
#include "core/domain/validation.h"
#include "events/user_events.pb.h"

namespace ledger::domain {
namespace {

Status validate_update(const events::UserState& user, const UpdateUser& command) {
  if (command.name) {
    if (auto valid = require_text(*command.name, "name", text_limits::kName); !valid) return valid;
  }
  const bool agent = user.role() == "agent";
  if (command.department) {
    if (!agent) {
      return make_error(Errc::invalid_argument, "only agents have a department", "department");
    }
    if (*command.department != "marketing" && *command.department != "website") {
      return make_error(Errc::invalid_argument,
                        "an agent's department must be marketing or website", "department");
    }
  }
  if (command.max_clients) {
    if (!agent) {
      return make_error(Errc::invalid_argument, "only agents have max_clients", "max_clients");
    }
    if (*command.max_clients < 1 || *command.max_clients > kAgentCapacityMax) {
      return make_error(Errc::invalid_argument,
                        fmt::format("max_clients is from 1 to {}", kAgentCapacityMax),
                        "max_clients");
    }
  }
  if (command.active == false && command.user_id.str() == command.updated_by.str()) {
    return make_error(Errc::cannot_deactivate_self, "you cannot deactivate yourself", "is_active");
  }
  return {};
}

Status emit_unassigned(UnitOfWork& uow, const std::string& client_id, const std::string& service,
                       const std::string& agent_id, const ActorId& by) {
  events::AgentUnassigned unassigned;
  unassigned.set_client_id(client_id);
  unassigned.set_service(service);
  unassigned.set_agent_id(agent_id);
  unassigned.set_unassigned_by(by.str());
  return uow.emit(user_stream(client_id), unassigned);
}

// Every assignment the user is part of: as an agent (its roster), as a client (its agents).
Status free_assignments(UnitOfWork& uow, const events::UserState& user, const ActorId& by) {
  auto roster = uow.load<events::AgentRoster>(kIdentityKeyspace, roster_key(user.user_id()));
  if (!roster) return std::move(roster).error();
  if (roster->has_value()) {
    for (const auto& entry : (*roster)->clients()) {
      if (auto done = emit_unassigned(uow, entry.client_id(), entry.service(), user.user_id(), by);
          !done) {
        return done;
      }
    }
  }
  for (const auto& [service, agent_id] : user.agents()) {
    if (auto done = emit_unassigned(uow, user.user_id(), service, agent_id, by); !done) return done;
  }
  return {};
}

Status deactivate(UnitOfWork& uow, const events::UserState& user, const ActorId& by) {
  events::UserDeactivated deactivated;
  deactivated.set_user_id(user.user_id());
  deactivated.set_deactivated_by(by.str());
  if (auto emitted = uow.emit(user_stream(user.user_id()), deactivated); !emitted) return emitted;
  if (auto freed = free_assignments(uow, user, by); !freed) return freed;
  auto revoked = revoke_sessions(uow, UserId{user.user_id()}, "", by);
  if (!revoked) return std::move(revoked).error();
  return {};
}

Status set_activation(UnitOfWork& uow, const events::UserState& user, bool active,
                      const ActorId& by) {
  if (active == !user.deactivated()) return {};
  if (!active) return deactivate(uow, user, by);
  events::UserReactivated reactivated;
  reactivated.set_user_id(user.user_id());
  reactivated.set_reactivated_by(by.str());
  return uow.emit(user_stream(user.user_id()), reactivated);
}

// Reads the agent as it is after deactivation freed its clients (if it did).
Status set_department(UnitOfWork& uow, const events::UserState& agent,
                      const std::string& department, const ActorId& by) {
  if (department == agent.department()) return {};
  if (agent.assigned_clients() > 0) {
    return make_error(Errc::agent_has_clients,
                      fmt::format("{} serves {} clients of {}: reassign them before changing "
                                  "department",
                                  agent.name(), agent.assigned_clients(), agent.department()),
                      "department");
  }
  events::AgentDepartmentChanged changed;
  changed.set_user_id(agent.user_id());
  changed.set_department(department);
  changed.set_changed_by(by.str());
  return uow.emit(user_stream(agent.user_id()), changed);
}

Status set_capacity(UnitOfWork& uow, const events::UserState& agent, std::uint32_t max_clients,
                    const ActorId& by) {
  if (max_clients == agent.max_clients()) return {};
  if (max_clients < agent.assigned_clients()) {
    return make_error(Errc::agent_has_clients,
                      fmt::format("{} serves {} clients: max_clients cannot be below that",
                                  agent.name(), agent.assigned_clients()),
                      "max_clients");
  }
  events::AgentCapacityChanged changed;
  changed.set_user_id(agent.user_id());
  changed.set_max_clients(max_clients);
  changed.set_changed_by(by.str());
  return uow.emit(user_stream(agent.user_id()), changed);
}

Status set_name(UnitOfWork& uow, const events::UserState& user, const std::string& name,
                const ActorId& by) {
  if (name == user.name()) return {};
  events::UserRenamed renamed;
  renamed.set_user_id(user.user_id());
  renamed.set_name(name);
  renamed.set_renamed_by(by.str());
  return uow.emit(user_stream(user.user_id()), renamed);
}

}  // namespace

Result<events::UserState> rename_user(UnitOfWork& uow, const RenameUser& command) {
  if (auto valid = require_text(command.name, "name", text_limits::kName); !valid) {
    return std::move(valid).error();
  }
  auto user = load_user(uow, command.user_id.str());
  if (!user) return std::move(user).error();
  if (auto renamed = set_name(uow, *user, command.name, command.renamed_by); !renamed) {
    return std::move(renamed).error();
  }
  return load_user(uow, command.user_id.str());
}

Result<events::UserState> update_user(UnitOfWork& uow, const UpdateUser& command) {
  auto user = load_user(uow, command.user_id.str(), "id");
  if (!user) return std::move(user).error();
  if (auto valid = validate_update(*user, command); !valid) return std::move(valid).error();
  const std::string& id = command.user_id.str();
  const ActorId& by = command.updated_by;
  if (command.active) {
    if (auto done = set_activation(uow, *user, *command.active, by); !done) {
      return std::move(done).error();
    }
  }
  auto current = load_user(uow, id, "id");
  if (!current) return std::move(current).error();
  if (command.department) {
    if (auto done = set_department(uow, *current, *command.department, by); !done) {
      return std::move(done).error();
    }
  }
  if (command.max_clients) {
    if (auto done = set_capacity(uow, *current, *command.max_clients, by); !done) {
      return std::move(done).error();
    }
  }
  if (command.name) {
    if (auto done = set_name(uow, *current, *command.name, by); !done) {
      return std::move(done).error();
    }
  }
  return load_user(uow, id, "id");
}

}  // namespace ledger::domain
