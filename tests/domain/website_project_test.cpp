// Website project rules: the questionnaire's answers are checked against the known questions;
// phases complete in order, each once, up to the launch; the "websites" fold replayed, total and
// deterministic.
#include <doctest/doctest.h>

#include "core/domain/keyspaces.h"
#include "core/domain/website_project.h"
#include "core/domain/websites_fold.h"
#include "events/enum_names.h"
#include "tests/support/fold_replay.h"
#include "tests/support/ledger_fixture.h"

namespace ledger {
namespace {

using domain::UnitOfWork;
using testing::LedgerFixture;
using Answer = Result<domain::Executed<events::WebsiteProjectState>>;

Answer create(LedgerFixture& f, const std::map<std::string, std::string>& answers,
              const std::string& name = "Shop site") {
  return f.run<events::WebsiteProjectState>([=](UnitOfWork& uow) {
    return domain::create_website_project(uow, {"w1", "alice", "web", name, answers});
  });
}

Answer complete(LedgerFixture& f, const std::string& phase) {
  return f.run<events::WebsiteProjectState>([=](UnitOfWork& uow) {
    return domain::complete_website_phase(uow, {"w1", phase, "", "web"});
  });
}

const std::map<std::string, std::string> kAnswers = {
    {"business_name", "Alice's Shop"}, {"goals", "Sell online"}, {"pages", "home, shop"}};

TEST_CASE("the questionnaire: known questions only, required answers, bounded text") {
  LedgerFixture f;
  auto refused = [&](const std::map<std::string, std::string>& answers, const char* field,
                     const std::string& name = "Shop site") {
    const auto head = f.log->head().position;
    auto answer = create(f, answers, name);
    REQUIRE_FALSE(answer.ok());
    CHECK(answer.error().code == Errc::invalid_argument);
    CHECK(answer.error().field == field);
    CHECK(f.log->head().position == head);
  };
  auto unknown = kAnswers;
  unknown["favourite_food"] = "cake";
  refused(unknown, "answers.favourite_food");
  auto missing = kAnswers;
  missing.erase("goals");
  refused(missing, "answers.goals");
  auto blank = kAnswers;
  blank["business_name"] = "";
  refused(blank, "answers.business_name");
  auto long_answer = kAnswers;
  long_answer["description"] = std::string(2001, 'x');
  refused(long_answer, "answers.description");
  refused(kAnswers, "name", "");
  auto created = create(f, kAnswers);
  REQUIRE(created.ok());
  CHECK(created->answer.current_phase() == "design");
  CHECK(events::enum_name(created->answer.status()) == "in_progress");
  CHECK(created->answer.answers().at("pages") == "home, shop");
  CHECK(f.count_rows(domain::kWebsitesKeyspace, domain::client_website_project_prefix("alice")) ==
        1);
}

TEST_CASE("creating a project with an id already used is refused and changes nothing") {
  LedgerFixture f;
  REQUIRE(create(f, kAnswers).ok());
  REQUIRE(complete(f, "design").ok());
  const auto head = f.log->head().position;
  auto again = f.run<events::WebsiteProjectState>([](UnitOfWork& uow) {
    return domain::create_website_project(uow, {"w1", "bob", "web", "Bob's site", kAnswers});
  });
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().code == Errc::invalid_argument);
  CHECK(again.error().field == "project_id");
  CHECK(f.log->head().position == head);
  auto project = f.row<events::WebsiteProjectState>(domain::kWebsitesKeyspace,
                                                    domain::website_project_key("w1"));
  REQUIRE(project);
  CHECK(project->client_id() == "alice");
  CHECK(project->current_phase() == "content");
  CHECK(f.count_rows(domain::kWebsitesKeyspace, domain::client_website_project_prefix("bob")) == 0);
}

TEST_CASE("phases complete in order, each once, up to the launch") {
  LedgerFixture f;
  REQUIRE(create(f, kAnswers).ok());
  auto skipped = complete(f, "development");
  REQUIRE_FALSE(skipped.ok());
  CHECK(skipped.error().code == Errc::invalid_transition);
  auto unknown = complete(f, "celebration");
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().code == Errc::invalid_argument);
  const auto& phases = domain::website_phases();
  for (std::size_t i = 0; i < phases.size(); ++i) {
    auto done = complete(f, std::string(phases[i]));
    REQUIRE(done.ok());
    CHECK(done->answer.completed_phases_size() == static_cast<int>(i + 1));
    if (i + 1 < phases.size()) {
      CHECK(done->answer.current_phase() == phases[i + 1]);
      auto again = complete(f, std::string(phases[i]));
      REQUIRE_FALSE(again.ok());
      CHECK(again.error().code == Errc::invalid_transition);
    }
  }
  auto launched = f.row<events::WebsiteProjectState>(domain::kWebsitesKeyspace,
                                                     domain::website_project_key("w1"));
  REQUIRE(launched);
  CHECK(events::enum_name(launched->status()) == "launched");
  CHECK(launched->current_phase().empty());
  auto after = complete(f, "launch");
  REQUIRE_FALSE(after.ok());
  CHECK(after.error().code == Errc::invalid_transition);
}

TEST_CASE(
    "the websites fold, replayed from position 0, writes the project rows the writer "
    "stored, answers are stored in key order") {
  LedgerFixture f;
  const std::map<std::string, std::string> answers = {
      {"business_name", "Alice's Shop"}, {"goals", "Sell online"},
      {"pages", "home, shop"},           {"industry", "retail"},
      {"domain", "shop.example"},        {"features", "cart"}};
  REQUIRE(create(f, answers).ok());
  for (const char* phase : {"design", "content"}) {
    f.clock.advance_us(kMicrosPerHour);
    auto done = complete(f, phase);
    REQUIRE(done.ok());
    CHECK(done->answer.updated_at_us() == f.clock.now_us());
  }
  const auto stored = testing::stored_rows(*f.log, domain::kWebsitesKeyspace);
  CHECK(stored.count(domain::client_website_project_prefix("alice") + "w1") == 1);
  CHECK(testing::replayed_rows(*f.log, domain::kWebsitesKeyspace) == stored);

  // The same state is the same bytes, however its map was filled.
  auto project = f.row<events::WebsiteProjectState>(domain::kWebsitesKeyspace,
                                                    domain::website_project_key("w1"));
  REQUIRE(project);
  events::WebsiteProjectState refilled = *project;
  refilled.clear_answers();
  for (auto it = answers.rbegin(); it != answers.rend(); ++it) {
    (*refilled.mutable_answers())[it->first] = it->second;
  }
  CHECK(domain::serialize_row(refilled) == stored.at(domain::website_project_key("w1")));
}

TEST_CASE("the websites fold is total: a phase of a missing project writes nothing") {
  testing::MemoryFoldRows rows;
  events::WebsitePhaseCompleted completed;
  completed.set_project_id("ghost");
  completed.set_phase("design");
  completed.set_next_phase("content");
  testing::fold_each(rows, domain::kWebsitesKeyspace, "website-project:ghost", {&completed});
  CHECK(rows.rows_of(domain::kWebsitesKeyspace).empty());
}

}  // namespace
}  // namespace ledger
