#include "projections/notification_rules.h"

#include <fmt/format.h>

#include "core/domain/event_decoder.h"
#include "core/domain/subscription.h"
#include "core/domain/support_ticket.h"
#include "core/money.h"
#include "events/campaign_events.pb.h"
#include "events/content_events.pb.h"
#include "events/course_events.pb.h"
#include "events/enum_names.h"
#include "events/invoice_events.pb.h"
#include "events/message_events.pb.h"
#include "events/redeem_code_events.pb.h"
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

// The start of a message or a reply as a notification shows it: its first words, on one line
// (projections/text_preview.h).
constexpr std::size_t kPreviewBytes = 100;
std::string preview(std::string_view text) { return text_preview(text, kPreviewBytes); }

// A ticket event is heard by the other side: staff hear of the client's doing, the client of
// staff's. Whoever did it never hears of it.
NotificationDraft to_other_side(const std::string& client_id, const std::string& service,
                                bool by_client, std::string type, std::string title,
                                std::string message, const std::string& ticket_id,
                                const std::string& actor) {
  return NotificationDraft{client_id,
                           service,
                           std::move(type),
                           std::move(title),
                           std::move(message),
                           "/support-tickets/" + ticket_id,
                           {by_client ? Audience::agents_else_admins : Audience::client},
                           {},
                           actor};
}

// A rule for events of type E with one wording for all its audiences: `make(event)` gives the
// draft or nullopt.
template <class E>
NotificationRule rule(std::string type,
                      std::function<std::optional<NotificationDraft>(const E&)> make) {
  return {std::move(type),
          [make = std::move(make)](
              const events::Envelope& event) -> Result<std::vector<NotificationDraft>> {
            auto decoded = domain::decode_event<E>(event);
            if (!decoded) return std::move(decoded).error();
            auto draft = make(*decoded);
            return draft ? std::vector<NotificationDraft>{std::move(*draft)}
                         : std::vector<NotificationDraft>{};
          }};
}

// A rule for events of type E with a wording per audience: `make(event)` gives one draft per
// wording (none: nobody is notified).
template <class E>
NotificationRule rule_per_audience(std::string type,
                                   std::function<std::vector<NotificationDraft>(const E&)> make) {
  return {std::move(type),
          [make = std::move(make)](
              const events::Envelope& event) -> Result<std::vector<NotificationDraft>> {
            auto decoded = domain::decode_event<E>(event);
            if (!decoded) return std::move(decoded).error();
            return make(*decoded);
          }};
}

using A = Audience;

// A post put up for the client's approval (scheduled at once, or a draft submitted).
template <class E>
NotificationDraft approval_request(const E& e) {
  return NotificationDraft{
      e.client_id(),
      "marketing",
      "content_scheduled",
      "A post awaits your approval",
      fmt::format("A post on {} for {} is scheduled; approve it to let it go out", e.platform(),
                  e.social_account()),
      "/content/" + e.content_id(),
      {A::client}};
}

// How a renewal was paid for, in the client's words (an event written before renewals named
// their plan or invoice says less).
std::string renewal_words(const events::SubscriptionRenewed& e) {
  const std::string plan = e.plan().empty() ? "Your subscription" : e.plan();
  if (!e.invoice_id().empty()) {
    return fmt::format("{} renewed until {}: its invoice of {} is due {}", plan, e.next_renews_on(),
                       money(e.price_minor()), e.invoice_due_date());
  }
  if (!e.transaction_id().empty()) {
    return fmt::format("{} renewed until {}: {} paid from your wallet", plan, e.next_renews_on(),
                       money(e.price_minor()));
  }
  return fmt::format("{} renewed until {}", plan, e.next_renews_on());
}

// One rule per entry, laid out by hand.
// clang-format off
std::vector<NotificationRule> build_rules() {
  std::vector<NotificationRule> rules;
  rules.push_back(rule<events::UserRegistered>(
      "UserRegistered", [](const auto& e) -> std::optional<NotificationDraft> {
        if (e.role() != "client") return std::nullopt;
        return NotificationDraft{e.user_id(), "", "client_registered", "New client",
                                 fmt::format("{} ({}) joined", e.name(), e.email()),
                                 "/admin/users/" + e.user_id(), {A::admins}};
      }));
  rules.push_back(rule_per_audience<events::AgentAssigned>(
      "AgentAssigned", [](const auto& e) -> std::vector<NotificationDraft> {
        return {{e.client_id(), e.service(), "agent_assigned",
                 fmt::format("Your {} agent", e.service()),
                 fmt::format("An agent now takes care of your {}", e.service()), "/services",
                 {A::client}},
                {e.client_id(), e.service(), "agent_assigned",
                 fmt::format("New {} client", e.service()),
                 fmt::format("A client was assigned to you for {}", e.service()), "/services",
                 {A::agent}}};
      }));
  rules.push_back(rule<events::ServiceActivated>(
      "ServiceActivated", [](const auto& e) -> std::optional<NotificationDraft> {
        return NotificationDraft{e.client_id(), e.service(), "service_activated",
                                 fmt::format("{} activated", e.service()),
                                 fmt::format("The {} service is active", e.service()),
                                 "/services", {A::client, A::agent, A::admins}};
      }));
  rules.push_back(rule<events::TopUpRequested>(
      "TopUpRequested", [](const auto& e) -> std::optional<NotificationDraft> {
        if (!e.auto_recharge()) return std::nullopt;
        return NotificationDraft{e.user_id(), "", "low_balance", "Low balance: auto-recharge",
                                 fmt::format("Your balance fell below your threshold; a top-up "
                                             "of {} was requested",
                                             money(e.amount_minor())),
                                 "/wallet", {A::client}};
      }));
  rules.push_back(rule<events::TopUpConfirmed>(
      "TopUpConfirmed", [](const auto& e) -> std::optional<NotificationDraft> {
        return NotificationDraft{e.user_id(), "", "payment_received", "Top-up confirmed",
                                 fmt::format("{} was added to your wallet", money(e.amount_minor())),
                                 "/wallet", {A::client}};
      }));
  rules.push_back(rule<events::TopUpFailed>(
      "TopUpFailed", [](const auto& e) -> std::optional<NotificationDraft> {
        return NotificationDraft{e.user_id(), "", "payment_failed", "Top-up failed", e.reason(),
                                 "/wallet", {A::client}};
      }));
  rules.push_back(rule<events::WalletDebited>(
      "WalletDebited", [](const auto& e) -> std::optional<NotificationDraft> {
        if (e.source() != "payment") return std::nullopt;  // others have their own rules
        return NotificationDraft{e.user_id(), e.paid_for_service(), "payment",
                                 "Payment made",
                                 fmt::format("You paid {} for {}", money(e.amount_minor()),
                                             e.paid_for_service()),
                                 "/wallet", {A::client}};
      }));
  rules.push_back(rule<events::RedeemCodeRedeemed>(
      "RedeemCodeRedeemed", [](const auto& e) -> std::optional<NotificationDraft> {
        return NotificationDraft{e.user_id(), "", "redeem_code", "Code redeemed",
                                 fmt::format("Code {} added {} to your wallet", e.code(),
                                             money(e.amount_minor())),
                                 "/wallet", {A::client}};
      }));
  rules.push_back(rule_per_audience<events::CoursePurchased>(
      "CoursePurchased", [](const auto& e) -> std::vector<NotificationDraft> {
        const std::string link = "/courses/" + e.course_id();
        if (e.status() == events::COURSE_PURCHASE_STATUS_PENDING) {
          return {{e.user_id(), "courses", "course_purchase_pending", "Purchase waiting for PayPal",
                   "Your course opens once PayPal confirms the payment", link, {A::client}}};
        }
        return {{e.user_id(), "courses", "course_enrolled", "Course purchased",
                 "You are enrolled: the course is open", link, {A::client}},
                {e.user_id(), "courses", "course_enrolled", "Course purchased",
                 "A client bought a course", link, {A::admins}}};
      }));
  rules.push_back(rule_per_audience<events::CoursePurchaseConfirmed>(
      "CoursePurchaseConfirmed", [](const auto& e) -> std::vector<NotificationDraft> {
        const std::string link = "/courses/" + e.course_id();
        return {{e.user_id(), "courses", "course_enrolled", "Course purchased",
                 "PayPal confirmed your payment: the course is open", link, {A::client}},
                {e.user_id(), "courses", "course_enrolled", "Course purchased",
                 "PayPal confirmed a client's payment for a course", link, {A::admins}}};
      }));
  rules.push_back(rule<events::CoursePurchaseFailed>(
      "CoursePurchaseFailed", [](const auto& e) -> std::optional<NotificationDraft> {
        return NotificationDraft{e.user_id(), "courses", "payment_failed", "Course payment failed",
                                 fmt::format("{}: you can buy the course again", e.reason()),
                                 "/courses/" + e.course_id(), {A::client}};
      }));
  rules.push_back(rule<events::CoursePurchaseCancelled>(
      "CoursePurchaseCancelled", [](const auto& e) -> std::optional<NotificationDraft> {
        const bool expired = e.reason() == "expired";
        return NotificationDraft{
            e.user_id(),
            "courses",
            "course_purchase_cancelled",
            expired ? "Course purchase expired" : "Course purchase cancelled",
            expired ? "PayPal did not confirm the payment within 24 hours: you can buy the course "
                      "again"
                    : "You cancelled the purchase: you can buy the course again",
            "/courses/" + e.course_id(),
            {A::client}};
      }));
  rules.push_back(rule<events::CoursePurchaseRefunded>(
      "CoursePurchaseRefunded", [](const auto& e) -> std::optional<NotificationDraft> {
        return NotificationDraft{e.user_id(), "courses", "course_refunded", "Course refunded",
                                 fmt::format("{} went back to your wallet", money(e.amount_minor())),
                                 "/wallet", {A::client}};
      }));
  rules.push_back(rule_per_audience<events::CourseFinished>(
      "CourseFinished", [](const auto& e) -> std::vector<NotificationDraft> {
        const std::string link = "/courses/" + e.course_id();
        return {{e.user_id(), "courses", "course_completed", "Course completed",
                 fmt::format("You finished {}: congratulations", e.course_title()), link,
                 {A::client}},
                {e.user_id(), "courses", "course_completed", "Course completed",
                 fmt::format("A client finished {}", e.course_title()), link, {A::admins}}};
      }));
  rules.push_back(rule_per_audience<events::CampaignStatusChanged>(
      "CampaignStatusChanged", [](const auto& e) -> std::vector<NotificationDraft> {
        const std::string change =
            fmt::format("Campaign {} went from {} to {}", e.name(),
                        events::enum_name(e.from_status()), events::enum_name(e.to_status()));
        const std::string held = money(e.held_minor());
        std::string to_client = change;
        std::string to_agent = change;
        if (e.to_status() == events::CAMPAIGN_STATUS_SCHEDULED && e.held_minor() > 0) {
          to_client += fmt::format("; {} of your wallet is reserved for it", held);
          to_agent += fmt::format("; {} of the client's wallet is reserved for it", held);
        } else if (e.held_minor() > 0) {
          to_client += fmt::format("; {} reserved for it is available again", held);
          to_agent += fmt::format("; {} reserved for it is available to the client again", held);
        }
        const std::string title = fmt::format("Campaign {}", events::enum_name(e.to_status()));
        const std::string link = "/campaigns/" + e.campaign_id();
        return {{e.client_id(), "marketing", "campaign_status", title, to_client, link, {A::client}},
                {e.client_id(), "marketing", "campaign_status", title, to_agent, link, {A::agent}}};
      }));
  rules.push_back(rule<events::ContentScheduled>(
      "ContentScheduled", [](const auto& e) -> std::optional<NotificationDraft> {
        if (e.draft()) return std::nullopt;  // the agent's own until submitted
        return approval_request(e);
      }));
  rules.push_back(rule<events::ContentUpdated>(
      "ContentUpdated", [](const auto& e) -> std::optional<NotificationDraft> {
        if (!e.submitted()) return std::nullopt;
        return approval_request(e);
      }));
  rules.push_back(rule<events::ContentApproved>(
      "ContentApproved", [](const auto& e) -> std::optional<NotificationDraft> {
        return NotificationDraft{e.client_id(), "marketing", "content_approved", "Post approved",
                                 "The client approved a scheduled post",
                                 "/content/" + e.content_id(), {A::agent}};
      }));
  rules.push_back(rule<events::ContentPublished>(
      "ContentPublished", [](const auto& e) -> std::optional<NotificationDraft> {
        return NotificationDraft{e.client_id(), "marketing", "content_posted", "Post published",
                                 fmt::format("Your post is live on {}", e.platform()),
                                 "/content/" + e.content_id(), {A::client}};
      }));
  rules.push_back(rule<events::ContentFailed>(
      "ContentFailed", [](const auto& e) -> std::optional<NotificationDraft> {
        return NotificationDraft{e.client_id(), "marketing", "content_failed",
                                 "Post not published",
                                 fmt::format("Attempt {} failed: {}", e.retry_count(), e.error()),
                                 "/content/" + e.content_id(), {A::agent}};
      }));
  rules.push_back(rule<events::ContentCancelled>(
      "ContentCancelled", [](const auto& e) -> std::optional<NotificationDraft> {
        if (e.cancelled_by() == e.client_id()) {
          return NotificationDraft{e.client_id(), "marketing", "content_cancelled",
                                   "Post cancelled", "The client cancelled a scheduled post",
                                   "/content/" + e.content_id(), {A::agent}};
        }
        return NotificationDraft{e.client_id(), "marketing", "content_cancelled",
                                 "Post cancelled", "A scheduled post was cancelled",
                                 "/content/" + e.content_id(), {A::client}};
      }));
  rules.push_back(rule<events::ContentRejected>(
      "ContentRejected", [](const auto& e) -> std::optional<NotificationDraft> {
        return NotificationDraft{e.client_id(), "marketing", "content_rejected", "Post rejected",
                                 fmt::format("Feedback: {}", preview(e.feedback())),
                                 "/content/" + e.content_id(), {A::agent}};
      }));
  rules.push_back(rule<events::WebsiteProjectCreated>(
      "WebsiteProjectCreated", [](const auto& e) -> std::optional<NotificationDraft> {
        return NotificationDraft{e.client_id(), "website", "website_project_created",
                                 "New website project",
                                 fmt::format("{} was started with the questionnaire", e.name()),
                                 "/website-projects/" + e.project_id(), {A::agent, A::admins}};
      }));
  rules.push_back(rule<events::WebsitePhaseCompleted>(
      "WebsitePhaseCompleted", [](const auto& e) -> std::optional<NotificationDraft> {
        return NotificationDraft{
            e.client_id(), "website", "website_phase_completed",
            e.next_phase().empty() ? "Your website is live" : "Website phase completed",
            e.next_phase().empty()
                ? fmt::format("{}: launched", e.name())
                : fmt::format("{}: {} is done; next is {}", e.name(), e.phase(), e.next_phase()),
            "/website-projects/" + e.project_id(), {A::client}};
      }));
  rules.push_back(rule<events::WebsiteVersionUploaded>(
      "WebsiteVersionUploaded", [](const auto& e) -> std::optional<NotificationDraft> {
        return NotificationDraft{e.client_id(), "website", "website_version_uploaded",
                                 "New website version",
                                 fmt::format("{}: version {} was uploaded", e.project_name(),
                                             e.version_number()),
                                 "/website-versions/" + e.version_id(),
                                 {A::client, A::admins}};
      }));
  rules.push_back(rule<events::WebsiteVersionTestingStarted>(
      "WebsiteVersionTestingStarted", [](const auto& e) -> std::optional<NotificationDraft> {
        return NotificationDraft{
            e.client_id(), "website", "website_version_testing", "Website version in testing",
            e.preview_url().empty()
                ? fmt::format("{}: version {} is being tested", e.project_name(),
                              e.version_number())
                : fmt::format("{}: version {} is ready to try at {}", e.project_name(),
                              e.version_number(), e.preview_url()),
            "/website-versions/" + e.version_id(), {A::client}};
      }));
  rules.push_back(rule<events::WebsiteVersionApproved>(
      "WebsiteVersionApproved", [](const auto& e) -> std::optional<NotificationDraft> {
        return NotificationDraft{e.client_id(), "website", "website_version_approved",
                                 "Website version approved",
                                 fmt::format("{}: version {} is approved for deployment",
                                             e.project_name(), e.version_number()),
                                 "/website-versions/" + e.version_id(), {A::agent, A::admins}};
      }));
  rules.push_back(rule<events::WebsiteVersionDeployed>(
      "WebsiteVersionDeployed", [](const auto& e) -> std::optional<NotificationDraft> {
        return NotificationDraft{e.client_id(), "website", "website_version_deployed",
                                 "Website version deployed",
                                 fmt::format("{}: version {} is live at {}", e.project_name(),
                                             e.version_number(), e.deployment_url()),
                                 "/website-versions/" + e.version_id(),
                                 {A::client, A::admins}};
      }));
  rules.push_back(rule<events::WebsiteVersionFeedbackAdded>(
      "WebsiteVersionFeedbackAdded", [](const auto& e) -> std::optional<NotificationDraft> {
        // The other side hears of it: the agent of the client's feedback, the client of anyone
        // else's.
        const bool from_client = e.author_id() == e.client_id();
        return NotificationDraft{e.client_id(), "website", "website_version_feedback",
                                 from_client ? "Feedback from the client" : "Feedback on your website",
                                 fmt::format("{} {}: {}", e.project_name(), e.version_number(),
                                             e.message()),
                                 "/website-versions/" + e.version_id(),
                                 {from_client ? A::agent : A::client}};
      }));
  rules.push_back(rule<events::InvoiceIssued>(
      "InvoiceIssued", [](const auto& e) -> std::optional<NotificationDraft> {
        return NotificationDraft{e.client_id(), e.service(), "invoice_created", "New invoice",
                                 fmt::format("Invoice of {} for {}, due {}",
                                             money(e.amount_minor()), e.service(), e.due_date()),
                                 "/invoices/" + e.invoice_id(), {A::client, A::agent}};
      }));
  rules.push_back(rule<events::InvoicePaid>(
      "InvoicePaid", [](const auto& e) -> std::optional<NotificationDraft> {
        return NotificationDraft{e.client_id(), "", "invoice_paid", "Invoice paid",
                                 fmt::format("Invoice {} ({}) is paid", e.invoice_id(),
                                             money(e.amount_minor())),
                                 "/invoices/" + e.invoice_id(), {A::client, A::admins}};
      }));
  rules.push_back(rule<events::InvoiceReminderDue>(
      "InvoiceReminderDue", [](const auto& e) -> std::optional<NotificationDraft> {
        return NotificationDraft{e.client_id(), "", "invoice_reminder", "Invoice due soon",
                                 fmt::format("Invoice {} ({}) is due {}", e.invoice_id(),
                                             money(e.amount_minor()), e.due_date()),
                                 "/invoices/" + e.invoice_id(), {A::client}};
      }));
  rules.push_back(rule<events::InvoiceOverdue>(
      "InvoiceOverdue", [](const auto& e) -> std::optional<NotificationDraft> {
        return NotificationDraft{e.client_id(), "", "invoice_overdue", "Invoice overdue",
                                 fmt::format("Invoice {} ({}) was due {}", e.invoice_id(),
                                             money(e.amount_minor()), e.due_date()),
                                 "/invoices/" + e.invoice_id(), {A::client, A::admins}};
      }));
  rules.push_back(rule<events::SubscriptionActivated>(
      "SubscriptionActivated", [](const auto& e) -> std::optional<NotificationDraft> {
        return NotificationDraft{e.client_id(), e.service(), "subscription_activated",
                                 "Subscription active",
                                 fmt::format("{} ({} a month), renews {}", e.plan(),
                                             money(e.price_minor()), e.renews_on()),
                                 "/subscriptions", {A::client, A::agent}};
      }));
  rules.push_back(rule<events::SubscriptionRenewalReminderDue>(
      "SubscriptionRenewalReminderDue", [](const auto& e) -> std::optional<NotificationDraft> {
        return NotificationDraft{e.client_id(), "", "subscription_renewal", "Renewal soon",
                                 fmt::format("Your subscription renews {} for {}", e.renews_on(),
                                             money(e.price_minor())),
                                 "/subscriptions", {A::client}};
      }));
  rules.push_back(rule<events::SubscriptionRenewed>(
      "SubscriptionRenewed", [](const auto& e) -> std::optional<NotificationDraft> {
        return NotificationDraft{e.client_id(), e.service(), "subscription_renewed",
                                 "Subscription renewed", renewal_words(e), "/subscriptions",
                                 {A::client}};
      }));
  rules.push_back(rule_per_audience<events::SubscriptionRenewalFailed>(
      "SubscriptionRenewalFailed", [](const auto& e) -> std::vector<NotificationDraft> {
        if (e.reason() == "invoice_unpaid") {
          return {{e.client_id(), "", "subscription_past_due", "Renewal not paid",
                   fmt::format("The invoice of the renewal on {} was not paid within {} days: "
                               "your subscription is paused until it is paid",
                               e.renews_on(), domain::kSubscriptionInvoiceGraceDays),
                   "/invoices/" + e.invoice_id(), {A::client}},
                  {e.client_id(), "", "subscription_past_due", "Renewal not paid",
                   "A client's subscription renewal invoice was not paid within the grace period",
                   "/subscriptions", {A::admins}}};
        }
        return {{e.client_id(), "", "subscription_past_due", "Renewal not paid",
                 "Your wallet could not pay the renewal; top up to keep it", "/wallet",
                 {A::client}},
                {e.client_id(), "", "subscription_past_due", "Renewal not paid",
                 "A client's wallet could not pay a subscription renewal", "/subscriptions",
                 {A::admins}}};
      }));
  rules.push_back(rule_per_audience<events::SubscriptionRenewalSettled>(
      "SubscriptionRenewalSettled", [](const auto& e) -> std::vector<NotificationDraft> {
        // A renewal paid in time changes nothing the client does not know from InvoicePaid.
        if (!e.reinstated()) return {};
        const std::string how = e.settlement() == "voided" ? "was waived" : "is paid";
        return {{e.client_id(), "", "subscription_reinstated", "Subscription active again",
                 fmt::format("{} is active again: the invoice of the renewal on {} {}",
                             e.plan().empty() ? "Your subscription" : e.plan(), e.renewed_on(),
                             how),
                 "/subscriptions", {A::client}},
                {e.client_id(), "", "subscription_reinstated", "Subscription active again",
                 fmt::format("A client's past-due subscription is active again: the invoice "
                             "of the renewal on {} {}",
                             e.renewed_on(), how),
                 "/subscriptions", {A::admins}}};
      }));
  rules.push_back(rule<events::SubscriptionCancelled>(
      "SubscriptionCancelled", [](const auto& e) -> std::optional<NotificationDraft> {
        return NotificationDraft{e.client_id(), "", "subscription_cancelled",
                                 "Subscription cancelled", e.reason(), "/subscriptions",
                                 {A::client, A::admins}};
      }));
  rules.push_back(rule<events::TaskAssigned>(
      "TaskAssigned", [](const auto& e) -> std::optional<NotificationDraft> {
        return NotificationDraft{e.client_id(), e.service(), "task_assigned", "New task",
                                 e.due_date().empty()
                                     ? fmt::format("{} was assigned to you", e.title())
                                     : fmt::format("{} was assigned to you, due {}", e.title(),
                                                   e.due_date()),
                                 "/tasks/" + e.task_id(), {A::users}, {e.assigned_to()},
                                 e.assigned_by()};
      }));
  rules.push_back(rule<events::TaskCompleted>(
      "TaskCompleted", [](const auto& e) -> std::optional<NotificationDraft> {
        // Who asked for it, and the agent who looks after the client for the task's service.
        return NotificationDraft{e.client_id(), e.service(), "task_completed", "Task completed",
                                 fmt::format("The task {} is done", e.title()),
                                 "/tasks/" + e.task_id(), {A::users, A::agent}, {e.created_by()},
                                 e.completed_by()};
      }));
  rules.push_back(rule<events::TaskOverdue>(
      "TaskOverdue", [](const auto& e) -> std::optional<NotificationDraft> {
        return NotificationDraft{e.client_id(), e.service(), "task_overdue", "Task overdue",
                                 fmt::format("The task {} was due {} and is not done yet",
                                             e.title(), e.due_date()),
                                 "/tasks/" + e.task_id(), {A::users}, {e.assigned_to()}, ""};
      }));
  rules.push_back(rule<events::CampaignMetricsUpdated>(
      "CampaignMetricsUpdated", [](const auto& e) -> std::optional<NotificationDraft> {
        const std::string name = e.name().empty() ? "Your campaign" : e.name();
        return NotificationDraft{e.client_id(), "marketing", "performance_update",
                                 "Campaign performance",
                                 fmt::format("{} reached {} people with {} engagements; {} spent "
                                             "so far",
                                             name, e.reach(), e.engagement(),
                                             money(e.spend_minor())),
                                 "/campaigns/" + e.campaign_id(), {A::client}, {},
                                 e.updated_by()};
      }));
  rules.push_back(rule<events::MessageSent>(
      "MessageSent", [](const auto& e) -> std::optional<NotificationDraft> {
        return NotificationDraft{e.client_id(), e.service(), "message_received", "New message",
                                 fmt::format("{}: {}", e.sender_name(),
                                             preview(e.content())),
                                 "/messages?with=" + e.sender_id(), {A::users},
                                 {e.recipient_id()}, e.sender_id()};
      }));
  rules.push_back(rule<events::TicketOpened>(
      "TicketOpened", [](const auto& e) -> std::optional<NotificationDraft> {
        return to_other_side(e.client_id(), e.service(), true, "ticket_opened",
                             "New support ticket",
                             fmt::format("A client opened a {} priority ticket: {}",
                                         events::enum_name(e.priority()), e.subject()),
                             e.ticket_id(), e.client_id());
      }));
  rules.push_back(rule<events::TicketReplied>(
      "TicketReplied", [](const auto& e) -> std::optional<NotificationDraft> {
        const bool by_client = !domain::ticket_staff_role(e.author_role());
        return to_other_side(e.client_id(), e.service(), by_client, "ticket_reply",
                             by_client ? "New reply on a ticket" : "New reply to your ticket",
                             by_client ? fmt::format("The client replied on {}: {}", e.subject(),
                                                     preview(e.message()))
                                       : fmt::format("{}: {}", e.subject(), preview(e.message())),
                             e.ticket_id(), e.author_id());
      }));
  rules.push_back(rule<events::TicketStatusChanged>(
      "TicketStatusChanged", [](const auto& e) -> std::optional<NotificationDraft> {
        const bool by_client = !domain::ticket_staff_role(e.changer_role());
        return to_other_side(e.client_id(), e.service(), by_client, "ticket_status_changed",
                             "Ticket status changed",
                             by_client ? fmt::format("The client moved the ticket {} from {} to {}",
                                                     e.subject(),
                                                     domain::ticket_status_words(e.from_status()),
                                                     domain::ticket_status_words(e.to_status()))
                                       : fmt::format("Your ticket {} is now {}", e.subject(),
                                                     domain::ticket_status_words(e.to_status())),
                             e.ticket_id(), e.changed_by());
      }));
  return rules;
}
// clang-format on

}  // namespace

const std::vector<NotificationRule>& notification_rules() {
  static const std::vector<NotificationRule> rules = build_rules();
  return rules;
}
// clang-format on

Result<std::vector<NotificationDraft>> notifications_for(const events::Envelope& event) {
  std::vector<NotificationDraft> drafts;
  for (const auto& rule : notification_rules()) {
    if (rule.event_type != event.event_type()) continue;
    auto made = rule.make(event);
    if (!made) return std::move(made).error();
    for (auto& draft : *made) drafts.push_back(std::move(draft));
  }
  return drafts;
}

}  // namespace ledger::projections
