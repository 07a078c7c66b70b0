// The authenticated user a request acts for.
#pragma once

#include <string>

#include "core/domain/ids.h"

namespace ledger::http {

enum class Role { admin, client, agent };

struct Caller {
  domain::UserId user_id;
  std::string email;
  std::string name;
  Role role = Role::client;
  std::string department;    // agents: "marketing" or "website"
  std::string token_digest;  // of the bearer token this request came with (logout revokes it)

  bool is_admin() const { return role == Role::admin; }
  bool is_client() const { return role == Role::client; }
  bool is_agent() const { return role == Role::agent; }
};

}  // namespace ledger::http
