#include "core/domain/sessions.h"

#include <vector>

#include "core/domain/identity_indexes.h"
#include "core/domain/keyspaces.h"
#include "core/domain/users.h"
#include "events/user_state.pb.h"

namespace ledger::domain {
namespace {

// The digests of the user's tokens not expired now, oldest first.
Result<std::vector<std::string>> live_tokens(UnitOfWork& uow, const UserId& user_id) {
  auto sessions = uow.load<events::UserSessions>(kIdentityKeyspace, sessions_key(user_id.str()));
  if (!sessions) return std::move(sessions).error();
  std::vector<std::string> digests;
  if (!sessions->has_value()) return digests;
  for (const auto& token : (*sessions)->tokens()) {
    if (token.expires_at_us() > uow.now_us()) digests.push_back(token.token_digest());
  }
  return digests;
}

Status revoke(UnitOfWork& uow, const std::string& token_digest, const ActorId& revoked_by) {
  auto revoked = revoke_token(uow, {token_digest, revoked_by});
  if (!revoked) return std::move(revoked).error();
  LEDGER_ASSERT(revoked->revoked(), "a revoked token's row says so");
  return {};
}

}  // namespace

Result<std::size_t> revoke_sessions(UnitOfWork& uow, const UserId& user_id,
                                    std::string_view kept_token_digest, const ActorId& revoked_by) {
  auto digests = live_tokens(uow, user_id);
  if (!digests) return std::move(digests).error();
  std::size_t revoked = 0;
  for (const auto& digest : *digests) {
    if (digest == kept_token_digest) continue;
    if (auto done = revoke(uow, digest, revoked_by); !done) return std::move(done).error();
    ++revoked;
  }
  return revoked;
}

Status make_room_for_session(UnitOfWork& uow, const UserId& user_id) {
  auto digests = live_tokens(uow, user_id);
  if (!digests) return std::move(digests).error();
  if (digests->size() < kSessionsPerUserMax) return {};
  const std::size_t excess = digests->size() - kSessionsPerUserMax + 1;
  for (std::size_t i = 0; i < excess; ++i) {
    if (auto done = revoke(uow, (*digests)[i], "session-limit"); !done) return done;
  }
  return {};
}

}  // namespace ledger::domain
