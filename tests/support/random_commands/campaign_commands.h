// Random campaign commands for the property test (tests/support/random_ledger.h): campaigns
// created (with budgets the client's wallet may or may not cover), their fields and budgets
// changed, moved to any status (allowed transitions or not), metrics and spend recorded (within
// the budget, above it, or decreasing), scheduled posts added and campaigns deleted. Some commands
// name campaigns never created or deleted, or carry malformed values, on purpose.
//
// Invariant (`check_invariants`): spend never exceeds the budget; a running campaign (scheduled,
// active, paused) reserves exactly what is left of its budget in its hold (or has no hold when
// nothing is left); any other campaign holds nothing.
#pragma once

#include <string>
#include <vector>

#include "core/domain/campaign.h"
#include "core/domain/content_schedule.h"
#include "core/domain/keyspaces.h"
#include "core/domain/marketing_fold.h"
#include "core/domain/wallets_fold.h"
#include "events/campaign_state.pb.h"
#include "events/wallet_state.pb.h"
#include "tests/support/random_ledger.h"

namespace ledger::testing {

class CampaignCommands {
 public:
  explicit CampaignCommands(RandomLedger& ledger) : l_(ledger) {}

  void step() {
    using Command = void (CampaignCommands::*)();
    static constexpr Command kCommands[] = {
        &CampaignCommands::create,         &CampaignCommands::create,
        &CampaignCommands::update,         &CampaignCommands::change_status,
        &CampaignCommands::change_status,  &CampaignCommands::change_status,
        &CampaignCommands::record_metrics, &CampaignCommands::record_metrics,
        &CampaignCommands::add_content,    &CampaignCommands::remove,
    };
    (this->*l_.pick(kCommands))();
  }

  void check_invariants() {
    for (const auto& id : l_.campaigns) {
      auto campaign = load(id);
      if (!campaign) continue;
      CAPTURE(id);
      CHECK(campaign->spend_minor() <= campaign->budget_minor());
      const std::int64_t left = campaign->budget_minor() - campaign->spend_minor();
      if (!domain::campaign_is_running(campaign->status())) {
        CHECK(campaign->hold_id().empty());
      } else if (campaign->hold_id().empty()) {
        CHECK(left == 0);
      } else {
        auto hold = l_.f.row<events::HoldState>(domain::kWalletsKeyspace,
                                                domain::hold_key(campaign->hold_id()));
        REQUIRE(hold);
        CHECK(hold->remaining_minor() == left);
      }
    }
  }

 private:
  using UnitOfWork = domain::UnitOfWork;
  using Answer = events::CampaignState;

  std::optional<events::CampaignState> load(const std::string& id) {
    return l_.f.row<events::CampaignState>(domain::kMarketingKeyspace, domain::campaign_key(id));
  }
  // How a command about campaign `id` may be refused: not_found for one never created or deleted.
  Refusable refusable_about(const std::string& id, Refusable otherwise = {kRule}) {
    auto campaign = load(id);
    return !campaign || campaign->deleted() ? Refusable::certain({kUnknown}) : otherwise;
  }

  // Mostly a status the campaign may move to (domain::campaign_transition_allowed), else any,
  // the unset one included.
  events::CampaignStatus next_status(const std::optional<events::CampaignState>& campaign) {
    static const std::vector<events::CampaignStatus> kStatuses = {
        events::CAMPAIGN_STATUS_DRAFT,      events::CAMPAIGN_STATUS_SCHEDULED,
        events::CAMPAIGN_STATUS_ACTIVE,     events::CAMPAIGN_STATUS_PAUSED,
        events::CAMPAIGN_STATUS_COMPLETED,  events::CAMPAIGN_STATUS_CANCELLED,
        events::CAMPAIGN_STATUS_UNSPECIFIED};
    std::vector<events::CampaignStatus> allowed;
    for (const auto& status : kStatuses) {
      if (campaign && domain::campaign_transition_allowed(campaign->status(), status)) {
        allowed.push_back(status);
      }
    }
    return !allowed.empty() && l_.chance(70) ? l_.pick(allowed) : l_.pick(kStatuses);
  }

  void create() {
    const bool reused = !l_.campaigns.empty() && l_.chance(5);
    const bool malformed = !reused && l_.chance(5);
    const std::string id = reused ? l_.pick(l_.campaigns) : l_.f.id();
    domain::CampaignFields fields;
    fields.name = "Campaign " + id;
    fields.platform = malformed ? "myspace" : "instagram";
    fields.budget = Money::from_minor(l_.between(0, 30'000));
    fields.target_reach = static_cast<std::uint64_t>(l_.between(0, 5'000));
    if (l_.chance(30)) {
      fields.start_date = "2026-12-01";
      fields.end_date = "2027-01-15";
    }
    const std::string client = l_.pick(l_.clients);
    const std::string agent = l_.pick(l_.marketing_agents);
    auto result =
        l_.run<Answer>(refused_as_if(reused || malformed, kInvalid), [&](UnitOfWork& uow) {
          return domain::create_campaign(
              uow, {domain::CampaignId{id}, domain::UserId{client}, domain::UserId{agent}, fields});
        });
    if (result.ok()) l_.campaigns.push_back(id);
  }

  void update() {
    const std::string id = l_.known_or_unknown(l_.campaigns);
    const bool malformed = l_.chance(5);
    domain::CampaignFields fields;
    if (l_.chance(50)) fields.name = "Renamed " + l_.f.id();
    if (l_.chance(60)) fields.budget = Money::from_minor(l_.between(0, 30'000));
    if (malformed) fields.end_date = "2026-02-30x";
    const std::string hold = l_.f.id();
    l_.send<Answer>(refusable_about(id, refused_as_if(malformed, kInvalid)), [&](UnitOfWork& uow) {
      return domain::update_campaign(
          uow, {domain::CampaignId{id}, fields, "admin", domain::HoldId{hold}});
    });
  }

  void change_status() {
    const std::string id = l_.known_or_unknown(l_.campaigns);
    const events::CampaignStatus status = next_status(load(id));
    const std::string hold = l_.f.id();
    l_.send<Answer>(refusable_about(id), [&](UnitOfWork& uow) {
      return domain::change_campaign_status(
          uow, {domain::CampaignId{id}, status, "mia", domain::HoldId{hold}});
    });
  }

  void record_metrics() {
    const std::string id = l_.known_or_unknown(l_.campaigns);
    auto campaign = load(id);
    domain::UpdateCampaignMetrics metrics;
    metrics.campaign_id = domain::CampaignId{id};
    metrics.transaction_id = domain::TransactionId{l_.f.id()};
    metrics.updated_by = "mia";
    const std::int64_t spent = campaign ? campaign->spend_minor() : 0;
    // Mostly more spend (now and then above the budget: budget_exceeded), sometimes less than
    // before (invalid_argument, once the campaign is found running), sometimes nothing at all.
    const auto shape = l_.between(0, 9);
    if (shape < 7) {
      metrics.spend = Money::from_minor(spent + l_.between(0, 8'000));
      metrics.reach = static_cast<std::uint64_t>(l_.between(0, 10'000));
    } else if (shape < 9) {
      metrics.spend = Money::from_minor(spent - 1);
    }
    const bool malformed = shape >= 7;
    l_.send<Answer>(
        refusable_about(id, malformed ? Refusable::certain({kInvalid, kRule}) : Refusable{kRule}),
        [&](UnitOfWork& uow) { return domain::update_campaign_metrics(uow, metrics); });
  }

  void add_content() {
    const std::string id = l_.known_or_unknown(l_.campaigns);
    if (l_.posts.empty()) return;
    std::vector<std::string> posts = {l_.pick(l_.posts)};
    if (l_.chance(30)) posts.push_back(l_.pick(l_.posts));
    // A post of another client, or a deleted one, is invalid_argument.
    l_.send<Answer>(refusable_about(id, {kInvalid}), [&](UnitOfWork& uow) {
      return domain::add_campaign_content(
          uow, {domain::CampaignId{id}, domain::typed_ids<domain::ContentId>(posts), "mia"});
    });
  }

  void remove() {
    const std::string id = l_.known_or_unknown(l_.campaigns);
    l_.send<Answer>(refusable_about(id), [&](UnitOfWork& uow) {
      return domain::delete_campaign(uow, {domain::CampaignId{id}, "admin"});
    });
  }

  RandomLedger& l_;
};

}  // namespace ledger::testing
