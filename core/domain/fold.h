// Folds: how every inline read-model row comes from the log.
//
// An inline fold owns one keyspace. Its `evolve(rows, event)` is a pure function of that
// keyspace's rows and one event: it reads and writes those rows and nothing else (no clock, no
// other keyspace, no I/O; the event's time is `event.recorded_at_us`). The same function is
// applied to the same events in the same order by three callers, so they write the same bytes:
// - the unit of work, as a decider emits each event (the rows go into the commit's batch);
// - `ledgerctl projections rebuild`, from position 0 into a fresh generation
//   (replay/inline_rebuild.h);
// - `ledger-audit verify`, which folds the log apart and compares every stored row.
// A decider never writes a row: it reads rows, checks its rules and emits events.
//
// Folds are total: an event a fold does not expect (a row missing, a status already settled)
// changes what it can and is never an error; only an undecodable row or an arithmetic overflow
// is. Rows are serialized deterministically (map fields in key order), so equal states are equal
// bytes.
#pragma once

#include <google/protobuf/message.h>

#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "events/posting.pb.h"

namespace ledger::domain {

// The postings of an event (its `repeated Posting postings` field, found from its schema); empty
// for events that move no money.
const google::protobuf::RepeatedPtrField<events::Posting>& postings_of(
    const google::protobuf::Message& event);
const google::protobuf::RepeatedPtrField<events::Posting>& no_postings();

template <class E>
concept HasPostings = requires(const E& event) {
  {
    event.postings()
    } -> std::convertible_to<const google::protobuf::RepeatedPtrField<events::Posting>&>;
};

// One event as a fold sees it.
struct FoldedEvent {
  // Any decoded event (a rebuild, the audit): its postings are found from its schema.
  FoldedEvent(const google::protobuf::Message& payload, std::string_view stream_id,
              std::int64_t recorded_at_us)
      : payload(payload),
        stream_id(stream_id),
        recorded_at_us(recorded_at_us),
        type(payload.GetDescriptor()),
        postings(postings_of(payload)) {}
  // An event whose type is known where it is emitted (the unit of work): no schema lookup on
  // the writer's path.
  template <class E>
  requires(std::derived_from<E, google::protobuf::Message> &&
           !std::same_as<E, google::protobuf::Message>)
      FoldedEvent(const E& payload, std::string_view stream_id, std::int64_t recorded_at_us)
      : payload(payload),
        stream_id(stream_id),
        recorded_at_us(recorded_at_us),
        type(E::descriptor()),
        postings(typed_postings(payload)) {}

  const google::protobuf::Message& payload;
  std::string_view stream_id;
  std::int64_t recorded_at_us = 0;  // the envelope's time (the decision's `now`)
  const google::protobuf::Descriptor* type;
  const google::protobuf::RepeatedPtrField<events::Posting>& postings;

  // The payload as an E, or nullptr when it is another type.
  template <class E>
  const E* as() const {
    return type == E::descriptor() ? static_cast<const E*>(&payload) : nullptr;
  }

 private:
  template <class E>
  static const google::protobuf::RepeatedPtrField<events::Posting>& typed_postings(
      const E& payload) {
    if constexpr (HasPostings<E>) {
      return payload.postings();
    } else {
      return no_postings();
    }
  }
};

// Rows of every keyspace, as a fold reads and writes them: the unit of work's overlay, a
// rebuild's fresh generation, the audit's scratch store.
class FoldRows {
 public:
  virtual ~FoldRows() = default;
  virtual Result<std::optional<std::string>> get(std::string_view keyspace,
                                                 std::string_view key) = 0;
  // nullopt erases the row.
  virtual void set(std::string_view keyspace, std::string_view key,
                   std::optional<std::string> value) = 0;
  // Told after a row is saved, with its message type (for readers that show rows as JSON).
  virtual void saved_as(std::string_view /*keyspace*/, std::string_view /*key*/,
                        const google::protobuf::Descriptor& /*type*/) {}
};

// The bytes of a row: deterministic, so equal messages are equal bytes.
std::string serialize_row(const google::protobuf::Message& row);

Error undecodable_row(std::string_view keyspace, std::string_view key);

// What one fold sees: the rows of its own keyspace.
class KeyspaceRows {
 public:
  KeyspaceRows(FoldRows& rows, std::string_view keyspace) : rows_(rows), keyspace_(keyspace) {}

  template <class M>
  Result<std::optional<M>> load(std::string_view key) {
    auto bytes = rows_.get(keyspace_, key);
    if (!bytes) return std::move(bytes).error();
    if (!bytes->has_value()) return std::optional<M>();
    M row;
    if (!row.ParseFromString(**bytes)) return undecodable_row(keyspace_, key);
    return std::optional<M>(std::move(row));
  }

  // The row, or `fresh` when there is none.
  template <class M>
  Result<M> load_or(std::string_view key, M fresh) {
    auto row = load<M>(key);
    if (!row) return std::move(row).error();
    if (row->has_value()) return std::move(**row);
    return fresh;
  }

  void save(std::string_view key, const google::protobuf::Message& row) {
    rows_.set(keyspace_, key, serialize_row(row));
    rows_.saved_as(keyspace_, key, *row.GetDescriptor());
  }
  void erase(std::string_view key) { rows_.set(keyspace_, key, std::nullopt); }

 private:
  FoldRows& rows_;
  std::string_view keyspace_;
};

using Evolve = Status (*)(KeyspaceRows& rows, const FoldedEvent& event);

struct InlineFold {
  std::string_view keyspace;  // also its name
  // Bump when what the fold writes changes: the keyspace must then be rebuilt.
  std::uint32_t version = 1;
  std::string_view description;
  // The event types it folds; empty with `every_event`: it looks at all of them (the postings
  // fold, which reads any event's postings).
  std::vector<const google::protobuf::Descriptor*> events;
  bool every_event = false;
  Evolve evolve = nullptr;
};

}  // namespace ledger::domain
