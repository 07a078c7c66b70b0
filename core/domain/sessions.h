// Sessions: the tokens a user holds, revoked together.
//
// Rules:
// - Revoking a user's sessions revokes every live token of the user (the sessions/<user_id> row,
//   identity_indexes.h), each by its own TokenRevoked, except the one kept (a password change
//   keeps the token it came with). Tokens already expired are left to their expiry.
// - A user holds at most kSessionsPerUserMax live tokens: a login beyond them revokes the oldest
//   first, so that the row revoking them all reads stays bounded.
//
// These are steps of other deciders (a password change, a reset, a deactivation, a login), run in
// their unit of work; they read rows and emit events, nothing else.
#pragma once

#include <cstddef>
#include <string_view>

#include "core/domain/ids.h"
#include "core/domain/unit_of_work.h"

namespace ledger::domain {

inline constexpr std::size_t kSessionsPerUserMax = 100;

// Revokes every live token of `user_id` but the one with digest `kept_token_digest` (empty: none
// kept). Answers how many were revoked.
Result<std::size_t> revoke_sessions(UnitOfWork& uow, const UserId& user_id,
                                    std::string_view kept_token_digest, const ActorId& revoked_by);

// Revokes the user's oldest live tokens until one more fits under kSessionsPerUserMax.
Status make_room_for_session(UnitOfWork& uow, const UserId& user_id);

}  // namespace ledger::domain
