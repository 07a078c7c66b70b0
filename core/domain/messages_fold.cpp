#include "core/domain/messages_fold.h"

#include <fmt/format.h>

#include <utility>

#include "core/domain/keyspaces.h"
#include "events/message_events.pb.h"
#include "events/message_state.pb.h"

namespace ledger::domain {
namespace {

std::string mailbox_key(std::string_view user_id) { return "mailbox/" + std::string(user_id); }

std::string recent_key(std::string_view user_id, std::uint64_t seq) {
  return fmt::format("{}{:020}", recent_conversations_prefix(user_id), seq);
}

std::string thread_key(std::string_view lo, std::string_view hi, std::uint64_t seq) {
  return fmt::format("{}{:010}", thread_prefix(lo, hi), seq);
}

// `user`'s side of the conversation after a message between the two: the conversation moves to
// the top of the user's recent list.
Status record_on_side(KeyspaceRows& rows, const FoldedEvent& event, const events::MessageSent& sent,
                      const std::string& user, const std::string& counterpart, bool received) {
  auto conversation =
      rows.load_or(conversation_key(user, counterpart), events::ConversationState{});
  if (!conversation) return std::move(conversation).error();
  auto mailbox = rows.load_or(mailbox_key(user), events::MailboxState{});
  if (!mailbox) return std::move(mailbox).error();
  if (conversation->messages() > 0) rows.erase(recent_key(user, conversation->recent_seq()));
  conversation->set_user_id(user);
  conversation->set_counterpart_id(counterpart);
  conversation->set_messages(conversation->messages() + 1);
  if (received) conversation->set_unread(conversation->unread() + 1);
  conversation->set_last_message_id(sent.message_id());
  conversation->set_last_at_us(event.recorded_at_us);
  conversation->set_recent_seq(mailbox->messages());
  events::RecentConversation recent;
  recent.set_counterpart_id(counterpart);
  rows.save(recent_key(user, mailbox->messages()), recent);
  mailbox->set_messages(mailbox->messages() + 1);
  rows.save(mailbox_key(user), *mailbox);
  rows.save(conversation_key(user, counterpart), *conversation);
  return {};
}

Status message_sent(KeyspaceRows& rows, const FoldedEvent& event, const events::MessageSent& sent) {
  // Both sides count the same messages: the sender's count is the message's place in the thread.
  auto side = rows.load_or(conversation_key(sent.sender_id(), sent.recipient_id()),
                           events::ConversationState{});
  if (!side) return std::move(side).error();
  events::MessageState message;
  message.set_message_id(sent.message_id());
  message.set_sender_id(sent.sender_id());
  message.set_recipient_id(sent.recipient_id());
  message.set_content(sent.content());
  message.set_service(sent.service());
  message.set_sent_at_us(event.recorded_at_us);
  message.set_thread_seq(side->messages());
  message.set_sender_name(sent.sender_name());
  rows.save(message_key(sent.message_id()), message);
  events::MessageState index;
  index.set_message_id(sent.message_id());
  const bool sender_first = sent.sender_id() < sent.recipient_id();
  rows.save(thread_key(sender_first ? sent.sender_id() : sent.recipient_id(),
                       sender_first ? sent.recipient_id() : sent.sender_id(), side->messages()),
            index);
  if (auto sender = record_on_side(rows, event, sent, sent.sender_id(), sent.recipient_id(), false);
      !sender) {
    return sender;
  }
  return record_on_side(rows, event, sent, sent.recipient_id(), sent.sender_id(), true);
}

Status message_read(KeyspaceRows& rows, const FoldedEvent& event, const events::MessageRead& read) {
  auto message = rows.load<events::MessageState>(message_key(read.message_id()));
  if (!message) return std::move(message).error();
  if (!message->has_value() || (*message)->read_at_us() != 0) return {};
  (*message)->set_read_at_us(event.recorded_at_us);
  rows.save(message_key(read.message_id()), **message);
  const std::string key = conversation_key(read.recipient_id(), read.sender_id());
  auto conversation = rows.load<events::ConversationState>(key);
  if (!conversation) return std::move(conversation).error();
  if (conversation->has_value() && (*conversation)->unread() > 0) {
    (*conversation)->set_unread((*conversation)->unread() - 1);
    rows.save(key, **conversation);
  }
  return {};
}

Status evolve_messages(KeyspaceRows& rows, const FoldedEvent& event) {
  if (const auto* sent = event.as<events::MessageSent>()) return message_sent(rows, event, *sent);
  if (const auto* read = event.as<events::MessageRead>()) return message_read(rows, event, *read);
  return {};
}

}  // namespace

std::string message_key(std::string_view message_id) {
  return "message/" + std::string(message_id);
}

std::string thread_prefix(std::string_view user, std::string_view other) {
  const bool user_first = user < other;
  return fmt::format("thread/{}/{}/", user_first ? user : other, user_first ? other : user);
}

std::string conversation_key(std::string_view user_id, std::string_view counterpart_id) {
  return fmt::format("conversation/{}/{}", user_id, counterpart_id);
}

std::string recent_conversations_prefix(std::string_view user_id) {
  return fmt::format("recent/{}/", user_id);
}

InlineFold messages_fold() {
  return InlineFold{
      .keyspace = kMessagesKeyspace,
      .version = 1,
      .description =
          "messages, each pair's thread in order, and each user's conversations with their "
          "unread counts, latest first",
      .events = {events::MessageSent::descriptor(), events::MessageRead::descriptor()},
      .every_event = false,
      .evolve = evolve_messages};
}

}  // namespace ledger::domain
