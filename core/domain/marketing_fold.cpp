#include "core/domain/marketing_fold.h"

#include <algorithm>
#include <utility>

#include "core/domain/campaign.h"
#include "core/domain/fold_row_update.h"
#include "core/domain/keyspaces.h"
#include "events/campaign_events.pb.h"
#include "events/campaign_state.pb.h"
#include "events/content_events.pb.h"
#include "events/content_state.pb.h"

namespace ledger::domain {
namespace {

// --- campaigns ---------------------------------------------------------------------------------

template <class E, class Change>
Status change_campaign(KeyspaceRows& rows, const FoldedEvent& event, const E& happened,
                       Change change) {
  return update_row<events::CampaignState>(rows, campaign_key(happened.campaign_id()), event,
                                           std::move(change));
}

// The content fields every campaign event that sets them carries in full (the values after it).
template <class E>
void set_campaign_fields(const E& event, events::CampaignState& campaign) {
  campaign.set_name(event.name());
  campaign.set_description(event.description());
  campaign.set_platform(event.platform());
  campaign.set_goal(event.goal());
  campaign.set_target_reach(event.target_reach());
  campaign.set_target_engagement(event.target_engagement());
  campaign.set_budget_minor(event.budget_minor());
  campaign.set_start_date(event.start_date());
  campaign.set_end_date(event.end_date());
}

Status campaign_created(KeyspaceRows& rows, const FoldedEvent& event,
                        const events::CampaignCreated& created) {
  events::CampaignState campaign;
  campaign.set_campaign_id(created.campaign_id());
  campaign.set_client_id(created.client_id());
  campaign.set_agent_id(created.agent_id());
  campaign.set_status(events::CAMPAIGN_STATUS_DRAFT);
  set_campaign_fields(created, campaign);
  campaign.set_created_at_us(event.recorded_at_us);
  campaign.set_updated_at_us(event.recorded_at_us);
  rows.save(campaign_key(created.campaign_id()), campaign);
  // Index rows hold only the id; readers load the campaign row.
  events::CampaignState index;
  index.set_campaign_id(created.campaign_id());
  rows.save(client_campaign_prefix(created.client_id()) + created.campaign_id(), index);
  if (!created.agent_id().empty()) {
    rows.save(agent_campaign_prefix(created.agent_id()) + created.campaign_id(), index);
  }
  return {};
}

Status campaign_status_changed(KeyspaceRows& rows, const FoldedEvent& event,
                               const events::CampaignStatusChanged& changed) {
  return change_campaign(rows, event, changed, [&](events::CampaignState& campaign) {
    campaign.set_status(changed.to_status());
    // Scheduling reserves under the event's hold (none when nothing was left to reserve);
    // leaving the running states voids it; active <-> paused keeps it.
    if (changed.to_status() == events::CAMPAIGN_STATUS_SCHEDULED) {
      campaign.set_hold_id(changed.hold_id());
    } else if (!campaign_is_running(changed.to_status())) {
      campaign.clear_hold_id();
    }
  });
}

Status campaign_content_added(KeyspaceRows& rows, const FoldedEvent& event,
                              const events::CampaignContentAdded& added) {
  return change_campaign(rows, event, added, [&](events::CampaignState& campaign) {
    for (const auto& id : added.content_ids()) {
      const auto& existing = campaign.content_ids();
      if (std::find(existing.begin(), existing.end(), id) == existing.end()) {
        campaign.add_content_ids(id);
      }
    }
  });
}

Status campaign_deleted(KeyspaceRows& rows, const FoldedEvent& event,
                        const events::CampaignDeleted& deleted) {
  const std::string key = campaign_key(deleted.campaign_id());
  auto campaign = rows.load<events::CampaignState>(key);
  if (!campaign) return std::move(campaign).error();
  rows.erase(client_campaign_prefix(deleted.client_id()) + deleted.campaign_id());
  if (!campaign->has_value()) return {};
  auto& state = **campaign;
  if (!state.agent_id().empty()) {
    rows.erase(agent_campaign_prefix(state.agent_id()) + deleted.campaign_id());
  }
  state.set_deleted(true);
  state.set_updated_at_us(event.recorded_at_us);
  rows.save(key, state);
  return {};
}

// --- scheduled posts ---------------------------------------------------------------------------

template <class E, class Change>
Status change_post(KeyspaceRows& rows, const FoldedEvent& event, const E& happened, Change change) {
  return update_row<events::ContentState>(rows, content_key(happened.content_id()), event,
                                          std::move(change));
}

// The post's content, which ContentScheduled and ContentUpdated carry in full.
template <class E>
void set_content_fields(const E& event, events::ContentState& post) {
  post.set_title(event.title());
  post.set_platform(event.platform());
  post.set_social_account(event.social_account());
  post.set_scheduled_at_us(event.scheduled_at_us());
  post.set_caption(event.caption());
  *post.mutable_hashtags() = event.hashtags();
  *post.mutable_mentions() = event.mentions();
  *post.mutable_media_urls() = event.media_urls();
}

Status content_scheduled(KeyspaceRows& rows, const FoldedEvent& event,
                         const events::ContentScheduled& scheduled) {
  events::ContentState post;
  post.set_content_id(scheduled.content_id());
  post.set_client_id(scheduled.client_id());
  post.set_agent_id(scheduled.agent_id());
  post.set_campaign_id(scheduled.campaign_id());
  set_content_fields(scheduled, post);
  post.set_status(scheduled.draft() ? events::CONTENT_STATUS_DRAFT
                                    : events::CONTENT_STATUS_SCHEDULED);
  post.set_created_at_us(event.recorded_at_us);
  post.set_updated_at_us(event.recorded_at_us);
  rows.save(content_key(scheduled.content_id()), post);
  events::ContentState index;
  index.set_content_id(scheduled.content_id());
  rows.save(client_content_prefix(scheduled.client_id()) + scheduled.content_id(), index);
  return {};
}

Status content_deleted(KeyspaceRows& rows, const FoldedEvent& event,
                       const events::ContentDeleted& deleted) {
  rows.erase(client_content_prefix(deleted.client_id()) + deleted.content_id());
  return change_post(rows, event, deleted,
                     [](events::ContentState& post) { post.set_deleted(true); });
}

Status evolve_content(KeyspaceRows& rows, const FoldedEvent& event) {
  using events::ContentState;
  if (const auto* scheduled = event.as<events::ContentScheduled>()) {
    return content_scheduled(rows, event, *scheduled);
  }
  if (const auto* updated = event.as<events::ContentUpdated>()) {
    // Any change withdraws an approval, and puts a rejected post up for approval again.
    return change_post(rows, event, *updated, [&](ContentState& post) {
      set_content_fields(*updated, post);
      if (post.status() == events::CONTENT_STATUS_REJECTED || updated->submitted()) {
        post.set_status(events::CONTENT_STATUS_SCHEDULED);
      }
      post.set_approved(false);
      post.clear_approved_by();
      post.set_approved_at_us(0);
    });
  }
  if (const auto* approved = event.as<events::ContentApproved>()) {
    return change_post(rows, event, *approved, [&](ContentState& post) {
      post.set_approved(true);
      post.set_approved_by(approved->approved_by());
      post.set_approved_at_us(event.recorded_at_us);
    });
  }
  if (const auto* published = event.as<events::ContentPublished>()) {
    return change_post(rows, event, *published, [&](ContentState& post) {
      post.set_status(events::CONTENT_STATUS_PUBLISHED);
      post.set_published_at_us(event.recorded_at_us);
    });
  }
  if (const auto* failed = event.as<events::ContentFailed>()) {
    return change_post(rows, event, *failed, [&](ContentState& post) {
      post.set_status(events::CONTENT_STATUS_FAILED);
      post.set_last_error(failed->error());
      post.set_retry_count(failed->retry_count());
    });
  }
  if (const auto* cancelled = event.as<events::ContentCancelled>()) {
    return change_post(rows, event, *cancelled, [](ContentState& post) {
      post.set_status(events::CONTENT_STATUS_CANCELLED);
    });
  }
  if (const auto* rejected = event.as<events::ContentRejected>()) {
    return change_post(rows, event, *rejected, [&](ContentState& post) {
      post.set_status(events::CONTENT_STATUS_REJECTED);
      post.set_feedback(rejected->feedback());
      post.set_rejected_at_us(event.recorded_at_us);
      post.set_approved(false);
      post.clear_approved_by();
      post.set_approved_at_us(0);
    });
  }
  if (const auto* deleted = event.as<events::ContentDeleted>()) {
    return content_deleted(rows, event, *deleted);
  }
  return {};
}

Status evolve_marketing(KeyspaceRows& rows, const FoldedEvent& event) {
  using events::CampaignState;
  if (const auto* created = event.as<events::CampaignCreated>()) {
    return campaign_created(rows, event, *created);
  }
  if (const auto* updated = event.as<events::CampaignUpdated>()) {
    // A budget change while running re-reserves: the event names the hold the campaign has now.
    return change_campaign(rows, event, *updated, [&](CampaignState& campaign) {
      set_campaign_fields(*updated, campaign);
      campaign.set_hold_id(updated->hold_id());
    });
  }
  if (const auto* changed = event.as<events::CampaignStatusChanged>()) {
    return campaign_status_changed(rows, event, *changed);
  }
  if (const auto* metrics = event.as<events::CampaignMetricsUpdated>()) {
    return change_campaign(rows, event, *metrics, [&](CampaignState& campaign) {
      campaign.set_reach(metrics->reach());
      campaign.set_engagement(metrics->engagement());
      campaign.set_spend_minor(metrics->spend_minor());
    });
  }
  if (const auto* added = event.as<events::CampaignContentAdded>()) {
    return campaign_content_added(rows, event, *added);
  }
  if (const auto* deleted = event.as<events::CampaignDeleted>()) {
    return campaign_deleted(rows, event, *deleted);
  }
  return evolve_content(rows, event);
}

}  // namespace

std::string campaign_key(std::string_view campaign_id) {
  return std::string(kCampaignKeyPrefix) + std::string(campaign_id);
}
std::string client_campaign_prefix(std::string_view client_id) {
  return "of-client/" + std::string(client_id) + "/";
}
std::string agent_campaign_prefix(std::string_view agent_id) {
  return "of-agent/" + std::string(agent_id) + "/";
}
std::string content_key(std::string_view content_id) {
  return std::string(kContentKeyPrefix) + std::string(content_id);
}
std::string client_content_prefix(std::string_view client_id) {
  return "content-of-client/" + std::string(client_id) + "/";
}

InlineFold marketing_fold() {
  return InlineFold{
      .keyspace = kMarketingKeyspace,
      .version = 3,
      .description =
          "campaigns and scheduled posts, with their per-client and per-agent index rows",
      .events = {events::CampaignCreated::descriptor(), events::CampaignUpdated::descriptor(),
                 events::CampaignStatusChanged::descriptor(),
                 events::CampaignMetricsUpdated::descriptor(),
                 events::CampaignContentAdded::descriptor(), events::CampaignDeleted::descriptor(),
                 events::ContentScheduled::descriptor(), events::ContentUpdated::descriptor(),
                 events::ContentApproved::descriptor(), events::ContentPublished::descriptor(),
                 events::ContentFailed::descriptor(), events::ContentCancelled::descriptor(),
                 events::ContentRejected::descriptor(), events::ContentDeleted::descriptor()},
      .every_event = false,
      .evolve = evolve_marketing};
}

}  // namespace ledger::domain
