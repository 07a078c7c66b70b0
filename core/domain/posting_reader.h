// PostingReader: finds the double-entry postings of any event, from the schema alone.
//
// Every event message that moves money has a field `repeated Posting postings` (events/posting
// .proto). The reader decodes a payload by its type name and returns those postings, so replay
// and audit work for every event type, present and future, without a list to keep up to date.
// Not thread-safe (it reuses decoded messages); one per thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <google/protobuf/message.h>

#include "core/result.h"
#include "events/posting.pb.h"

namespace ledger::domain {

class PostingReader {
 public:
  // The postings of one event (empty for events that move no money). Fails with corruption when
  // the type is unknown or the payload does not decode.
  Result<std::vector<events::Posting>> read(std::string_view event_type, std::string_view payload);

 private:
  struct TypeInfo {
    std::unique_ptr<google::protobuf::Message> message;  // reused for decoding
    const google::protobuf::FieldDescriptor* postings = nullptr;
  };
  const TypeInfo* info_for(std::string_view event_type);

  std::unordered_map<std::string, TypeInfo> types_;
};

}  // namespace ledger::domain
