// Reading the query string of a request target ("/api/x/?limit=10&cursor=abc").
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace ledger::http {

// The percent-decoded value of the first `name=` parameter, nullopt when absent or when its
// encoding is malformed. `+` decodes to a space.
std::optional<std::string> query_param(std::string_view target, std::string_view name);

// Refuses (invalid_argument, naming the parameter) a query whose names or values are not
// well-formed percent-encoding or, decoded, not short text (core/text_validation.h).
Status check_query(std::string_view target);

// Percent-encodes everything except unreserved characters (RFC 3986).
std::string url_encode(std::string_view text);

}  // namespace ledger::http
