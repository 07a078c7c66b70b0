// Content schedule rules through the real sequencer and store: validation of every field, the
// status workflow (every action from every status), approval before publishing, approval
// withdrawn by changes, rejection with feedback and resubmission, failures counting retries,
// overdue and upcoming from the clock; the "marketing" fold replayed and total.
#include <doctest/doctest.h>

#include <array>

#include "core/domain/content_schedule.h"
#include "core/domain/keyspaces.h"
#include "core/domain/marketing_fold.h"
#include "core/domain/validation.h"
#include "events/enum_names.h"
#include "tests/support/fold_replay.h"
#include "tests/support/ledger_fixture.h"

namespace ledger {
namespace {

using domain::UnitOfWork;
using testing::LedgerFixture;
using Answer = Result<domain::Executed<events::ContentState>>;

domain::ContentFields valid_fields(const LedgerFixture& f) {
  domain::ContentFields fields;
  fields.platform = "instagram";
  fields.social_account = "@alice.shop";
  fields.scheduled_at_us = f.clock.now_us() + kMicrosPerDay;
  fields.caption = "Winter sale";
  fields.hashtags = std::vector<std::string>{"#sale", "#winter_2026"};
  fields.mentions = std::vector<std::string>{"@friend"};
  fields.media_urls = std::vector<std::string>{"https://cdn.example.com/a.jpg"};
  return fields;
}

Answer schedule(LedgerFixture& f, const std::string& id, const domain::ContentFields& fields,
                bool draft = false) {
  return f.run<events::ContentState>([=](UnitOfWork& uow) {
    return domain::schedule_content(uow,
                                    {domain::ContentId{id}, "alice", "mia", "", fields, draft});
  });
}

using Action = Result<events::ContentState> (*)(UnitOfWork&, const domain::ContentAction&);

// `text` is the error of fail_content and the feedback of reject_content.
Answer act(LedgerFixture& f, Action action, const std::string& id, const std::string& text = "") {
  return f.run<events::ContentState>([=](UnitOfWork& uow) {
    return action(uow, {domain::ContentId{id}, "someone", text, text});
  });
}

TEST_CASE("every field is validated, a refused post writes nothing") {
  LedgerFixture f;
  auto refused = [&](auto change, const char* field) {
    auto fields = valid_fields(f);
    change(fields);
    const auto head = f.log->head().position;
    auto answer = schedule(f, f.id(), fields);
    REQUIRE_FALSE(answer.ok());
    CHECK(answer.error().code == Errc::invalid_argument);
    CHECK(answer.error().field == field);
    CHECK(f.log->head().position == head);
  };
  using F = domain::ContentFields;
  refused([](F& x) { x.platform = "myspace"; }, "platform");
  refused([](F& x) { x.platform.reset(); }, "platform");
  refused([](F& x) { x.social_account = ""; }, "social_account");
  refused([&](F& x) { x.scheduled_at_us = f.clock.now_us(); }, "scheduled_at");
  refused([](F& x) { x.scheduled_at_us.reset(); }, "scheduled_at");
  refused([](F& x) { x.caption = std::string(2201, 'a'); }, "caption");
  refused([](F& x) { x.hashtags = std::vector<std::string>{"#"}; }, "hashtags");
  refused([](F& x) { x.hashtags = std::vector<std::string>{"##sale"}; }, "hashtags");
  refused([](F& x) { x.title = std::string(201, 'a'); }, "title");
  refused([](F& x) { x.hashtags = std::vector<std::string>{"#two words"}; }, "hashtags");
  refused([](F& x) { x.hashtags = std::vector<std::string>(31, "#a"); }, "hashtags");
  refused([](F& x) { x.mentions = std::vector<std::string>{"friend"}; }, "mentions");
  for (const char* url : {"ftp://x.com/a", "javascript:alert(1)", "https://", "http:///a",
                          "https://a b.com/", "https://user@evil.com/", "//cdn.com/a.jpg"}) {
    CAPTURE(url);
    refused([&](F& x) { x.media_urls = std::vector<std::string>{url}; }, "media_urls");
  }
  CHECK(domain::valid_web_url("http://cdn.example.com"));
  CHECK(domain::valid_web_url("https://cdn.example.com/a/b.jpg?size=2#x"));
  CHECK(schedule(f, "ok", valid_fields(f)).ok());
}

TEST_CASE("the workflow: every action from every status") {
  // What each action does from scheduled, failed, published, cancelled and rejected (approved
  // first where publishing needs it).
  struct Row {
    const char* from;
    bool approve, publish, fail, cancel, reject;
  };
  const std::array<Row, 6> table = {{
      {"draft", false, false, false, true, false},
      {"scheduled", true, true, true, true, true},
      {"failed", true, true, true, true, true},
      {"published", false, false, false, false, false},
      {"cancelled", false, false, false, false, false},
      {"rejected", false, false, false, true, false},
  }};
  for (const auto& row : table) {
    for (int action = 0; action < 5; ++action) {
      CAPTURE(row.from);
      CAPTURE(action);
      LedgerFixture f;
      const std::string from = row.from;
      REQUIRE(schedule(f, "p", valid_fields(f), from == "draft").ok());
      if (from == "failed") REQUIRE(act(f, domain::fail_content, "p", "timeout").ok());
      if (from == "published") {
        REQUIRE(act(f, domain::approve_content, "p").ok());
        REQUIRE(act(f, domain::publish_content, "p").ok());
      }
      if (from == "cancelled") REQUIRE(act(f, domain::cancel_content, "p").ok());
      if (from == "rejected") REQUIRE(act(f, domain::reject_content, "p", "too dark").ok());
      if (action == 1 && (from == "scheduled" || from == "failed")) {
        REQUIRE(act(f, domain::approve_content, "p").ok());  // publishing needs it
      }
      const auto head = f.log->head().position;
      const std::array<Action, 5> actions = {domain::approve_content, domain::publish_content,
                                             domain::fail_content, domain::cancel_content,
                                             domain::reject_content};
      const std::array<bool, 5> expected = {row.approve, row.publish, row.fail, row.cancel,
                                            row.reject};
      auto answer = act(f, actions[static_cast<std::size_t>(action)], "p", "rate limited");
      CHECK(answer.ok() == expected[static_cast<std::size_t>(action)]);
      if (!answer.ok()) {
        CHECK(answer.error().code == Errc::invalid_transition);
        CHECK(f.log->head().position == head);
      }
    }
  }
}

TEST_CASE("publishing needs an approval, changes withdraw it, failures count retries") {
  LedgerFixture f;
  REQUIRE(schedule(f, "p", valid_fields(f)).ok());
  auto unapproved = act(f, domain::publish_content, "p");
  REQUIRE_FALSE(unapproved.ok());
  CHECK(unapproved.error().code == Errc::invalid_transition);
  REQUIRE(act(f, domain::approve_content, "p").ok());
  CHECK_FALSE(act(f, domain::approve_content, "p").ok());  // once

  domain::ContentFields change;
  change.caption = "Winter sale, now 30% off";
  auto changed = f.run<events::ContentState>([=](UnitOfWork& uow) {
    return domain::update_content(uow, {"p", change, "mia"});
  });
  REQUIRE(changed.ok());
  CHECK_FALSE(changed->answer.approved());
  CHECK_FALSE(act(f, domain::publish_content, "p").ok());
  REQUIRE(act(f, domain::approve_content, "p").ok());

  auto failed = act(f, domain::fail_content, "p", "the network timed out");
  REQUIRE(failed.ok());
  CHECK(failed->answer.retry_count() == 1);
  CHECK(failed->answer.last_error() == "the network timed out");
  CHECK(act(f, domain::fail_content, "p", "again")->answer.retry_count() == 2);
  CHECK_FALSE(act(f, domain::fail_content, "p", "").ok());  // an error is required
  auto published = act(f, domain::publish_content, "p");
  REQUIRE(published.ok());
  CHECK(events::enum_name(published->answer.status()) == "published");
  CHECK(published->answer.published_at_us() == f.clock.now_us());
  CHECK_FALSE(act(f, domain::delete_content, "p").ok());  // stays on the record
}

TEST_CASE("a rejection sends the post back with feedback, the agent's next change resubmits it") {
  LedgerFixture f;
  REQUIRE(schedule(f, "p", valid_fields(f)).ok());
  REQUIRE(act(f, domain::approve_content, "p").ok());
  const auto head = f.log->head().position;
  auto silent = act(f, domain::reject_content, "p", "");
  REQUIRE_FALSE(silent.ok());  // feedback is required
  CHECK(silent.error().field == "feedback");
  CHECK(f.log->head().position == head);

  auto rejected = act(f, domain::reject_content, "p", "Use the blue logo");
  REQUIRE(rejected.ok());
  CHECK(events::enum_name(rejected->answer.status()) == "rejected");
  CHECK(rejected->answer.feedback() == "Use the blue logo");
  CHECK(rejected->answer.rejected_at_us() == f.clock.now_us());
  CHECK_FALSE(rejected->answer.approved());  // the approval is withdrawn
  CHECK_FALSE(domain::content_is_overdue(rejected->answer, f.clock.now_us() + 2 * kMicrosPerDay));

  domain::ContentFields change;
  change.caption = "Winter sale, in blue";
  change.title = "Winter sale";
  auto resubmitted = f.run<events::ContentState>([=](UnitOfWork& uow) {
    return domain::update_content(uow, {"p", change, "mia"});
  });
  REQUIRE(resubmitted.ok());
  CHECK(events::enum_name(resubmitted->answer.status()) == "scheduled");
  CHECK(resubmitted->answer.title() == "Winter sale");
  CHECK(resubmitted->answer.feedback() == "Use the blue logo");  // the last rejection's
  REQUIRE(act(f, domain::approve_content, "p").ok());
  CHECK(act(f, domain::publish_content, "p").ok());
}

TEST_CASE("a draft waits for its time, submitting it puts it up for approval") {
  LedgerFixture f;
  auto fields = valid_fields(f);
  fields.scheduled_at_us.reset();
  CHECK_FALSE(schedule(f, "timeless", fields).ok());  // only a draft may leave the time out
  auto drafted = schedule(f, "p", fields, /*draft=*/true);
  REQUIRE(drafted.ok());
  CHECK(events::enum_name(drafted->answer.status()) == "draft");
  CHECK_FALSE(domain::content_is_overdue(drafted->answer, f.clock.now_us() + kMicrosPerDay));
  CHECK_FALSE(domain::content_is_upcoming(drafted->answer, f.clock.now_us()));

  auto submit = [&](const domain::ContentFields& change) {
    return f.run<events::ContentState>([=](UnitOfWork& uow) {
      return domain::update_content(uow, {"p", change, "mia", /*submit=*/true});
    });
  };
  // Without a time it cannot go up for approval; a change without submitting keeps the draft.
  auto timeless = submit({});
  REQUIRE_FALSE(timeless.ok());
  CHECK(timeless.error().field == "scheduled_at");
  domain::ContentFields timed;
  timed.scheduled_at_us = f.clock.now_us() + kMicrosPerDay;
  auto kept = f.run<events::ContentState>([=](UnitOfWork& uow) {
    return domain::update_content(uow, {"p", timed, "mia"});
  });
  REQUIRE(kept.ok());
  CHECK(events::enum_name(kept->answer.status()) == "draft");
  // A time passed while it waited is refused on submission.
  f.clock.advance_us(2 * kMicrosPerDay);
  CHECK(submit({}).error().field == "scheduled_at");
  timed.scheduled_at_us = f.clock.now_us() + kMicrosPerDay;
  auto submitted = submit(timed);
  REQUIRE(submitted.ok());
  CHECK(events::enum_name(submitted->answer.status()) == "scheduled");
  auto again = submit({});
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().code == Errc::invalid_transition);
  CHECK(act(f, domain::approve_content, "p").ok());
}

TEST_CASE("hashtags sent without their # are given one") {
  LedgerFixture f;
  auto fields = valid_fields(f);
  fields.hashtags = std::vector<std::string>{"Summer2025", "#Sale", "Fashion"};
  auto posted = schedule(f, "p", fields);
  REQUIRE(posted.ok());
  CHECK(std::vector<std::string>(posted->answer.hashtags().begin(),
                                 posted->answer.hashtags().end()) ==
        std::vector<std::string>{"#Summer2025", "#Sale", "#Fashion"});
  // The same tags again, either way, are no change.
  domain::ContentFields same;
  same.hashtags = std::vector<std::string>{"#Summer2025", "Sale", "#Fashion"};
  const auto head = f.log->head().position;
  REQUIRE(f.run<events::ContentState>([=](UnitOfWork& uow) {
             return domain::update_content(uow, {"p", same, "mia"});
           }).ok());
  CHECK(f.log->head().position == head);
}

TEST_CASE("overdue and upcoming follow the clock, deleted posts are gone") {
  LedgerFixture f;
  auto soon = valid_fields(f);
  soon.scheduled_at_us = f.clock.now_us() + 2 * kMicrosPerDay;
  auto later = valid_fields(f);
  later.scheduled_at_us = f.clock.now_us() + 8 * kMicrosPerDay;
  auto posted_soon = schedule(f, "soon", soon);
  auto posted_later = schedule(f, "later", later);
  REQUIRE(posted_soon.ok());
  REQUIRE(posted_later.ok());
  const std::int64_t now = f.clock.now_us();
  CHECK(domain::content_is_upcoming(posted_soon->answer, now));
  CHECK_FALSE(domain::content_is_upcoming(posted_later->answer, now));
  CHECK_FALSE(domain::content_is_overdue(posted_soon->answer, now));
  CHECK(domain::content_is_overdue(posted_soon->answer, now + 3 * kMicrosPerDay));
  auto published = posted_soon->answer;
  published.set_status(events::CONTENT_STATUS_PUBLISHED);
  CHECK_FALSE(domain::content_is_overdue(published, now + 3 * kMicrosPerDay));

  REQUIRE(act(f, domain::delete_content, "later").ok());
  auto gone = act(f, domain::approve_content, "later");
  REQUIRE_FALSE(gone.ok());
  CHECK(gone.error().code == Errc::not_found);
  CHECK(f.count_rows(domain::kMarketingKeyspace, domain::client_content_prefix("alice")) == 1);
}

TEST_CASE("the marketing fold, replayed from position 0, writes the post rows the writer stored") {
  LedgerFixture f;
  auto tick = [&] { f.clock.advance_us(kMicrosPerMinute); };
  for (const char* id : {"p1", "p2", "p3"}) {
    REQUIRE(schedule(f, id, valid_fields(f)).ok());
    tick();
  }
  REQUIRE(schedule(f, "p4", valid_fields(f), /*draft=*/true).ok());
  tick();
  REQUIRE(f.run<events::ContentState>([=](UnitOfWork& uow) {
             return domain::update_content(uow, {"p4", {}, "mia", /*submit=*/true});
           }).ok());
  REQUIRE(act(f, domain::approve_content, "p1").ok());
  tick();
  domain::ContentFields change;
  change.caption = "Winter sale, now 30% off";
  change.hashtags = std::vector<std::string>{"#sale"};
  auto changed = f.run<events::ContentState>([=](UnitOfWork& uow) {
    return domain::update_content(uow, {"p1", change, "mia"});
  });
  REQUIRE(changed.ok());
  CHECK_FALSE(changed->answer.approved());
  CHECK(changed->answer.approved_by().empty());
  CHECK(changed->answer.updated_at_us() == f.clock.now_us());
  tick();
  REQUIRE(act(f, domain::approve_content, "p1").ok());
  REQUIRE(act(f, domain::fail_content, "p1", "timeout").ok());
  tick();
  REQUIRE(act(f, domain::fail_content, "p1", "again").ok());
  REQUIRE(act(f, domain::publish_content, "p1").ok());
  REQUIRE(act(f, domain::reject_content, "p2", "not this week").ok());
  tick();
  domain::ContentFields retitled;
  retitled.title = "Next week";
  REQUIRE(f.run<events::ContentState>([=](UnitOfWork& uow) {
             return domain::update_content(uow, {"p2", retitled, "mia"});
           }).ok());
  REQUIRE(act(f, domain::reject_content, "p2", "still no").ok());
  REQUIRE(act(f, domain::cancel_content, "p2").ok());
  tick();
  auto deleted = act(f, domain::delete_content, "p3");
  REQUIRE(deleted.ok());
  CHECK(deleted->answer.deleted());

  const auto stored = testing::stored_rows(*f.log, domain::kMarketingKeyspace);
  CHECK(stored.count(domain::content_key("p3")) == 1);
  CHECK(stored.count(domain::client_content_prefix("alice") + "p3") == 0);
  CHECK(testing::replayed_rows(*f.log, domain::kMarketingKeyspace) == stored);
}

TEST_CASE("the marketing fold is total: an event whose post row is missing writes nothing") {
  testing::MemoryFoldRows rows;
  events::ContentUpdated updated;
  updated.set_content_id("ghost");
  updated.set_caption("boo");
  events::ContentApproved approved;
  approved.set_content_id("ghost");
  events::ContentPublished published;
  published.set_content_id("ghost");
  events::ContentFailed failed;
  failed.set_content_id("ghost");
  failed.set_retry_count(1);
  events::ContentCancelled cancelled;
  cancelled.set_content_id("ghost");
  events::ContentDeleted deleted;
  deleted.set_content_id("ghost");
  deleted.set_client_id("alice");
  testing::fold_each(rows, domain::kMarketingKeyspace, "content:ghost",
                     {&updated, &approved, &published, &failed, &cancelled, &deleted});
  CHECK(rows.rows_of(domain::kMarketingKeyspace).empty());
}

}  // namespace
}  // namespace ledger
