// Assertions that stay on in release builds.
//
// A broken invariant (postings that do not sum to zero, a negative wallet after a decision, a
// gap in the log) is a bug: the process reports it and aborts rather than limp on with corrupt
// state. Use only for cheap checks; expected failures are `Error` values (core/error.h).
#pragma once

namespace ledger::detail {
[[noreturn]] void assertion_failed(const char* condition, const char* message, const char* file,
                                   int line);
}  // namespace ledger::detail

#define LEDGER_ASSERT(condition, message)                                          \
  do {                                                                             \
    if (!(condition)) [[unlikely]] {                                               \
      ::ledger::detail::assertion_failed(#condition, message, __FILE__, __LINE__); \
    }                                                                              \
  } while (false)
