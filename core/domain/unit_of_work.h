// UnitOfWork: what one domain command reads and produces, on top of the sequencer's
// DecisionContext.
//
// A decider loads the rows it needs (as of every command decided before it), checks its rules
// and emits events; it never writes a row. `emit` folds each event into the inline read models
// at once, through the registered folds (core/domain/inline_folds.h), so what the decider reads
// next — and what the commit writes — is exactly the fold of the log. An event with postings
// must have postings that sum to zero (a bug otherwise); a balance that would overflow refuses
// the command with amount_overflow. `finish` turns the whole unit into one commit.
//
// Nothing is written unless `finish` is called and its commit appended: a decider that returns
// an error simply drops its unit of work.
#pragma once

#include <array>
#include <concepts>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/domain/fold.h"
#include "core/domain/ids.h"
#include "core/domain/inline_folds.h"
#include "core/domain/upcasters.h"
#include "core/money.h"
#include "core/sequencer.h"
#include "events/event_types.h"
#include "events/ledger_accounts.pb.h"
#include "events/outbox_state.pb.h"
#include "events/posting.pb.h"

namespace ledger::domain {

class UnitOfWork : private FoldRows {
 public:
  explicit UnitOfWork(DecisionContext& context) : context_(context) {}

  // The time the command is decided at (from the injected clock, via the sequencer).
  std::int64_t now_us() const { return context_.now_us(); }

  // The state row at keyspace/key, as saved by this unit or as of the commands before it.
  template <class M>
  Result<std::optional<M>> load(std::string_view keyspace, std::string_view key) {
    auto bytes = read(keyspace, key);
    if (!bytes) return std::move(bytes).error();
    if (!bytes->has_value()) return std::optional<M>();
    M message;
    if (!message.ParseFromString(**bytes)) return corrupt_row(keyspace, key);
    return std::optional<M>(std::move(message));
  }

  // Queues an email in the outbox, in this unit's commit. The outbox is not a fold: it holds side
  // effects (what to send, and how delivery went), which a rebuild must neither lose nor repeat,
  // and it may hold what the log must not (a verification code, until it is sent). Rebuilds
  // leave it alone (see keyspaces.h).
  void queue_email(const events::OutboxEmail& email);

  // True when a row exists (saved by this unit or before).
  Result<bool> exists(std::string_view keyspace, std::string_view key);

  // Refuses an id whose row exists (invalid_argument "campaign id X is already used", on the
  // id's field): a second create would restart the aggregate and orphan its index rows.
  template <class Kind>
  Status require_unused(const Id<Kind>& id, std::string_view keyspace, std::string_view key) {
    auto taken = exists(keyspace, key);
    if (!taken) return std::move(taken).error();
    if (*taken) return already_used(Kind::noun, id.str(), Kind::field);
    return {};
  }

  // Appends `event` to `stream_id`, stamped with its type's current schema version
  // (core/domain/upcasters.h), and folds it into the inline read models.
  template <class E>
  Status emit(std::string stream_id, const E& event) {
    if constexpr (HasPostings<E>) check_postings(event.postings());
    if (auto folded = evolve_inline(*this, FoldedEvent{event, stream_id, now_us()}); !folded) {
      return folded;
    }
    if constexpr (HasPostings<E>) check_wallets(event.postings());
    static const std::string event_type = events::event_type_of<E>();
    static const std::uint32_t schema_version = current_schema_version(event_type);
    commit_.events.push_back(store::PendingEvent{std::move(stream_id), event_type,
                                                 event.SerializeAsString(), schema_version});
    return {};
  }

  // The account's row (all zero when it never had a posting).
  Result<events::AccountState> account(std::string_view account);
  Result<Money> balance(std::string_view account);

  // Ends the unit: its events and state rows as one commit carrying `result`.
  store::CommitRequest finish(std::string result);

  bool has_events() const { return !commit_.events.empty(); }

 private:
  Result<std::optional<std::string>> read(std::string_view keyspace, std::string_view key);
  // FoldRows: the folds read and write this unit's overlay.
  Result<std::optional<std::string>> get(std::string_view keyspace, std::string_view key) override {
    return read(keyspace, key);
  }
  void set(std::string_view keyspace, std::string_view key,
           std::optional<std::string> value) override {
    writes_.insert_or_assign(std::string(OverlayKey(keyspace, key).view()), std::move(value));
  }
  // Bugs of a decider, not refusals: postings that do not sum to zero, a wallet below zero.
  static void check_postings(const google::protobuf::RepeatedPtrField<events::Posting>& postings);
  void check_wallets(const google::protobuf::RepeatedPtrField<events::Posting>& postings);
  static Error corrupt_row(std::string_view keyspace, std::string_view key);
  static Error already_used(std::string_view noun, std::string_view id, std::string_view field);

  // An overlay key: keyspace NUL key, on the stack when it fits (a read allocates nothing).
  class OverlayKey {
   public:
    OverlayKey(std::string_view keyspace, std::string_view key);
    OverlayKey(const OverlayKey&) = delete;
    OverlayKey& operator=(const OverlayKey&) = delete;
    std::string_view view() const { return view_; }

   private:
    std::array<char, 128> buffer_;
    std::string spilled_;
    std::string_view view_;
  };

  DecisionContext& context_;
  // keyspace NUL key -> value (nullopt: erased). Ordered so commits are deterministic.
  std::map<std::string, std::optional<std::string>, std::less<>> writes_;
  store::CommitRequest commit_;
};

// Builds a posting.
events::Posting posting(std::string account, Money amount);

}  // namespace ledger::domain
