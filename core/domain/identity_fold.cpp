#include "core/domain/identity_fold.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

#include "core/domain/identity_indexes.h"
#include "core/domain/keyspaces.h"
#include "core/domain/service_settings.h"
#include "events/user_events.pb.h"
#include "events/user_state.pb.h"

namespace ledger::domain {
namespace {

// Applies `change` to the user's row; a user with no row is left alone (the fold is total).
template <class Change>
Status change_user(KeyspaceRows& rows, const std::string& user_id, Change change) {
  auto user = rows.load<events::UserState>(user_key(user_id));
  if (!user) return std::move(user).error();
  if (!user->has_value()) return {};
  if (auto changed = change(**user); !changed) return changed;
  rows.save(user_key(user_id), **user);
  return {};
}

Status fold_registration(KeyspaceRows& rows, const FoldedEvent& event,
                         const events::UserRegistered& registered) {
  events::UserState user;
  user.set_user_id(registered.user_id());
  user.set_email(registered.email());
  user.set_name(registered.name());
  user.set_role(registered.role());
  user.set_department(registered.department());
  user.set_max_clients(registered.max_clients());
  user.set_password_hash(registered.password_hash());
  user.set_email_verified(registered.email_verified());
  user.set_created_at_us(event.recorded_at_us);
  user.set_registered_by(registered.registered_by());
  rows.save(user_key(registered.user_id()), user);
  events::EmailIndex index;
  index.set_user_id(registered.user_id());
  rows.save(email_key(registered.email()), index);
  return {};
}

Status fold_verification_issued(KeyspaceRows& rows, const FoldedEvent&,
                                const events::EmailVerificationIssued& issued) {
  return change_user(rows, issued.user_id(), [&](events::UserState& user) -> Status {
    user.set_verification_digest(issued.code_digest());
    user.set_verification_expires_at_us(issued.expires_at_us());
    return {};
  });
}

Status fold_verified(KeyspaceRows& rows, const FoldedEvent&,
                     const events::EmailVerified& verified) {
  return change_user(rows, verified.user_id(), [](events::UserState& user) -> Status {
    user.set_email_verified(true);
    user.clear_verification_digest();
    user.clear_verification_expires_at_us();
    return {};
  });
}

// A new password uses up any pending reset token, however it was set.
Status fold_password_changed(KeyspaceRows& rows, const FoldedEvent&,
                             const events::PasswordChanged& changed) {
  return change_user(rows, changed.user_id(), [&](events::UserState& user) -> Status {
    user.set_password_hash(changed.password_hash());
    user.clear_reset_token_mac();
    user.clear_reset_expires_at_us();
    return {};
  });
}

Status fold_reset_issued(KeyspaceRows& rows, const FoldedEvent&,
                         const events::PasswordResetIssued& issued) {
  return change_user(rows, issued.user_id(), [&](events::UserState& user) -> Status {
    user.set_reset_token_mac(issued.token_mac());
    user.set_reset_expires_at_us(issued.expires_at_us());
    return {};
  });
}

Status fold_renamed(KeyspaceRows& rows, const FoldedEvent&, const events::UserRenamed& renamed) {
  return change_user(rows, renamed.user_id(), [&](events::UserState& user) -> Status {
    user.set_name(renamed.name());
    return {};
  });
}

Status fold_department(KeyspaceRows& rows, const FoldedEvent&,
                       const events::AgentDepartmentChanged& changed) {
  return change_user(rows, changed.user_id(), [&](events::UserState& agent) -> Status {
    agent.set_department(changed.department());
    return {};
  });
}

Status fold_capacity(KeyspaceRows& rows, const FoldedEvent&,
                     const events::AgentCapacityChanged& changed) {
  return change_user(rows, changed.user_id(), [&](events::UserState& agent) -> Status {
    agent.set_max_clients(changed.max_clients());
    return {};
  });
}

// A deactivated user's pending reset token dies with the account: reactivating does not revive it.
Status fold_deactivated(KeyspaceRows& rows, const FoldedEvent& event,
                        const events::UserDeactivated& deactivated) {
  return change_user(rows, deactivated.user_id(), [&](events::UserState& user) -> Status {
    user.set_deactivated(true);
    user.set_deactivated_at_us(event.recorded_at_us);
    user.clear_reset_token_mac();
    user.clear_reset_expires_at_us();
    return {};
  });
}

Status fold_reactivated(KeyspaceRows& rows, const FoldedEvent&,
                        const events::UserReactivated& reactivated) {
  return change_user(rows, reactivated.user_id(), [](events::UserState& user) -> Status {
    user.clear_deactivated();
    user.clear_deactivated_at_us();
    return {};
  });
}

Status fold_email_preferences(KeyspaceRows& rows, const FoldedEvent&,
                              const events::EmailPreferencesChanged& changed) {
  return change_user(rows, changed.user_id(), [&](events::UserState& user) -> Status {
    user.mutable_muted_email_categories()->CopyFrom(changed.muted_categories());
    return {};
  });
}

// The agent stops serving the client for the service: it frees a place, and the links go.
Status free_agent_place(KeyspaceRows& rows, const std::string& agent_id,
                        const std::string& client_id, const std::string& service) {
  auto freed = change_user(rows, agent_id, [](events::UserState& agent) -> Status {
    if (agent.assigned_clients() > 0) agent.set_assigned_clients(agent.assigned_clients() - 1);
    return {};
  });
  if (!freed) return freed;
  rows.erase(agent_client_key(agent_id, client_id));
  return remove_from_roster(rows, agent_id, client_id, service);
}

// The client changes agent for a service: the previous agent (if any) frees a place and stops
// serving the client, the new one takes a place and serves it.
Status fold_assignment(KeyspaceRows& rows, const FoldedEvent& event,
                       const events::AgentAssigned& assigned) {
  const std::string& previous = assigned.previous_agent_id();
  if (!previous.empty()) {
    if (auto freed = free_agent_place(rows, previous, assigned.client_id(), assigned.service());
        !freed) {
      return freed;
    }
  }
  auto taken = change_user(rows, assigned.agent_id(), [](events::UserState& agent) -> Status {
    if (agent.assigned_clients() == std::numeric_limits<std::uint32_t>::max()) {
      return make_error(Errc::amount_overflow, "an agent's client count would overflow");
    }
    agent.set_assigned_clients(agent.assigned_clients() + 1);
    return {};
  });
  if (!taken) return taken;
  events::AgentClient link;
  link.set_agent_id(assigned.agent_id());
  link.set_client_id(assigned.client_id());
  link.set_service(assigned.service());
  link.set_assigned_at_us(event.recorded_at_us);
  rows.save(agent_client_key(assigned.agent_id(), assigned.client_id()), link);
  if (auto listed =
          add_to_roster(rows, assigned.agent_id(), assigned.client_id(), assigned.service());
      !listed) {
    return listed;
  }
  return change_user(rows, assigned.client_id(), [&](events::UserState& client) -> Status {
    (*client.mutable_agents())[assigned.service()] = assigned.agent_id();
    return {};
  });
}

// The client keeps no agent for the service (when it was this one).
Status fold_unassignment(KeyspaceRows& rows, const FoldedEvent&,
                         const events::AgentUnassigned& unassigned) {
  if (auto freed = free_agent_place(rows, unassigned.agent_id(), unassigned.client_id(),
                                    unassigned.service());
      !freed) {
    return freed;
  }
  return change_user(rows, unassigned.client_id(), [&](events::UserState& client) -> Status {
    auto& agents = *client.mutable_agents();
    const auto it = agents.find(unassigned.service());
    if (it != agents.end() && it->second == unassigned.agent_id()) agents.erase(it);
    return {};
  });
}

// Activating an active service or deactivating an inactive one changes nothing.
Status fold_service(KeyspaceRows& rows, const std::string& client_id, const std::string& service,
                    bool active) {
  return change_user(rows, client_id, [&](events::UserState& client) -> Status {
    auto& services = *client.mutable_active_services();
    const auto found = std::find(services.begin(), services.end(), service);
    if (active && found == services.end()) services.Add(std::string(service));
    if (!active && found != services.end()) services.erase(found);
    return {};
  });
}

Status fold_service_activated(KeyspaceRows& rows, const FoldedEvent&,
                              const events::ServiceActivated& activated) {
  return fold_service(rows, activated.client_id(), activated.service(), true);
}

Status fold_service_deactivated(KeyspaceRows& rows, const FoldedEvent&,
                                const events::ServiceDeactivated& deactivated) {
  return fold_service(rows, deactivated.client_id(), deactivated.service(), false);
}

// The service's settings as the change left them (for a user the fold saw: a client).
Status fold_service_settings(KeyspaceRows& rows, const FoldedEvent& event,
                             const events::ServiceSettingsChanged& changed) {
  auto client = rows.load<events::UserState>(user_key(changed.client_id()));
  if (!client) return std::move(client).error();
  if (!client->has_value()) return {};
  events::ServiceSettingsState settings;
  settings.set_client_id(changed.client_id());
  settings.set_service(changed.service());
  *settings.mutable_settings() = changed.settings();
  settings.set_updated_at_us(event.recorded_at_us);
  rows.save(service_settings_key(changed.client_id(), changed.service()), settings);
  return {};
}

Status fold_token_issued(KeyspaceRows& rows, const FoldedEvent& event,
                         const events::TokenIssued& issued) {
  events::TokenState token;
  token.set_token_id(issued.token_id());
  token.set_user_id(issued.user_id());
  token.set_issued_at_us(event.recorded_at_us);
  token.set_expires_at_us(issued.expires_at_us());
  rows.save(token_key(issued.token_digest()), token);
  events::TokenIdIndex index;
  index.set_token_digest(issued.token_digest());
  rows.save(token_id_key(issued.token_id()), index);
  return add_live_token(rows, issued.user_id(), issued.token_digest(), issued.expires_at_us(),
                        event.recorded_at_us);
}

// A TokenRevoked written before it carried the digest finds the row through the token-id index.
Status fold_token_revoked(KeyspaceRows& rows, const FoldedEvent& event,
                          const events::TokenRevoked& revoked) {
  std::string digest = revoked.token_digest();
  if (digest.empty()) {
    auto index = rows.load<events::TokenIdIndex>(token_id_key(revoked.token_id()));
    if (!index) return std::move(index).error();
    if (!index->has_value()) return {};
    digest = (*index)->token_digest();
  }
  auto token = rows.load<events::TokenState>(token_key(digest));
  if (!token) return std::move(token).error();
  if (!token->has_value()) return {};
  (*token)->set_revoked(true);
  rows.save(token_key(digest), **token);
  return remove_live_token(rows, (*token)->user_id(), digest, event.recorded_at_us);
}

// One step per event type: the fold's dispatch and its list of events, from one table.
struct Step {
  const google::protobuf::Descriptor* type;
  Evolve evolve;
};

template <class E, Status (*fold)(KeyspaceRows&, const FoldedEvent&, const E&)>
Step step() {
  return {E::descriptor(), [](KeyspaceRows& rows, const FoldedEvent& event) -> Status {
            return fold(rows, event, *event.as<E>());
          }};
}

const std::vector<Step>& steps() {
  static const std::vector<Step> table = {
      step<events::UserRegistered, fold_registration>(),
      step<events::EmailVerificationIssued, fold_verification_issued>(),
      step<events::EmailVerified, fold_verified>(),
      step<events::PasswordChanged, fold_password_changed>(),
      step<events::PasswordResetIssued, fold_reset_issued>(),
      step<events::UserRenamed, fold_renamed>(),
      step<events::AgentDepartmentChanged, fold_department>(),
      step<events::AgentCapacityChanged, fold_capacity>(),
      step<events::UserDeactivated, fold_deactivated>(),
      step<events::UserReactivated, fold_reactivated>(),
      step<events::EmailPreferencesChanged, fold_email_preferences>(),
      step<events::AgentAssigned, fold_assignment>(),
      step<events::AgentUnassigned, fold_unassignment>(),
      step<events::ServiceActivated, fold_service_activated>(),
      step<events::ServiceDeactivated, fold_service_deactivated>(),
      step<events::ServiceSettingsChanged, fold_service_settings>(),
      step<events::TokenIssued, fold_token_issued>(),
      step<events::TokenRevoked, fold_token_revoked>(),
  };
  return table;
}

Status evolve_identity(KeyspaceRows& rows, const FoldedEvent& event) {
  for (const Step& step : steps()) {
    if (step.type == event.type) return step.evolve(rows, event);
  }
  return {};
}

}  // namespace

std::string user_key(std::string_view user_id) {
  return std::string(kUserKeyPrefix) + std::string(user_id);
}
std::string email_key(std::string_view normalized_email) {
  return "email/" + std::string(normalized_email);
}
std::string token_id_key(std::string_view token_id) { return "token-id/" + std::string(token_id); }

std::string token_key(std::string_view token_digest) {
  return "token/" + std::string(token_digest);
}
std::string agent_clients_prefix(std::string_view agent_id) {
  return "agent-client/" + std::string(agent_id) + "/";
}
std::string agent_client_key(std::string_view agent_id, std::string_view client_id) {
  return agent_clients_prefix(agent_id) + std::string(client_id);
}

InlineFold identity_fold() {
  std::vector<const google::protobuf::Descriptor*> types;
  for (const Step& step : steps()) types.push_back(step.type);
  // Version 2: users' activation, reset tokens and email preferences, and the sessions/ and
  // roster/ rows (identity_indexes.h). Version 3: clients' service settings.
  return InlineFold{.keyspace = kIdentityKeyspace,
                    .version = 3,
                    .description =
                        "users, the email index, tokens, each user's live tokens, "
                        "the clients each agent serves and clients' service settings",
                    .events = std::move(types),
                    .every_event = false,
                    .evolve = evolve_identity};
}

}  // namespace ledger::domain
