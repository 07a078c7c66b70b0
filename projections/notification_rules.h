// Who hears about what: the table that maps each domain event to the notifications of the people
// it concerns. One place; each rule is a row of `notification_rules()`.
//
// Recipients are named by audience: the client the event is about, the agent assigned to that
// client for the event's service, every admin, people the event names (a task's assignee), or
// the client's staff (the client's agents for the service, every agent of the client when the
// event has none, and every admin when the client has no such agent).
// The projection resolves audiences from its own fold of the identity events (admins, agent
// assignments), so a rebuild gives the same feed. Whoever did what the event records can be left
// out of every audience (nobody hears of what they did themselves).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "events/envelope.pb.h"

namespace ledger::projections {

enum class Audience { client, agent, admins, users, agents_else_admins };

// What one rule makes of one event (before recipients are resolved).
struct NotificationDraft {
  std::string client_id;  // the client concerned (empty when none)
  std::string service;    // for the agent audiences: which agent (empty: any)
  std::string type;
  std::string title;
  std::string message;
  std::string link;
  std::vector<Audience> audiences;
  std::vector<std::string> user_ids;  // Audience::users: these people
  std::string except_user_id;         // never notified of it, whatever the audiences
};

// Each recipient reads wording meant for them: a draft that speaks to the client ("your
// wallet") goes to the client alone; agents and admins get drafts of their own, or share a
// draft whose words fit everyone it goes to.
struct NotificationRule {
  std::string event_type;
  // Empty when this particular event notifies nobody (e.g. a debit that is not a payment);
  // corruption when the event does not decode (core/domain/event_decoder.h).
  std::function<Result<std::vector<NotificationDraft>>(const events::Envelope&)> make;
};

const std::vector<NotificationRule>& notification_rules();

// The drafts for one event (empty when no rule matches); corruption when it does not decode.
Result<std::vector<NotificationDraft>> notifications_for(const events::Envelope& event);

}  // namespace ledger::projections
