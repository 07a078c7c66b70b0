// Account management endpoints (see API.md, Identity): changing one's password, a password reset
// by email, one's name and email preferences, and admins updating a user (name, department,
// capacity, deactivation). The rules are the deciders' (core/domain/passwords.h,
// user_profile.h, email_preferences.h); here are only input, slow work (scrypt) and answers.
#pragma once

#include "http/route_declaration.h"

namespace ledger::http {

RouteTable account_routes();

}  // namespace ledger::http
