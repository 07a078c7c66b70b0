// Strong ids (core/domain/ids.h): what converts to what is decided at compile time, so these
// checks are static; the few run-time checks cover formatting and the "already used" error.
#include "core/domain/ids.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_set>

#include "core/domain/wallet.h"

namespace ledger {
namespace {

using namespace domain;

// Ids of different kinds neither convert nor construct from each other.
static_assert(!std::is_convertible_v<UserId, CampaignId>);
static_assert(!std::is_constructible_v<CampaignId, UserId>);
static_assert(!std::is_convertible_v<HoldId, TopUpId>);
static_assert(!std::is_constructible_v<TransactionId, HoldId>);
static_assert(!std::is_convertible_v<WebsiteProjectId, WebsiteVersionId>);
// Text computed at run time becomes an id only when spelled out; an id is never text silently.
static_assert(!std::is_convertible_v<std::string, UserId>);
static_assert(!std::is_convertible_v<std::string_view, CampaignId>);
static_assert(!std::is_convertible_v<const char*, CampaignId>);
static_assert(std::is_constructible_v<UserId, std::string>);
static_assert(!std::is_convertible_v<UserId, std::string>);
static_assert(!std::is_convertible_v<UserId, std::string_view>);
// A user is an actor; no other id is.
static_assert(std::is_convertible_v<UserId, ActorId>);
static_assert(!std::is_convertible_v<CampaignId, ActorId>);
static_assert(!std::is_convertible_v<std::string, ActorId>);
// So a command cannot be built with its ids swapped: PlaceHold is {hold_id, user_id, ...}.
// (Needs parenthesized aggregate initialization: GCC has it; clang-tidy's clang 14 does not.)
#if defined(__cpp_aggregate_paren_init)
static_assert(std::is_constructible_v<PlaceHold, HoldId, UserId>);
static_assert(!std::is_constructible_v<PlaceHold, UserId, HoldId>);
#endif

TEST_CASE("ids: text round-trips, compares by kind and formats as its text") {
  const UserId user{std::string("u-1")};
  CHECK(user.str() == "u-1");
  CHECK(user == UserId{"u-1"});
  CHECK(user != UserId{"u-2"});
  CHECK(UserId{"a"} < UserId{"b"});
  CHECK(UserId().empty());
  CHECK(fmt::format("[{}]", CampaignId{"c-9"}) == "[c-9]");
  const ActorId actor = user;
  CHECK(actor.str() == "u-1");
  CHECK(fmt::format("{}", ActorId{"payment-provider"}) == "payment-provider");
  std::unordered_set<HoldId> holds{HoldId{"h1"}, HoldId{"h1"}, HoldId{"h2"}};
  CHECK(holds.size() == 2);
  CHECK(typed_ids<ContentId>({"p1", "p2"}) == std::vector<ContentId>{"p1", "p2"});
}

}  // namespace
}  // namespace ledger
