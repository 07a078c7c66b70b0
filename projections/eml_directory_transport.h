// Delivery without a relay: each email becomes `<email_id>.eml` in a directory, written
// atomically (temporary file, fsync, rename), for a relay or an operator to pick up.
#pragma once

#include <string>

#include "projections/email_transport.h"

namespace ledger::projections {

class EmlDirectoryTransport final : public EmailTransport {
 public:
  explicit EmlDirectoryTransport(std::string directory) : directory_(std::move(directory)) {}
  Status send(const events::OutboxEmail& email, std::string_view from,
              std::string_view message) override;

 private:
  std::string directory_;
};

}  // namespace ledger::projections
