// Profile rules through the real sequencer and store: names, an agent's department and capacity,
// and deactivation (tokens revoked, assignments freed, no login, no new assignment; reactivation
// lets the user log in again), with every refusal writing nothing and the rows the fold.
#include <doctest/doctest.h>

#include "core/domain/identity_indexes.h"
#include "core/domain/keyspaces.h"
#include "core/domain/text_limits.h"
#include "core/domain/user_profile.h"
#include "tests/support/fold_checks.h"
#include "tests/support/identity_steps.h"

namespace ledger {
namespace {

using domain::UnitOfWork;
using testing::add_user;
using testing::assign;
using testing::LedgerFixture;
using testing::log_in;
using testing::revoked;
using testing::user_row;

Result<domain::Executed<events::UserState>> update(LedgerFixture& f, domain::UpdateUser command) {
  if (command.updated_by.empty()) command.updated_by = "admin";
  return f.run<events::UserState>(
      [=](UnitOfWork& uow) { return domain::update_user(uow, command); });
}

void refused(LedgerFixture& f, const domain::UpdateUser& command, Errc code,
             std::string_view field) {
  const auto head = f.log->head().position;
  auto answer = update(f, command);
  REQUIRE_FALSE(answer.ok());
  CHECK(answer.error().code == code);
  CHECK(answer.error().field == field);
  CHECK(f.log->head().position == head);
}

TEST_CASE("a user renames themself, a name is required text within its limit") {
  LedgerFixture f;
  REQUIRE(add_user(f, "c1", "client").ok());
  auto rename = [&](const std::string& name) {
    return f.run<events::UserState>([=](UnitOfWork& uow) {
      return domain::rename_user(uow, {"c1", name, "c1"});
    });
  };
  auto renamed = rename("Cleo Patra");
  REQUIRE(renamed.ok());
  CHECK(renamed->answer.name() == "Cleo Patra");
  const auto head = f.log->head().position;
  REQUIRE(rename("Cleo Patra").ok());  // the same name: nothing written
  CHECK(f.log->head().position == head);
  CHECK(rename("").error().field == "name");
  CHECK(rename(std::string(domain::text_limits::kName + 1, 'n')).error().code ==
        Errc::invalid_argument);
  CHECK(f.log->head().position == head);
  auto ghost = f.run<events::UserState>([](UnitOfWork& uow) {
    return domain::rename_user(uow, {"ghost", "G", "ghost"});
  });
  CHECK(ghost.error().code == Errc::not_found);
}

TEST_CASE("an admin's update is checked field by field before anything is written") {
  LedgerFixture f;
  REQUIRE(add_user(f, "admin", "admin").ok());
  REQUIRE(add_user(f, "c1", "client").ok());
  REQUIRE(add_user(f, "a1", "agent", "website", 3).ok());
  refused(f, {.user_id = "ghost", .name = "G"}, Errc::not_found, "id");
  refused(f, {.user_id = "c1", .name = ""}, Errc::invalid_argument, "name");
  refused(f, {.user_id = "c1", .department = "website"}, Errc::invalid_argument, "department");
  refused(f, {.user_id = "c1", .max_clients = 3}, Errc::invalid_argument, "max_clients");
  refused(f, {.user_id = "a1", .department = "sales"}, Errc::invalid_argument, "department");
  refused(f, {.user_id = "a1", .max_clients = 0}, Errc::invalid_argument, "max_clients");
  refused(f, {.user_id = "a1", .max_clients = domain::kAgentCapacityMax + 1},
          Errc::invalid_argument, "max_clients");
  // A valid name with an invalid capacity: nothing of it is written.
  refused(f, {.user_id = "a1", .name = "Agent A", .max_clients = 0}, Errc::invalid_argument,
          "max_clients");
  CHECK(user_row(f, "a1").name() == "Name a1");

  auto updated =
      update(f, {.user_id = "a1", .name = "Agent A", .department = "marketing", .max_clients = 5});
  REQUIRE(updated.ok());
  CHECK(updated->answer.name() == "Agent A");
  CHECK(updated->answer.department() == "marketing");
  CHECK(updated->answer.max_clients() == 5);
  const auto head = f.log->head().position;
  REQUIRE(update(f, {.user_id = "a1", .department = "marketing", .max_clients = 5}).ok());
  CHECK(f.log->head().position == head);  // nothing changes, nothing is written
}

TEST_CASE("an admin cannot deactivate themself") {
  LedgerFixture f;
  REQUIRE(add_user(f, "admin", "admin").ok());
  REQUIRE(add_user(f, "other", "admin").ok());
  refused(f, {.user_id = "admin", .active = false, .updated_by = "admin"},
          Errc::cannot_deactivate_self, "is_active");
  REQUIRE(update(f, {.user_id = "other", .active = false, .updated_by = "admin"}).ok());
  CHECK(user_row(f, "other").deactivated());
}

TEST_CASE("an agent serving clients keeps its department and a capacity of at least them") {
  LedgerFixture f;
  REQUIRE(add_user(f, "a1", "agent", "website", 3).ok());
  REQUIRE(add_user(f, "c1", "client").ok());
  REQUIRE(add_user(f, "c2", "client").ok());
  REQUIRE(assign(f, "c1", "website", "a1").ok());
  REQUIRE(assign(f, "c2", "website", "a1").ok());
  refused(f, {.user_id = "a1", .department = "marketing"}, Errc::agent_has_clients, "department");
  refused(f, {.user_id = "a1", .max_clients = 1}, Errc::agent_has_clients, "max_clients");
  REQUIRE(update(f, {.user_id = "a1", .max_clients = 2}).ok());
  // Deactivating in the same update frees the clients first: the department may then change.
  auto moved = update(f, {.user_id = "a1", .department = "marketing", .active = false});
  REQUIRE(moved.ok());
  CHECK(moved->answer.department() == "marketing");
  CHECK(moved->answer.assigned_clients() == 0);
}

TEST_CASE("deactivating an agent revokes its tokens at once and frees every client it served") {
  LedgerFixture f;
  REQUIRE(add_user(f, "a1", "agent", "website", 3).ok());
  REQUIRE(add_user(f, "m1", "agent", "marketing", 3).ok());
  REQUIRE(add_user(f, "c1", "client").ok());
  REQUIRE(add_user(f, "c2", "client").ok());
  REQUIRE(assign(f, "c1", "website", "a1").ok());
  REQUIRE(assign(f, "c2", "website", "a1").ok());
  REQUIRE(assign(f, "c1", "marketing", "m1").ok());
  const std::string first = log_in(f, "a1");
  const std::string second = log_in(f, "a1");

  auto deactivated = update(f, {.user_id = "a1", .active = false});
  REQUIRE(deactivated.ok());
  CHECK(deactivated->answer.deactivated());
  CHECK(deactivated->answer.assigned_clients() == 0);
  CHECK(revoked(f, first));
  CHECK(revoked(f, second));
  CHECK_FALSE(user_row(f, "c1").agents().contains("website"));
  CHECK(user_row(f, "c1").agents().at("marketing") == "m1");  // another agent's link stays
  CHECK_FALSE(user_row(f, "c2").agents().contains("website"));
  CHECK(f.count_rows(domain::kIdentityKeyspace, domain::agent_clients_prefix("a1")) == 0);
  CHECK_FALSE(
      f.row<events::AgentRoster>(domain::kIdentityKeyspace, domain::roster_key("a1")).has_value());
  CHECK_FALSE(f.row<events::UserSessions>(domain::kIdentityKeyspace, domain::sessions_key("a1"))
                  .has_value());

  // No login and no assignment while deactivated; deactivating again writes nothing.
  auto login = f.run<events::TokenState>([&](UnitOfWork& uow) {
    return domain::issue_token(uow, {domain::TokenId{f.id()}, "a1", std::string(64, 'd'),
                                     f.clock.now_us() + kMicrosPerHour});
  });
  REQUIRE_FALSE(login.ok());
  CHECK(login.error().code == Errc::account_deactivated);
  auto assigned = assign(f, "c1", "website", "a1");
  REQUIRE_FALSE(assigned.ok());
  CHECK(assigned.error().code == Errc::account_deactivated);
  CHECK(assigned.error().field == "agent_id");
  const auto head = f.log->head().position;
  REQUIRE(update(f, {.user_id = "a1", .active = false}).ok());
  CHECK(f.log->head().position == head);

  // Reactivated: it logs in again, with nothing given back.
  auto reactivated = update(f, {.user_id = "a1", .active = true});
  REQUIRE(reactivated.ok());
  CHECK_FALSE(reactivated->answer.deactivated());
  CHECK(reactivated->answer.deactivated_at_us() == 0);
  CHECK(reactivated->answer.assigned_clients() == 0);
  CHECK_FALSE(revoked(f, log_in(f, "a1")));
  CHECK(revoked(f, first));
  REQUIRE(assign(f, "c1", "website", "a1").ok());
  testing::check_rows_are_the_fold(*f.log);
}

TEST_CASE("deactivating a client frees its agents' places, it cannot be assigned meanwhile") {
  LedgerFixture f;
  REQUIRE(add_user(f, "a1", "agent", "website", 1).ok());
  REQUIRE(add_user(f, "m1", "agent", "marketing", 1).ok());
  REQUIRE(add_user(f, "c1", "client").ok());
  REQUIRE(add_user(f, "c2", "client").ok());
  REQUIRE(assign(f, "c1", "website", "a1").ok());
  REQUIRE(assign(f, "c1", "marketing", "m1").ok());
  CHECK(assign(f, "c2", "website", "a1").error().code == Errc::agent_at_capacity);

  REQUIRE(update(f, {.user_id = "c1", .active = false}).ok());
  CHECK(user_row(f, "c1").agents().empty());
  CHECK(user_row(f, "a1").assigned_clients() == 0);
  CHECK(user_row(f, "m1").assigned_clients() == 0);
  auto refused_client = assign(f, "c1", "website", "a1");
  REQUIRE_FALSE(refused_client.ok());
  CHECK(refused_client.error().code == Errc::account_deactivated);
  CHECK(refused_client.error().field == "client_id");
  REQUIRE(assign(f, "c2", "website", "a1").ok());  // the freed place is taken
  testing::check_rows_are_the_fold(*f.log);
  testing::check_rebuild_reproduces_rows(*f.log);
}

TEST_CASE("the new identity events fold totally: about rows never seen they write nothing") {
  events::PasswordResetIssued reset;
  reset.set_user_id("ghost");
  events::UserRenamed renamed;
  renamed.set_user_id("ghost");
  events::AgentDepartmentChanged department;
  department.set_user_id("ghost");
  events::AgentCapacityChanged capacity;
  capacity.set_user_id("ghost");
  events::UserDeactivated deactivated;
  deactivated.set_user_id("ghost");
  events::UserReactivated reactivated;
  reactivated.set_user_id("ghost");
  events::EmailPreferencesChanged preferences;
  preferences.set_user_id("ghost");
  events::AgentUnassigned unassigned;
  unassigned.set_client_id("ghost");
  unassigned.set_agent_id("phantom");
  unassigned.set_service("website");
  testing::check_folds_to_nothing(domain::kIdentityKeyspace,
                                  {&reset, &renamed, &department, &capacity, &deactivated,
                                   &reactivated, &preferences, &unassigned});
}

}  // namespace
}  // namespace ledger
