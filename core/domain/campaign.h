// Marketing campaigns: run by the client's marketing agent, paid from the client's wallet.
//
// Rules (each refused command writes nothing):
// - A campaign has a name (1-200), description (<= 5000), platform (instagram, youtube, tiktok,
//   multi_platform), goal (<= 500), target reach and engagement, a budget (money, >= 0), and
//   optional start and end dates (YYYY-MM-DD, end not before start).
// - Status workflow (anything else is invalid_transition): draft -> scheduled | cancelled;
//   scheduled -> active | draft | cancelled; active -> paused | completed | cancelled;
//   paused -> active | completed | cancelled; completed and cancelled are final.
// - Money: moving to scheduled reserves what is left of the budget (budget - spend) as a hold
//   on the client's wallet (insufficient_funds when the available balance is short; no hold for
//   nothing). Spend is recorded as the running total (it never decreases) while scheduled,
//   active or paused: each increase posts against the hold to revenue:marketing; a total above
//   the budget is budget_exceeded. Moving back to draft, completing or cancelling voids what is
//   left of the hold.
// - Budget changes: never below the spend so far; while the campaign is running, the hold is
//   replaced by one for the new remainder in the same commit (insufficient_funds when short).
//   Who may change which field is the API's allow-list (agents: content fields, and the budget
//   only in draft; clients: the budget; admins: all).
// - Content: scheduled posts of the same client (content_schedule.h), each once.
// - Soft delete only in draft, completed or cancelled (never while money is reserved); a deleted
//   campaign is not found.
// - Performance % = the mean, over the targets that are set, of min(actual / target, 1) x 100.
//
// Every function here decides one command against a UnitOfWork: it reads state, checks the rules
// and emits events; the rows those events fold into are written by the "marketing" fold
// (marketing_fold.h, which also lists the row keys). Ids and times come in the command or from
// uow.now_us(): given the same state and command, the same events.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/domain/marketing_fold.h"
#include "core/domain/unit_of_work.h"
#include "core/money.h"
#include "events/campaign_events.pb.h"
#include "events/campaign_state.pb.h"

namespace ledger::domain {

std::string campaign_stream(std::string_view campaign_id);

struct CampaignFields {
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::optional<std::string> platform;
  std::optional<std::string> goal;
  std::optional<std::uint64_t> target_reach;
  std::optional<std::uint64_t> target_engagement;
  std::optional<Money> budget;
  std::optional<std::string> start_date;
  std::optional<std::string> end_date;
};

struct CreateCampaign {
  CampaignId campaign_id;
  UserId client_id;
  UserId agent_id;
  CampaignFields fields;  // name and platform required
};
Result<events::CampaignState> create_campaign(UnitOfWork& uow, const CreateCampaign& command);

struct UpdateCampaign {
  CampaignId campaign_id;
  CampaignFields fields;  // only the given ones change
  ActorId updated_by;
  HoldId new_hold_id;  // used when a budget change re-reserves a running campaign's money
};
Result<events::CampaignState> update_campaign(UnitOfWork& uow, const UpdateCampaign& command);

struct ChangeCampaignStatus {
  CampaignId campaign_id;
  events::CampaignStatus status = events::CAMPAIGN_STATUS_UNSPECIFIED;
  ActorId changed_by;
  HoldId hold_id;  // for the hold placed when moving to scheduled
};
Result<events::CampaignState> change_campaign_status(UnitOfWork& uow,
                                                     const ChangeCampaignStatus& command);

struct UpdateCampaignMetrics {
  CampaignId campaign_id;
  std::optional<std::uint64_t> reach;
  std::optional<std::uint64_t> engagement;
  std::optional<Money> spend;    // total so far
  TransactionId transaction_id;  // of the posting against the hold
  ActorId updated_by;
};
Result<events::CampaignState> update_campaign_metrics(UnitOfWork& uow,
                                                      const UpdateCampaignMetrics& command);

struct AddCampaignContent {
  CampaignId campaign_id;
  std::vector<ContentId> content_ids;
  ActorId added_by;
};
Result<events::CampaignState> add_campaign_content(UnitOfWork& uow,
                                                   const AddCampaignContent& command);

struct DeleteCampaign {
  CampaignId campaign_id;
  ActorId deleted_by;
};
Result<events::CampaignState> delete_campaign(UnitOfWork& uow, const DeleteCampaign& command);

// Pure rules, for readers and tests.
bool campaign_transition_allowed(events::CampaignStatus from, events::CampaignStatus to);
bool campaign_is_running(events::CampaignStatus status);  // scheduled, active or paused
double campaign_performance_pct(const events::CampaignState& campaign);

}  // namespace ledger::domain
