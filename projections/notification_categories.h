// The categories the dashboards filter notifications by (the seed's notification centre:
// payments, tasks, messages, content, performance), one table mapping every notification type a
// rule makes to its category. A type that fits none of the dashboard's filters (a registration,
// an assignment) is in "account": shown under "all", never under a filter. A coverage test holds
// every type the rules make to this table (tests/projections/notification_rules_test.cpp).
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace ledger::projections {

// The filterable categories, in the dashboard's order.
std::span<const std::string_view> notification_filter_categories();

// The category of a notification type; nullopt for a type the table does not know (a defect the
// coverage test catches).
std::optional<std::string_view> notification_category(std::string_view type);

}  // namespace ledger::projections
