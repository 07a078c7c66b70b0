// The "identity" fold: users (profile, verification, services, agents), the email index, tokens
// and which clients each agent serves, from the user and token events.
//
//   user/<user_id>                       UserState (created_at_us: the registration's time)
//   email/<lower-cased email>            EmailIndex: the user with that address
//   token/<hex token digest>             TokenState (issued_at_us: the time)
//   token-id/<token_id>                  TokenIdIndex: the digest of that token (how a revocation
//                                        written before TokenRevoked carried the digest finds it)
//   agent-client/<agent_id>/<client_id>  AgentClient: an agent serves that client (assigned_at_us:
//                                        the assignment's time); erased when reassigned or
//                                        unassigned
//   sessions/<user_id>, roster/<agent_id> a user's live tokens, an agent's clients, for deciders
//                                        (identity_indexes.h)
//   service-settings/<client_id>/<service> ServiceSettingsState: a client's settings of a service
//                                        once changed (service_settings.h; none: the defaults)
//
// A user row also holds whether the user is deactivated (and since when), the MAC and expiry of
// a pending password reset token (cleared by any password change and by deactivation) and the
// email categories the user turned off.
//
// Verification codes are not here: the code itself only goes to the outbox (UnitOfWork::
// queue_email); the user row keeps its MAC and expiry until the email is verified.
#pragma once

#include <string>
#include <string_view>

#include "core/domain/fold.h"

namespace ledger::domain {

inline constexpr std::string_view kUserKeyPrefix = "user/";
std::string user_key(std::string_view user_id);
std::string email_key(std::string_view normalized_email);
std::string token_key(std::string_view token_digest);
std::string token_id_key(std::string_view token_id);
std::string agent_clients_prefix(std::string_view agent_id);
std::string agent_client_key(std::string_view agent_id, std::string_view client_id);

InlineFold identity_fold();

}  // namespace ledger::domain
