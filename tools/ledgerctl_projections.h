// ledgerctl projections list|status|rebuild: every read model's status, and rebuilding from the
// log — offline on a data dir (--data-dir; rebuild needs the server stopped) or online through
// a running server's admin API (--server URL --token T).
#pragma once

#include <string>

namespace ledger::tools {

int command_projections(const std::string& sub, int argc, char** argv);

}  // namespace ledger::tools
