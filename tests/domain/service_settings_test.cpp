// Service settings through the real sequencer and store: defaults, changes of one service's
// allow-listed settings, refusals (another service's setting, a bad value, not a client), the
// stable ids, and the rows as the fold of the log.
#include <doctest/doctest.h>

#include "core/domain/identity_fold.h"
#include "core/domain/keyspaces.h"
#include "core/domain/service_settings.h"
#include "events/enum_names.h"
#include "tests/support/fold_replay.h"
#include "tests/support/identity_steps.h"
#include "tests/support/ledger_fixture.h"

namespace ledger {
namespace {

using domain::ServiceSettingsChanges;
using domain::UnitOfWork;
using testing::LedgerFixture;

Result<domain::Executed<events::ServiceSettingsState>> change(LedgerFixture& f,
                                                              const std::string& service,
                                                              const ServiceSettingsChanges& changes,
                                                              const std::string& client = "c1") {
  return f.run<events::ServiceSettingsState>([=](UnitOfWork& uow) {
    return domain::change_service_settings(uow, {domain::UserId{client}, service, changes});
  });
}

events::ServiceSettingsState stored(LedgerFixture& f, const std::string& service,
                                    const std::string& client = "c1") {
  auto settings = domain::find_service_settings(*f.log, client, service);
  REQUIRE(settings.ok());
  return *settings;
}

struct Clients {
  LedgerFixture f;
  Clients() {
    REQUIRE(testing::add_user(f, "c1", "client").ok());
    REQUIRE(testing::add_user(f, "c2", "client").ok());
    REQUIRE(testing::add_user(f, "a1", "agent", "marketing", 5).ok());
  }
};

TEST_CASE("before any change each service has its defaults, and no row") {
  Clients c;
  const auto marketing = stored(c.f, "marketing").settings().marketing();
  CHECK(marketing.posting_timezone() == "UTC");
  CHECK(marketing.approval_required());
  CHECK(marketing.weekly_report());
  const auto website = stored(c.f, "website").settings().website();
  CHECK(events::enum_name(website.preferred_stack()) == "no_preference");
  CHECK(website.staging_notifications());
  CHECK(events::enum_name(stored(c.f, "courses").settings().courses().learning_reminders()) ==
        "weekly");
  CHECK(stored(c.f, "courses").updated_at_us() == 0);
  CHECK(c.f.count_rows(domain::kIdentityKeyspace, domain::kServiceSettingsKeyPrefix) == 0);
}

TEST_CASE(
    "a change sets the settings it names and keeps the others, the same again writes nothing") {
  Clients c;
  ServiceSettingsChanges changes;
  changes.posting_timezone = "Europe/Paris";
  changes.weekly_report = false;
  auto changed = change(c.f, "marketing", changes);
  REQUIRE(changed.ok());
  const auto& marketing = changed->answer.settings().marketing();
  CHECK(marketing.posting_timezone() == "Europe/Paris");
  CHECK(marketing.approval_required());  // kept
  CHECK_FALSE(marketing.weekly_report());
  CHECK(changed->answer.updated_at_us() == c.f.clock.now_us());
  CHECK(stored(c.f, "marketing").settings().marketing().posting_timezone() == "Europe/Paris");
  // Others' settings and the client's other services are untouched.
  CHECK(stored(c.f, "marketing", "c2").settings().marketing().posting_timezone() == "UTC");
  CHECK(stored(c.f, "website").updated_at_us() == 0);

  const auto head = c.f.log->head().position;
  REQUIRE(change(c.f, "marketing", changes).ok());
  ServiceSettingsChanges defaults_again;
  defaults_again.approval_required = true;
  REQUIRE(change(c.f, "marketing", defaults_again).ok());
  REQUIRE(change(c.f, "courses", {}).ok());
  ServiceSettingsChanges default_reminders;
  default_reminders.learning_reminders = events::LEARNING_REMINDERS_WEEKLY;
  REQUIRE(change(c.f, "courses", default_reminders).ok());
  CHECK(c.f.log->head().position == head);

  ServiceSettingsChanges website;
  website.preferred_stack = events::WEBSITE_STACK_NEXTJS;
  website.staging_notifications = false;
  auto site = change(c.f, "website", website);
  REQUIRE(site.ok());
  CHECK(events::enum_name(site->answer.settings().website().preferred_stack()) == "nextjs");
  CHECK_FALSE(site->answer.settings().website().staging_notifications());
  CHECK(c.f.log->head().position == head + 1);
}

TEST_CASE("refusals: another service's setting, bad values, unknown services, non-clients") {
  Clients c;
  const auto head = c.f.log->head().position;
  auto refused = [&](const std::string& service, const ServiceSettingsChanges& changes,
                     const std::string& client, Errc code, const std::string& field) {
    auto answer = change(c.f, service, changes, client);
    REQUIRE_FALSE(answer.ok());
    CHECK(answer.error().code == code);
    CHECK(answer.error().field == field);
  };
  ServiceSettingsChanges stack;
  stack.preferred_stack = events::WEBSITE_STACK_REACT;
  refused("marketing", stack, "c1", Errc::invalid_argument, "settings.preferred_stack");
  ServiceSettingsChanges report;
  report.weekly_report = true;
  refused("courses", report, "c1", Errc::invalid_argument, "settings.weekly_report");
  ServiceSettingsChanges reminders;
  reminders.learning_reminders = events::LEARNING_REMINDERS_DAILY;
  refused("website", reminders, "c1", Errc::invalid_argument, "settings.learning_reminders");
  ServiceSettingsChanges zone;
  zone.posting_timezone = "Mars/Olympus_Mons";
  refused("marketing", zone, "c1", Errc::invalid_argument, "settings.posting_timezone");
  ServiceSettingsChanges unspecified;
  unspecified.preferred_stack = events::WEBSITE_STACK_UNSPECIFIED;
  refused("website", unspecified, "c1", Errc::invalid_argument, "settings.preferred_stack");
  refused("gardening", {}, "c1", Errc::invalid_argument, "service");
  refused("marketing", report, "a1", Errc::invalid_argument, "client_id");
  refused("marketing", report, "nobody", Errc::not_found, "client_id");
  CHECK(c.f.log->head().position == head);
}

TEST_CASE("time zone names are checked by their shape") {
  for (const char* name : {"UTC", "Europe/Paris", "America/Argentina/Buenos_Aires", "Etc/GMT+5",
                           "America/Port-au-Prince", "Asia/Ho_Chi_Minh", "Pacific/Chatham"}) {
    CAPTURE(name);
    CHECK(domain::valid_time_zone_name(name));
  }
  const std::string long_name = "Europe/" + std::string(58, 'a');
  for (const std::string& name : std::vector<std::string>{
           "", "utc", "Paris", "Mars/Olympus", "Europe/", "Europe/Paris/", "Europe//Paris",
           "Europe/Pa ris", "../etc/passwd", "Europe/1Paris", "America/A/B/C", "Europe/Paris\n",
           "Europe/Par\xc3\xa9s", long_name}) {
    CAPTURE(name);
    CHECK_FALSE(domain::valid_time_zone_name(name));
  }
}

TEST_CASE("a settings id names one service of one client, and no one else's") {
  const std::string id = domain::service_settings_id("c1", "website");
  CHECK(id == "c1-website");
  CHECK(domain::service_of_settings_id(id, "c1") == "website");
  CHECK(domain::service_of_settings_id("c1-marketing", "c1") == "marketing");
  CHECK_FALSE(domain::service_of_settings_id(id, "c2").has_value());
  CHECK_FALSE(domain::service_of_settings_id("c1-gardening", "c1").has_value());
  CHECK_FALSE(domain::service_of_settings_id("c1", "c1").has_value());
  CHECK_FALSE(domain::service_of_settings_id("", "c1").has_value());
}

TEST_CASE("the settings rows are the fold of the log, the fold ignores users it never saw") {
  Clients c;
  ServiceSettingsChanges marketing;
  marketing.posting_timezone = "Asia/Tokyo";
  REQUIRE(change(c.f, "marketing", marketing).ok());
  marketing.approval_required = false;
  REQUIRE(change(c.f, "marketing", marketing).ok());
  ServiceSettingsChanges courses;
  courses.learning_reminders = events::LEARNING_REMINDERS_OFF;
  REQUIRE(change(c.f, "courses", courses, "c2").ok());
  CHECK(c.f.count_rows(domain::kIdentityKeyspace, domain::kServiceSettingsKeyPrefix) == 2);
  CHECK(testing::replayed_rows(*c.f.log, domain::kIdentityKeyspace) ==
        testing::stored_rows(*c.f.log, domain::kIdentityKeyspace));

  events::ServiceSettingsChanged ghost;
  ghost.set_client_id("ghost");
  ghost.set_service("marketing");
  *ghost.mutable_settings() = domain::default_service_settings("marketing");
  testing::check_folds_to_nothing(domain::kIdentityKeyspace, {&ghost});
}

}  // namespace
}  // namespace ledger
