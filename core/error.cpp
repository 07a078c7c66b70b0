#include "core/error.h"

namespace ledger {

std::string_view errc_name(Errc code) {
  switch (code) {
#define LEDGER_ERRC_NAME(name, kind) \
  case Errc::name:                   \
    return #name;
    LEDGER_ERROR_CODES(LEDGER_ERRC_NAME)
#undef LEDGER_ERRC_NAME
  }
  return "internal";
}

ErrorKind errc_kind(Errc code) {
  switch (code) {
#define LEDGER_ERRC_KIND(name, kind) \
  case Errc::name:                   \
    return ErrorKind::kind;
    // A table spelled as a switch: many codes share one kind, so many branches look alike.
    LEDGER_ERROR_CODES(LEDGER_ERRC_KIND)  // NOLINT(bugprone-branch-clone)
#undef LEDGER_ERRC_KIND
  }
  return ErrorKind::internal;
}

}  // namespace ledger
