#include "core/domain/email_preferences.h"

#include <algorithm>
#include <array>
#include <set>

#include "core/domain/users.h"

namespace ledger::domain {
namespace {

constexpr std::array kOptionalCategories = {
    events::EMAIL_CATEGORY_PAYMENTS,    events::EMAIL_CATEGORY_TASKS,
    events::EMAIL_CATEGORY_MESSAGES,    events::EMAIL_CATEGORY_CONTENT,
    events::EMAIL_CATEGORY_PERFORMANCE, events::EMAIL_CATEGORY_MARKETING};

bool optional_category(events::EmailCategory category) {
  return std::find(kOptionalCategories.begin(), kOptionalCategories.end(), category) !=
         kOptionalCategories.end();
}

}  // namespace

std::span<const events::EmailCategory> optional_email_categories() { return kOptionalCategories; }

bool email_category_wanted(const google::protobuf::RepeatedField<int>& muted,
                           events::EmailCategory category) {
  if (!optional_category(category)) return true;
  return std::find(muted.begin(), muted.end(), static_cast<int>(category)) == muted.end();
}

Result<events::UserState> set_email_preferences(UnitOfWork& uow,
                                                const SetEmailPreferences& command) {
  for (const auto& [category, wanted] : command.wanted) {
    if (!optional_category(category)) {
      return make_error(Errc::invalid_argument, "security emails are always sent", "category");
    }
  }
  auto user = load_user(uow, command.user_id.str());
  if (!user) return std::move(user).error();
  std::set<int> muted(user->muted_email_categories().begin(), user->muted_email_categories().end());
  const std::set<int> before = muted;
  for (const auto& [category, wanted] : command.wanted) {
    if (wanted) {
      muted.erase(category);
    } else {
      muted.insert(category);
    }
  }
  if (muted == before) return user;
  events::EmailPreferencesChanged changed;
  changed.set_user_id(user->user_id());
  for (int category : muted) {  // std::set: in number order
    changed.add_muted_categories(static_cast<events::EmailCategory>(category));
  }
  if (auto emitted = uow.emit(user_stream(user->user_id()), changed); !emitted) {
    return std::move(emitted).error();
  }
  return load_user(uow, user->user_id());
}

}  // namespace ledger::domain
