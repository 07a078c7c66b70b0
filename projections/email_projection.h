// The email outbox projection: for each event an email template applies to, one OutboxEmail row
// (keyspace "outbox", key "email/<position>-<template>", status "queued") for the delivery worker.
// The key is the dedup key: an email is queued once, and a rebuild, replaying events it already
// saw, queues nothing (side effects are off for those events, and existing rows are kept).
// Recipient addresses come from the identity events this projection folds ("address/<user>"), and
// so do their email preferences ("muted/<user>"): an email whose category (email_categories.h)
// its recipient had turned off when the event was written is not queued at all (nothing in the
// outbox says it was not sent; the log says why). Security emails are always queued.
#pragma once

#include "projections/projection.h"

namespace ledger::projections {

inline constexpr char kEmailsProjection[] = "emails";

class EmailProjection final : public Projection {
 public:
  std::string_view name() const override { return kEmailsProjection; }
  std::uint32_t version() const override { return 1; }
  Status apply(const events::Envelope& event, ProjectionState& state) override;
};

}  // namespace ledger::projections
