// Identity commands as one-line steps for domain tests: register a user, log one in, revoke,
// read a user's row and a token's.
//   LedgerFixture f;
//   REQUIRE(testing::add_user(f, "c1", "client").ok());
//   const std::string token = testing::log_in(f, "c1");  // the token's digest
#pragma once

#include <doctest/doctest.h>

#include <string>

#include "core/domain/users.h"
#include "core/hex.h"
#include "core/sha256.h"
#include "tests/support/ledger_fixture.h"

namespace ledger::testing {

// A verified user `id` with email "<id>@x.com", password hash "scrypt$<id>".
inline Result<domain::Executed<events::UserState>> add_user(LedgerFixture& f, const std::string& id,
                                                            const std::string& role,
                                                            const std::string& department = "",
                                                            std::uint32_t max_clients = 0) {
  return f.run<events::UserState>([=](domain::UnitOfWork& uow) {
    return domain::register_user(uow, {domain::UserId{id}, id + "@x.com", "Name " + id, role,
                                       department, max_clients, "scrypt$" + id, true, "admin", ""});
  });
}

// Issues a token to `user_id` valid for an hour; answers its digest.
inline std::string log_in(LedgerFixture& f, const std::string& user_id) {
  const std::string token_id = f.id();
  const std::string digest = to_hex(sha256("token " + token_id));
  REQUIRE(f.run<events::TokenState>([&](domain::UnitOfWork& uow) {
             return domain::issue_token(uow, {domain::TokenId{token_id}, domain::UserId{user_id},
                                              digest, f.clock.now_us() + kMicrosPerHour});
           }).ok());
  return digest;
}

inline Result<domain::Executed<events::UserState>> assign(LedgerFixture& f,
                                                          const std::string& client,
                                                          const std::string& service,
                                                          const std::string& agent) {
  return f.run<events::UserState>([=](domain::UnitOfWork& uow) {
    return domain::assign_agent(uow,
                                {domain::UserId{client}, service, domain::UserId{agent}, "admin"});
  });
}

inline events::UserState user_row(LedgerFixture& f, std::string_view id) {
  auto row = domain::find_user(*f.log, id);
  REQUIRE(row.ok());
  REQUIRE(row->has_value());
  return **row;
}

inline bool revoked(LedgerFixture& f, const std::string& token_digest) {
  auto row = domain::find_token(*f.log, token_digest);
  REQUIRE(row.ok());
  REQUIRE(row->has_value());
  return (*row)->revoked();
}

}  // namespace ledger::testing
