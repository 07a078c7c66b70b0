// EventDecoder: a stored event's payload as its message, upcast to the schema this build writes.
// Every reader that folds the log (rebuilds, the audit, `ledger-audit state`) decodes through
// it, so events written under an older schema are read in one place (core/domain/upcasters.h).
// Not thread-safe (it reuses one message per type); one per thread.
#pragma once

#include <google/protobuf/message.h>

#include <memory>
#include <string>
#include <unordered_map>

#include "core/result.h"
#include "events/envelope.pb.h"

namespace ledger::domain {

class EventDecoder {
 public:
  // The decoded, upcast payload of `envelope`: valid until the next call. corruption when the type
  // is unknown, the payload does not decode, or its schema version is newer than this build's.
  Result<const google::protobuf::Message*> decode(const events::Envelope& envelope);

 private:
  std::unordered_map<std::string, std::unique_ptr<google::protobuf::Message>> messages_;
};

}  // namespace ledger::domain
