#include "core/domain/event_decoder.h"

#include <fmt/format.h>

#include "core/domain/upcasters.h"
#include "events/event_types.h"

namespace ledger::domain {

Status decode_payload(const events::Envelope& envelope, google::protobuf::Message& message) {
  if (message.GetDescriptor()->name() != envelope.event_type()) {
    return make_error(Errc::corruption,
                      fmt::format("event {} is a {}, not a {}", envelope.position(),
                                  envelope.event_type(), message.GetDescriptor()->name()));
  }
  if (!message.ParseFromString(envelope.payload())) {
    return make_error(Errc::corruption, fmt::format("event {} ({}) does not decode",
                                                    envelope.position(), envelope.event_type()));
  }
  return upcast(envelope, message);
}

Result<const google::protobuf::Message*> EventDecoder::decode(const events::Envelope& envelope) {
  auto it = messages_.find(envelope.event_type());
  if (it == messages_.end()) {
    const auto* descriptor = events::find_event_descriptor(envelope.event_type());
    if (descriptor == nullptr) {
      return make_error(Errc::corruption, fmt::format("event {} has an unknown type {}",
                                                      envelope.position(), envelope.event_type()));
    }
    it = messages_
             .emplace(envelope.event_type(), google::protobuf::MessageFactory::generated_factory()
                                                 ->GetPrototype(descriptor)
                                                 ->New())
             .first;
  }
  if (auto decoded = decode_payload(envelope, *it->second); !decoded) {
    return std::move(decoded).error();
  }
  return it->second.get();
}

}  // namespace ledger::domain
