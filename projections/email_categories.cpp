#include "projections/email_categories.h"

#include <array>

#include "core/domain/passwords.h"
#include "core/domain/users.h"

namespace ledger::projections {
namespace {

using events::EMAIL_CATEGORY_CONTENT;
using events::EMAIL_CATEGORY_MESSAGES;
using events::EMAIL_CATEGORY_PAYMENTS;
using events::EMAIL_CATEGORY_SECURITY;
using events::EMAIL_CATEGORY_TASKS;

// Courses bought are payments; a course finished, like posts and website work, is content the
// agency delivers; task emails are tasks; a new message, and what staff write or do on a support
// ticket, is messages. Nothing here is performance or marketing yet.
constexpr std::array kKinds = {
    EmailKind{domain::kVerificationCodeTemplate, EMAIL_CATEGORY_SECURITY, true},
    EmailKind{domain::kPasswordResetTemplate, EMAIL_CATEGORY_SECURITY, true},
    EmailKind{"password_changed", EMAIL_CATEGORY_SECURITY},
    // Sent at registration, before the user could choose anything: an account email.
    EmailKind{"welcome", EMAIL_CATEGORY_SECURITY},
    EmailKind{"payment_confirmation", EMAIL_CATEGORY_PAYMENTS},
    EmailKind{"payment_receipt", EMAIL_CATEGORY_PAYMENTS},
    EmailKind{"invoice_created", EMAIL_CATEGORY_PAYMENTS},
    EmailKind{"invoice_reminder", EMAIL_CATEGORY_PAYMENTS},
    EmailKind{"invoice_overdue", EMAIL_CATEGORY_PAYMENTS},
    EmailKind{"subscription_activated", EMAIL_CATEGORY_PAYMENTS},
    EmailKind{"subscription_renewal", EMAIL_CATEGORY_PAYMENTS},
    EmailKind{"subscription_renewed", EMAIL_CATEGORY_PAYMENTS},
    EmailKind{"subscription_cancelled", EMAIL_CATEGORY_PAYMENTS},
    EmailKind{"course_enrollment", EMAIL_CATEGORY_PAYMENTS},
    EmailKind{"course_completion", EMAIL_CATEGORY_CONTENT},
    EmailKind{"content_approval", EMAIL_CATEGORY_CONTENT},
    EmailKind{"content_approval_submitted", EMAIL_CATEGORY_CONTENT},
    EmailKind{"content_published", EMAIL_CATEGORY_CONTENT},
    EmailKind{"website_phase", EMAIL_CATEGORY_CONTENT},
    EmailKind{"website_demo", EMAIL_CATEGORY_CONTENT},
    EmailKind{"website_deployed", EMAIL_CATEGORY_CONTENT},
    EmailKind{"task_assigned", EMAIL_CATEGORY_TASKS},
    EmailKind{"task_completed", EMAIL_CATEGORY_TASKS},
    EmailKind{"task_overdue", EMAIL_CATEGORY_TASKS},
    EmailKind{"message_received", EMAIL_CATEGORY_MESSAGES},
    EmailKind{"ticket_reply", EMAIL_CATEGORY_MESSAGES},
    EmailKind{"ticket_status_changed", EMAIL_CATEGORY_MESSAGES},
};

}  // namespace

std::span<const EmailKind> email_kinds() { return kKinds; }

const EmailKind* find_email_kind(std::string_view template_name) {
  for (const auto& kind : kKinds) {
    if (kind.template_name == template_name) return &kind;
  }
  return nullptr;
}

}  // namespace ledger::projections
