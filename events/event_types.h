// The catalogue of event types: every Protobuf message in package ledger.events that is stored
// as an event payload, found by its short name ("WalletDebited").
#pragma once

#include <string>
#include <string_view>

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

namespace ledger::events {

inline constexpr std::string_view kEventPackage = "ledger.events";

// The descriptor of the event type named `event_type`, or nullptr when there is none.
const google::protobuf::Descriptor* find_event_descriptor(std::string_view event_type);

// The short type name under which messages of type M are stored.
template <class M>
std::string event_type_of() {
  return std::string(M::descriptor()->name());
}

}  // namespace ledger::events
