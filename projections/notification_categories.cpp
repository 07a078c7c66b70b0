#include "projections/notification_categories.h"

#include <array>
#include <utility>

namespace ledger::projections {
namespace {

constexpr std::string_view kPayments = "payments";
constexpr std::string_view kTasks = "tasks";
constexpr std::string_view kMessages = "messages";
constexpr std::string_view kContent = "content";
constexpr std::string_view kPerformance = "performance";
constexpr std::string_view kAccount = "account";

constexpr std::array<std::string_view, 5> kFilters = {kPayments, kTasks, kMessages, kContent,
                                                      kPerformance};

// Money in and out (wallet, codes, invoices, subscriptions, course purchases) is payments, as
// the email categories count it; support tickets are messages, as their emails are; what the
// agency delivers (posts, websites, campaigns, a course finished) is content.
constexpr std::array<std::pair<std::string_view, std::string_view>, 45> kTypes = {{
    {"low_balance", kPayments},
    {"payment", kPayments},
    {"payment_received", kPayments},
    {"payment_failed", kPayments},
    {"redeem_code", kPayments},
    {"invoice_created", kPayments},
    {"invoice_paid", kPayments},
    {"invoice_reminder", kPayments},
    {"invoice_overdue", kPayments},
    {"subscription_activated", kPayments},
    {"subscription_renewal", kPayments},
    {"subscription_renewed", kPayments},
    {"subscription_past_due", kPayments},
    {"subscription_reinstated", kPayments},
    {"subscription_cancelled", kPayments},
    {"course_purchase_pending", kPayments},
    {"course_enrolled", kPayments},
    {"course_refunded", kPayments},
    {"course_purchase_cancelled", kPayments},
    {"task_assigned", kTasks},
    {"task_completed", kTasks},
    {"task_overdue", kTasks},
    {"message_received", kMessages},
    {"ticket_opened", kMessages},
    {"ticket_reply", kMessages},
    {"ticket_status_changed", kMessages},
    {"course_completed", kContent},
    {"campaign_status", kContent},
    {"content_scheduled", kContent},
    {"content_approved", kContent},
    {"content_rejected", kContent},
    {"content_posted", kContent},
    {"content_failed", kContent},
    {"content_cancelled", kContent},
    {"website_project_created", kContent},
    {"website_phase_completed", kContent},
    {"website_version_uploaded", kContent},
    {"website_version_testing", kContent},
    {"website_version_approved", kContent},
    {"website_version_deployed", kContent},
    {"website_version_feedback", kContent},
    {"performance_update", kPerformance},
    {"client_registered", kAccount},
    {"agent_assigned", kAccount},
    {"service_activated", kAccount},
}};

}  // namespace

std::span<const std::string_view> notification_filter_categories() { return kFilters; }

std::optional<std::string_view> notification_category(std::string_view type) {
  for (const auto& [name, category] : kTypes) {
    if (name == type) return category;
  }
  return std::nullopt;
}

}  // namespace ledger::projections
