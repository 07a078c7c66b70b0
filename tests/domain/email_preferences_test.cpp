// Email preferences through the real sequencer and store: all on until turned off, a change names
// only what it changes, security emails cannot be turned off, and repeating a state writes nothing.
#include <doctest/doctest.h>

#include "core/domain/email_preferences.h"
#include "tests/support/fold_checks.h"
#include "tests/support/identity_steps.h"

namespace ledger {
namespace {

using domain::UnitOfWork;
using testing::LedgerFixture;

Result<domain::Executed<events::UserState>> set(
    LedgerFixture& f, const std::string& user,
    const std::map<events::EmailCategory, bool>& wanted) {
  return f.run<events::UserState>([=](UnitOfWork& uow) {
    return domain::set_email_preferences(uow, {domain::UserId{user}, wanted});
  });
}

TEST_CASE("every category is on until turned off, and security cannot be") {
  LedgerFixture f;
  REQUIRE(testing::add_user(f, "c1", "client").ok());
  const auto user = testing::user_row(f, "c1");
  CHECK(domain::optional_email_categories().size() == 6);
  for (const auto category : domain::optional_email_categories()) {
    CHECK(domain::email_category_wanted(user.muted_email_categories(), category));
  }
  const auto head = f.log->head().position;
  for (const auto category :
       {events::EMAIL_CATEGORY_SECURITY, events::EMAIL_CATEGORY_UNSPECIFIED}) {
    auto refused = set(f, "c1", {{category, false}});
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == Errc::invalid_argument);
  }
  CHECK(set(f, "ghost", {{events::EMAIL_CATEGORY_PAYMENTS, false}}).error().code ==
        Errc::not_found);
  CHECK(f.log->head().position == head);
}

TEST_CASE("a change names only what it changes, the rest stays, and a repeat writes nothing") {
  LedgerFixture f;
  REQUIRE(testing::add_user(f, "c1", "client").ok());
  auto first =
      set(f, "c1",
          {{events::EMAIL_CATEGORY_MARKETING, false}, {events::EMAIL_CATEGORY_PAYMENTS, false}});
  REQUIRE(first.ok());
  const auto& muted = first->answer.muted_email_categories();
  REQUIRE(muted.size() == 2);  // in number order
  CHECK(muted[0] == events::EMAIL_CATEGORY_PAYMENTS);
  CHECK(muted[1] == events::EMAIL_CATEGORY_MARKETING);
  CHECK_FALSE(domain::email_category_wanted(muted, events::EMAIL_CATEGORY_PAYMENTS));
  CHECK(domain::email_category_wanted(muted, events::EMAIL_CATEGORY_TASKS));
  CHECK(domain::email_category_wanted(muted, events::EMAIL_CATEGORY_SECURITY));

  const auto head = f.log->head().position;
  REQUIRE(set(f, "c1", {{events::EMAIL_CATEGORY_PAYMENTS, false}}).ok());
  REQUIRE(set(f, "c1", {{events::EMAIL_CATEGORY_TASKS, true}}).ok());
  CHECK(f.log->head().position == head);

  auto second = set(f, "c1", {{events::EMAIL_CATEGORY_PAYMENTS, true}});
  REQUIRE(second.ok());
  REQUIRE(second->answer.muted_email_categories_size() == 1);
  CHECK(second->answer.muted_email_categories(0) == events::EMAIL_CATEGORY_MARKETING);
  testing::check_rows_are_the_fold(*f.log);
}

}  // namespace
}  // namespace ledger
