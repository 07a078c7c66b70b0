// The email outbox as tests read it: every OutboxEmail row, in key order.
#pragma once

#include <doctest/doctest.h>

#include <vector>

#include "core/domain/keyspaces.h"
#include "core/store/event_log.h"
#include "events/outbox_state.pb.h"

namespace ledger::testing {

inline std::vector<events::OutboxEmail> outbox_emails(const store::EventLog& log) {
  std::vector<events::OutboxEmail> emails;
  REQUIRE(log.scan_state(domain::kOutboxKeyspace, "email/", store::ReadDirection::forward,
                         [&](std::string_view, std::string_view value) {
                           events::OutboxEmail email;
                           REQUIRE(
                               email.ParseFromArray(value.data(), static_cast<int>(value.size())));
                           emails.push_back(email);
                           return true;
                         })
              .ok());
  return emails;
}

}  // namespace ledger::testing
