#include "projections/analytics_projection.h"

#include <fmt/format.h>
#include <google/protobuf/message.h>

#include <algorithm>
#include <charconv>
#include <map>
#include <unordered_map>

#include "core/clock.h"
#include "core/domain/accounts.h"
#include "core/domain/event_decoder.h"
#include "core/domain/posting_reader.h"
#include "core/domain/support_ticket.h"
#include "events/analytics_state.pb.h"
#include "events/campaign_events.pb.h"
#include "events/content_events.pb.h"
#include "events/event_types.h"
#include "events/ticket_events.pb.h"
#include "events/timestamp.h"
#include "events/website_events.pb.h"

namespace ledger::projections {

// Reads the postings of an event and, for those that earn revenue, the user they are about.
struct AnalyticsProjection::Decoder {
  domain::PostingReader postings;
  std::unordered_map<std::string, std::unique_ptr<google::protobuf::Message>> messages;

  Result<std::string> user_of(const events::Envelope& event) {
    auto found = messages.find(event.event_type());
    if (found == messages.end()) {
      const auto* descriptor = events::find_event_descriptor(event.event_type());
      if (descriptor == nullptr) {
        return make_error(Errc::corruption,
                          fmt::format("unknown event type {}", event.event_type()));
      }
      found = messages
                  .emplace(event.event_type(), google::protobuf::MessageFactory::generated_factory()
                                                   ->GetPrototype(descriptor)
                                                   ->New())
                  .first;
    }
    auto& message = *found->second;
    if (auto decoded = domain::decode_payload(event, message); !decoded) {
      return std::move(decoded).error();
    }
    const auto* field = message.GetDescriptor()->FindFieldByName("user_id");
    if (field == nullptr || field->is_repeated() ||
        field->type() != google::protobuf::FieldDescriptor::TYPE_STRING) {
      return std::string();
    }
    return message.GetReflection()->GetString(message, field);
  }
};

AnalyticsProjection::AnalyticsProjection() : decoder_(std::make_unique<Decoder>()) {}
AnalyticsProjection::~AnalyticsProjection() = default;

std::string analytics_day_key(std::string_view service, std::string_view date) {
  return fmt::format("day/{}/{}", service, date);
}

std::string analytics_active_prefix(std::string_view service, std::string_view date) {
  return fmt::format("active/{}/{}/", service, date);
}

std::string analytics_first_key(std::string_view service, std::string_view user_id) {
  return fmt::format("first/{}/{}", service, user_id);
}

std::string analytics_agent_key(std::string_view agent_id) {
  return fmt::format("agent/{}", agent_id);
}

std::string analytics_first_reply_prefix(std::string_view agent_id) {
  return fmt::format("first-reply/{}/", agent_id);
}

namespace {

bool counts_as_active(events::CampaignStatus status) {
  return status == events::CAMPAIGN_STATUS_ACTIVE || status == events::CAMPAIGN_STATUS_PAUSED;
}

// Changes the activity row of `agent_id` with `change`.
template <class F>
Status update_agent(ProjectionState& state, const std::string& agent_id, F change) {
  if (agent_id.empty()) return {};
  const std::string key = analytics_agent_key(agent_id);
  auto row = state.get(key);
  if (!row) return std::move(row).error();
  events::AgentActivity activity;
  if (row->has_value() && !activity.ParseFromString(**row)) {
    return make_error(Errc::corruption, fmt::format("analytics row {} does not decode", key));
  }
  change(activity);
  state.put(key, activity.SerializeAsString());
  return {};
}

Status fold_published(const events::Envelope& event, ProjectionState& state) {
  auto published = domain::decode_event<events::ContentPublished>(event);
  if (!published) return std::move(published).error();
  return update_agent(state, published->agent_id(), [](events::AgentActivity& activity) {
    activity.set_published_content(activity.published_content() + 1);
  });
}

Status fold_deployed(const events::Envelope& event, ProjectionState& state) {
  auto deployed = domain::decode_event<events::WebsiteVersionDeployed>(event);
  if (!deployed) return std::move(deployed).error();
  return update_agent(state, deployed->deployed_by(), [](events::AgentActivity& activity) {
    activity.set_deployed_versions(activity.deployed_versions() + 1);
  });
}

Status fold_campaign(const events::Envelope& event, ProjectionState& state) {
  auto changed = domain::decode_event<events::CampaignStatusChanged>(event);
  if (!changed) return std::move(changed).error();
  return update_agent(state, changed->agent_id(), [&](events::AgentActivity& activity) {
    const bool was = counts_as_active(changed->from_status());
    const bool is = counts_as_active(changed->to_status());
    if (is && !was) activity.set_active_campaigns(activity.active_campaigns() + 1);
    if (was && !is && activity.active_campaigns() > 0) {
      activity.set_active_campaigns(activity.active_campaigns() - 1);
    }
    if (changed->to_status() == events::CAMPAIGN_STATUS_COMPLETED) {
      activity.set_completed_campaigns(activity.completed_campaigns() + 1);
    }
  });
}

std::string awaiting_key(std::string_view ticket_id) {
  return fmt::format("awaiting/{}", ticket_id);
}

Status fold_ticket_opened(const events::Envelope& event, ProjectionState& state) {
  auto opened = domain::decode_event<events::TicketOpened>(event);
  if (!opened) return std::move(opened).error();
  state.put(awaiting_key(opened->ticket_id()), std::to_string(event.recorded_at_us()));
  return {};
}

// The first reply by staff ends the wait; when it is an agent's, it counts for the agent.
Status fold_ticket_replied(const events::Envelope& event, ProjectionState& state) {
  auto replied = domain::decode_event<events::TicketReplied>(event);
  if (!replied) return std::move(replied).error();
  if (!domain::ticket_staff_role(replied->author_role())) return {};
  const std::string key = awaiting_key(replied->ticket_id());
  auto awaiting = state.get(key);
  if (!awaiting) return std::move(awaiting).error();
  if (!awaiting->has_value()) return {};  // answered before
  std::int64_t opened_at_us = 0;
  const std::string& text = **awaiting;
  const auto parsed = std::from_chars(text.data(), text.data() + text.size(), opened_at_us);
  if (parsed.ec != std::errc() || parsed.ptr != text.data() + text.size()) {
    return make_error(Errc::corruption, fmt::format("analytics row {} does not decode", key));
  }
  state.erase(key);
  if (replied->author_role() != "agent") return {};
  const std::int64_t seconds =
      std::max<std::int64_t>(0, (event.recorded_at_us() - opened_at_us) / kMicrosPerSecond);
  state.put(fmt::format("{}{:012}/{}", analytics_first_reply_prefix(replied->author_id()), seconds,
                        replied->ticket_id()),
            "");
  return {};
}

}  // namespace

Status AnalyticsProjection::apply(const events::Envelope& event, ProjectionState& state) {
  if (event.event_type() == "CampaignStatusChanged") return fold_campaign(event, state);
  if (event.event_type() == "ContentPublished") return fold_published(event, state);
  if (event.event_type() == "WebsiteVersionDeployed") return fold_deployed(event, state);
  if (event.event_type() == "TicketOpened") return fold_ticket_opened(event, state);
  if (event.event_type() == "TicketReplied") return fold_ticket_replied(event, state);
  auto postings = decoder_->postings.read(event.event_type(), event.payload());
  if (!postings) return std::move(postings).error();
  std::map<std::string, std::int64_t, std::less<>> revenue;  // service -> amount
  for (const auto& posting : *postings) {
    const std::string_view account = posting.account();
    if (!account.starts_with(domain::kRevenuePrefix)) continue;
    revenue[std::string(account.substr(domain::kRevenuePrefix.size()))] += posting.amount_minor();
  }
  if (revenue.empty()) return {};

  auto user = decoder_->user_of(event);
  if (!user) return std::move(user).error();
  const std::string date = events::format_date(event.recorded_at_us());
  for (const auto& [service, amount] : revenue) {
    const std::string day_key = analytics_day_key(service, date);
    auto row = state.get(day_key);
    if (!row) return std::move(row).error();
    events::ServiceDay day;
    if (row->has_value() && !day.ParseFromString(**row)) {
      return make_error(Errc::corruption, fmt::format("analytics row {} does not decode", day_key));
    }
    day.set_revenue_minor(day.revenue_minor() + amount);
    day.set_payments(day.payments() + 1);
    state.put(day_key, day.SerializeAsString());
    state.put(std::string(kAnalyticsServicePrefix) + service, "");
    if (user->empty()) continue;
    state.put(analytics_active_prefix(service, date) + *user, "");
    const std::string first_key = analytics_first_key(service, *user);
    auto first = state.get(first_key);
    if (!first) return std::move(first).error();
    if (!first->has_value()) state.put(first_key, date);
  }
  return {};
}

}  // namespace ledger::projections
