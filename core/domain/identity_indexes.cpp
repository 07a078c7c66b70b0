#include "core/domain/identity_indexes.h"

#include <algorithm>

#include "events/user_state.pb.h"

namespace ledger::domain {
namespace {

// Saves `row`, or erases it when `size` is zero: an empty list is no row, so a rebuild, which
// never writes one, gives the same rows.
void save_or_erase(KeyspaceRows& rows, const std::string& key, const google::protobuf::Message& row,
                   int size) {
  if (size == 0) {
    rows.erase(key);
  } else {
    rows.save(key, row);
  }
}

void drop_expired(events::UserSessions& sessions, std::int64_t now_us) {
  auto& tokens = *sessions.mutable_tokens();
  tokens.erase(std::remove_if(tokens.begin(), tokens.end(),
                              [now_us](const events::LiveToken& token) {
                                return token.expires_at_us() <= now_us;
                              }),
               tokens.end());
}

}  // namespace

std::string sessions_key(std::string_view user_id) { return "sessions/" + std::string(user_id); }
std::string roster_key(std::string_view agent_id) { return "roster/" + std::string(agent_id); }

Status add_live_token(KeyspaceRows& rows, std::string_view user_id, std::string_view token_digest,
                      std::int64_t expires_at_us, std::int64_t now_us) {
  const std::string key = sessions_key(user_id);
  auto sessions = rows.load_or(key, events::UserSessions());
  if (!sessions) return std::move(sessions).error();
  drop_expired(*sessions, now_us);
  auto* token = sessions->add_tokens();
  token->set_token_digest(std::string(token_digest));
  token->set_expires_at_us(expires_at_us);
  save_or_erase(rows, key, *sessions, sessions->tokens_size());
  return {};
}

Status remove_live_token(KeyspaceRows& rows, std::string_view user_id,
                         std::string_view token_digest, std::int64_t now_us) {
  const std::string key = sessions_key(user_id);
  auto sessions = rows.load<events::UserSessions>(key);
  if (!sessions) return std::move(sessions).error();
  if (!sessions->has_value()) return {};
  auto& tokens = *(*sessions)->mutable_tokens();
  tokens.erase(std::remove_if(tokens.begin(), tokens.end(),
                              [token_digest](const events::LiveToken& token) {
                                return token.token_digest() == token_digest;
                              }),
               tokens.end());
  drop_expired(**sessions, now_us);
  save_or_erase(rows, key, **sessions, (*sessions)->tokens_size());
  return {};
}

Status add_to_roster(KeyspaceRows& rows, std::string_view agent_id, std::string_view client_id,
                     std::string_view service) {
  const std::string key = roster_key(agent_id);
  auto roster = rows.load_or(key, events::AgentRoster());
  if (!roster) return std::move(roster).error();
  const auto& clients = roster->clients();
  if (std::any_of(clients.begin(), clients.end(), [&](const events::RosterEntry& entry) {
        return entry.client_id() == client_id && entry.service() == service;
      })) {
    return {};
  }
  auto* entry = roster->add_clients();
  entry->set_client_id(std::string(client_id));
  entry->set_service(std::string(service));
  rows.save(key, *roster);
  return {};
}

Status remove_from_roster(KeyspaceRows& rows, std::string_view agent_id, std::string_view client_id,
                          std::string_view service) {
  const std::string key = roster_key(agent_id);
  auto roster = rows.load<events::AgentRoster>(key);
  if (!roster) return std::move(roster).error();
  if (!roster->has_value()) return {};
  auto& clients = *(*roster)->mutable_clients();
  clients.erase(std::remove_if(clients.begin(), clients.end(),
                               [&](const events::RosterEntry& entry) {
                                 return entry.client_id() == client_id &&
                                        entry.service() == service;
                               }),
                clients.end());
  save_or_erase(rows, key, **roster, (*roster)->clients_size());
  return {};
}

}  // namespace ledger::domain
