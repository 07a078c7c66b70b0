// The "messages" fold: each message, each pair's thread in order, and each user's conversations
// with their unread counts, from MessageSent and MessageRead.
//
//   message/<message_id>                    MessageState
//   thread/<lo>/<hi>/<10-digit seq>         MessageState holding only message_id: the messages
//                                           between users lo < hi, oldest first
//   conversation/<user>/<counterpart>       ConversationState: one side of a conversation
//   mailbox/<user>                          MailboxState: how many messages the user has sent
//                                           or received
//   recent/<user>/<20-digit seq>            RecentConversation: the user's conversations, each
//                                           under the mailbox count of its latest message (the
//                                           row moves with every new message)
//
// Messages are never erased.
#pragma once

#include <string>
#include <string_view>

#include "core/domain/fold.h"

namespace ledger::domain {

std::string message_key(std::string_view message_id);
// The thread of two users, whichever order they are named in.
std::string thread_prefix(std::string_view user, std::string_view other);
std::string conversation_key(std::string_view user_id, std::string_view counterpart_id);
std::string recent_conversations_prefix(std::string_view user_id);

InlineFold messages_fold();

}  // namespace ledger::domain
