// The category of every email the platform sends, in one table (data, entry by entry): the
// templates of email_templates.h, which the email projection queues from events, and the emails
// deciders queue themselves because they carry a secret the log must not hold (a verification
// code, a password reset token). A user may turn off every category but security
// (core/domain/email_preferences.h); the email projection does not queue an email whose category
// its recipient turned off (email_projection.h). tests/projections/email_categories_test.cpp
// fails for an email kind missing here.
#pragma once

#include <span>
#include <string_view>

#include "events/user_events.pb.h"

namespace ledger::projections {

struct EmailKind {
  std::string_view template_name;  // OutboxEmail::template_name
  events::EmailCategory category;
  bool carries_secret = false;  // its body is erased once it is sent
};

// Every kind of email, each once.
std::span<const EmailKind> email_kinds();

// The kind named `template_name`, or nullptr.
const EmailKind* find_email_kind(std::string_view template_name);

}  // namespace ledger::projections
