// User profiles as they change after registration: a user's name (by the user or an admin), an
// agent's department and capacity, and whether the account is active (admins).
//
// Rules (each refused command writes nothing):
// - A name is required text of at most text_limits::kName bytes.
// - Only agents have a department (marketing or website) and a capacity (1 to
//   kAgentCapacityMax); sending either for another role is invalid_argument.
// - An agent changes department only while serving no client (agent_has_clients): its clients
//   were assigned for the old department's service, and authorization finds an agent's clients
//   by its department, so they would be neither served nor freed. Reassign them first, or
//   deactivate the agent in the same update (which frees them).
// - An agent's capacity never goes below the clients it serves (agent_has_clients).
// - Deactivating a user (never oneself: cannot_deactivate_self) revokes every token of the user
//   and frees every assignment the user is part of: an agent's clients lose that agent, a
//   client's agents lose that client (each an AgentUnassigned). Their history (events, objects
//   made for or by them) stays. A deactivated user cannot log in (users.h) or be assigned;
//   reactivating lets them log in again, with no token and no assignment back.
// - Deactivation is applied first, then the department, the capacity and the name. Sending the
//   values a user already has changes nothing (no event).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/domain/ids.h"
#include "core/domain/unit_of_work.h"
#include "events/user_state.pb.h"

namespace ledger::domain {

struct RenameUser {
  UserId user_id;
  std::string name;
  ActorId renamed_by;
};
Result<events::UserState> rename_user(UnitOfWork& uow, const RenameUser& command);

// What an admin changes of a user; nullopt: left as it is.
struct UpdateUser {
  UserId user_id;
  std::optional<std::string> name;
  std::optional<std::string> department;
  std::optional<std::uint32_t> max_clients;
  std::optional<bool> active;
  ActorId updated_by;
};
Result<events::UserState> update_user(UnitOfWork& uow, const UpdateUser& command);

}  // namespace ledger::domain
