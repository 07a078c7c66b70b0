// Campaign rules through the real sequencer and store: the status workflow (every pair of
// statuses), the budget as a hold on the client's wallet (placed, posted, voided, re-reserved),
// spend rules, soft delete and performance; the "marketing" fold replayed and total.
#include <doctest/doctest.h>

#include <array>

#include "core/domain/campaign.h"
#include "core/domain/content_schedule.h"
#include "core/domain/keyspaces.h"
#include "core/domain/marketing_fold.h"
#include "events/enum_names.h"
#include "events/wallet_state.pb.h"
#include "tests/support/fold_replay.h"
#include "tests/support/ledger_fixture.h"

namespace ledger {
namespace {

using domain::UnitOfWork;
using testing::LedgerFixture;
using testing::usd;

constexpr std::array<const char*, 6> kStatuses = {"draft",  "scheduled", "active",
                                                  "paused", "completed", "cancelled"};

Result<domain::Executed<events::CampaignState>> create(LedgerFixture& f, const std::string& id,
                                                       const char* budget) {
  domain::CampaignFields fields;
  fields.name = "Launch " + id;
  fields.platform = "instagram";
  fields.budget = usd(budget);
  fields.target_reach = 1000;
  fields.target_engagement = 100;
  return f.run<events::CampaignState>([=](UnitOfWork& uow) {
    return domain::create_campaign(uow, {domain::CampaignId{id}, "alice", "mia", fields});
  });
}

// The status the API names `name` ("active").
events::CampaignStatus named(std::string_view name) {
  const auto status = events::parse_enum<events::CampaignStatus>(name);
  REQUIRE_MESSAGE(status.has_value(), name);
  return *status;
}

Result<domain::Executed<events::CampaignState>> move(LedgerFixture& f, const std::string& id,
                                                     const std::string& status) {
  const std::string hold = f.id();
  return f.run<events::CampaignState>([=](UnitOfWork& uow) {
    return domain::change_campaign_status(
        uow, {domain::CampaignId{id}, named(status), "mia", domain::HoldId{hold}});
  });
}

Result<domain::Executed<events::CampaignState>> spend(LedgerFixture& f, const std::string& id,
                                                      const char* total) {
  const std::string transaction = f.id();
  return f.run<events::CampaignState>([=](UnitOfWork& uow) {
    return domain::update_campaign_metrics(uow, {domain::CampaignId{id}, 500, 50, usd(total),
                                                 domain::TransactionId{transaction}, "mia"});
  });
}

Result<domain::Executed<events::CampaignState>> set_budget(LedgerFixture& f, const std::string& id,
                                                           const char* budget) {
  domain::CampaignFields fields;
  fields.budget = usd(budget);
  const std::string hold = f.id();
  return f.run<events::CampaignState>([=](UnitOfWork& uow) {
    return domain::update_campaign(uow,
                                   {domain::CampaignId{id}, fields, "alice", domain::HoldId{hold}});
  });
}

Money held(LedgerFixture& f) {
  auto wallet = f.row<events::WalletState>(domain::kWalletsKeyspace, "wallet/alice");
  return Money::from_minor(wallet ? wallet->held_minor() : 0);
}

// Drives a fresh campaign into `status` along allowed transitions.
void reach_status(LedgerFixture& f, const std::string& id, const std::string& status) {
  REQUIRE(create(f, id, "10.00").ok());
  const std::vector<std::string> path =
      status == "draft"       ? std::vector<std::string>{}
      : status == "scheduled" ? std::vector<std::string>{"scheduled"}
      : status == "active"    ? std::vector<std::string>{"scheduled", "active"}
      : status == "paused"    ? std::vector<std::string>{"scheduled", "active", "paused"}
      : status == "completed" ? std::vector<std::string>{"scheduled", "active", "completed"}
                              : std::vector<std::string>{"cancelled"};
  for (const auto& step : path) REQUIRE(move(f, id, step).ok());
}

TEST_CASE("every status pair: allowed transitions succeed, every other is invalid_transition") {
  LedgerFixture f;
  f.fund("alice", usd("1000.00"));
  int case_number = 0;
  for (const char* from : kStatuses) {
    for (const char* to : kStatuses) {
      CAPTURE(from);
      CAPTURE(to);
      const std::string id = "c" + std::to_string(case_number++);
      reach_status(f, id, from);
      const auto head = f.log->head().position;
      auto moved = move(f, id, to);
      const bool allowed = domain::campaign_transition_allowed(named(from), named(to));
      CHECK(moved.ok() == allowed);
      if (moved.ok()) {
        CHECK(events::enum_name(moved->answer.status()) == to);
      } else {
        CHECK(moved.error().code == Errc::invalid_transition);
        CHECK(f.log->head().position == head);
      }
    }
  }
  // The table itself, as API.md states it.
  CHECK(domain::campaign_transition_allowed(named("draft"), named("scheduled")));
  CHECK(domain::campaign_transition_allowed(named("scheduled"), named("draft")));
  CHECK(domain::campaign_transition_allowed(named("paused"), named("active")));
  CHECK_FALSE(domain::campaign_transition_allowed(named("draft"), named("active")));
  CHECK_FALSE(domain::campaign_transition_allowed(named("completed"), named("active")));
  CHECK_FALSE(domain::campaign_transition_allowed(named("cancelled"), named("draft")));
  CHECK_FALSE(domain::campaign_transition_allowed(named("active"), named("scheduled")));
  CHECK(f.sum_of_balances() == Money::zero());
}

TEST_CASE(
    "scheduling reserves the budget, spend posts to revenue:marketing, completion releases "
    "the rest") {
  LedgerFixture f;
  f.fund("alice", usd("100.00"));
  REQUIRE(create(f, "c1", "60.00").ok());
  CHECK(held(f) == Money::zero());
  REQUIRE(move(f, "c1", "scheduled").ok());
  CHECK(held(f) == usd("60.00"));
  CHECK(f.balance("wallet:alice") == usd("100.00"));  // reserved, not spent

  REQUIRE(move(f, "c1", "active").ok());
  auto spent = spend(f, "c1", "25.00");
  REQUIRE(spent.ok());
  CHECK(spent->answer.spend_minor() == 2500);
  CHECK(f.balance("wallet:alice") == usd("75.00"));
  CHECK(f.balance("revenue:marketing") == usd("25.00"));
  CHECK(held(f) == usd("35.00"));
  REQUIRE(spend(f, "c1", "25.00").ok());  // same total: nothing more moves
  CHECK(f.balance("revenue:marketing") == usd("25.00"));

  auto lower = spend(f, "c1", "20.00");
  REQUIRE_FALSE(lower.ok());
  CHECK(lower.error().code == Errc::invalid_argument);
  auto over = spend(f, "c1", "60.01");
  REQUIRE_FALSE(over.ok());
  CHECK(over.error().code == Errc::budget_exceeded);

  REQUIRE(move(f, "c1", "completed").ok());
  CHECK(held(f) == Money::zero());
  CHECK(f.balance("wallet:alice") == usd("75.00"));
  auto after = spend(f, "c1", "30.00");
  REQUIRE_FALSE(after.ok());
  CHECK(after.error().code == Errc::invalid_transition);
  CHECK(f.sum_of_balances() == Money::zero());
}

TEST_CASE("scheduling is refused when the available balance is short, back to draft releases") {
  LedgerFixture f;
  f.fund("alice", usd("50.00"));
  REQUIRE(create(f, "big", "80.00").ok());
  const auto head = f.log->head().position;
  auto refused = move(f, "big", "scheduled");
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == Errc::insufficient_funds);
  CHECK(f.log->head().position == head);
  CHECK(held(f) == Money::zero());

  REQUIRE(create(f, "small", "30.00").ok());
  REQUIRE(move(f, "small", "scheduled").ok());
  CHECK(held(f) == usd("30.00"));
  REQUIRE(move(f, "small", "draft").ok());
  CHECK(held(f) == Money::zero());
  REQUIRE(move(f, "small", "scheduled").ok());  // reserved again
  CHECK(held(f) == usd("30.00"));
  REQUIRE(move(f, "small", "cancelled").ok());
  CHECK(held(f) == Money::zero());
}

TEST_CASE("the budget: never below the spend, raised or lowered while running, the hold follows") {
  LedgerFixture f;
  f.fund("alice", usd("100.00"));
  REQUIRE(create(f, "c1", "40.00").ok());
  REQUIRE(move(f, "c1", "scheduled").ok());
  REQUIRE(move(f, "c1", "active").ok());
  REQUIRE(spend(f, "c1", "30.00").ok());
  CHECK(held(f) == usd("10.00"));

  auto too_low = set_budget(f, "c1", "29.99");
  REQUIRE_FALSE(too_low.ok());
  CHECK(too_low.error().code == Errc::budget_exceeded);
  auto raised = set_budget(f, "c1", "60.00");
  REQUIRE(raised.ok());
  CHECK(held(f) == usd("30.00"));
  REQUIRE(spend(f, "c1", "55.00").ok());  // beyond the old budget, within the new one
  CHECK(f.balance("revenue:marketing") == usd("55.00"));
  auto unaffordable = set_budget(f, "c1", "200.00");
  REQUIRE_FALSE(unaffordable.ok());
  CHECK(unaffordable.error().code == Errc::insufficient_funds);
  CHECK(held(f) == usd("5.00"));               // unchanged by the refused raise
  REQUIRE(set_budget(f, "c1", "55.00").ok());  // spent exactly: nothing left to hold
  CHECK(held(f) == Money::zero());
  CHECK(f.sum_of_balances() == Money::zero());
}

TEST_CASE("validation, content, soft delete and performance") {
  LedgerFixture f;
  f.fund("alice", usd("100.00"));
  domain::CampaignFields bad;
  bad.name = "X";
  bad.platform = "myspace";
  auto refused = f.run<events::CampaignState>([=](UnitOfWork& uow) {
    return domain::create_campaign(uow, {"x", "alice", "mia", bad});
  });
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().field == "platform");
  bad.platform = "tiktok";
  bad.start_date = "2026-12-10";
  bad.end_date = "2026-12-01";
  refused = f.run<events::CampaignState>([=](UnitOfWork& uow) {
    return domain::create_campaign(uow, {"x", "alice", "mia", bad});
  });
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().field == "end_date");
  bad.end_date = "2026-13-01";
  refused = f.run<events::CampaignState>([=](UnitOfWork& uow) {
    return domain::create_campaign(uow, {"x", "alice", "mia", bad});
  });
  REQUIRE_FALSE(refused.ok());

  REQUIRE(create(f, "c1", "10.00").ok());
  for (const char* post : {"p1", "p2"}) {
    domain::ContentFields fields;
    fields.platform = "instagram";
    fields.social_account = "@alice";
    fields.scheduled_at_us = f.clock.now_us() + kMicrosPerDay;
    REQUIRE(f.run<events::ContentState>([=](UnitOfWork& uow) {
               return domain::schedule_content(
                   uow, {domain::ContentId{std::string(post)}, "alice", "mia", "", fields});
             }).ok());
  }
  auto added = f.run<events::CampaignState>([](UnitOfWork& uow) {
    return domain::add_campaign_content(uow, {"c1", {"p1", "p2", "p1"}, "mia"});
  });
  REQUIRE(added.ok());
  CHECK(added->answer.content_ids_size() == 2);
  auto unknown = f.run<events::CampaignState>([](UnitOfWork& uow) {
    return domain::add_campaign_content(uow, {"c1", {"p3"}, "mia"});
  });
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().field == "content_ids");

  REQUIRE(move(f, "c1", "scheduled").ok());
  auto running = f.run<events::CampaignState>([](UnitOfWork& uow) {
    return domain::delete_campaign(uow, {"c1", "mia"});
  });
  REQUIRE_FALSE(running.ok());
  CHECK(running.error().code == Errc::invalid_transition);
  REQUIRE(move(f, "c1", "cancelled").ok());
  REQUIRE(f.run<events::CampaignState>([](UnitOfWork& uow) {
             return domain::delete_campaign(uow, {"c1", "mia"});
           }).ok());
  auto gone = move(f, "c1", "draft");
  REQUIRE_FALSE(gone.ok());
  CHECK(gone.error().code == Errc::not_found);
  CHECK(f.count_rows(domain::kMarketingKeyspace, domain::client_campaign_prefix("alice")) == 0);

  events::CampaignState campaign;
  CHECK(domain::campaign_performance_pct(campaign) == 0);
  campaign.set_target_reach(1000);
  campaign.set_reach(500);
  CHECK(domain::campaign_performance_pct(campaign) == doctest::Approx(50));
  campaign.set_target_engagement(100);
  campaign.set_engagement(300);  // capped at 100 %
  CHECK(domain::campaign_performance_pct(campaign) == doctest::Approx(75));
}

TEST_CASE(
    "the marketing fold, replayed from position 0, writes the campaign rows the writer "
    "stored") {
  LedgerFixture f;
  f.fund("alice", usd("200.00"));
  auto tick = [&] { f.clock.advance_us(kMicrosPerMinute); };
  REQUIRE(create(f, "c1", "60.00").ok());
  tick();
  REQUIRE(f.run<events::CampaignState>([](UnitOfWork& uow) {
             domain::CampaignFields fields;
             fields.name = "No agent";
             fields.platform = "youtube";
             return domain::create_campaign(uow, {"c2", "alice", "", fields});
           }).ok());
  tick();
  REQUIRE(move(f, "c1", "scheduled").ok());
  tick();
  REQUIRE(move(f, "c1", "active").ok());
  REQUIRE(spend(f, "c1", "20.00").ok());
  tick();
  REQUIRE(set_budget(f, "c1", "80.00").ok());  // re-reserved under a new hold
  REQUIRE(move(f, "c1", "paused").ok());
  tick();
  REQUIRE(move(f, "c1", "completed").ok());
  REQUIRE(move(f, "c2", "scheduled").ok());  // nothing to reserve: no hold
  REQUIRE(move(f, "c2", "cancelled").ok());
  domain::ContentFields post;
  post.platform = "instagram";
  post.social_account = "@alice";
  post.scheduled_at_us = f.clock.now_us() + kMicrosPerDay;
  REQUIRE(f.run<events::ContentState>([=](UnitOfWork& uow) {
             return domain::schedule_content(uow, {"p1", "alice", "mia", "c1", post});
           }).ok());
  REQUIRE(f.run<events::CampaignState>([](UnitOfWork& uow) {
             return domain::add_campaign_content(uow, {"c1", {"p1"}, "mia"});
           }).ok());
  tick();
  auto deleted = f.run<events::CampaignState>([](UnitOfWork& uow) {
    return domain::delete_campaign(uow, {"c1", "mia"});
  });
  REQUIRE(deleted.ok());
  CHECK(deleted->answer.deleted());
  CHECK(deleted->answer.content_ids_size() == 1);
  CHECK(deleted->answer.updated_at_us() == f.clock.now_us());

  const auto stored = testing::stored_rows(*f.log, domain::kMarketingKeyspace);
  CHECK(stored.count(domain::campaign_key("c2")) == 1);
  CHECK(stored.count(domain::agent_campaign_prefix("mia") + "c1") == 0);  // deleted: unlisted
  CHECK(stored.count(domain::client_campaign_prefix("alice") + "c2") == 1);
  CHECK(testing::replayed_rows(*f.log, domain::kMarketingKeyspace) == stored);
}

TEST_CASE("the marketing fold is total: an event whose campaign row is missing writes nothing") {
  testing::MemoryFoldRows rows;
  events::CampaignStatusChanged changed;
  changed.set_campaign_id("ghost");
  changed.set_to_status(events::CAMPAIGN_STATUS_SCHEDULED);
  changed.set_hold_id("h1");
  events::CampaignUpdated updated;
  updated.set_campaign_id("ghost");
  updated.set_name("Ghost");
  events::CampaignMetricsUpdated metrics;
  metrics.set_campaign_id("ghost");
  metrics.set_spend_minor(100);
  events::CampaignContentAdded added;
  added.set_campaign_id("ghost");
  added.add_content_ids("p1");
  events::CampaignDeleted deleted;
  deleted.set_campaign_id("ghost");
  deleted.set_client_id("alice");
  testing::fold_each(rows, domain::kMarketingKeyspace, "campaign:ghost",
                     {&changed, &updated, &metrics, &added, &deleted});
  CHECK(rows.rows_of(domain::kMarketingKeyspace).empty());

  // Only a row that does not decode is an error.
  rows.set(domain::kMarketingKeyspace, domain::campaign_key("ghost"), std::string("\xff\xff"));
  auto undecodable = testing::fold_one(rows, domain::kMarketingKeyspace, changed, "campaign:ghost");
  REQUIRE_FALSE(undecodable.ok());
  CHECK(undecodable.error().code == Errc::corruption);
}

}  // namespace
}  // namespace ledger
