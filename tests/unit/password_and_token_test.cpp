#include <doctest/doctest.h>

#include <set>

#include "core/hex.h"
#include "core/password_hasher.h"
#include "core/secret_token.h"

namespace ledger {
namespace {

const PasswordHashOptions kCheap{10, 8, 1};

TEST_CASE("a password verifies against its own hash and not against another password") {
  const std::string stored = hash_password("correct horse", kCheap);
  CHECK(stored.starts_with("scrypt$10$8$1$"));
  CHECK(verify_password("correct horse", stored));
  CHECK_FALSE(verify_password("correct horsf", stored));
  CHECK_FALSE(verify_password("", stored));
}

TEST_CASE("two hashes of one password differ (salted)") {
  CHECK(hash_password("same password", kCheap) != hash_password("same password", kCheap));
}

TEST_CASE("malformed stored hashes never verify") {
  const std::string stored = hash_password("secret-pass", kCheap);
  for (std::string bad :
       {std::string(), std::string("plain"), stored.substr(0, stored.size() - 2),
        std::string("scrypt$99$8$1$00$00"), std::string("bcrypt") + stored.substr(6)}) {
    CAPTURE(bad);
    CHECK_FALSE(verify_password("secret-pass", bad));
  }
}

TEST_CASE("new passwords need 8 to 200 bytes") {
  CHECK(validate_new_password("1234567").error().field == "password");
  CHECK(validate_new_password("12345678").ok());
  CHECK_FALSE(validate_new_password(std::string(201, 'x')).ok());
}

TEST_CASE("tokens carry 256 random bits and are stored only as their digest") {
  std::set<std::string> tokens;
  for (int i = 0; i < 1000; ++i) tokens.insert(new_secret_token());
  CHECK(tokens.size() == 1000);
  const std::string token = *tokens.begin();
  CHECK(token.size() == 4 + 64);
  CHECK(token_digest(token).size() == 64);
  CHECK(token_digest(token) != token.substr(4));
}

TEST_CASE("HMAC-SHA256 matches RFC 4231 test case 2") {
  CHECK(to_hex(hmac_sha256("Jefe", "what do ya want for nothing?")) ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE("constant-time comparison is equality") {
  CHECK(constant_time_equal("abc", "abc"));
  CHECK_FALSE(constant_time_equal("abc", "abd"));
  CHECK_FALSE(constant_time_equal("abc", "abcd"));
}

}  // namespace
}  // namespace ledger
