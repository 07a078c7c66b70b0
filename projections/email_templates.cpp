#include "projections/email_templates.h"

#include <fmt/format.h>

#include "core/domain/event_decoder.h"
#include "core/domain/support_ticket.h"
#include "core/money.h"
#include "events/content_events.pb.h"
#include "events/course_events.pb.h"
#include "events/enum_names.h"
#include "events/invoice_events.pb.h"
#include "events/message_events.pb.h"
#include "events/subscription_events.pb.h"
#include "events/task_events.pb.h"
#include "events/ticket_events.pb.h"
#include "events/user_events.pb.h"
#include "events/wallet_events.pb.h"
#include "events/website_events.pb.h"
#include "projections/text_preview.h"

namespace ledger::projections {
namespace {

std::string money(std::int64_t minor) { return "$" + Money::from_minor(minor).format(); }

template <class E>
EmailTemplate email(std::string name, std::string type,
                    std::function<std::optional<EmailDraft>(const E&)> make) {
  return {std::move(name), std::move(type),
          [make = std::move(make)](const events::Envelope& e) -> Result<std::optional<EmailDraft>> {
            auto decoded = domain::decode_event<E>(e);
            if (!decoded) return std::move(decoded).error();
            return make(*decoded);
          }};
}

// A post put up for the client's approval (scheduled at once, or a draft submitted): both events
// carry the post's content.
template <class E>
EmailDraft approval_request(const E& e) {
  return EmailDraft{e.client_id(), "A post awaits your approval",
                    fmt::format("Your marketing agent scheduled a post on {} for {}:\n\n{}"
                                "\n\nApprove it in your dashboard to let it go out.",
                                e.platform(), e.social_account(), e.caption())};
}

std::vector<EmailTemplate> build_templates() {
  std::vector<EmailTemplate> templates;
  templates.push_back(email<events::UserRegistered>(
      "welcome", "UserRegistered", [](const auto& e) -> std::optional<EmailDraft> {
        return EmailDraft{
            e.user_id(), "Welcome to the platform",
            fmt::format("Hello {},\n\nyour {} account is ready.", e.name(), e.role())};
      }));
  templates.push_back(email<events::PasswordChanged>(
      "password_changed", "PasswordChanged", [](const auto& e) -> std::optional<EmailDraft> {
        if (e.kind() == events::PASSWORD_CHANGE_KIND_RESET) {
          return EmailDraft{e.user_id(), "Your password was reset",
                            "Your password was reset with the token we emailed you, and every "
                            "session of your account was signed out.\n\nIf it was not you, "
                            "ask for a new reset at once and tell us."};
        }
        return EmailDraft{e.user_id(), "Your password was changed",
                          "Your password was changed, and your other sessions were signed "
                          "out.\n\nIf it was not you, reset your password at once and tell us."};
      }));
  templates.push_back(email<events::TopUpConfirmed>(
      "payment_confirmation", "TopUpConfirmed", [](const auto& e) -> std::optional<EmailDraft> {
        return EmailDraft{e.user_id(), "Payment received",
                          fmt::format("We received your payment of {}.\n\nIt is in your wallet.",
                                      money(e.amount_minor()))};
      }));
  templates.push_back(email<events::WalletDebited>(
      "payment_receipt", "WalletDebited", [](const auto& e) -> std::optional<EmailDraft> {
        if (e.source() != "payment") return std::nullopt;
        return EmailDraft{e.user_id(), "Payment receipt",
                          fmt::format("You paid {} for {} from your wallet.\n\nBalance after: {}.",
                                      money(e.amount_minor()), e.paid_for_service(),
                                      money(e.balance_after_minor()))};
      }));
  templates.push_back(email<events::InvoiceIssued>(
      "invoice_created", "InvoiceIssued", [](const auto& e) -> std::optional<EmailDraft> {
        return EmailDraft{e.client_id(), fmt::format("Invoice for {}", e.service()),
                          fmt::format("A new invoice of {} is due {}.\n\n{}",
                                      money(e.amount_minor()), e.due_date(), e.description())};
      }));
  templates.push_back(email<events::InvoiceReminderDue>(
      "invoice_reminder", "InvoiceReminderDue", [](const auto& e) -> std::optional<EmailDraft> {
        return EmailDraft{
            e.client_id(), "Invoice due soon",
            fmt::format("Your invoice of {} is due {}.", money(e.amount_minor()), e.due_date())};
      }));
  templates.push_back(email<events::InvoiceOverdue>(
      "invoice_overdue", "InvoiceOverdue", [](const auto& e) -> std::optional<EmailDraft> {
        return EmailDraft{e.client_id(), "Invoice overdue",
                          fmt::format("Your invoice of {} was due {} and is not paid yet.",
                                      money(e.amount_minor()), e.due_date())};
      }));
  templates.push_back(email<events::CoursePurchased>(
      "course_enrollment", "CoursePurchased", [](const auto& e) -> std::optional<EmailDraft> {
        if (e.status() != events::COURSE_PURCHASE_STATUS_COMPLETED) return std::nullopt;
        return EmailDraft{e.user_id(), "You are enrolled", "Your course is open: enjoy learning."};
      }));
  templates.push_back(email<events::CoursePurchaseConfirmed>(
      "course_enrollment", "CoursePurchaseConfirmed",
      [](const auto& e) -> std::optional<EmailDraft> {
        return EmailDraft{e.user_id(), "You are enrolled",
                          "PayPal confirmed your payment: your course is open."};
      }));
  templates.push_back(email<events::CourseFinished>(
      "course_completion", "CourseFinished", [](const auto& e) -> std::optional<EmailDraft> {
        // A completion recorded before certificates had ids has none to name.
        const std::string certificate =
            e.certificate_id().empty()
                ? std::string()
                : fmt::format(
                      "\n\nYour certificate {} is in your dashboard: it names the ledger "
                      "entry that records your completion, for anyone to check.",
                      e.certificate_id());
        return EmailDraft{e.user_id(), fmt::format("You finished {}", e.course_title()),
                          fmt::format("Congratulations on finishing {}.{}\n\nKeep learning!",
                                      e.course_title(), certificate)};
      }));
  templates.push_back(email<events::ContentScheduled>(
      "content_approval", "ContentScheduled", [](const auto& e) -> std::optional<EmailDraft> {
        if (e.draft()) return std::nullopt;  // the agent's own until submitted
        return approval_request(e);
      }));
  templates.push_back(email<events::ContentUpdated>("content_approval_submitted", "ContentUpdated",
                                                    [](const auto& e) -> std::optional<EmailDraft> {
                                                      if (!e.submitted()) return std::nullopt;
                                                      return approval_request(e);
                                                    }));
  templates.push_back(email<events::ContentPublished>(
      "content_published", "ContentPublished", [](const auto& e) -> std::optional<EmailDraft> {
        return EmailDraft{e.client_id(), "Your post is live",
                          fmt::format("Your post is published on {}.", e.platform())};
      }));
  templates.push_back(email<events::WebsitePhaseCompleted>(
      "website_phase", "WebsitePhaseCompleted", [](const auto& e) -> std::optional<EmailDraft> {
        if (e.next_phase().empty()) {
          return EmailDraft{e.client_id(), fmt::format("{} is live", e.name()),
                            fmt::format("Your website {} is launched.", e.name())};
        }
        return EmailDraft{e.client_id(), fmt::format("{}: {} done", e.name(), e.phase()),
                          fmt::format("The {} phase of {} is complete. Next: {}.\n\n{}", e.phase(),
                                      e.name(), e.next_phase(), e.note())};
      }));
  templates.push_back(email<events::WebsiteVersionTestingStarted>(
      "website_demo", "WebsiteVersionTestingStarted",
      [](const auto& e) -> std::optional<EmailDraft> {
        if (e.preview_url().empty()) return std::nullopt;
        return EmailDraft{
            e.client_id(),
            fmt::format("{}: version {} is ready to try", e.project_name(), e.version_number()),
            fmt::format("A demo of version {} of {} is ready: {}\n\nTry it and "
                        "approve it in your dashboard, or send us your feedback.",
                        e.version_number(), e.project_name(), e.preview_url())};
      }));
  templates.push_back(email<events::WebsiteVersionDeployed>(
      "website_deployed", "WebsiteVersionDeployed", [](const auto& e) -> std::optional<EmailDraft> {
        return EmailDraft{
            e.client_id(),
            fmt::format("{}: version {} is live", e.project_name(), e.version_number()),
            fmt::format("Version {} of {} is deployed at {}.", e.version_number(), e.project_name(),
                        e.deployment_url())};
      }));
  templates.push_back(email<events::SubscriptionActivated>(
      "subscription_activated", "SubscriptionActivated",
      [](const auto& e) -> std::optional<EmailDraft> {
        return EmailDraft{e.client_id(), fmt::format("Your {} subscription", e.plan()),
                          fmt::format("Your {} subscription is active: {} a month, next renewal "
                                      "{}.",
                                      e.plan(), money(e.price_minor()), e.renews_on())};
      }));
  templates.push_back(email<events::SubscriptionRenewalReminderDue>(
      "subscription_renewal", "SubscriptionRenewalReminderDue",
      [](const auto& e) -> std::optional<EmailDraft> {
        return EmailDraft{
            e.client_id(), "Your subscription renews soon",
            fmt::format("It renews {} for {}.", e.renews_on(), money(e.price_minor()))};
      }));
  templates.push_back(email<events::SubscriptionRenewed>(
      "subscription_renewed", "SubscriptionRenewed",
      [](const auto& e) -> std::optional<EmailDraft> {
        const std::string plan =
            e.plan().empty() ? "Your subscription" : "Your " + e.plan() + " subscription";
        std::string text = fmt::format("{} renewed until {}.", plan, e.next_renews_on());
        if (!e.invoice_id().empty()) {
          text += fmt::format(
              "\n\nIts invoice of {} is due {}: pay it from your wallet in your "
              "dashboard by then to keep your access.",
              money(e.price_minor()), e.invoice_due_date());
        } else if (!e.transaction_id().empty()) {
          text += fmt::format("\n\n{} was paid from your wallet.", money(e.price_minor()));
        }
        return EmailDraft{e.client_id(), fmt::format("{} renewed", plan), text};
      }));
  templates.push_back(email<events::SubscriptionCancelled>(
      "subscription_cancelled", "SubscriptionCancelled",
      [](const auto& e) -> std::optional<EmailDraft> {
        return EmailDraft{e.client_id(), "Subscription cancelled",
                          "Your subscription is cancelled. We hope to see you again."};
      }));
  templates.push_back(email<events::TaskAssigned>(
      "task_assigned", "TaskAssigned", [](const auto& e) -> std::optional<EmailDraft> {
        if (e.assigned_to() == e.assigned_by()) return std::nullopt;  // their own doing
        std::string text = fmt::format("A task was assigned to you: {}.", e.title());
        if (!e.description().empty()) text += "\n\n" + e.description();
        text += fmt::format("\n\nPriority: {}.", events::enum_name(e.priority()));
        if (!e.due_date().empty()) text += fmt::format(" Due {}.", e.due_date());
        return EmailDraft{e.assigned_to(), fmt::format("New task: {}", e.title()), text};
      }));
  templates.push_back(email<events::TaskCompleted>(
      "task_completed", "TaskCompleted", [](const auto& e) -> std::optional<EmailDraft> {
        if (e.created_by() == e.completed_by()) return std::nullopt;  // their own doing
        return EmailDraft{e.created_by(), fmt::format("Task done: {}", e.title()),
                          fmt::format("The task {} you asked for is done.", e.title())};
      }));
  templates.push_back(email<events::TaskOverdue>(
      "task_overdue", "TaskOverdue", [](const auto& e) -> std::optional<EmailDraft> {
        return EmailDraft{e.assigned_to(), fmt::format("Task overdue: {}", e.title()),
                          fmt::format("The task {} was due {} and is not done yet.\n\nFinish it "
                                      "or move its due date in your dashboard.",
                                      e.title(), e.due_date())};
      }));
  templates.push_back(email<events::MessageSent>(
      "message_received", "MessageSent", [](const auto& e) -> std::optional<EmailDraft> {
        return EmailDraft{e.recipient_id(), fmt::format("New message from {}", e.sender_name()),
                          fmt::format("{} wrote to you:\n\n{}\n\nRead and answer it in your "
                                      "dashboard.",
                                      e.sender_name(), text_preview(e.content(), 300))};
      }));
  // The client hears by email of what staff did on their ticket (not of their own doing).
  templates.push_back(email<events::TicketReplied>(
      "ticket_reply", "TicketReplied", [](const auto& e) -> std::optional<EmailDraft> {
        if (!domain::ticket_staff_role(e.author_role())) return std::nullopt;
        return EmailDraft{e.client_id(), fmt::format("Re: {}", e.subject()),
                          fmt::format("We replied to your support ticket {}:\n\n{}\n\nReply "
                                      "from your dashboard.",
                                      e.subject(), e.message())};
      }));
  templates.push_back(email<events::TicketStatusChanged>(
      "ticket_status_changed", "TicketStatusChanged",
      [](const auto& e) -> std::optional<EmailDraft> {
        if (!domain::ticket_staff_role(e.changer_role())) return std::nullopt;
        const std::string status = domain::ticket_status_words(e.to_status());
        std::string text = fmt::format("Your support ticket {} is now {}.", e.subject(), status);
        if (e.to_status() == events::TICKET_STATUS_RESOLVED) {
          text += "\n\nIf the problem is not solved, reopen it from your dashboard.";
        }
        return EmailDraft{e.client_id(), fmt::format("Ticket {}: {}", status, e.subject()), text};
      }));
  return templates;
}

}  // namespace

const std::vector<EmailTemplate>& email_templates() {
  static const std::vector<EmailTemplate> templates = build_templates();
  return templates;
}

std::string html_escape(std::string_view text) {
  std::string escaped;
  for (char c : text) {
    switch (c) {
      case '&':
        escaped += "&amp;";
        break;
      case '<':
        escaped += "&lt;";
        break;
      case '>':
        escaped += "&gt;";
        break;
      case '"':
        escaped += "&quot;";
        break;
      case '\'':
        escaped += "&#39;";
        break;
      default:
        escaped.push_back(c);
    }
  }
  return escaped;
}

std::string render_html(std::string_view text) {
  std::string html = "<!doctype html><html><body>";
  while (!text.empty()) {
    const auto blank = text.find("\n\n");
    html += "<p>" + html_escape(text.substr(0, blank)) + "</p>";
    if (blank == std::string_view::npos) break;
    text.remove_prefix(blank + 2);
  }
  return html + "</body></html>";
}

}  // namespace ledger::projections
