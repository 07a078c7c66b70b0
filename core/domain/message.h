// Direct messages between the people of the platform, shown as conversations on every
// dashboard.
//
// Rules (each refused command writes nothing):
// - Who may write to whom: a client to the agents serving them and to admins; an agent to the
//   clients they serve and to admins; an admin to anyone. Nobody writes to themselves
//   (invalid_argument on recipient) or to a deactivated user. Anyone else, like an unknown id,
//   is not_found: a message reveals nobody outside the sender's scope.
// - The content is 1-5000 bytes of text. A service (marketing, website, courses) is optional;
//   between a client and an agent it must be one the agent serves the client for, and when not
//   given it is the first of those (so that the agent's service-filtered views find it).
// - Only the recipient marks a message read (the sender: forbidden; anyone else: not_found);
//   marking a read message again changes nothing.
//
// The deciders read identity rows and the "messages" fold's rows (messages_fold.h); they emit
// MessageSent and MessageRead on the stream "message:<id>".
#pragma once

#include <string>
#include <string_view>

#include "core/domain/messages_fold.h"
#include "core/domain/unit_of_work.h"
#include "events/message_events.pb.h"
#include "events/message_state.pb.h"
#include "events/user_state.pb.h"

namespace ledger::domain {

std::string message_stream(std::string_view message_id);

struct SendMessage {
  MessageId message_id;
  UserId sender_id;
  UserId recipient_id;
  std::string content;
  std::string service;  // empty: none (or, between a client and an agent, the agent's first)
};
Result<events::MessageState> send_message(UnitOfWork& uow, const SendMessage& command);

struct MarkMessageRead {
  MessageId message_id;
  UserId reader_id;
};
Result<events::MessageState> mark_message_read(UnitOfWork& uow, const MarkMessageRead& command);

// Pure rules, for readers and tests.
// Whether `from` may write to `to` (another user; deactivation is checked apart) about `service`
// (empty: any).
bool may_message(const events::UserState& from, const events::UserState& to,
                 std::string_view service);
// The service a message between `from` and `to` is about when the sender named `service`:
// `service` itself, or between a client and an agent with none named, the first the agent serves
// the client for.
std::string message_service(const events::UserState& from, const events::UserState& to,
                            std::string_view service);

}  // namespace ledger::domain
