#include "http/token_cache.h"

#include "core/assert.h"

namespace ledger::http {

void TokenCache::forget_if_stale(std::uint64_t identity_writes) {
  if (identity_writes == identity_writes_) return;
  entries_.clear();
  identity_writes_ = identity_writes;
}

std::optional<Caller> TokenCache::find(const std::string& token_digest,
                                       std::uint64_t identity_writes, std::int64_t now_us) {
  std::lock_guard lock(mutex_);
  // An older count than the entries' is a reader that took it before a later writer's rows:
  // it must not use (nor drop) entries read after those rows.
  if (identity_writes != identity_writes_) {
    if (identity_writes > identity_writes_) forget_if_stale(identity_writes);
    return std::nullopt;
  }
  const auto it = entries_.find(token_digest);
  if (it == entries_.end()) return std::nullopt;
  if (it->second.expires_at_us <= now_us) {
    entries_.erase(it);
    return std::nullopt;
  }
  return it->second.caller;
}

void TokenCache::remember(const Caller& caller, std::int64_t expires_at_us,
                          std::uint64_t identity_writes) {
  LEDGER_ASSERT(!caller.token_digest.empty(), "a remembered caller names its token's digest");
  std::lock_guard lock(mutex_);
  // Rows read under an older count may predate a write since: never remembered.
  if (identity_writes < identity_writes_) return;
  forget_if_stale(identity_writes);
  if (options_.entries_max == 0) return;
  if (entries_.size() >= options_.entries_max && !entries_.contains(caller.token_digest)) {
    entries_.clear();
  }
  entries_.insert_or_assign(caller.token_digest, Entry{caller, expires_at_us});
  LEDGER_ASSERT(entries_.size() <= options_.entries_max, "the cache keeps to its bound");
}

std::size_t TokenCache::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace ledger::http
