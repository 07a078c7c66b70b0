// First start: when no user admin@localhost exists, creates it with a random password, writes the
// password to DIR/initial-admin-password (mode 0600, written and synced before the user is
// committed, so a crash cannot lose it) and returns it to be printed once.
#pragma once

#include <optional>
#include <string>

#include "core/domain/ledger.h"
#include "core/id_generator.h"
#include "core/password_hasher.h"
#include "core/store/event_log.h"

namespace ledger::http {

inline constexpr char kInitialAdminEmail[] = "admin@localhost";
inline constexpr char kInitialAdminPasswordFile[] = "initial-admin-password";

// The new admin's password, or nullopt when the admin already existed.
Result<std::optional<std::string>> ensure_initial_admin(domain::Ledger& ledger,
                                                        const store::EventLog& log,
                                                        IdGenerator& ids,
                                                        const std::string& data_dir,
                                                        const PasswordHashOptions& hashing);

}  // namespace ledger::http
