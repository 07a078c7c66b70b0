#include "core/domain/event_decoder.h"

#include <fmt/format.h>

#include "events/event_types.h"
#include "core/domain/upcasters.h"

namespace ledger::domain {

Result<const google::protobuf::Message*> EventDecoder::decode(const events::Envelope& envelope) {
  auto it = messages_.find(envelope.event_type());
  if (it == messages_.end()) {
    const auto* descriptor = events::find_event_descriptor(envelope.event_type());
    if (descriptor == nullptr) {
      return make_error(Errc::corruption,
                        fmt::format("event {} has an unknown type {}", envelope.position(),
                                    envelope.event_type()));
    }
    it = messages_
             .emplace(envelope.event_type(),
                      google::protobuf::MessageFactory::generated_factory()
                          ->GetPrototype(descriptor)
                          ->New())
             .first;
  }
  auto& message = *it->second;
  if (!message.ParseFromString(envelope.payload())) {
    return make_error(Errc::corruption, fmt::format("event {} ({}) does not decode",
                                                    envelope.position(), envelope.event_type()));
  }
  if (auto upcast_ok = upcast(envelope, message); !upcast_ok) {
    return std::move(upcast_ok).error();
  }
  return &message;
}

}  // namespace ledger::domain
