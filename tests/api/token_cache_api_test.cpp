// The authenticated-token cache (http/token_cache.h) end to end: what a cached caller may do
// follows every identity change on the very next request (revocation, deactivation, a role
// changed in the rows, expiry), its bound holds, and a revocation racing requests on other
// connections leaves no request succeeding after the revocation was acknowledged.
#include <doctest/doctest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "core/domain/identity_fold.h"
#include "core/domain/keyspaces.h"
#include "core/domain/users.h"
#include "core/secret_token.h"
#include "events/user_state.pb.h"
#include "http/token_cache.h"
#include "tests/support/api_fixture.h"

namespace ledger {
namespace {

using boost::beast::http::verb;
using testing::ApiFixture;

// Authenticates twice, so that the second request is answered from the cache.
void cache_caller(ApiFixture& f, const std::string& token) {
  REQUIRE(f.get(token, "/api/auth/me/").status == 200);
  REQUIRE(f.get(token, "/api/auth/me/").status == 200);
  REQUIRE(f.api.token_cache.size() >= 1);
}

// Writes the user's identity row with `role`, as a follower's fold or a rebuild writes rows.
void write_role(ApiFixture& f, const std::string& user_id, const std::string& role) {
  auto user = domain::find_user(*f.log, user_id);
  REQUIRE(user.ok());
  REQUIRE(user->has_value());
  events::UserState changed = **user;
  changed.set_role(role);
  const std::vector<store::StateWrite> writes{{std::string(domain::kIdentityKeyspace),
                                               domain::user_key(user_id),
                                               changed.SerializeAsString()}};
  REQUIRE(f.log->write_state(writes).ok());
}

TEST_CASE("a revoked token is refused on the very next request, though its caller was cached") {
  ApiFixture f;
  const std::string token = f.admin();
  cache_caller(f, token);
  REQUIRE(f.post(token, "/api/auth/logout/").status == 200);
  CHECK(f.get(token, "/api/auth/me/").status == 401);
}

TEST_CASE("a deactivated user's cached token is refused on the next request") {
  ApiFixture f;
  const std::string admin = f.admin();
  const std::string id = f.create_user(admin, "cleo@x.com", "client");
  const std::string cleo = f.login_as("cleo@x.com");
  cache_caller(f, cleo);
  auto deactivated = f.call(admin, verb::patch, "/api/users/" + id + "/", R"({"is_active":false})");
  REQUIRE_MESSAGE(deactivated.status == 200, deactivated.body);
  CHECK(f.get(cleo, "/api/auth/me/").status == 401);
}

TEST_CASE("a role changed in the identity rows takes effect on the next request") {
  ApiFixture f;
  const std::string admin = f.admin();
  const std::string id = f.create_user(admin, "cleo@x.com", "client");
  const std::string cleo = f.login_as("cleo@x.com");
  cache_caller(f, cleo);
  CHECK(f.get(cleo, "/api/users/").status == 403);
  write_role(f, id, "admin");
  CHECK(f.get(cleo, "/api/users/").status == 200);
  CHECK(f.get(cleo, "/api/auth/me/").json()["role"] == "admin");
  write_role(f, id, "client");
  CHECK(f.get(cleo, "/api/users/").status == 403);
}

TEST_CASE("a renamed caller is answered with the new name on the next request") {
  ApiFixture f;
  const std::string admin = f.admin();
  f.create_user(admin, "cleo@x.com", "client");
  const std::string cleo = f.login_as("cleo@x.com");
  cache_caller(f, cleo);
  REQUIRE(f.call(cleo, verb::patch, "/api/auth/me/", R"({"name":"Cleo P."})").status == 200);
  CHECK(f.get(cleo, "/api/auth/me/").json()["name"] == "Cleo P.");
}

TEST_CASE("a cached token is refused once it expires") {
  ApiFixture f;
  const std::string token = f.admin();
  cache_caller(f, token);
  f.clock.advance_us(f.api.options.token_lifetime_us - 1);
  CHECK(f.get(token, "/api/auth/me/").status == 200);
  f.clock.advance_us(1);
  CHECK(f.get(token, "/api/auth/me/").status == 401);
}

http::Caller caller_of(const std::string& digest) {
  http::Caller caller;
  caller.user_id = domain::UserId{"u-" + digest};
  caller.token_digest = digest;
  return caller;
}

TEST_CASE("the cache answers only at the write count its entries were read at") {
  http::TokenCache cache;
  cache.remember(caller_of("a"), /*expires_at_us=*/100, /*identity_writes=*/5);
  CHECK(cache.find("a", 5, 99).has_value());
  CHECK_FALSE(cache.find("a", 5, 100).has_value());  // expired: dropped
  cache.remember(caller_of("a"), 100, 5);
  CHECK_FALSE(cache.find("a", 4, 0).has_value());  // an older count sees nothing
  CHECK(cache.find("a", 5, 0).has_value());        // and drops nothing
  CHECK_FALSE(cache.find("a", 6, 0).has_value());  // a newer count: every entry is stale
  CHECK(cache.size() == 0);
  cache.remember(caller_of("b"), 100, 5);  // read before the count moved: not remembered
  CHECK(cache.size() == 0);
  CHECK_FALSE(cache.find("b", 6, 0).has_value());
}

TEST_CASE("the cache keeps to its bound") {
  http::TokenCache cache(http::TokenCacheOptions{.entries_max = 3});
  for (int i = 0; i < 50; ++i) {
    cache.remember(caller_of(std::to_string(i)), 100, 1);
    CHECK(cache.size() <= 3);
  }
  CHECK(cache.find("49", 1, 0).has_value());
  http::TokenCache off(http::TokenCacheOptions{.entries_max = 0});
  off.remember(caller_of("a"), 100, 1);
  CHECK(off.size() == 0);
}

TEST_CASE("many logins leave the server's cache within its bound") {
  ApiFixture f;
  const std::string admin = f.admin();
  f.create_user(admin, "cleo@x.com", "client");
  for (int i = 0; i < 5; ++i) cache_caller(f, f.login_as("cleo@x.com"));
  CHECK(f.api.token_cache.size() <= f.api.token_cache.entries_max());
}

TEST_CASE("after a revocation is acknowledged, no request with that token succeeds") {
  ApiFixture f;
  const std::string token = f.admin();
  cache_caller(f, token);
  constexpr int kClients = 4;
  constexpr int kRequestsAfterRevocation = 30;
  std::atomic<bool> revoked{false};
  std::atomic<int> succeeded_after{0};
  std::atomic<int> refused_after{0};
  std::atomic<int> succeeded_before{0};
  std::vector<std::thread> clients;
  clients.reserve(kClients);
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&] {
      auto connection = f.client();  // keep-alive: one session per client thread
      const std::vector<std::pair<std::string, std::string>> headers{
          {"Authorization", "Bearer " + token}};
      int after = 0;
      while (after < kRequestsAfterRevocation) {
        const bool sent_after_revocation = revoked.load();
        const auto answer = connection.request(verb::get, "/api/auth/me/", "", headers);
        if (!sent_after_revocation) {
          if (answer.status == 200) ++succeeded_before;
          continue;
        }
        ++after;
        (answer.status == 200 ? succeeded_after : refused_after)++;
      }
    });
  }
  while (succeeded_before.load() < 2 * kClients) std::this_thread::yield();
  REQUIRE(f.post(token, "/api/auth/logout/").status == 200);
  revoked = true;
  for (auto& client : clients) client.join();
  CHECK(succeeded_after.load() == 0);
  CHECK(refused_after.load() == kClients * kRequestsAfterRevocation);
}

}  // namespace
}  // namespace ledger
