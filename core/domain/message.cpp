#include "core/domain/message.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "core/domain/emit_and_read.h"
#include "core/domain/identity_fold.h"
#include "core/domain/keyspaces.h"
#include "core/domain/task.h"
#include "core/domain/text_limits.h"
#include "core/domain/validation.h"

namespace ledger::domain {
namespace {

// The agent serves the client for `service` (any service when empty).
bool serves(const events::UserState& client, const events::UserState& agent,
            std::string_view service) {
  return std::any_of(client.agents().begin(), client.agents().end(), [&](const auto& entry) {
    return entry.second == agent.user_id() && (service.empty() || entry.first == service);
  });
}

Status check_service(std::string_view service) {
  if (service.empty()) return {};
  const auto services = task_services();
  if (std::find(services.begin(), services.end(), service) != services.end()) return {};
  return make_error(Errc::invalid_argument, "service must be marketing, website or courses",
                    "service");
}

Result<events::UserState> load_user(UnitOfWork& uow, std::string_view user_id,
                                    std::string_view missing) {
  auto row = uow.load<events::UserState>(kIdentityKeyspace, user_key(user_id));
  if (!row) return std::move(row).error();
  if (!row->has_value()) return make_error(Errc::not_found, std::string(missing));
  return std::move(**row);
}

Result<events::MessageState> load_message(UnitOfWork& uow, std::string_view message_id) {
  if (auto valid = require_id(message_id, "message_id"); !valid) return std::move(valid).error();
  auto row = uow.load<events::MessageState>(kMessagesKeyspace, message_key(message_id));
  if (!row) return std::move(row).error();
  if (!row->has_value()) return make_error(Errc::not_found, "there is no such message");
  return std::move(**row);
}

}  // namespace

std::string message_stream(std::string_view message_id) {
  return "message:" + std::string(message_id);
}

bool may_message(const events::UserState& from, const events::UserState& to,
                 std::string_view service) {
  if (from.user_id() == to.user_id()) return false;
  if (from.role() == "admin" || to.role() == "admin") return true;
  if (from.role() == "client" && to.role() == "agent") return serves(from, to, service);
  if (from.role() == "agent" && to.role() == "client") return serves(to, from, service);
  return false;
}

std::string message_service(const events::UserState& from, const events::UserState& to,
                            std::string_view service) {
  if (!service.empty()) return std::string(service);
  const events::UserState* client = from.role() == "client" ? &from : &to;
  const events::UserState* agent = from.role() == "agent" ? &from : &to;
  if (client->role() != "client" || agent->role() != "agent") return {};
  // The map is ordered by service: the first the agent serves the client for.
  for (const auto& [name, agent_id] : client->agents()) {
    if (agent_id == agent->user_id()) return name;
  }
  return {};
}

Result<events::MessageState> send_message(UnitOfWork& uow, const SendMessage& command) {
  if (auto valid = require_id(command.message_id.str(), "message_id"); !valid) {
    return std::move(valid).error();
  }
  if (auto valid = require_id(command.recipient_id.str(), "recipient"); !valid) {
    return std::move(valid).error();
  }
  if (auto valid = require_text(command.content, "content", text_limits::kDescription); !valid) {
    return std::move(valid).error();
  }
  if (auto valid = check_service(command.service); !valid) return std::move(valid).error();
  if (command.recipient_id.str() == command.sender_id.str()) {
    return make_error(Errc::invalid_argument, "recipient cannot be yourself", "recipient");
  }
  auto sender = load_user(uow, command.sender_id.str(), "there is no such sender");
  if (!sender) return std::move(sender).error();
  const Error unknown = make_error(Errc::not_found, "there is no such recipient");
  auto recipient = load_user(uow, command.recipient_id.str(), "there is no such recipient");
  if (!recipient) return std::move(recipient).error();
  if (recipient->deactivated() || !may_message(*sender, *recipient, command.service)) {
    return unknown;
  }
  if (auto unused = uow.require_unused(command.message_id, kMessagesKeyspace,
                                       message_key(command.message_id.str()));
      !unused) {
    return std::move(unused).error();
  }
  events::MessageSent sent;
  sent.set_message_id(command.message_id.str());
  sent.set_sender_id(sender->user_id());
  sent.set_recipient_id(recipient->user_id());
  sent.set_content(command.content);
  sent.set_service(message_service(*sender, *recipient, command.service));
  sent.set_sender_name(sender->name());
  sent.set_sender_role(sender->role());
  if (sender->role() == "client") {
    sent.set_client_id(sender->user_id());
  } else if (recipient->role() == "client") {
    sent.set_client_id(recipient->user_id());
  }
  return emit_and_read<events::MessageState>(uow, message_stream(sent.message_id()), sent,
                                             kMessagesKeyspace, message_key(sent.message_id()));
}

Result<events::MessageState> mark_message_read(UnitOfWork& uow, const MarkMessageRead& command) {
  auto message = load_message(uow, command.message_id.str());
  if (!message) return message;
  if (message->recipient_id() != command.reader_id.str()) {
    if (message->sender_id() == command.reader_id.str()) {
      return make_error(Errc::forbidden, "only the recipient marks a message read");
    }
    return make_error(Errc::not_found, "there is no such message");
  }
  if (message->read_at_us() != 0) return message;  // read already: nothing to record
  events::MessageRead read;
  read.set_message_id(message->message_id());
  read.set_sender_id(message->sender_id());
  read.set_recipient_id(message->recipient_id());
  return emit_and_read<events::MessageState>(uow, message_stream(read.message_id()), read,
                                             kMessagesKeyspace, message_key(read.message_id()));
}

}  // namespace ledger::domain
