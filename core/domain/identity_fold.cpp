#include "core/domain/identity_fold.h"

#include <algorithm>
#include <cstdint>
#include <limits>

#include "core/domain/keyspaces.h"
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

// The client changes agent for a service: the previous agent (if any) frees a place and stops
// serving the client, the new one takes a place and serves it.
Status fold_assignment(KeyspaceRows& rows, const FoldedEvent& event,
                       const events::AgentAssigned& assigned) {
  const std::string& previous = assigned.previous_agent_id();
  if (!previous.empty()) {
    auto freed = change_user(rows, previous, [](events::UserState& agent) -> Status {
      if (agent.assigned_clients() > 0) agent.set_assigned_clients(agent.assigned_clients() - 1);
      return {};
    });
    if (!freed) return freed;
    rows.erase(agent_client_key(previous, assigned.client_id()));
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
  return change_user(rows, assigned.client_id(), [&](events::UserState& client) -> Status {
    (*client.mutable_agents())[assigned.service()] = assigned.agent_id();
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
  return {};
}

// A TokenRevoked written before it carried the digest finds the row through the token-id index.
Status fold_token_revoked(KeyspaceRows& rows, const events::TokenRevoked& revoked) {
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
  return {};
}

Status evolve_identity(KeyspaceRows& rows, const FoldedEvent& event) {
  if (const auto* registered = event.as<events::UserRegistered>()) {
    return fold_registration(rows, event, *registered);
  }
  if (const auto* issued = event.as<events::EmailVerificationIssued>()) {
    return change_user(rows, issued->user_id(), [&](events::UserState& user) -> Status {
      user.set_verification_digest(issued->code_digest());
      user.set_verification_expires_at_us(issued->expires_at_us());
      return {};
    });
  }
  if (const auto* verified = event.as<events::EmailVerified>()) {
    return change_user(rows, verified->user_id(), [](events::UserState& user) -> Status {
      user.set_email_verified(true);
      user.clear_verification_digest();
      user.clear_verification_expires_at_us();
      return {};
    });
  }
  if (const auto* changed = event.as<events::PasswordChanged>()) {
    return change_user(rows, changed->user_id(), [&](events::UserState& user) -> Status {
      user.set_password_hash(changed->password_hash());
      return {};
    });
  }
  if (const auto* assigned = event.as<events::AgentAssigned>()) {
    return fold_assignment(rows, event, *assigned);
  }
  if (const auto* activated = event.as<events::ServiceActivated>()) {
    return fold_service(rows, activated->client_id(), activated->service(), true);
  }
  if (const auto* deactivated = event.as<events::ServiceDeactivated>()) {
    return fold_service(rows, deactivated->client_id(), deactivated->service(), false);
  }
  if (const auto* issued = event.as<events::TokenIssued>()) {
    return fold_token_issued(rows, event, *issued);
  }
  if (const auto* revoked = event.as<events::TokenRevoked>()) {
    return fold_token_revoked(rows, *revoked);
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
  return InlineFold{
      .keyspace = kIdentityKeyspace,
      .version = 1,
      .description = "users, the email index, tokens and the clients each agent serves",
      .events = {events::UserRegistered::descriptor(),
                 events::EmailVerificationIssued::descriptor(), events::EmailVerified::descriptor(),
                 events::PasswordChanged::descriptor(), events::AgentAssigned::descriptor(),
                 events::ServiceActivated::descriptor(), events::ServiceDeactivated::descriptor(),
                 events::TokenIssued::descriptor(), events::TokenRevoked::descriptor()},
      .every_event = false,
      .evolve = evolve_identity};
}

}  // namespace ledger::domain
