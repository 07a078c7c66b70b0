// Service settings: what a client chooses for each of their services, from a small allow-list of
// typed settings per service.
//
//   service    setting                 values                                      default
//   marketing  posting_timezone        an IANA time zone name: "UTC", or           "UTC"
//                                      Area/Location[/Sublocation] with Area one of
//                                      Africa, America, Antarctica, Arctic, Asia,
//                                      Atlantic, Australia, Europe, Indian, Pacific,
//                                      Etc (at most 64 bytes; the name's shape is
//                                      checked, not a zone database)
//              approval_required       bool: posts wait for the client's approval  true
//              weekly_report           bool: a weekly performance report           true
//   website    preferred_stack         no_preference, wordpress, shopify,          no_preference
//                                      webflow, react, nextjs, static
//              staging_notifications   bool: hear when a version is on staging     true
//   courses    learning_reminders      off, daily, weekly                          weekly
//
// These are the client's stated preferences, for the agents and the dashboards to read; no rule
// of the ledger acts on them.
//
// Each client has one settings object per service whether or not the service is active, with the
// id "<client_id>-<service>" (service_settings_id): stable for the client and service, made by the
// server, never reused by anyone else. Nothing creates it: a service whose settings were never
// changed answers the defaults.
//
// Rules (each refused command writes nothing): the user is a client (invalid_argument naming
// client_id otherwise); the service is marketing, website or courses; a change names only
// settings of that service (a setting of another service is invalid_argument naming
// "settings.<key>"), each with a valid value (invalid_argument naming it); a change that changes
// nothing writes nothing. A change is a ServiceSettingsChanged (stream "user:<client_id>") holding
// every setting of the service after it, folded by the "identity" fold (identity_fold.h) into
// the row at service_settings_key.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include "core/domain/ids.h"
#include "core/domain/unit_of_work.h"
#include "core/store/event_log.h"
#include "events/user_events.pb.h"
#include "events/user_state.pb.h"

namespace ledger::domain {

inline constexpr std::array<std::string_view, 3> kClientServices = {"marketing", "website",
                                                                    "courses"};
inline constexpr std::size_t kPostingTimezoneBytesMax = 64;

// The settings id of `client_id`'s `service`, and back: the service whose settings `settings_id`
// names among `client_id`'s (nullopt when it names none of theirs).
std::string service_settings_id(std::string_view client_id, std::string_view service);
std::optional<std::string> service_of_settings_id(std::string_view settings_id,
                                                  std::string_view client_id);

// The settings of `service` as a client has them before any change (empty for an unknown
// service).
events::ServiceSettings default_service_settings(std::string_view service);

// Whether `name` has the shape of an IANA time zone name (see the table above).
bool valid_time_zone_name(std::string_view name);

// The settings a change sets (the others stay as they are).
struct ServiceSettingsChanges {
  std::optional<std::string> posting_timezone;
  std::optional<bool> approval_required;
  std::optional<bool> weekly_report;
  std::optional<events::WebsiteStack> preferred_stack;
  std::optional<bool> staging_notifications;
  std::optional<events::LearningReminders> learning_reminders;
};

struct ChangeServiceSettings {
  UserId client_id;
  std::string service;
  ServiceSettingsChanges changes;
};
// The service's settings after the change (updated_at_us 0 when never changed).
Result<events::ServiceSettingsState> change_service_settings(UnitOfWork& uow,
                                                             const ChangeServiceSettings& command);

// --- reads ---------------------------------------------------------------------------------------

inline constexpr std::string_view kServiceSettingsKeyPrefix = "service-settings/";
std::string service_settings_key(std::string_view client_id, std::string_view service);

// `client_id`'s settings of `service`: the stored row, or the defaults when never changed.
Result<events::ServiceSettingsState> find_service_settings(const store::EventLog& log,
                                                           std::string_view client_id,
                                                           std::string_view service);

}  // namespace ledger::domain
