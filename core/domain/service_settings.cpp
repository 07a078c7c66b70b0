#include "core/domain/service_settings.h"

#include <google/protobuf/util/message_differencer.h>

#include <fmt/format.h>

#include <algorithm>

#include "core/domain/keyspaces.h"
#include "core/domain/read_model.h"
#include "core/domain/users.h"

namespace ledger::domain {
namespace {

// The first segment of a zone name other than "UTC" (the tz database's areas).
constexpr std::array<std::string_view, 11> kTimeZoneAreas = {
    "Africa",    "America", "Antarctica", "Arctic",  "Asia", "Atlantic",
    "Australia", "Europe",  "Indian",     "Pacific", "Etc"};
constexpr std::size_t kTimeZoneSegmentBytesMax = 30;

bool ascii_letter(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool ascii_digit(char c) { return c >= '0' && c <= '9'; }

// "Paris", "Port_of_Spain", "Port-au-Prince", "GMT+5": a letter, then letters, digits, _ - +.
bool zone_segment(std::string_view segment) {
  if (segment.empty() || segment.size() > kTimeZoneSegmentBytesMax) return false;
  if (!ascii_letter(segment.front())) return false;
  return std::all_of(segment.begin(), segment.end(), [](char c) {
    return ascii_letter(c) || ascii_digit(c) || c == '_' || c == '-' || c == '+';
  });
}

Error invalid_setting(std::string_view key, std::string message) {
  return make_error(Errc::invalid_argument, std::move(message), "settings." + std::string(key));
}

// Which settings a change sends, and whose they are.
struct SentSetting {
  std::string_view name;
  std::string_view service;
  bool sent;
};

Status require_settings_of(std::string_view service, const ServiceSettingsChanges& changes) {
  const std::array<SentSetting, 6> sent = {{
      {"posting_timezone", "marketing", changes.posting_timezone.has_value()},
      {"approval_required", "marketing", changes.approval_required.has_value()},
      {"weekly_report", "marketing", changes.weekly_report.has_value()},
      {"preferred_stack", "website", changes.preferred_stack.has_value()},
      {"staging_notifications", "website", changes.staging_notifications.has_value()},
      {"learning_reminders", "courses", changes.learning_reminders.has_value()},
  }};
  for (const auto& setting : sent) {
    if (setting.sent && setting.service != service) {
      return invalid_setting(setting.name, fmt::format("{} is a setting of {}, not of {}",
                                                       setting.name, setting.service, service));
    }
  }
  return {};
}

Status change_marketing(events::MarketingSettings& settings,
                        const ServiceSettingsChanges& changes) {
  if (changes.posting_timezone) {
    if (!valid_time_zone_name(*changes.posting_timezone)) {
      return invalid_setting("posting_timezone",
                             "posting_timezone must be a time zone name such as UTC or "
                             "Europe/Paris");
    }
    settings.set_posting_timezone(*changes.posting_timezone);
  }
  if (changes.approval_required) settings.set_approval_required(*changes.approval_required);
  if (changes.weekly_report) settings.set_weekly_report(*changes.weekly_report);
  return {};
}

Status change_website(events::WebsiteSettings& settings, const ServiceSettingsChanges& changes) {
  if (changes.preferred_stack) {
    if (*changes.preferred_stack == events::WEBSITE_STACK_UNSPECIFIED ||
        !events::WebsiteStack_IsValid(*changes.preferred_stack)) {
      return invalid_setting("preferred_stack", "preferred_stack is not a stack we offer");
    }
    settings.set_preferred_stack(*changes.preferred_stack);
  }
  if (changes.staging_notifications) {
    settings.set_staging_notifications(*changes.staging_notifications);
  }
  return {};
}

Status change_courses(events::CoursesSettings& settings, const ServiceSettingsChanges& changes) {
  if (changes.learning_reminders) {
    if (*changes.learning_reminders == events::LEARNING_REMINDERS_UNSPECIFIED ||
        !events::LearningReminders_IsValid(*changes.learning_reminders)) {
      return invalid_setting("learning_reminders",
                             "learning_reminders must be off, daily or "
                             "weekly");
    }
    settings.set_learning_reminders(*changes.learning_reminders);
  }
  return {};
}

// `settings` (the service's) with `changes` applied.
Status apply_changes(events::ServiceSettings& settings, std::string_view service,
                     const ServiceSettingsChanges& changes) {
  if (auto theirs = require_settings_of(service, changes); !theirs) return theirs;
  if (service == "marketing") return change_marketing(*settings.mutable_marketing(), changes);
  if (service == "website") return change_website(*settings.mutable_website(), changes);
  return change_courses(*settings.mutable_courses(), changes);
}

events::ServiceSettingsState default_row(std::string_view client_id, std::string_view service) {
  events::ServiceSettingsState row;
  row.set_client_id(std::string(client_id));
  row.set_service(std::string(service));
  *row.mutable_settings() = default_service_settings(service);
  return row;
}

bool known_service(std::string_view service) {
  return std::find(kClientServices.begin(), kClientServices.end(), service) !=
         kClientServices.end();
}

}  // namespace

std::string service_settings_id(std::string_view client_id, std::string_view service) {
  return fmt::format("{}-{}", client_id, service);
}

std::optional<std::string> service_of_settings_id(std::string_view settings_id,
                                                  std::string_view client_id) {
  for (std::string_view service : kClientServices) {
    if (settings_id == service_settings_id(client_id, service)) return std::string(service);
  }
  return std::nullopt;
}

events::ServiceSettings default_service_settings(std::string_view service) {
  events::ServiceSettings settings;
  if (service == "marketing") {
    auto& marketing = *settings.mutable_marketing();
    marketing.set_posting_timezone("UTC");
    marketing.set_approval_required(true);
    marketing.set_weekly_report(true);
  } else if (service == "website") {
    auto& website = *settings.mutable_website();
    website.set_preferred_stack(events::WEBSITE_STACK_NO_PREFERENCE);
    website.set_staging_notifications(true);
  } else if (service == "courses") {
    settings.mutable_courses()->set_learning_reminders(events::LEARNING_REMINDERS_WEEKLY);
  }
  return settings;
}

bool valid_time_zone_name(std::string_view name) {
  if (name == "UTC") return true;
  if (name.empty() || name.size() > kPostingTimezoneBytesMax) return false;
  const auto slash = name.find('/');
  if (slash == std::string_view::npos) return false;
  const std::string_view area = name.substr(0, slash);
  if (std::find(kTimeZoneAreas.begin(), kTimeZoneAreas.end(), area) == kTimeZoneAreas.end()) {
    return false;
  }
  // One or two segments after the area ("America/Argentina/Buenos_Aires").
  std::string_view rest = name.substr(slash + 1);
  for (int segments = 0; segments < 2; ++segments) {
    const auto next = rest.find('/');
    if (!zone_segment(rest.substr(0, next))) return false;
    if (next == std::string_view::npos) return true;
    rest = rest.substr(next + 1);
  }
  return false;
}

std::string service_settings_key(std::string_view client_id, std::string_view service) {
  return fmt::format("{}{}/{}", kServiceSettingsKeyPrefix, client_id, service);
}

Result<events::ServiceSettingsState> change_service_settings(UnitOfWork& uow,
                                                             const ChangeServiceSettings& command) {
  if (!known_service(command.service)) {
    return make_error(Errc::invalid_argument, "service must be marketing, website or courses",
                      "service");
  }
  auto client = load_user(uow, command.client_id.str(), "client_id");
  if (!client) return std::move(client).error();
  if (client->role() != "client") {
    return make_error(Errc::invalid_argument, "only clients have service settings", "client_id");
  }
  const std::string key = service_settings_key(command.client_id.str(), command.service);
  auto stored = uow.load<events::ServiceSettingsState>(kIdentityKeyspace, key);
  if (!stored) return std::move(stored).error();
  const events::ServiceSettingsState before =
      stored->has_value() ? std::move(**stored)
                          : default_row(command.client_id.str(), command.service);
  events::ServiceSettings after = before.settings();
  if (auto applied = apply_changes(after, command.service, command.changes); !applied) {
    return std::move(applied).error();
  }
  if (google::protobuf::util::MessageDifferencer::Equals(after, before.settings())) return before;

  events::ServiceSettingsChanged changed;
  changed.set_client_id(command.client_id.str());
  changed.set_service(command.service);
  *changed.mutable_settings() = std::move(after);
  if (auto emitted = uow.emit(user_stream(command.client_id.str()), changed); !emitted) {
    return std::move(emitted).error();
  }
  auto saved = uow.load<events::ServiceSettingsState>(kIdentityKeyspace, key);
  if (!saved) return std::move(saved).error();
  LEDGER_ASSERT(saved->has_value(), "the identity fold keeps the settings it was given");
  return std::move(**saved);
}

Result<events::ServiceSettingsState> find_service_settings(const store::EventLog& log,
                                                           std::string_view client_id,
                                                           std::string_view service) {
  auto stored = read_row<events::ServiceSettingsState>(log, kIdentityKeyspace,
                                                       service_settings_key(client_id, service));
  if (!stored) return std::move(stored).error();
  if (stored->has_value()) return std::move(**stored);
  return default_row(client_id, service);
}

}  // namespace ledger::domain
