#include "core/assert.h"

#include <cstdio>
#include <cstdlib>

namespace ledger::detail {

void assertion_failed(const char* condition, const char* message, const char* file, int line) {
  std::fprintf(stderr, "ledger: assertion failed at %s:%d: %s (%s)\n", file, line, message,
               condition);
  std::fflush(stderr);
  std::abort();
}

}  // namespace ledger::detail
