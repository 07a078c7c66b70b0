#include "core/domain/posting_reader.h"

#include <fmt/format.h>

#include "core/domain/posting_fold.h"
#include "events/event_types.h"

namespace ledger::domain {

const PostingReader::TypeInfo* PostingReader::info_for(std::string_view event_type) {
  if (last_info_ != nullptr && event_type == last_type_) return last_info_;
  if (auto it = types_.find(std::string(event_type)); it != types_.end()) {
    last_type_ = event_type;
    last_info_ = &it->second;
    return last_info_;
  }
  const auto* descriptor = events::find_event_descriptor(event_type);
  if (descriptor == nullptr) return nullptr;
  TypeInfo info;
  info.message.reset(
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(descriptor)->New());
  info.postings = postings_field(descriptor);
  return &types_.emplace(std::string(event_type), std::move(info)).first->second;
}

Result<PostingReader::View> PostingReader::view(std::string_view event_type,
                                                std::string_view payload) {
  const TypeInfo* info = info_for(event_type);
  if (info == nullptr) {
    return make_error(Errc::corruption, fmt::format("unknown event type {}", event_type));
  }
  if (info->postings == nullptr) return View();
  auto& message = *info->message;
  if (!message.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
    return make_error(Errc::corruption, fmt::format("a {} payload does not decode", event_type));
  }
  return View(&message, info->postings);
}

Result<std::vector<events::Posting>> PostingReader::read(std::string_view event_type,
                                                         std::string_view payload) {
  const TypeInfo* info = info_for(event_type);
  if (info == nullptr) {
    return make_error(Errc::corruption, fmt::format("unknown event type {}", event_type));
  }
  std::vector<events::Posting> postings;
  if (info->postings == nullptr) return postings;
  auto& message = *info->message;
  if (!message.ParseFromArray(payload.data(), static_cast<int>(payload.size()))) {
    return make_error(Errc::corruption, fmt::format("a {} payload does not decode", event_type));
  }
  const auto* reflection = message.GetReflection();
  const int count = reflection->FieldSize(message, info->postings);
  postings.reserve(static_cast<std::size_t>(count));
  for (int i = 0; i < count; ++i) {
    postings.push_back(static_cast<const events::Posting&>(
        reflection->GetRepeatedMessage(message, info->postings, i)));
  }
  return postings;
}

}  // namespace ledger::domain
