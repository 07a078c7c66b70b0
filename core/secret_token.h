// Bearer tokens and message signatures.
//
// A token is 256 random bits, shown to its owner once as "lct_" + 64 hex digits; the server keeps
// only its SHA-256 (hex), so a leaked database reveals no usable token. Comparisons of secrets are
// constant-time.
#pragma once

#include <string>
#include <string_view>

#include "core/sha256.h"

namespace ledger {

std::string new_secret_token();

// The hex SHA-256 under which a token is stored and looked up.
std::string token_digest(std::string_view token);

// HMAC-SHA256 of `message` under `key`.
Hash256 hmac_sha256(std::string_view key, std::string_view message);

// Constant-time equality of two byte strings (false when lengths differ).
bool constant_time_equal(std::string_view a, std::string_view b);

}  // namespace ledger
