// Every email of the outbox, in key order, as the tests read them.
#pragma once

#include <doctest/doctest.h>

#include <string_view>
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
                           emails.push_back(std::move(email));
                           return true;
                         })
              .ok());
  return emails;
}

}  // namespace ledger::testing
