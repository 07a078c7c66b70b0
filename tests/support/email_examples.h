// One example event for every email template (the coverage test in
// tests/projections/notification_rules_test.cpp fails for a template without one), and the same
// examples with other values in every text field the template reads: for the hostile-value test
// and tests/fuzz/email_fuzzer.cpp. Doctest-free, so the fuzzer can use it.
#pragma once

#include <google/protobuf/message.h>
#include <google/protobuf/text_format.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/assert.h"
#include "core/domain/upcasters.h"
#include "events/envelope.pb.h"
#include "events/event_types.h"
#include "projections/email_templates.h"

namespace ledger::testing {

struct EmailExample {
  std::string template_name;
  std::string event_type;
  std::string payload;
  bool sends = true;
  std::string user_id;
  std::string subject;
  std::string text;
};

inline const std::vector<EmailExample>& email_examples() {
  static const std::vector<EmailExample> examples = {
      {"welcome", "UserRegistered", R"(user_id: "c1" role: "client" name: "Ann <b>")", true, "c1",
       "Welcome to the platform", "Hello Ann <b>,\n\nyour client account is ready."},
      {"password_changed", "PasswordChanged", R"(user_id: "c1" kind: PASSWORD_CHANGE_KIND_CHANGED)",
       true, "c1", "Your password was changed",
       "Your password was changed, and your other sessions were signed out.\n\nIf it was not "
       "you, reset your password at once and tell us."},
      {"password_changed", "PasswordChanged", R"(user_id: "c1" kind: PASSWORD_CHANGE_KIND_RESET)",
       true, "c1", "Your password was reset",
       "Your password was reset with the token we emailed you, and every session of your "
       "account was signed out.\n\nIf it was not you, ask for a new reset at once and tell us."},
      {"payment_confirmation", "TopUpConfirmed", R"(user_id: "c1" amount_minor: 4000)", true, "c1",
       "Payment received", "We received your payment of $40.00.\n\nIt is in your wallet."},
      {"payment_receipt", "WalletDebited",
       R"(user_id: "c1" source: "payment" paid_for_service: "website" amount_minor: 1500 balance_after_minor: 2500)",
       true, "c1", "Payment receipt",
       "You paid $15.00 for website from your wallet.\n\nBalance after: $25.00."},
      {"payment_receipt", "WalletDebited", R"(user_id: "c1" source: "course_purchase")", false},
      {"invoice_created", "InvoiceIssued",
       R"(client_id: "c1" service: "website" amount_minor: 30000 due_date: "2026-12-01" description: "Landing page")",
       true, "c1", "Invoice for website",
       "A new invoice of $300.00 is due 2026-12-01.\n\nLanding page"},
      {"invoice_reminder", "InvoiceReminderDue",
       R"(client_id: "c1" amount_minor: 30000 due_date: "2026-12-01")", true, "c1",
       "Invoice due soon", "Your invoice of $300.00 is due 2026-12-01."},
      {"invoice_overdue", "InvoiceOverdue",
       R"(client_id: "c1" amount_minor: 30000 due_date: "2026-12-01")", true, "c1",
       "Invoice overdue", "Your invoice of $300.00 was due 2026-12-01 and is not paid yet."},
      {"course_enrollment", "CoursePurchased",
       R"(user_id: "c1" status: COURSE_PURCHASE_STATUS_COMPLETED)", true, "c1", "You are enrolled",
       "Your course is open: enjoy learning."},
      {"course_enrollment", "CoursePurchased",
       R"(user_id: "c1" status: COURSE_PURCHASE_STATUS_PENDING)", false},
      {"course_enrollment", "CoursePurchaseConfirmed", R"(user_id: "c1")", true, "c1",
       "You are enrolled", "PayPal confirmed your payment: your course is open."},
      {"course_completion", "CourseFinished", R"(user_id: "c1" course_title: "SEO <101>")", true,
       "c1", "You finished SEO <101>", "Congratulations on finishing SEO <101>.\n\nKeep learning!"},
      {"course_completion", "CourseFinished",
       R"(user_id: "c1" course_title: "SEO" certificate_id: "01JCERT")", true, "c1",
       "You finished SEO",
       "Congratulations on finishing SEO.\n\nYour certificate 01JCERT is in your dashboard: it "
       "names the ledger entry that records your completion, for anyone to check.\n\nKeep "
       "learning!"},
      {"content_approval", "ContentScheduled",
       R"(client_id: "c1" platform: "instagram" social_account: "@shop" caption: "<b>Sale</b>")",
       true, "c1", "A post awaits your approval",
       "Your marketing agent scheduled a post on instagram for @shop:\n\n<b>Sale</b>\n\nApprove it "
       "in your dashboard to let it go out."},
      {"content_approval", "ContentScheduled", R"(client_id: "c1" platform: "x" draft: true)",
       false, "", "", ""},
      {"content_approval_submitted", "ContentUpdated",
       R"(client_id: "c1" platform: "x" social_account: "@shop" caption: "Hi" submitted: true)",
       true, "c1", "A post awaits your approval",
       "Your marketing agent scheduled a post on x for @shop:\n\nHi\n\nApprove it in your "
       "dashboard to let it go out."},
      {"content_approval_submitted", "ContentUpdated", R"(client_id: "c1" caption: "Hi")", false,
       "", "", ""},
      {"content_published", "ContentPublished", R"(client_id: "c1" platform: "youtube")", true,
       "c1", "Your post is live", "Your post is published on youtube."},
      {"website_phase", "WebsitePhaseCompleted",
       R"(client_id: "c1" name: "Shop" phase: "design" next_phase: "content" note: "Mockups")",
       true, "c1", "Shop: design done",
       "The design phase of Shop is complete. Next: content.\n\nMockups"},
      {"website_demo", "WebsiteVersionTestingStarted",
       R"(client_id: "c1" project_name: "Shop" version_number: "1.0" preview_url: "https://demo.example.com/?a=1&b=<2>")",
       true, "c1", "Shop: version 1.0 is ready to try",
       "A demo of version 1.0 of Shop is ready: https://demo.example.com/?a=1&b=<2>\n\nTry it "
       "and approve it in your dashboard, or send us your feedback."},
      {"website_demo", "WebsiteVersionTestingStarted",
       R"(client_id: "c1" project_name: "Shop" version_number: "1.0")", false, "", "", ""},
      {"website_deployed", "WebsiteVersionDeployed",
       R"(client_id: "c1" project_name: "Shop" version_number: "1.0" deployment_url: "https://shop.example.com")",
       true, "c1", "Shop: version 1.0 is live",
       "Version 1.0 of Shop is deployed at https://shop.example.com."},
      {"subscription_activated", "SubscriptionActivated",
       R"(client_id: "c1" plan: "Growth" price_minor: 9900 renews_on: "2026-12-24")", true, "c1",
       "Your Growth subscription",
       "Your Growth subscription is active: $99.00 a month, next renewal 2026-12-24."},
      {"subscription_renewal", "SubscriptionRenewalReminderDue",
       R"(client_id: "c1" price_minor: 9900 renews_on: "2026-12-24")", true, "c1",
       "Your subscription renews soon", "It renews 2026-12-24 for $99.00."},
      {"subscription_renewed", "SubscriptionRenewed",
       R"(client_id: "c1" plan: "Growth <b>" price_minor: 9900 next_renews_on: "2027-01-24" invoice_id: "i1" invoice_due_date: "2026-12-31")",
       true, "c1", "Your Growth <b> subscription renewed",
       "Your Growth <b> subscription renewed until 2027-01-24.\n\nIts invoice of $99.00 is due "
       "2026-12-31: pay it from your wallet in your dashboard by then to keep your access."},
      {"subscription_renewed", "SubscriptionRenewed",
       R"(client_id: "c1" plan: "Growth" price_minor: 9900 next_renews_on: "2027-01-24" transaction_id: "t1")",
       true, "c1", "Your Growth subscription renewed",
       "Your Growth subscription renewed until 2027-01-24.\n\n$99.00 was paid from your wallet."},
      {"subscription_renewed", "SubscriptionRenewed",
       R"(client_id: "c1" next_renews_on: "2027-01-24")", true, "c1", "Your subscription renewed",
       "Your subscription renewed until 2027-01-24."},
      {"subscription_cancelled", "SubscriptionCancelled", R"(client_id: "c1")", true, "c1",
       "Subscription cancelled", "Your subscription is cancelled. We hope to see you again."},
      {"task_assigned", "TaskAssigned",
       R"(assigned_to: "a1" assigned_by: "u9" title: "Logo <v2>" description: "PNG & SVG" priority: TASK_PRIORITY_HIGH due_date: "2026-12-01")",
       true, "a1", "New task: Logo <v2>",
       "A task was assigned to you: Logo <v2>.\n\nPNG & SVG\n\nPriority: high. Due 2026-12-01."},
      {"task_assigned", "TaskAssigned",
       R"(assigned_to: "c1" assigned_by: "a1" title: "Logo" priority: TASK_PRIORITY_LOW)", true,
       "c1", "New task: Logo", "A task was assigned to you: Logo.\n\nPriority: low."},
      {"task_assigned", "TaskAssigned", R"(assigned_to: "a1" assigned_by: "a1" title: "Logo")",
       false},
      {"task_completed", "TaskCompleted",
       R"(created_by: "a1" completed_by: "c1" title: "Logo <v2>")", true, "a1",
       "Task done: Logo <v2>", "The task Logo <v2> you asked for is done."},
      {"task_completed", "TaskCompleted", R"(created_by: "a1" completed_by: "a1" title: "Logo")",
       false},
      {"task_overdue", "TaskOverdue",
       R"(assigned_to: "c1" title: "Logo <v2>" due_date: "2026-12-01")", true, "c1",
       "Task overdue: Logo <v2>",
       "The task Logo <v2> was due 2026-12-01 and is not done yet.\n\nFinish it or move its due "
       "date in your dashboard."},
      {"message_received", "MessageSent",
       R"(sender_id: "a1" recipient_id: "c1" sender_name: "Ann <a>" content: "Hi & <b>welcome</b>\r\n\r\nsee you")",
       true, "c1", "New message from Ann <a>",
       "Ann <a> wrote to you:\n\nHi & <b>welcome</b> see you\n\nRead and answer it in your "
       "dashboard."},
      {"ticket_reply", "TicketReplied",
       R"(client_id: "c1" subject: "Site <down>" message: "Fixed & live" author_id: "a1" author_role: "agent")",
       true, "c1", "Re: Site <down>",
       "We replied to your support ticket Site <down>:\n\nFixed & live\n\nReply from your "
       "dashboard."},
      {"ticket_reply", "TicketReplied",
       R"(client_id: "c1" subject: "Site" message: "Thanks" author_id: "c1" author_role: "client")",
       false},
      {"ticket_status_changed", "TicketStatusChanged",
       R"(client_id: "c1" subject: "Site <down>" to_status: TICKET_STATUS_RESOLVED changed_by: "u9" changer_role: "admin")",
       true, "c1", "Ticket resolved: Site <down>",
       "Your support ticket Site <down> is now resolved.\n\nIf the problem is not solved, reopen "
       "it from your dashboard."},
      {"ticket_status_changed", "TicketStatusChanged",
       R"(client_id: "c1" subject: "Site" to_status: TICKET_STATUS_IN_PROGRESS changed_by: "a1" changer_role: "agent")",
       true, "c1", "Ticket in progress: Site", "Your support ticket Site is now in progress."},
      {"ticket_status_changed", "TicketStatusChanged",
       R"(client_id: "c1" subject: "Site" to_status: TICKET_STATUS_CLOSED changed_by: "c1" changer_role: "client")",
       false},
  };
  return examples;
}

// The event of `type` from its protobuf text form (a broken example is a bug in the test).
inline events::Envelope example_envelope(const std::string& type, const std::string& text) {
  const auto* descriptor = events::find_event_descriptor(type);
  LEDGER_ASSERT(descriptor != nullptr, "an example of an unknown event type");
  std::unique_ptr<google::protobuf::Message> message(
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(descriptor)->New());
  LEDGER_ASSERT(google::protobuf::TextFormat::ParseFromString(text, message.get()),
                "an example payload that does not parse");
  events::Envelope event;
  event.set_event_type(type);
  event.set_schema_version(domain::current_schema_version(type));
  event.set_payload(message->SerializeAsString());
  return event;
}

// The example of `email_template` that sends an email (nullptr: none, which the coverage test
// reports).
inline const EmailExample* sending_example(const projections::EmailTemplate& email_template) {
  for (const auto& example : email_examples()) {
    if (example.sends && example.template_name == email_template.name &&
        example.event_type == email_template.event_type) {
      return &example;
    }
  }
  return nullptr;
}

// The draft of `email_template` for its sending example with every string field replaced by
// `next_value()`, except the fields whose replacement stops the email (conditions such as a
// debit's source: those keep the example's value) or does not decode.
inline std::optional<projections::EmailDraft> draft_with_values(
    const projections::EmailTemplate& email_template, const EmailExample& example,
    const std::function<std::string()>& next_value) {
  auto event = example_envelope(example.event_type, example.payload);
  const auto* descriptor = events::find_event_descriptor(example.event_type);
  std::unique_ptr<google::protobuf::Message> message(
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(descriptor)->New());
  LEDGER_ASSERT(message->ParseFromString(event.payload()), "the example decodes");
  const auto* reflection = message->GetReflection();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const auto* field = descriptor->field(i);
    if (field->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_STRING ||
        field->is_repeated()) {
      continue;
    }
    const std::string kept = reflection->GetString(*message, field);
    reflection->SetString(message.get(), field, next_value());
    event.set_payload(message->SerializeAsString());
    // A value Protobuf cannot carry (a string that is not UTF-8) makes an event that does not
    // decode: kept out like a value that stops the email.
    auto made = email_template.make(event);
    if (!made || !*made) reflection->SetString(message.get(), field, kept);
  }
  event.set_payload(message->SerializeAsString());
  auto made = email_template.make(event);
  LEDGER_ASSERT(made.ok(), "an example with other values decodes");
  return std::move(*made);
}

}  // namespace ledger::testing
