// TokenCache: who a bearer token authenticates, kept in memory so that a request does not read
// the token's row and its user's row from the store every time (api_support.h's `authenticate`).
//
// An entry is keyed by the token's digest (core/secret_token.h) and holds what authorization
// reads: the Caller the rows gave (user id, role, name, email, department), built only from a
// token that was neither revoked nor expired and a user that was active, and the token's expiry.
//
// Validity: an entry is stamped with the identity keyspace's write count
// (store::EventLog::keyspace_writes) taken BEFORE its rows were read, and answers only while the
// count is the same. Every event that can change the answer writes identity rows: a token issued
// or revoked (core/domain/sessions.h), a user deactivated (which revokes their tokens), a
// password changed (which revokes the other tokens), a user's name, department or role changed.
// Those rows are written by the writer's append, a PostgreSQL follower's fold and a rebuild alike,
// and the count advances after the rows are readable and before the write is acknowledged. So
// once a revocation is acknowledged, on any node that has applied it, the next lookup misses
// and reads the rows: the cache never authorizes what the rows would refuse. It is coarse on
// purpose (any identity write empties it in effect): identity writes are rare beside queries and
// debits, and one stamp for all entries leaves no per-event rule to forget.
//
// Expiry: the token's `expires_at_us` is checked against the clock on every hit; an expired
// entry is a miss (and dropped), so the rows, which refuse it, are read.
//
// Bounded: at most `entries_max` entries; remembering one more when full first drops every
// entry (a burst of new tokens then costs one store read each, never memory).
//
// Unknown, revoked or expired tokens are not remembered (their answer is a refusal either way).
// Safe from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "http/caller.h"

namespace ledger::http {

struct TokenCacheOptions {
  std::size_t entries_max = 100'000;  // 0: nothing is remembered (every request reads the rows)
};

class TokenCache {
 public:
  explicit TokenCache(TokenCacheOptions options = {}) : options_(options) {}

  // The caller remembered under `token_digest`, when remembered at `identity_writes` (the count
  // now) and its token has not expired at `now_us`; nullopt otherwise (then read the rows).
  std::optional<Caller> find(const std::string& token_digest, std::uint64_t identity_writes,
                             std::int64_t now_us);

  // Remembers `caller`, read from rows after the count was `identity_writes`, for its token
  // (`caller.token_digest`) that expires at `expires_at_us`.
  void remember(const Caller& caller, std::int64_t expires_at_us, std::uint64_t identity_writes);

  std::size_t size() const;
  std::size_t entries_max() const { return options_.entries_max; }

 private:
  struct Entry {
    Caller caller;
    std::int64_t expires_at_us = 0;
  };

  // Drops every entry when the count moved past the one they were remembered at.
  void forget_if_stale(std::uint64_t identity_writes);

  const TokenCacheOptions options_;
  mutable std::mutex mutex_;
  std::uint64_t identity_writes_ = 0;  // the count every entry was remembered at
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace ledger::http
