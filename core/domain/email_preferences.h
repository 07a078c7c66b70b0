// Email preferences: which kinds of email a user receives.
//
// Every email the platform sends has a category (projections/email_categories.h maps each one).
// A user may turn off any category but security (verification codes, password resets and
// changes, the welcome email: always sent); all are on until turned off. A change names only the
// categories it changes; turning on what is on (or off what is off) writes nothing. The user row
// keeps the categories turned off; the email projection folds the same events, so whether an
// email is sent follows the preferences as of the event that asked for it.
//
// Rules (each refused command writes nothing): the user must exist; a change of the security
// category, or of UNSPECIFIED, is invalid_argument.
#pragma once

#include <map>
#include <span>
#include <vector>

#include "core/domain/ids.h"
#include "core/domain/unit_of_work.h"
#include "events/user_events.pb.h"
#include "events/user_state.pb.h"

namespace ledger::domain {

// The categories a user may turn off, in number order (every category but UNSPECIFIED and
// SECURITY).
std::span<const events::EmailCategory> optional_email_categories();

// Whether `muted` (categories turned off) lets an email of `category` go out.
bool email_category_wanted(const google::protobuf::RepeatedField<int>& muted,
                           events::EmailCategory category);

struct SetEmailPreferences {
  UserId user_id;
  std::map<events::EmailCategory, bool> wanted;  // category -> on; others unchanged
};
Result<events::UserState> set_email_preferences(UnitOfWork& uow,
                                                const SetEmailPreferences& command);

}  // namespace ledger::domain
