// Decoding stored events: a payload as its message, upcast to the schema this build writes.
// Every reader of event fields decodes through here, so events written under an older schema are
// read in one place (core/domain/upcasters.h): the folds of rebuilds and of the audit
// (`EventDecoder`), the projections' notification rules, email templates and analytics
// (`decode_event<E>`). Readers of postings alone (core/domain/posting_reader.h) read the
// postings field, which no schema version changes.
#pragma once

#include <google/protobuf/message.h>

#include <memory>
#include <string>
#include <unordered_map>

#include "core/result.h"
#include "events/envelope.pb.h"

namespace ledger::domain {

// Decodes the payload of `envelope` into `message` and upcasts it. corruption when `message` is
// not of the envelope's type, the payload does not decode, or its schema version is newer than
// this build's (or an upcaster refuses it).
Status decode_payload(const events::Envelope& envelope, google::protobuf::Message& message);

// The payload of `envelope` as an E, upcast; failures as `decode_payload`.
template <class E>
Result<E> decode_event(const events::Envelope& envelope) {
  E message;
  if (auto decoded = decode_payload(envelope, message); !decoded) {
    return std::move(decoded).error();
  }
  return message;
}

// Any stored event as its message type, found by the envelope's type name. Not thread-safe (it
// reuses one message per type); one per thread.
class EventDecoder {
 public:
  // The decoded, upcast payload of `envelope`: valid until the next call. corruption when the type
  // is unknown, the payload does not decode, or its schema version is newer than this build's.
  Result<const google::protobuf::Message*> decode(const events::Envelope& envelope);

 private:
  std::unordered_map<std::string, std::unique_ptr<google::protobuf::Message>> messages_;
};

}  // namespace ledger::domain
