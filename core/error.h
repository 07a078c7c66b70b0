// Expected failures as values.
//
// Every failure a caller can provoke (bad input, a business rule refusing a command, a version
// conflict, a storage fault) is an `Error`: a machine-readable `Errc` code, a human sentence and,
// for input errors, the name of the offending field. Each code belongs to one `ErrorKind`, and the
// kind alone decides the HTTP status (one table, in http/). Bugs are not errors: they are
// assertions (core/assert.h).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ledger {

// Families of failure. The HTTP layer maps each to exactly one status code.
enum class ErrorKind : std::uint8_t {
  invalid_argument,  // 400: malformed or invalid input
  unauthenticated,   // 401
  forbidden,         // 403
  not_found,         // 404: missing, or outside the caller's scope
  conflict,          // 409: idempotency or optimistic-concurrency conflict
  too_large,         // 413
  // 415: a body in a format the endpoint does not read
  unsupported_media_type,
  refused,       // 422: a business rule refused the command
  rate_limited,  // 429
  unavailable,   // 503: storage not writable
  internal,      // 500: corruption or a fault that is not the caller's
};

// X(code, kind): every error code the system can return, with its kind. The code's name is the
// `code` field of an API error body, so names are stable and snake_case.
#define LEDGER_ERROR_CODES(X)                       \
  X(invalid_argument, invalid_argument)             \
  X(unauthenticated, unauthenticated)               \
  X(forbidden, forbidden)                           \
  X(not_found, not_found)                           \
  X(too_large, too_large)                           \
  X(unsupported_media_type, unsupported_media_type) \
  X(rate_limited, rate_limited)                     \
  X(version_conflict, conflict)                     \
  X(idempotency_conflict, conflict)                 \
  X(store_read_only, unavailable)                   \
  X(io_error, unavailable)                          \
  X(timeout, unavailable)                           \
  X(shutting_down, unavailable)                     \
  X(overloaded, unavailable)                        \
  X(corruption, internal)                           \
  X(internal, internal)                             \
  X(insufficient_funds, refused)                    \
  X(amount_overflow, refused)                       \
  X(already_confirmed, refused)                     \
  X(already_failed, refused)                        \
  X(amount_mismatch, refused)                       \
  X(not_pending, refused)                           \
  X(hold_not_open, refused)                         \
  X(hold_exceeded, refused)                         \
  X(code_not_found, refused)                        \
  X(code_inactive, refused)                         \
  X(code_expired, refused)                          \
  X(code_exhausted, refused)                        \
  X(code_already_redeemed, refused)                 \
  X(code_exists, refused)                           \
  X(already_purchased, refused)                     \
  X(not_for_sale, refused)                          \
  X(not_refundable, refused)                        \
  X(already_paid, refused)                          \
  X(invoice_void, refused)                          \
  X(subscription_not_active, refused)               \
  X(auto_recharge_disabled, refused)                \
  X(email_taken, refused)                           \
  X(email_not_verified, refused)                    \
  X(invalid_verification_code, refused)             \
  X(agent_at_capacity, refused)                     \
  X(department_mismatch, refused)                   \
  X(service_not_active, refused)                    \
  X(invalid_transition, refused)                    \
  X(version_number_taken, refused)                  \
  X(course_not_accessible, refused)                 \
  X(already_finished, refused)                      \
  X(budget_exceeded, refused)                       \
  X(wrong_password, refused)                        \
  X(invalid_reset_token, refused)                   \
  X(account_deactivated, refused)                   \
  X(cannot_deactivate_self, refused)                \
  X(agent_has_clients, refused)                     \
  X(thread_full, refused)                           \
  X(too_many_lessons, refused)                      \
  X(lessons_incomplete, refused)

enum class Errc : std::uint16_t {
#define LEDGER_ERRC_ENUM(code, kind) code,
  LEDGER_ERROR_CODES(LEDGER_ERRC_ENUM)
#undef LEDGER_ERRC_ENUM
};

// The stable snake_case name of `code` ("insufficient_funds").
std::string_view errc_name(Errc code);

// The family `code` belongs to.
ErrorKind errc_kind(Errc code);

struct Error {
  Errc code = Errc::internal;
  std::string message;  // one human sentence, safe to show to the caller
  std::string field;    // the input field at fault, empty when none

  ErrorKind kind() const { return errc_kind(code); }
};

inline Error make_error(Errc code, std::string message, std::string field = {}) {
  return Error{code, std::move(message), std::move(field)};
}

}  // namespace ledger
