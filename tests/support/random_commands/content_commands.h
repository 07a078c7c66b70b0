// Random content schedule commands for the property test (tests/support/random_ledger.h): posts
// scheduled (alone or in a campaign, of the same client or not), changed (withdrawing an
// approval, sometimes to a time already past), approved, published, failed, cancelled and deleted
// from any status. Some commands name posts never scheduled or deleted, or carry malformed values,
// on purpose.
#pragma once

#include <string>
#include <vector>

#include "core/domain/campaign.h"
#include "core/domain/content_schedule.h"
#include "core/domain/keyspaces.h"
#include "core/domain/marketing_fold.h"
#include "events/campaign_state.pb.h"
#include "events/content_state.pb.h"
#include "tests/support/random_ledger.h"

namespace ledger::testing {

class ContentCommands {
 public:
  explicit ContentCommands(RandomLedger& ledger) : l_(ledger) {}

  void step() {
    using Command = void (ContentCommands::*)();
    static constexpr Command kCommands[] = {
        &ContentCommands::schedule, &ContentCommands::schedule, &ContentCommands::update,
        &ContentCommands::act,      &ContentCommands::act,      &ContentCommands::act,
    };
    (this->*l_.pick(kCommands))();
  }

 private:
  using UnitOfWork = domain::UnitOfWork;
  using Answer = events::ContentState;

  // How a command about post `id` may be refused: not_found for one never scheduled or deleted.
  Refusable refusable_about(const std::string& id, Refusable otherwise = {kRule}) {
    auto post = l_.f.row<events::ContentState>(domain::kMarketingKeyspace, domain::content_key(id));
    return !post || post->deleted() ? Refusable::certain({kUnknown}) : otherwise;
  }

  domain::ContentFields fields() {
    domain::ContentFields fields;
    fields.platform = l_.chance(50) ? "instagram" : "tiktok";
    fields.social_account = "@shop";
    fields.scheduled_at_us = l_.f.clock.now_us() + l_.between(1, 240) * kMicrosPerHour;
    fields.caption = "Post " + l_.f.id();
    fields.hashtags = std::vector<std::string>{"#sale"};
    return fields;
  }

  void schedule() {
    const bool reused = !l_.posts.empty() && l_.chance(5);
    const bool malformed = !reused && l_.chance(5);
    const std::string id = reused ? l_.pick(l_.posts) : l_.f.id();
    auto post = fields();
    if (malformed) post.hashtags = std::vector<std::string>{"no hash"};
    const std::string client = l_.pick(l_.clients);
    // In a campaign now and then: one of another client, or deleted, is invalid_argument.
    const std::string campaign =
        !l_.campaigns.empty() && l_.chance(30) ? l_.pick(l_.campaigns) : "";
    auto owner =
        l_.f.row<events::CampaignState>(domain::kMarketingKeyspace, domain::campaign_key(campaign));
    const bool foreign =
        !campaign.empty() && (!owner || owner->deleted() || owner->client_id() != client);
    auto result = l_.run<Answer>(
        refused_as_if(reused || malformed || foreign, kInvalid), [&](UnitOfWork& uow) {
          return domain::schedule_content(uow, {domain::ContentId{id}, domain::UserId{client},
                                                "mia", domain::CampaignId{campaign}, post});
        });
    if (result.ok()) l_.posts.push_back(id);
  }

  void update() {
    const std::string id = l_.known_or_unknown(l_.posts);
    domain::ContentFields change;
    const bool past = l_.chance(10);
    if (l_.chance(50)) change.caption = "Changed " + l_.f.id();
    if (past || l_.chance(30)) {
      change.scheduled_at_us = l_.f.clock.now_us() + (past ? -1 : 1) * kMicrosPerHour;
    }
    l_.send<Answer>(
        refusable_about(id, past ? Refusable::certain({kInvalid, kRule}) : Refusable{kRule}),
        [&](UnitOfWork& uow) {
          return domain::update_content(uow, {domain::ContentId{id}, change, "mia"});
        });
  }

  void act() {
    using Action = Result<events::ContentState> (*)(UnitOfWork&, const domain::ContentAction&);
    static constexpr Action kActions[] = {
        &domain::approve_content, &domain::publish_content, &domain::fail_content,
        &domain::cancel_content,  &domain::delete_content,
    };
    const Action action = l_.pick(kActions);
    const std::string id = l_.known_or_unknown(l_.posts);
    const std::string error = "rate limited";
    l_.send<Answer>(refusable_about(id), [&](UnitOfWork& uow) {
      return action(uow, {domain::ContentId{id}, "mia", error});
    });
  }

  RandomLedger& l_;
};

}  // namespace ledger::testing
