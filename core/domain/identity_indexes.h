// Two rows of the "identity" keyspace (identity_fold.h) that list what a decider must go through
// one by one, since deciders read rows by key and never scan:
//
//   sessions/<user_id>  UserSessions: the user's tokens not revoked, oldest first (those found
//                       expired at a later token event of the user are dropped then): what
//                       revoking every token of the user revokes
//   roster/<agent_id>   AgentRoster: the clients an agent serves and for which service, oldest
//                       assignment first: what deactivating the agent frees
//
// The identity fold keeps both from the token and assignment events through the steps below,
// which are folds too (pure, total, the event's time as their clock); an emptied row is erased.
// The "token/" and "agent-client/" rows say the same per token and per link, for lookups and
// listings.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/domain/fold.h"

namespace ledger::domain {

std::string sessions_key(std::string_view user_id);
std::string roster_key(std::string_view agent_id);

// The user's token `token_digest` (expiring at `expires_at_us`) is live; expired ones go.
Status add_live_token(KeyspaceRows& rows, std::string_view user_id, std::string_view token_digest,
                      std::int64_t expires_at_us, std::int64_t now_us);
// The token is revoked; expired ones go too.
Status remove_live_token(KeyspaceRows& rows, std::string_view user_id,
                         std::string_view token_digest, std::int64_t now_us);

// The agent serves `client_id` for `service` (once: adding it again changes nothing).
Status add_to_roster(KeyspaceRows& rows, std::string_view agent_id, std::string_view client_id,
                     std::string_view service);
// The agent no longer serves `client_id` for `service`.
Status remove_from_roster(KeyspaceRows& rows, std::string_view agent_id, std::string_view client_id,
                          std::string_view service);

}  // namespace ledger::domain
