// Every notification rule and every email template, one example event each: the right people,
// the right words. A rule or template without an example here fails the coverage check, so a new
// one cannot be added untested.
#include <doctest/doctest.h>
#include <google/protobuf/message.h>
#include <google/protobuf/text_format.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <set>

#include "core/domain/upcasters.h"
#include "events/event_types.h"
#include "projections/email_templates.h"
#include "projections/notification_categories.h"
#include "projections/notification_rules.h"
#include "tests/support/email_examples.h"

namespace ledger {
namespace {

using projections::Audience;
using testing::email_examples;

events::Envelope envelope(const std::string& type, const std::string& text) {
  const auto* descriptor = events::find_event_descriptor(type);
  REQUIRE_MESSAGE(descriptor != nullptr, type);
  std::unique_ptr<google::protobuf::Message> message(
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(descriptor)->New());
  REQUIRE_MESSAGE(google::protobuf::TextFormat::ParseFromString(text, message.get()), text);
  events::Envelope event;
  event.set_event_type(type);
  event.set_schema_version(domain::current_schema_version(type));
  event.set_payload(message->SerializeAsString());
  return event;
}

struct Expected {
  std::string type;
  std::string client_id;
  std::string service;  // whose agent, for the agent audience
  std::string title;
  std::string message;
  std::string link;
  std::vector<Audience> audiences;
  std::vector<std::string> user_ids = {};  // Audience::users
  std::string except_user_id = {};
};

struct RuleExample {
  std::string event_type;
  std::string payload;             // protobuf text format
  std::vector<Expected> expected;  // empty: this event notifies nobody
};

// One example per entry, laid out by hand.
// clang-format off
const std::vector<RuleExample>& rule_examples() {
  static const std::vector<RuleExample> examples = {
      {"UserRegistered",
       R"(user_id: "c1" role: "client" name: "Ann" email: "ann@x.com")",
       {{"client_registered",
         "c1",
         "",
         "New client",
         "Ann (ann@x.com) joined",
         "/admin/users/c1",
         {Audience::admins}}}},
      {"UserRegistered", R"(user_id: "a1" role: "agent" name: "Al" email: "al@x.com")", {}},
      {"AgentAssigned",
       R"(client_id: "c1" service: "website" agent_id: "a1")",
       {{"agent_assigned",
         "c1",
         "website",
         "Your website agent",
         "An agent now takes care of your website",
         "/services",
         {Audience::client}},
        {"agent_assigned",
         "c1",
         "website",
         "New website client",
         "A client was assigned to you for website",
         "/services",
         {Audience::agent}}}},
      {"ServiceActivated",
       R"(client_id: "c1" service: "marketing")",
       {{"service_activated",
         "c1",
         "marketing",
         "marketing activated",
         "The marketing service is active",
         "/services",
         {Audience::client, Audience::agent, Audience::admins}}}},
      {"TopUpRequested",
       R"(user_id: "c1" amount_minor: 2500 auto_recharge: true)",
       {{"low_balance",
         "c1",
         "",
         "Low balance: auto-recharge",
         "Your balance fell below your threshold; a top-up of $25.00 was requested",
         "/wallet",
         {Audience::client}}}},
      {"TopUpRequested", R"(user_id: "c1" amount_minor: 2500)", {}},
      {"TopUpConfirmed",
       R"(user_id: "c1" amount_minor: 4000)",
       {{"payment_received",
         "c1",
         "",
         "Top-up confirmed",
         "$40.00 was added to your wallet",
         "/wallet",
         {Audience::client}}}},
      {"TopUpFailed",
       R"(user_id: "c1" reason: "card declined")",
       {{"payment_failed",
         "c1",
         "",
         "Top-up failed",
         "card declined",
         "/wallet",
         {Audience::client}}}},
      {"WalletDebited",
       R"(user_id: "c1" source: "payment" paid_for_service: "website" amount_minor: 1500)",
       {{"payment",
         "c1",
         "website",
         "Payment made",
         "You paid $15.00 for website",
         "/wallet",
         {Audience::client}}}},
      {"WalletDebited", R"(user_id: "c1" source: "invoice" amount_minor: 1500)", {}},
      {"RedeemCodeRedeemed",
       R"(user_id: "c1" code: "ABCD-2345" amount_minor: 1000)",
       {{"redeem_code",
         "c1",
         "",
         "Code redeemed",
         "Code ABCD-2345 added $10.00 to your wallet",
         "/wallet",
         {Audience::client}}}},
      {"CoursePurchased",
       R"(user_id: "c1" course_id: "k1" status: COURSE_PURCHASE_STATUS_COMPLETED)",
       {{"course_enrolled",
         "c1",
         "courses",
         "Course purchased",
         "You are enrolled: the course is open",
         "/courses/k1",
         {Audience::client}},
        {"course_enrolled",
         "c1",
         "courses",
         "Course purchased",
         "A client bought a course",
         "/courses/k1",
         {Audience::admins}}}},
      {"CoursePurchased",
       R"(user_id: "c1" course_id: "k1" status: COURSE_PURCHASE_STATUS_PENDING)",
       {{"course_purchase_pending",
         "c1",
         "courses",
         "Purchase waiting for PayPal",
         "Your course opens once PayPal confirms the payment",
         "/courses/k1",
         {Audience::client}}}},
      {"CoursePurchaseConfirmed",
       R"(user_id: "c1" course_id: "k1")",
       {{"course_enrolled",
         "c1",
         "courses",
         "Course purchased",
         "PayPal confirmed your payment: the course is open",
         "/courses/k1",
         {Audience::client}},
        {"course_enrolled",
         "c1",
         "courses",
         "Course purchased",
         "PayPal confirmed a client's payment for a course",
         "/courses/k1",
         {Audience::admins}}}},
      {"CoursePurchaseFailed",
       R"(user_id: "c1" course_id: "k1" reason: "card declined")",
       {{"payment_failed",
         "c1",
         "courses",
         "Course payment failed",
         "card declined: you can buy the course again",
         "/courses/k1",
         {Audience::client}}}},
      {"CoursePurchaseCancelled",
       R"(user_id: "c1" course_id: "k1" cancelled_by: "c1" reason: "client")",
       {{"course_purchase_cancelled",
         "c1",
         "courses",
         "Course purchase cancelled",
         "You cancelled the purchase: you can buy the course again",
         "/courses/k1",
         {Audience::client}}}},
      {"CoursePurchaseCancelled",
       R"(user_id: "c1" course_id: "k1" cancelled_by: "system" reason: "expired")",
       {{"course_purchase_cancelled",
         "c1",
         "courses",
         "Course purchase expired",
         "PayPal did not confirm the payment within 24 hours: you can buy the course again",
         "/courses/k1",
         {Audience::client}}}},
      {"CoursePurchaseRefunded",
       R"(user_id: "c1" amount_minor: 4900)",
       {{"course_refunded",
         "c1",
         "courses",
         "Course refunded",
         "$49.00 went back to your wallet",
         "/wallet",
         {Audience::client}}}},
      {"CourseFinished",
       R"(user_id: "c1" course_id: "k1" course_title: "SEO 101")",
       {{"course_completed",
         "c1",
         "courses",
         "Course completed",
         "You finished SEO 101: congratulations",
         "/courses/k1",
         {Audience::client}},
        {"course_completed",
         "c1",
         "courses",
         "Course completed",
         "A client finished SEO 101",
         "/courses/k1",
         {Audience::admins}}}},
      {"CampaignStatusChanged",
       R"(client_id: "c1" campaign_id: "k9" name: "Winter" from_status: CAMPAIGN_STATUS_DRAFT to_status: CAMPAIGN_STATUS_SCHEDULED held_minor: 6000)",
       {{"campaign_status",
         "c1",
         "marketing",
         "Campaign scheduled",
         "Campaign Winter went from draft to scheduled; $60.00 of your wallet is reserved for it",
         "/campaigns/k9",
         {Audience::client}},
        {"campaign_status",
         "c1",
         "marketing",
         "Campaign scheduled",
         "Campaign Winter went from draft to scheduled; $60.00 of the client's wallet is "
         "reserved for it",
         "/campaigns/k9",
         {Audience::agent}}}},
      {"CampaignStatusChanged",
       R"(client_id: "c1" campaign_id: "k9" name: "Winter" from_status: CAMPAIGN_STATUS_ACTIVE to_status: CAMPAIGN_STATUS_COMPLETED held_minor: 500)",
       {{"campaign_status",
         "c1",
         "marketing",
         "Campaign completed",
         "Campaign Winter went from active to completed; $5.00 reserved for it is available again",
         "/campaigns/k9",
         {Audience::client}},
        {"campaign_status",
         "c1",
         "marketing",
         "Campaign completed",
         "Campaign Winter went from active to completed; $5.00 reserved for it is available to "
         "the client again",
         "/campaigns/k9",
         {Audience::agent}}}},
      {"ContentScheduled",
       R"(client_id: "c1" content_id: "p1" platform: "instagram" social_account: "@shop")",
       {{"content_scheduled",
         "c1",
         "marketing",
         "A post awaits your approval",
         "A post on instagram for @shop is scheduled; approve it to let it go out",
         "/content/p1",
         {Audience::client}}}},
      {"ContentScheduled",
       R"(client_id: "c1" content_id: "p1" platform: "instagram" draft: true)",
       {}},
      {"ContentUpdated",
       R"(client_id: "c1" content_id: "p1" platform: "x" social_account: "@shop" submitted: true)",
       {{"content_scheduled",
         "c1",
         "marketing",
         "A post awaits your approval",
         "A post on x for @shop is scheduled; approve it to let it go out",
         "/content/p1",
         {Audience::client}}}},
      {"ContentUpdated",
       R"(client_id: "c1" content_id: "p1" platform: "x" caption: "new")",
       {}},
      {"ContentApproved",
       R"(client_id: "c1" content_id: "p1")",
       {{"content_approved",
         "c1",
         "marketing",
         "Post approved",
         "The client approved a scheduled post",
         "/content/p1",
         {Audience::agent}}}},
      {"ContentPublished",
       R"(client_id: "c1" content_id: "p1" platform: "tiktok")",
       {{"content_posted",
         "c1",
         "marketing",
         "Post published",
         "Your post is live on tiktok",
         "/content/p1",
         {Audience::client}}}},
      {"ContentFailed",
       R"(client_id: "c1" content_id: "p1" retry_count: 2 error: "timeout")",
       {{"content_failed",
         "c1",
         "marketing",
         "Post not published",
         "Attempt 2 failed: timeout",
         "/content/p1",
         {Audience::agent}}}},
      {"ContentCancelled",
       R"(client_id: "c1" content_id: "p1" cancelled_by: "c1")",
       {{"content_cancelled",
         "c1",
         "marketing",
         "Post cancelled",
         "The client cancelled a scheduled post",
         "/content/p1",
         {Audience::agent}}}},
      {"ContentRejected",
       R"(client_id: "c1" content_id: "p1" feedback: "Use the\nblue logo")",
       {{"content_rejected",
         "c1",
         "marketing",
         "Post rejected",
         "Feedback: Use the blue logo",
         "/content/p1",
         {Audience::agent}}}},
      {"ContentCancelled",
       R"(client_id: "c1" content_id: "p1" cancelled_by: "a1")",
       {{"content_cancelled",
         "c1",
         "marketing",
         "Post cancelled",
         "A scheduled post was cancelled",
         "/content/p1",
         {Audience::client}}}},
      {"WebsiteProjectCreated",
       R"(client_id: "c1" project_id: "w1" name: "Shop site")",
       {{"website_project_created",
         "c1",
         "website",
         "New website project",
         "Shop site was started with the questionnaire",
         "/website-projects/w1",
         {Audience::agent, Audience::admins}}}},
      {"WebsitePhaseCompleted",
       R"(client_id: "c1" project_id: "w1" name: "Shop site" phase: "design" next_phase: "content")",
       {{"website_phase_completed",
         "c1",
         "website",
         "Website phase completed",
         "Shop site: design is done; next is content",
         "/website-projects/w1",
         {Audience::client}}}},
      {"WebsitePhaseCompleted",
       R"(client_id: "c1" project_id: "w1" name: "Shop site" phase: "launch")",
       {{"website_phase_completed",
         "c1",
         "website",
         "Your website is live",
         "Shop site: launched",
         "/website-projects/w1",
         {Audience::client}}}},
      {"WebsiteVersionUploaded",
       R"(client_id: "c1" version_id: "v1" project_name: "Shop" version_number: "1.0")",
       {{"website_version_uploaded",
         "c1",
         "website",
         "New website version",
         "Shop: version 1.0 was uploaded",
         "/website-versions/v1",
         {Audience::client, Audience::admins}}}},
      {"WebsiteVersionTestingStarted",
       R"(client_id: "c1" version_id: "v1" project_name: "Shop" version_number: "1.0")",
       {{"website_version_testing",
         "c1",
         "website",
         "Website version in testing",
         "Shop: version 1.0 is being tested",
         "/website-versions/v1",
         {Audience::client}}}},
      {"WebsiteVersionTestingStarted",
       R"(client_id: "c1" version_id: "v1" project_name: "Shop" version_number: "1.0" preview_url: "https://demo.example.com")",
       {{"website_version_testing",
         "c1",
         "website",
         "Website version in testing",
         "Shop: version 1.0 is ready to try at https://demo.example.com",
         "/website-versions/v1",
         {Audience::client}}}},
      {"WebsiteVersionApproved",
       R"(client_id: "c1" version_id: "v1" project_name: "Shop" version_number: "1.0")",
       {{"website_version_approved",
         "c1",
         "website",
         "Website version approved",
         "Shop: version 1.0 is approved for deployment",
         "/website-versions/v1",
         {Audience::agent, Audience::admins}}}},
      {"WebsiteVersionDeployed",
       R"(client_id: "c1" version_id: "v1" project_name: "Shop" version_number: "1.0" deployment_url: "https://shop.example.com")",
       {{"website_version_deployed",
         "c1",
         "website",
         "Website version deployed",
         "Shop: version 1.0 is live at https://shop.example.com",
         "/website-versions/v1",
         {Audience::client, Audience::admins}}}},
      {"WebsiteVersionFeedbackAdded",
       R"(client_id: "c1" author_id: "c1" version_id: "v1" project_name: "Shop" version_number: "1.0" message: "Bigger logo")",
       {{"website_version_feedback",
         "c1",
         "website",
         "Feedback from the client",
         "Shop 1.0: Bigger logo",
         "/website-versions/v1",
         {Audience::agent}}}},
      {"WebsiteVersionFeedbackAdded",
       R"(client_id: "c1" author_id: "a1" version_id: "v1" project_name: "Shop" version_number: "1.0" message: "Done")",
       {{"website_version_feedback",
         "c1",
         "website",
         "Feedback on your website",
         "Shop 1.0: Done",
         "/website-versions/v1",
         {Audience::client}}}},
      {"InvoiceIssued",
       R"(client_id: "c1" invoice_id: "i1" service: "website" amount_minor: 30000 due_date: "2026-12-01")",
       {{"invoice_created",
         "c1",
         "website",
         "New invoice",
         "Invoice of $300.00 for website, due 2026-12-01",
         "/invoices/i1",
         {Audience::client, Audience::agent}}}},
      {"InvoicePaid",
       R"(client_id: "c1" invoice_id: "i1" amount_minor: 30000)",
       {{"invoice_paid",
         "c1",
         "",
         "Invoice paid",
         "Invoice i1 ($300.00) is paid",
         "/invoices/i1",
         {Audience::client, Audience::admins}}}},
      {"InvoiceReminderDue",
       R"(client_id: "c1" invoice_id: "i1" amount_minor: 30000 due_date: "2026-12-01")",
       {{"invoice_reminder",
         "c1",
         "",
         "Invoice due soon",
         "Invoice i1 ($300.00) is due 2026-12-01",
         "/invoices/i1",
         {Audience::client}}}},
      {"InvoiceOverdue",
       R"(client_id: "c1" invoice_id: "i1" amount_minor: 30000 due_date: "2026-12-01")",
       {{"invoice_overdue",
         "c1",
         "",
         "Invoice overdue",
         "Invoice i1 ($300.00) was due 2026-12-01",
         "/invoices/i1",
         {Audience::client, Audience::admins}}}},
      {"SubscriptionActivated",
       R"(client_id: "c1" service: "marketing" plan: "Growth" price_minor: 9900 renews_on: "2026-12-24")",
       {{"subscription_activated",
         "c1",
         "marketing",
         "Subscription active",
         "Growth ($99.00 a month), renews 2026-12-24",
         "/subscriptions",
         {Audience::client, Audience::agent}}}},
      {"SubscriptionRenewalReminderDue",
       R"(client_id: "c1" price_minor: 9900 renews_on: "2026-12-24")",
       {{"subscription_renewal",
         "c1",
         "",
         "Renewal soon",
         "Your subscription renews 2026-12-24 for $99.00",
         "/subscriptions",
         {Audience::client}}}},
      {"SubscriptionRenewed",
       R"(client_id: "c1" service: "marketing" plan: "Growth" renewed_on: "2026-12-24" next_renews_on: "2027-01-24" price_minor: 9900 transaction_id: "t1")",
       {{"subscription_renewed",
         "c1",
         "marketing",
         "Subscription renewed",
         "Growth renewed until 2027-01-24: $99.00 paid from your wallet",
         "/subscriptions",
         {Audience::client}}}},
      {"SubscriptionRenewed",
       R"(client_id: "c1" service: "website" plan: "Care" renewed_on: "2026-12-24" next_renews_on: "2027-01-24" price_minor: 4900 invoice_id: "i1" invoice_due_date: "2026-12-31")",
       {{"subscription_renewed",
         "c1",
         "website",
         "Subscription renewed",
         "Care renewed until 2027-01-24: its invoice of $49.00 is due 2026-12-31",
         "/subscriptions",
         {Audience::client}}}},
      {"SubscriptionRenewed",
       R"(client_id: "c1" renewed_on: "2026-12-24" next_renews_on: "2027-01-24" price_minor: 4900)",
       {{"subscription_renewed",
         "c1",
         "",
         "Subscription renewed",
         "Your subscription renewed until 2027-01-24",
         "/subscriptions",
         {Audience::client}}}},
      {"SubscriptionRenewalFailed",
       R"(client_id: "c1" renews_on: "2026-12-24" reason: "invoice_unpaid" invoice_id: "i1")",
       {{"subscription_past_due",
         "c1",
         "",
         "Renewal not paid",
         "The invoice of the renewal on 2026-12-24 was not paid within 7 days: your "
         "subscription is paused until it is paid",
         "/invoices/i1",
         {Audience::client}},
        {"subscription_past_due",
         "c1",
         "",
         "Renewal not paid",
         "A client's subscription renewal invoice was not paid within the grace period",
         "/subscriptions",
         {Audience::admins}}}},
      {"SubscriptionRenewalSettled",
       R"(client_id: "c1" invoice_id: "i1" renewed_on: "2026-12-24" settlement: "paid" reinstated: true plan: "Growth")",
       {{"subscription_reinstated",
         "c1",
         "",
         "Subscription active again",
         "Growth is active again: the invoice of the renewal on 2026-12-24 is paid",
         "/subscriptions",
         {Audience::client}},
        {"subscription_reinstated",
         "c1",
         "",
         "Subscription active again",
         "A client's past-due subscription is active again: the invoice of the renewal on "
         "2026-12-24 is paid",
         "/subscriptions",
         {Audience::admins}}}},
      {"SubscriptionRenewalSettled",
       R"(client_id: "c1" invoice_id: "i1" renewed_on: "2026-12-24" settlement: "voided" reinstated: true)",
       {{"subscription_reinstated",
         "c1",
         "",
         "Subscription active again",
         "Your subscription is active again: the invoice of the renewal on 2026-12-24 was waived",
         "/subscriptions",
         {Audience::client}},
        {"subscription_reinstated",
         "c1",
         "",
         "Subscription active again",
         "A client's past-due subscription is active again: the invoice of the renewal on "
         "2026-12-24 was waived",
         "/subscriptions",
         {Audience::admins}}}},
      {"SubscriptionRenewalSettled",
       R"(client_id: "c1" invoice_id: "i1" settlement: "paid" reinstated: false)",
       {}},
      {"SubscriptionRenewalFailed",
       R"(client_id: "c1")",
       {{"subscription_past_due",
         "c1",
         "",
         "Renewal not paid",
         "Your wallet could not pay the renewal; top up to keep it",
         "/wallet",
         {Audience::client}},
        {"subscription_past_due",
         "c1",
         "",
         "Renewal not paid",
         "A client's wallet could not pay a subscription renewal",
         "/subscriptions",
         {Audience::admins}}}},
      {"SubscriptionCancelled",
       R"(client_id: "c1" reason: "moving on")",
       {{"subscription_cancelled",
         "c1",
         "",
         "Subscription cancelled",
         "moving on",
         "/subscriptions",
         {Audience::client, Audience::admins}}}},
      {"TaskAssigned",
       R"(task_id: "t1" client_id: "c1" service: "website" assigned_to: "a1" assigned_by: "u9" title: "Send the logo" due_date: "2026-12-01")",
       {{"task_assigned",
         "c1",
         "website",
         "New task",
         "Send the logo was assigned to you, due 2026-12-01",
         "/tasks/t1",
         {Audience::users},
         {"a1"},
         "u9"}}},
      {"TaskAssigned",
       R"(task_id: "t1" client_id: "c1" assigned_to: "c1" assigned_by: "a1" title: "Send the logo")",
       {{"task_assigned",
         "c1",
         "",
         "New task",
         "Send the logo was assigned to you",
         "/tasks/t1",
         {Audience::users},
         {"c1"},
         "a1"}}},
      {"TaskCompleted",
       R"(task_id: "t1" client_id: "c1" service: "marketing" created_by: "u9" completed_by: "c1" title: "Send the logo")",
       {{"task_completed",
         "c1",
         "marketing",
         "Task completed",
         "The task Send the logo is done",
         "/tasks/t1",
         {Audience::users, Audience::agent},
         {"u9"},
         "c1"}}},
      {"TaskOverdue",
       R"(task_id: "t1" client_id: "c1" service: "marketing" assigned_to: "a1" title: "Send the logo" due_date: "2026-12-01")",
       {{"task_overdue",
         "c1",
         "marketing",
         "Task overdue",
         "The task Send the logo was due 2026-12-01 and is not done yet",
         "/tasks/t1",
         {Audience::users},
         {"a1"},
         ""}}},
      {"CampaignMetricsUpdated",
       R"(campaign_id: "k1" client_id: "c1" name: "Spring <sale>" reach: 1200 engagement: 80 spend_minor: 2550 updated_by: "a1")",
       {{"performance_update",
         "c1",
         "marketing",
         "Campaign performance",
         "Spring <sale> reached 1200 people with 80 engagements; $25.50 spent so far",
         "/campaigns/k1",
         {Audience::client},
         {},
         "a1"}}},
      {"CampaignMetricsUpdated",
       R"(campaign_id: "k1" client_id: "c1" reach: 5 updated_by: "a1")",
       {{"performance_update",
         "c1",
         "marketing",
         "Campaign performance",
         "Your campaign reached 5 people with 0 engagements; $0.00 spent so far",
         "/campaigns/k1",
         {Audience::client},
         {},
         "a1"}}},
      {"MessageSent",
       R"(message_id: "m1" sender_id: "a1" recipient_id: "c1" client_id: "c1" service: "website" sender_name: "Ann <a>" content: "Hello\n\n  there <b>")",
       {{"message_received",
         "c1",
         "website",
         "New message",
         "Ann <a>: Hello there <b>",
         "/messages?with=a1",
         {Audience::users},
         {"c1"},
         "a1"}}},
      {"TicketOpened",
       R"(ticket_id: "k1" client_id: "c1" subject: "Site down" service: "website" priority: TICKET_PRIORITY_HIGH)",
       {{"ticket_opened",
         "c1",
         "website",
         "New support ticket",
         "A client opened a high priority ticket: Site down",
         "/support-tickets/k1",
         {Audience::agents_else_admins},
         {},
         "c1"}}},
      {"TicketReplied",
       R"(ticket_id: "k1" client_id: "c1" subject: "Site down" reply_number: 2 message: "Still down" author_id: "c1" author_role: "client")",
       {{"ticket_reply",
         "c1",
         "",
         "New reply on a ticket",
         "The client replied on Site down: Still down",
         "/support-tickets/k1",
         {Audience::agents_else_admins},
         {},
         "c1"}}},
      // A long reply is cut to 100 bytes, before a character, never inside one ("é" is 2 bytes).
      {"TicketReplied",
       R"(ticket_id: "k1" client_id: "c1" subject: "Site down" service: "website" message: ")" +
           std::string(99, 'a') + "\303\251" + R"(tail" author_id: "w1" author_role: "agent")",
       {{"ticket_reply",
         "c1",
         "website",
         "New reply to your ticket",
         "Site down: " + std::string(99, 'a') + "\u2026",
         "/support-tickets/k1",
         {Audience::client},
         {},
         "w1"}}},
      {"TicketStatusChanged",
       R"(ticket_id: "k1" client_id: "c1" subject: "Site down" from_status: TICKET_STATUS_RESOLVED to_status: TICKET_STATUS_OPEN changed_by: "c1" changer_role: "client")",
       {{"ticket_status_changed",
         "c1",
         "",
         "Ticket status changed",
         "The client moved the ticket Site down from resolved to open",
         "/support-tickets/k1",
         {Audience::agents_else_admins},
         {},
         "c1"}}},
      {"TicketStatusChanged",
       R"(ticket_id: "k1" client_id: "c1" subject: "Site down" service: "marketing" from_status: TICKET_STATUS_OPEN to_status: TICKET_STATUS_IN_PROGRESS changed_by: "u9" changer_role: "admin")",
       {{"ticket_status_changed",
         "c1",
         "marketing",
         "Ticket status changed",
         "Your ticket Site down is now in progress",
         "/support-tickets/k1",
         {Audience::client},
         {},
         "u9"}}},
  };
  return examples;
}
// clang-format on

TEST_CASE("each notification rule notifies the right people with the right words") {
  for (const auto& example : rule_examples()) {
    CAPTURE(example.event_type);
    CAPTURE(example.payload);
    const auto made = projections::notifications_for(envelope(example.event_type, example.payload));
    REQUIRE(made);
    const auto& drafts = *made;
    REQUIRE(drafts.size() == example.expected.size());
    for (std::size_t i = 0; i < drafts.size(); ++i) {
      const auto& draft = drafts[i];
      const auto& expected = example.expected[i];
      CHECK(draft.type == expected.type);
      CHECK(draft.client_id == expected.client_id);
      CHECK(draft.title == expected.title);
      CHECK(draft.message == expected.message);
      CHECK(draft.link == expected.link);
      CHECK(draft.audiences == expected.audiences);
      CHECK(draft.user_ids == expected.user_ids);
      CHECK(draft.except_user_id == expected.except_user_id);
      // The agent audience needs to know whose agent: the service.
      const bool to_agent = std::find(draft.audiences.begin(), draft.audiences.end(),
                                      Audience::agent) != draft.audiences.end();
      if (to_agent || !expected.service.empty()) CHECK(draft.service == expected.service);
    }
  }
}

// "you", "your", "yours", "yourself" as words, in any case.
bool speaks_to_the_reader(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (auto at = text.find("you"); at != std::string::npos; at = text.find("you", at + 1)) {
    if (at == 0 || !std::isalpha(static_cast<unsigned char>(text[at - 1]))) return true;
  }
  return false;
}

TEST_CASE(
    "each recipient reads words meant for them: a notification shared by several audiences or "
    "sent to admins never speaks to its reader as the client") {
  for (const auto& example : rule_examples()) {
    CAPTURE(example.event_type);
    CAPTURE(example.payload);
    const auto drafts =
        projections::notifications_for(envelope(example.event_type, example.payload));
    REQUIRE(drafts);
    for (const auto& draft : *drafts) {
      CAPTURE(draft.title);
      CAPTURE(draft.message);
      // The client alone is "you"; so is the agent alone ("assigned to you"). Words shared by
      // several audiences, or sent to admins, address nobody.
      const bool shared = draft.audiences.size() > 1;
      const bool to_admins = draft.audiences == std::vector<Audience>{Audience::admins} ||
                             draft.audiences == std::vector<Audience>{Audience::agents_else_admins};
      if (!shared && !to_admins) continue;
      CHECK_FALSE(speaks_to_the_reader(draft.title));
      CHECK_FALSE(speaks_to_the_reader(draft.message));
    }
  }
}

TEST_CASE("every notification rule has an example") {
  std::set<std::string> covered;
  for (const auto& example : rule_examples()) {
    if (!example.expected.empty()) covered.insert(example.event_type);
  }
  for (const auto& rule : projections::notification_rules()) {
    CHECK_MESSAGE(covered.contains(rule.event_type), "no example notifies for " << rule.event_type);
  }
}

TEST_CASE("every notification type the rules make has a category the dashboards filter by") {
  std::set<std::string> types;
  for (const auto& example : rule_examples()) {
    for (const auto& expected : example.expected) types.insert(expected.type);
  }
  const auto filters = projections::notification_filter_categories();
  std::set<std::string> used;
  for (const auto& type : types) {
    CAPTURE(type);
    const auto category = projections::notification_category(type);
    REQUIRE_MESSAGE(category.has_value(), "no category for the notification type " << type);
    const bool filterable = std::find(filters.begin(), filters.end(), *category) != filters.end();
    CHECK((filterable || *category == "account"));
    used.insert(std::string(*category));
  }
  // Each of the dashboard's filters has types in it (performance: campaign metrics).
  for (const auto filter : filters) {
    CHECK_MESSAGE(used.contains(std::string(filter)), "no notification type in " << filter);
  }
  CHECK_FALSE(projections::notification_category("no_such_type").has_value());
}

TEST_CASE("each email template renders the right recipient, subject and text") {
  for (const auto& example : email_examples()) {
    CAPTURE(example.template_name);
    CAPTURE(example.payload);
    const auto event = envelope(example.event_type, example.payload);
    std::size_t matched = 0;
    for (const auto& email : projections::email_templates()) {
      if (email.name != example.template_name || email.event_type != example.event_type) continue;
      ++matched;
      const auto made = email.make(event);
      REQUIRE(made);
      const auto& draft = *made;
      REQUIRE(draft.has_value() == example.sends);
      if (!draft) continue;
      CHECK(draft->user_id == example.user_id);
      CHECK(draft->subject == example.subject);
      CHECK(draft->text == example.text);
      // What users typed is escaped in the HTML body.
      const std::string html = projections::render_html(draft->text);
      CHECK(html.find('<', html.find("<body>") + 6) != std::string::npos);
      if (example.text.find('<') != std::string::npos) {
        CHECK(html.find("&lt;") != std::string::npos);
      }
    }
    CHECK(matched == 1);
  }
}

TEST_CASE("every email template has an example") {
  std::set<std::pair<std::string, std::string>> covered;
  for (const auto& example : email_examples()) {
    if (example.sends) covered.emplace(example.template_name, example.event_type);
  }
  for (const auto& email : projections::email_templates()) {
    CHECK_MESSAGE(covered.contains({email.name, email.event_type}),
                  "no example sends " << email.name << " for " << email.event_type);
  }
}

}  // namespace
}  // namespace ledger
