#include "events/event_types.h"

namespace ledger::events {

const google::protobuf::Descriptor* find_event_descriptor(std::string_view event_type) {
  std::string full_name(kEventPackage);
  full_name.push_back('.');
  full_name.append(event_type);
  return google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(full_name);
}

}  // namespace ledger::events
