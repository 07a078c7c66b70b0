// Email categories and preferences: every email kind has one category (one table, held here to
// the templates and to the emails deciders queue), the outbox does not queue an email whose
// category its recipient turned off as of the event, security emails always go, and secrets
// (codes, reset tokens) leave the outbox once sent.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "core/domain/email_preferences.h"
#include "core/domain/keyspaces.h"
#include "core/domain/passwords.h"
#include "core/domain/users.h"
#include "core/domain/wallet.h"
#include "events/outbox_state.pb.h"
#include "projections/email_categories.h"
#include "projections/email_delivery.h"
#include "projections/email_projection.h"
#include "projections/email_templates.h"
#include "projections/projection_runner.h"
#include "tests/support/identity_steps.h"
#include "tests/support/outbox_emails.h"
#include "tests/support/temp_directory.h"

namespace ledger {
namespace {

using domain::UnitOfWork;
using testing::LedgerFixture;
using testing::usd;

// The emails deciders queue themselves, with what the log must not hold: no template makes them.
const std::set<std::string_view> kQueuedByDeciders = {domain::kVerificationCodeTemplate,
                                                      domain::kPasswordResetTemplate};

TEST_CASE("every kind of email has exactly one category, and each kind exists") {
  std::set<std::string_view> names;
  for (const auto& kind : projections::email_kinds()) {
    CAPTURE(kind.template_name);
    CHECK(names.insert(kind.template_name).second);
    CHECK(kind.category != events::EMAIL_CATEGORY_UNSPECIFIED);
    CHECK(events::EmailCategory_IsValid(kind.category));
    // A secret is sent whatever the preferences: only security emails carry one.
    if (kind.carries_secret) CHECK(kind.category == events::EMAIL_CATEGORY_SECURITY);
  }
  std::set<std::string_view> made;
  for (const auto& email_template : projections::email_templates()) {
    CAPTURE(email_template.name);
    CHECK(projections::find_email_kind(email_template.name) != nullptr);
    made.insert(email_template.name);
  }
  for (const auto name : kQueuedByDeciders) {
    CAPTURE(name);
    CHECK(projections::find_email_kind(name) != nullptr);
    CHECK(projections::find_email_kind(name)->carries_secret);
    made.insert(name);
  }
  for (const auto name : names) {
    CAPTURE(name);
    CHECK(made.contains(name));  // no kind listed that nothing sends
  }
  CHECK(projections::find_email_kind("no_such_email") == nullptr);
}

std::vector<std::string> queued_templates(LedgerFixture& f) {
  std::vector<std::string> names;
  for (const auto& email : testing::outbox_emails(*f.log)) names.push_back(email.template_name());
  return names;
}

void set_payments(LedgerFixture& f, bool wanted) {
  REQUIRE(f.run<events::UserState>([=](UnitOfWork& uow) {
             return domain::set_email_preferences(
                 uow, {"c1", {{events::EMAIL_CATEGORY_PAYMENTS, wanted}}});
           }).ok());
}

TEST_CASE("an email of a category its recipient turned off is not queued, security ones are") {
  LedgerFixture f;
  REQUIRE(testing::add_user(f, "c1", "client").ok());
  set_payments(f, false);
  f.fund("c1", usd("20.00"));  // payment_confirmation: off
  REQUIRE(f.run<events::UserState>([](UnitOfWork& uow) {
             return domain::change_own_password(uow, {"c1", "scrypt$c1", true, "scrypt$2", ""});
           }).ok());
  set_payments(f, true);
  f.fund("c1", usd("5.00"));  // on again

  projections::EmailProjection projection;
  projections::ProjectionRunner runner(*f.log, projection, f.clock);
  REQUIRE(runner.start().ok());
  REQUIRE(runner.catch_up().ok());
  const std::vector<std::string> expected = {"welcome", "password_changed", "payment_confirmation"};
  CHECK(queued_templates(f) == expected);

  // The decision follows the preferences as of each event: a rebuild replays them in order and
  // queues nothing again.
  REQUIRE(runner.rebuild().ok());
  REQUIRE(runner.catch_up().ok());
  CHECK(queued_templates(f) == expected);
}

TEST_CASE("a reset token leaves the outbox once its email is sent") {
  LedgerFixture f;
  REQUIRE(testing::add_user(f, "c1", "client").ok());
  const std::string token(40, 'f');
  REQUIRE(f.run<events::PasswordResetIssued>([&](UnitOfWork& uow) {
             return domain::request_password_reset(
                 uow, {"c1@x.com", token, CodeMacKey::generate(), domain::EmailId{"reset-1"}});
           }).ok());
  testing::TempDirectory dir;
  projections::EmailDelivery delivery(*f.log, f.clock, dir.string());
  auto report = delivery.deliver_once();
  REQUIRE(report.ok());
  CHECK(report->sent == 1);
  std::ifstream file(dir.path() / "reset-1.eml");
  std::stringstream eml;
  eml << file.rdbuf();
  CHECK(eml.str().find(token) != std::string::npos);
  auto row =
      f.row<events::OutboxEmail>(domain::kOutboxKeyspace, domain::outbox_email_key("reset-1"));
  REQUIRE(row.has_value());
  CHECK(row->status() == "sent");
  CHECK(row->text_body().empty());
  CHECK(row->html_body().empty());
}

}  // namespace
}  // namespace ledger
