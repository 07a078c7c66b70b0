#include "projections/notification_projection.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <set>

#include "core/domain/accounts.h"
#include "core/domain/event_decoder.h"
#include "events/notification_events.pb.h"
#include "events/notification_state.pb.h"
#include "events/user_events.pb.h"
#include "projections/notification_rules.h"

namespace ledger::projections {
namespace {

template <class M>
Result<M> load(ProjectionState& state, std::string_view key) {
  auto bytes = state.get(key);
  if (!bytes) return std::move(bytes).error();
  M message;
  if (bytes->has_value() && !message.ParseFromString(**bytes)) {
    return make_error(Errc::corruption, fmt::format("notification row {} does not decode", key));
  }
  return message;
}

std::string feed_key(std::string_view user, std::uint64_t position, std::size_t index) {
  return fmt::format("{}{:020}/{:02}", notification_feed_prefix(user), position, index);
}

// Adds every admin to `users`.
Status add_admins(ProjectionState& state, std::set<std::string>& users) {
  auto admins = state.get("admins");
  if (!admins) return std::move(admins).error();
  if (!admins->has_value()) return {};
  std::string_view list = **admins;
  while (!list.empty()) {
    const auto comma = list.find(',');
    users.emplace(list.substr(0, comma));
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return {};
}

// Adds the agent serving `client_id` for `service` (every agent serving the client when
// `service` is empty) to `users`; answers how many it found.
Result<std::size_t> add_client_agents(ProjectionState& state, const std::string& client_id,
                                      std::string_view service, std::set<std::string>& users) {
  std::size_t found = 0;
  if (client_id.empty()) return found;
  auto add = [&](std::string_view of_service) -> Status {
    auto agent = state.get(fmt::format("agent/{}/{}", client_id, of_service));
    if (!agent) return std::move(agent).error();
    if (agent->has_value()) {
      users.insert(**agent);
      ++found;
    }
    return {};
  };
  if (!service.empty()) {
    if (auto added = add(service); !added) return std::move(added).error();
    return found;
  }
  for (const std::string_view known : domain::known_services()) {
    if (auto added = add(known); !added) return std::move(added).error();
  }
  return found;
}

// Who the audiences of a draft are, from the identity events this projection has folded.
Result<std::vector<std::string>> recipients(ProjectionState& state,
                                            const NotificationDraft& draft) {
  std::set<std::string> users;
  for (Audience audience : draft.audiences) {
    switch (audience) {
      case Audience::client:
        if (!draft.client_id.empty()) users.insert(draft.client_id);
        break;
      case Audience::agent: {
        if (draft.service.empty()) break;
        auto found = add_client_agents(state, draft.client_id, draft.service, users);
        if (!found) return std::move(found).error();
        break;
      }
      case Audience::admins:
        if (auto added = add_admins(state, users); !added) return std::move(added).error();
        break;
      case Audience::agents_else_admins: {
        auto found = add_client_agents(state, draft.client_id, draft.service, users);
        if (!found) return std::move(found).error();
        if (*found > 0) break;
        if (auto added = add_admins(state, users); !added) return std::move(added).error();
        break;
      }
      case Audience::users:
        for (const auto& user : draft.user_ids) {
          if (!user.empty()) users.insert(user);
        }
        break;
    }
  }
  users.erase(draft.except_user_id);
  return std::vector<std::string>(users.begin(), users.end());
}

Status fold_identity(const events::Envelope& event, ProjectionState& state) {
  if (event.event_type() == "UserRegistered") {
    auto registered = domain::decode_event<events::UserRegistered>(event);
    if (!registered) return std::move(registered).error();
    if (registered->role() != "admin") return {};
    auto admins = state.get("admins");
    if (!admins) return std::move(admins).error();
    std::string list = admins->value_or("");
    list += (list.empty() ? "" : ",") + registered->user_id();
    state.put("admins", std::move(list));
  } else if (event.event_type() == "AgentAssigned") {
    auto assigned = domain::decode_event<events::AgentAssigned>(event);
    if (!assigned) return std::move(assigned).error();
    state.put(fmt::format("agent/{}/{}", assigned->client_id(), assigned->service()),
              assigned->agent_id());
  } else if (event.event_type() == "AgentUnassigned") {
    // The client has no agent for the service any more (theirs was deactivated): the agent
    // audiences find nobody there, and the staff audience falls back to the admins.
    auto unassigned = domain::decode_event<events::AgentUnassigned>(event);
    if (!unassigned) return std::move(unassigned).error();
    const std::string key =
        fmt::format("agent/{}/{}", unassigned->client_id(), unassigned->service());
    auto agent = state.get(key);
    if (!agent) return std::move(agent).error();
    if (agent->has_value() && **agent == unassigned->agent_id()) state.erase(key);
  }
  return {};
}

Status mark_read(const events::Envelope& event, ProjectionState& state) {
  if (event.event_type() == "NotificationRead") {
    auto decoded = domain::decode_event<events::NotificationRead>(event);
    if (!decoded) return std::move(decoded).error();
    const auto& read = *decoded;
    auto key = notification_feed_key(read.user_id(), read.notification_id());
    if (!key) return {};
    auto notification = load<events::Notification>(state, *key);
    if (!notification) return std::move(notification).error();
    auto counters =
        load<events::NotificationCounters>(state, notification_counters_key(read.user_id()));
    if (!counters) return std::move(counters).error();
    if (notification->id().empty() || notification->is_read() ||
        notification->position() <= counters->read_all_up_to()) {
      return {};
    }
    notification->set_is_read(true);
    state.put(*key, notification->SerializeAsString());
    counters->set_unread(counters->unread() - 1);
    state.put(notification_counters_key(read.user_id()), counters->SerializeAsString());
  } else if (event.event_type() == "AllNotificationsRead") {
    auto decoded = domain::decode_event<events::AllNotificationsRead>(event);
    if (!decoded) return std::move(decoded).error();
    const auto& read = *decoded;
    auto counters =
        load<events::NotificationCounters>(state, notification_counters_key(read.user_id()));
    if (!counters) return std::move(counters).error();
    counters->set_unread(0);
    counters->set_read_all_up_to(event.position());
    state.put(notification_counters_key(read.user_id()), counters->SerializeAsString());
  }
  return {};
}

}  // namespace

std::string notification_feed_prefix(std::string_view user_id) {
  return "feed/" + std::string(user_id) + "/";
}

std::string notification_counters_key(std::string_view user_id) {
  return "user/" + std::string(user_id);
}

std::optional<std::string> notification_feed_key(std::string_view user_id,
                                                 std::string_view notification_id) {
  const auto dash = notification_id.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  std::uint64_t position = 0;
  std::size_t index = 0;
  const auto* begin = notification_id.data();
  auto parsed = std::from_chars(begin, begin + dash, position);
  if (parsed.ec != std::errc() || parsed.ptr != begin + dash) return std::nullopt;
  parsed = std::from_chars(begin + dash + 1, begin + notification_id.size(), index);
  if (parsed.ec != std::errc() || parsed.ptr != begin + notification_id.size() || index > 99) {
    return std::nullopt;
  }
  return feed_key(user_id, position, index);
}

Status NotificationProjection::apply(const events::Envelope& event, ProjectionState& state) {
  if (auto folded = fold_identity(event, state); !folded) return folded;
  if (auto marked = mark_read(event, state); !marked) return marked;
  std::size_t index = 0;
  auto drafts = notifications_for(event);
  if (!drafts) return std::move(drafts).error();
  for (const auto& draft : *drafts) {
    auto users = recipients(state, draft);
    if (!users) return std::move(users).error();
    for (const auto& user : *users) {
      events::Notification notification;
      notification.set_id(fmt::format("{}-{}", event.position(), index));
      notification.set_user_id(user);
      notification.set_type(draft.type);
      notification.set_title(draft.title);
      notification.set_message(draft.message);
      notification.set_link(draft.link);
      notification.set_created_at_us(event.recorded_at_us());
      notification.set_position(event.position());
      state.put(feed_key(user, event.position(), index), notification.SerializeAsString());
      auto counters = load<events::NotificationCounters>(state, notification_counters_key(user));
      if (!counters) return std::move(counters).error();
      counters->set_unread(counters->unread() + 1);
      counters->set_total(counters->total() + 1);
      state.put(notification_counters_key(user), counters->SerializeAsString());
      ++index;
    }
  }
  return {};
}

}  // namespace ledger::projections
