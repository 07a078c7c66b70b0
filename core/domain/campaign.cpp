#include "core/domain/campaign.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "core/domain/content_schedule.h"
#include "core/domain/emit_and_read.h"
#include "core/domain/keyspaces.h"
#include "core/domain/text_limits.h"
#include "core/domain/validation.h"
#include "core/domain/wallet.h"
#include "events/enum_names.h"
#include "events/timestamp.h"

namespace ledger::domain {
namespace {

constexpr std::uint64_t kTargetMax = 1'000'000'000'000;
constexpr std::size_t kContentPerCampaignMax = 500;
constexpr std::array<std::string_view, 4> kPlatforms = {"instagram", "youtube", "tiktok",
                                                        "multi_platform"};

Status validate_fields(const CampaignFields& fields) {
  if (fields.name) {
    if (auto valid = require_text(*fields.name, "name", text_limits::kName); !valid) return valid;
  }
  if (fields.description) {
    if (auto valid = limit_text(*fields.description, "description", text_limits::kDescription);
        !valid) {
      return valid;
    }
  }
  if (fields.goal) {
    if (auto valid = limit_text(*fields.goal, "goal", text_limits::kGoal); !valid) return valid;
  }
  if (fields.platform &&
      std::find(kPlatforms.begin(), kPlatforms.end(), *fields.platform) == kPlatforms.end()) {
    return make_error(Errc::invalid_argument,
                      "platform must be instagram, youtube, tiktok or multi_platform", "platform");
  }
  for (const auto& [value, field] : {std::pair{fields.target_reach, "target_reach"},
                                     std::pair{fields.target_engagement, "target_engagement"}}) {
    if (value && *value > kTargetMax) {
      return make_error(Errc::invalid_argument, fmt::format("{} is too large", field), field);
    }
  }
  if (fields.budget) {
    if (fields.budget->is_negative()) {
      return make_error(Errc::invalid_argument, "budget must not be negative", "budget");
    }
    if (fields.budget->minor() > Money::kApiAmountMinorMax) {
      return make_error(Errc::invalid_argument, "budget is above the maximum amount", "budget");
    }
  }
  for (const auto& [value, field] :
       {std::pair{&fields.start_date, "start_date"}, std::pair{&fields.end_date, "end_date"}}) {
    if (*value && !value->value().empty() && !events::parse_date(**value)) {
      return make_error(Errc::invalid_argument, fmt::format("{} must be a date YYYY-MM-DD", field),
                        field);
    }
  }
  return {};
}

Status check_dates(const events::CampaignState& campaign) {
  if (!campaign.start_date().empty() && !campaign.end_date().empty() &&
      campaign.end_date() < campaign.start_date()) {
    return make_error(Errc::invalid_argument, "end_date must not be before start_date", "end_date");
  }
  return {};
}

Result<events::CampaignState> load_campaign(UnitOfWork& uow, std::string_view campaign_id) {
  if (auto valid = require_id(campaign_id, "campaign_id"); !valid) return std::move(valid).error();
  auto row = uow.load<events::CampaignState>(kMarketingKeyspace, campaign_key(campaign_id));
  if (!row) return std::move(row).error();
  if (!row->has_value() || (*row)->deleted()) {
    return make_error(Errc::not_found, fmt::format("there is no campaign {}", campaign_id));
  }
  return std::move(**row);
}

// Emits `event` on the campaign's stream; answers the campaign's row as the fold left it.
template <class E>
Result<events::CampaignState> record(UnitOfWork& uow, const std::string& campaign_id,
                                     const E& event) {
  return emit_and_read<events::CampaignState>(uow, campaign_stream(campaign_id), event,
                                              kMarketingKeyspace, campaign_key(campaign_id));
}

Money remaining_budget(const events::CampaignState& campaign) {
  return Money::from_minor(campaign.budget_minor() - campaign.spend_minor());
}

// Places the hold for what is left of the budget (none for nothing); answers its amount.
Result<Money> reserve(UnitOfWork& uow, events::CampaignState& campaign, const HoldId& hold_id) {
  const Money amount = remaining_budget(campaign);
  campaign.clear_hold_id();
  if (!amount.is_positive()) return Money::zero();
  if (auto valid = require_id(hold_id.str(), "hold_id"); !valid) return std::move(valid).error();
  auto held = place_hold(uow, {hold_id, UserId{campaign.client_id()}, amount,
                               "campaign:" + campaign.campaign_id(), "marketing", 0});
  if (!held) return std::move(held).error();
  campaign.set_hold_id(hold_id.str());
  return amount;
}

// Voids what is left of the campaign's hold, if it is still open; answers what was released.
Result<Money> release(UnitOfWork& uow, events::CampaignState& campaign) {
  if (campaign.hold_id().empty()) return Money::zero();
  auto hold = load_hold(uow, HoldId{campaign.hold_id()});
  if (!hold) return std::move(hold).error();
  Money released = Money::zero();
  if (hold->status() == events::HOLD_STATUS_OPEN) {
    released = Money::from_minor(hold->remaining_minor());
    auto voided = void_hold(uow, {HoldId{campaign.hold_id()}});
    if (!voided) return std::move(voided).error();
  }
  campaign.clear_hold_id();
  return released;
}

void apply_fields(const CampaignFields& fields, events::CampaignState& campaign,
                  std::vector<std::string>* changed) {
  auto set_text = [&](const std::optional<std::string>& value, const std::string& current,
                      auto setter, const char* name) {
    if (value && *value != current) {
      (campaign.*setter)(*value);
      if (changed) changed->push_back(name);
    }
  };
  set_text(fields.name, campaign.name(), &events::CampaignState::set_name<const std::string&>,
           "name");
  set_text(fields.description, campaign.description(),
           &events::CampaignState::set_description<const std::string&>, "description");
  set_text(fields.platform, campaign.platform(),
           &events::CampaignState::set_platform<const std::string&>, "platform");
  set_text(fields.goal, campaign.goal(), &events::CampaignState::set_goal<const std::string&>,
           "goal");
  set_text(fields.start_date, campaign.start_date(),
           &events::CampaignState::set_start_date<const std::string&>, "start_date");
  set_text(fields.end_date, campaign.end_date(),
           &events::CampaignState::set_end_date<const std::string&>, "end_date");
  if (fields.target_reach && *fields.target_reach != campaign.target_reach()) {
    campaign.set_target_reach(*fields.target_reach);
    if (changed) changed->push_back("target_reach");
  }
  if (fields.target_engagement && *fields.target_engagement != campaign.target_engagement()) {
    campaign.set_target_engagement(*fields.target_engagement);
    if (changed) changed->push_back("target_engagement");
  }
  if (fields.budget && fields.budget->minor() != campaign.budget_minor()) {
    campaign.set_budget_minor(fields.budget->minor());
    if (changed) changed->push_back("budget");
  }
}

}  // namespace

std::string campaign_stream(std::string_view campaign_id) {
  return "campaign:" + std::string(campaign_id);
}

bool campaign_transition_allowed(events::CampaignStatus from, events::CampaignStatus to) {
  using enum events::CampaignStatus;
  static constexpr std::array<std::pair<events::CampaignStatus, events::CampaignStatus>, 11>
      kAllowed = {{
          {CAMPAIGN_STATUS_DRAFT, CAMPAIGN_STATUS_SCHEDULED},
          {CAMPAIGN_STATUS_DRAFT, CAMPAIGN_STATUS_CANCELLED},
          {CAMPAIGN_STATUS_SCHEDULED, CAMPAIGN_STATUS_ACTIVE},
          {CAMPAIGN_STATUS_SCHEDULED, CAMPAIGN_STATUS_DRAFT},
          {CAMPAIGN_STATUS_SCHEDULED, CAMPAIGN_STATUS_CANCELLED},
          {CAMPAIGN_STATUS_ACTIVE, CAMPAIGN_STATUS_PAUSED},
          {CAMPAIGN_STATUS_ACTIVE, CAMPAIGN_STATUS_COMPLETED},
          {CAMPAIGN_STATUS_ACTIVE, CAMPAIGN_STATUS_CANCELLED},
          {CAMPAIGN_STATUS_PAUSED, CAMPAIGN_STATUS_ACTIVE},
          {CAMPAIGN_STATUS_PAUSED, CAMPAIGN_STATUS_COMPLETED},
          {CAMPAIGN_STATUS_PAUSED, CAMPAIGN_STATUS_CANCELLED},
      }};
  return std::find(kAllowed.begin(), kAllowed.end(), std::pair{from, to}) != kAllowed.end();
}

bool campaign_is_running(events::CampaignStatus status) {
  return status == events::CAMPAIGN_STATUS_SCHEDULED || status == events::CAMPAIGN_STATUS_ACTIVE ||
         status == events::CAMPAIGN_STATUS_PAUSED;
}

double campaign_performance_pct(const events::CampaignState& campaign) {
  double sum = 0;
  int targets = 0;
  for (const auto& [actual, target] :
       {std::pair{campaign.reach(), campaign.target_reach()},
        std::pair{campaign.engagement(), campaign.target_engagement()}}) {
    if (target == 0) continue;
    sum += std::min(1.0, static_cast<double>(actual) / static_cast<double>(target));
    ++targets;
  }
  return targets == 0 ? 0.0 : sum / targets * 100.0;
}

Result<events::CampaignState> create_campaign(UnitOfWork& uow, const CreateCampaign& command) {
  if (auto valid = require_id(command.campaign_id.str(), "campaign_id"); !valid) {
    return std::move(valid).error();
  }
  if (auto valid = require_id(command.client_id.str(), "client_id"); !valid) {
    return std::move(valid).error();
  }
  if (!command.fields.name) return make_error(Errc::invalid_argument, "name is required", "name");
  if (!command.fields.platform) {
    return make_error(Errc::invalid_argument, "platform is required", "platform");
  }
  if (auto valid = validate_fields(command.fields); !valid) return std::move(valid).error();
  if (auto unused = uow.require_unused(command.campaign_id, kMarketingKeyspace,
                                       campaign_key(command.campaign_id.str()));
      !unused) {
    return std::move(unused).error();
  }
  events::CampaignState campaign;
  campaign.set_campaign_id(command.campaign_id.str());
  campaign.set_client_id(command.client_id.str());
  campaign.set_agent_id(command.agent_id.str());
  apply_fields(command.fields, campaign, nullptr);
  if (auto valid = check_dates(campaign); !valid) return std::move(valid).error();

  events::CampaignCreated created;
  created.set_campaign_id(campaign.campaign_id());
  created.set_client_id(campaign.client_id());
  created.set_agent_id(campaign.agent_id());
  created.set_name(campaign.name());
  created.set_description(campaign.description());
  created.set_platform(campaign.platform());
  created.set_goal(campaign.goal());
  created.set_target_reach(campaign.target_reach());
  created.set_target_engagement(campaign.target_engagement());
  created.set_budget_minor(campaign.budget_minor());
  created.set_start_date(campaign.start_date());
  created.set_end_date(campaign.end_date());
  return record(uow, campaign.campaign_id(), created);
}

Result<events::CampaignState> update_campaign(UnitOfWork& uow, const UpdateCampaign& command) {
  auto campaign = load_campaign(uow, command.campaign_id.str());
  if (!campaign) return std::move(campaign).error();
  if (auto valid = validate_fields(command.fields); !valid) return std::move(valid).error();
  if (campaign->status() == events::CAMPAIGN_STATUS_COMPLETED ||
      campaign->status() == events::CAMPAIGN_STATUS_CANCELLED) {
    return make_error(Errc::invalid_transition,
                      fmt::format("campaign {} is {}: it no longer changes",
                                  campaign->campaign_id(), events::enum_name(campaign->status())));
  }
  std::vector<std::string> changed;
  apply_fields(command.fields, *campaign, &changed);
  if (auto valid = check_dates(*campaign); !valid) return std::move(valid).error();
  if (campaign->budget_minor() < campaign->spend_minor()) {
    return make_error(Errc::budget_exceeded,
                      fmt::format("{} has been spent already: the budget cannot be lower",
                                  Money::from_minor(campaign->spend_minor()).format()),
                      "budget");
  }
  const bool budget_changed = std::find(changed.begin(), changed.end(), "budget") != changed.end();
  if (budget_changed && campaign_is_running(campaign->status())) {
    if (auto released = release(uow, *campaign); !released) return std::move(released).error();
    if (auto reserved = reserve(uow, *campaign, command.new_hold_id); !reserved) {
      return std::move(reserved).error();
    }
  }
  if (changed.empty()) return campaign;  // nothing to record
  events::CampaignUpdated updated;
  updated.set_campaign_id(campaign->campaign_id());
  updated.set_client_id(campaign->client_id());
  for (const auto& name : changed) updated.add_changed(name);
  updated.set_name(campaign->name());
  updated.set_description(campaign->description());
  updated.set_platform(campaign->platform());
  updated.set_goal(campaign->goal());
  updated.set_target_reach(campaign->target_reach());
  updated.set_target_engagement(campaign->target_engagement());
  updated.set_budget_minor(campaign->budget_minor());
  updated.set_start_date(campaign->start_date());
  updated.set_end_date(campaign->end_date());
  updated.set_updated_by(command.updated_by.str());
  updated.set_hold_id(campaign->hold_id());
  return record(uow, campaign->campaign_id(), updated);
}

Result<events::CampaignState> change_campaign_status(UnitOfWork& uow,
                                                     const ChangeCampaignStatus& command) {
  auto campaign = load_campaign(uow, command.campaign_id.str());
  if (!campaign) return std::move(campaign).error();
  const events::CampaignStatus from = campaign->status();
  if (!campaign_transition_allowed(from, command.status)) {
    return make_error(Errc::invalid_transition,
                      fmt::format("a {} campaign cannot become {}", events::enum_name(from),
                                  command.status == events::CAMPAIGN_STATUS_UNSPECIFIED
                                      ? "nothing"
                                      : events::enum_name(command.status)),
                      "status");
  }
  Money moved = Money::zero();
  std::string hold_id = campaign->hold_id();
  if (command.status == events::CAMPAIGN_STATUS_SCHEDULED) {
    auto reserved = reserve(uow, *campaign, command.hold_id);
    if (!reserved) return std::move(reserved).error();
    moved = *reserved;
    hold_id = campaign->hold_id();
  } else if (!campaign_is_running(command.status)) {
    auto released = release(uow, *campaign);
    if (!released) return std::move(released).error();
    moved = *released;
  }
  events::CampaignStatusChanged changed;
  changed.set_campaign_id(campaign->campaign_id());
  changed.set_client_id(campaign->client_id());
  changed.set_from_status(from);
  changed.set_to_status(command.status);
  changed.set_changed_by(command.changed_by.str());
  changed.set_hold_id(hold_id);
  changed.set_held_minor(moved.minor());
  changed.set_name(campaign->name());
  changed.set_agent_id(campaign->agent_id());
  return record(uow, campaign->campaign_id(), changed);
}

Result<events::CampaignState> update_campaign_metrics(UnitOfWork& uow,
                                                      const UpdateCampaignMetrics& command) {
  auto campaign = load_campaign(uow, command.campaign_id.str());
  if (!campaign) return std::move(campaign).error();
  if (!command.reach && !command.engagement && !command.spend) {
    return make_error(Errc::invalid_argument, "give reach, engagement or spend");
  }
  if (!campaign_is_running(campaign->status())) {
    return make_error(Errc::invalid_transition,
                      fmt::format("metrics are recorded while a campaign runs; this one is {}",
                                  events::enum_name(campaign->status())));
  }
  for (const auto& [value, field] :
       {std::pair{command.reach, "reach"}, std::pair{command.engagement, "engagement"}}) {
    if (value && *value > kTargetMax) {
      return make_error(Errc::invalid_argument, fmt::format("{} is too large", field), field);
    }
  }
  Money spent_now = Money::zero();
  if (command.spend) {
    const Money spent_before = Money::from_minor(campaign->spend_minor());
    if (command.spend->is_negative() || *command.spend < spent_before) {
      return make_error(Errc::invalid_argument,
                        fmt::format("spend is the total so far ({} already): it never decreases",
                                    spent_before.format()),
                        "spend");
    }
    if (command.spend->minor() > campaign->budget_minor()) {
      return make_error(Errc::budget_exceeded,
                        fmt::format("spend {} is above the budget {}; the client or an admin "
                                    "can raise the budget",
                                    command.spend->format(),
                                    Money::from_minor(campaign->budget_minor()).format()),
                        "spend");
    }
    spent_now = *command.spend - spent_before;
    if (spent_now.is_positive()) {
      auto posted = post_hold(uow, {HoldId{campaign->hold_id()}, spent_now, command.transaction_id,
                                    "Campaign " + campaign->name()});
      if (!posted) return std::move(posted).error();
    }
    campaign->set_spend_minor(command.spend->minor());
  }
  if (command.reach) campaign->set_reach(*command.reach);
  if (command.engagement) campaign->set_engagement(*command.engagement);
  events::CampaignMetricsUpdated updated;
  updated.set_campaign_id(campaign->campaign_id());
  updated.set_client_id(campaign->client_id());
  updated.set_reach(campaign->reach());
  updated.set_engagement(campaign->engagement());
  updated.set_spend_minor(campaign->spend_minor());
  updated.set_spent_now_minor(spent_now.minor());
  if (spent_now.is_positive()) updated.set_transaction_id(command.transaction_id.str());
  updated.set_updated_by(command.updated_by.str());
  updated.set_name(campaign->name());
  return record(uow, campaign->campaign_id(), updated);
}

Result<events::CampaignState> add_campaign_content(UnitOfWork& uow,
                                                   const AddCampaignContent& command) {
  auto campaign = load_campaign(uow, command.campaign_id.str());
  if (!campaign) return std::move(campaign).error();
  if (command.content_ids.empty()) {
    return make_error(Errc::invalid_argument, "content_ids must name at least one post",
                      "content_ids");
  }
  std::vector<std::string> added;
  for (const auto& content_id : command.content_ids) {
    const std::string& id = content_id.str();
    if (id.empty() || id.size() > 64) {
      return make_error(Errc::invalid_argument, "content_ids must be ids", "content_ids");
    }
    auto post = uow.load<events::ContentState>(kMarketingKeyspace, content_key(id));
    if (!post) return std::move(post).error();
    if (!post->has_value() || (*post)->deleted() || (*post)->client_id() != campaign->client_id()) {
      return make_error(Errc::invalid_argument,
                        fmt::format("content_ids: {} is not a scheduled post of this client", id),
                        "content_ids");
    }
    const auto& existing = campaign->content_ids();
    if (std::find(existing.begin(), existing.end(), id) != existing.end() ||
        std::find(added.begin(), added.end(), id) != added.end()) {
      continue;
    }
    added.push_back(id);
  }
  if (static_cast<std::size_t>(campaign->content_ids_size()) + added.size() >
      kContentPerCampaignMax) {
    return make_error(Errc::invalid_argument,
                      fmt::format("a campaign holds at most {} posts", kContentPerCampaignMax),
                      "content_ids");
  }
  if (added.empty()) return campaign;
  events::CampaignContentAdded event;
  event.set_campaign_id(campaign->campaign_id());
  event.set_client_id(campaign->client_id());
  for (const auto& id : added) event.add_content_ids(id);
  event.set_added_by(command.added_by.str());
  return record(uow, campaign->campaign_id(), event);
}

Result<events::CampaignState> delete_campaign(UnitOfWork& uow, const DeleteCampaign& command) {
  auto campaign = load_campaign(uow, command.campaign_id.str());
  if (!campaign) return std::move(campaign).error();
  if (campaign_is_running(campaign->status())) {
    return make_error(Errc::invalid_transition,
                      fmt::format("campaign {} is {} with money reserved: cancel it first",
                                  campaign->campaign_id(), events::enum_name(campaign->status())));
  }
  events::CampaignDeleted deleted;
  deleted.set_campaign_id(campaign->campaign_id());
  deleted.set_client_id(campaign->client_id());
  deleted.set_deleted_by(command.deleted_by.str());
  return record(uow, campaign->campaign_id(), deleted);
}

}  // namespace ledger::domain
