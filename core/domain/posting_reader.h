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

  // The same postings without copying them: valid until the next call on this reader (empty
  // for events that move no money). For replays that fold millions of events.
  class View {
   public:
    View() = default;
    View(const google::protobuf::Message* message, const google::protobuf::FieldDescriptor* field)
        : message_(message),
          field_(field),
          size_(message->GetReflection()->FieldSize(*message, field)) {}
    int size() const { return size_; }
    const events::Posting& operator[](int index) const {
      return static_cast<const events::Posting&>(
          message_->GetReflection()->GetRepeatedMessage(*message_, field_, index));
    }

   private:
    const google::protobuf::Message* message_ = nullptr;
    const google::protobuf::FieldDescriptor* field_ = nullptr;
    int size_ = 0;
  };
  Result<View> view(std::string_view event_type, std::string_view payload);

 private:
  struct TypeInfo {
    std::unique_ptr<google::protobuf::Message> message;  // reused for decoding
    const google::protobuf::FieldDescriptor* postings = nullptr;
  };
  const TypeInfo* info_for(std::string_view event_type);

  std::unordered_map<std::string, TypeInfo> types_;
  // Consecutive events are mostly of one type: the last lookup, remembered.
  std::string last_type_;
  const TypeInfo* last_info_ = nullptr;
};

}  // namespace ledger::domain
