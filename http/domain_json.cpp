#include "http/domain_json.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "core/domain/campaign.h"
#include "core/domain/event_decoder.h"
#include "core/domain/task.h"
#include "core/money.h"
#include "events/enum_names.h"
#include "events/timestamp.h"

namespace ledger::http {
namespace {

// Text that is empty when unset, as null.
nlohmann::json text_or_null(const std::string& text) {
  return text.empty() ? nlohmann::json(nullptr) : nlohmann::json(text);
}

}  // namespace

nlohmann::json money_json(std::int64_t minor) { return Money::from_minor(minor).format(); }

nlohmann::json time_json(std::int64_t microseconds) {
  if (microseconds == 0) return nullptr;
  return events::format_rfc3339(microseconds);
}

nlohmann::json user_json(const events::UserState& user) {
  nlohmann::json json = {
      {"id", user.user_id()},
      {"email", user.email()},
      {"name", user.name()},
      {"role", user.role()},
      {"department",
       user.department().empty() ? nlohmann::json(nullptr) : nlohmann::json(user.department())},
      {"email_verified", user.email_verified()},
      {"is_active", !user.deactivated()},
      {"created_at", time_json(user.created_at_us())},
  };
  if (user.role() == "agent") {
    json["max_clients"] = user.max_clients();
    json["assigned_clients"] = user.assigned_clients();
  }
  return json;
}

schema::Schema user_schema() {
  using namespace schema;
  return named("User", object({
                           {"id", string()},
                           {"email", string()},
                           {"name", string()},
                           {"role", one_of({"admin", "client", "agent"})},
                           {"department", nullable(string())},
                           {"email_verified", boolean()},
                           {"is_active", boolean()},
                           {"created_at", nullable(time())},
                           {"max_clients", optional(integer())},  // agents only
                           {"assigned_clients", optional(integer())},
                       }));
}

// Built member by member (here and in the transactions): the same object as the initializer-list
// form, without its temporary [key, value] array and key string per member. Balance queries and
// the commands that answer with a transaction render these on every call.
nlohmann::json wallet_json(const events::AccountState& account, const events::WalletState& wallet) {
  nlohmann::json json(nlohmann::json::value_t::object);
  json.emplace("balance", money_json(account.balance_minor()));
  json.emplace("available_balance", money_json(account.balance_minor() - wallet.held_minor()));
  json.emplace("held", money_json(wallet.held_minor()));
  json.emplace("currency", "USD");
  json.emplace("total_credited", money_json(account.total_credited_minor()));
  json.emplace("total_spent", money_json(account.total_debited_minor()));
  return json;
}

schema::Schema wallet_schema() {
  using namespace schema;
  return named("Wallet", object({
                             {"balance", money()},
                             {"available_balance", money()},
                             {"held", money()},
                             {"currency", string()},
                             {"total_credited", money()},
                             {"total_spent", money()},
                         }));
}

namespace {

// A wallet transaction exactly as stored (a WalletCredited or a WalletDebited): only
// transaction_json calls it, with the event's recorded time and position. A credit pays for no
// service.
template <class WalletEvent>
nlohmann::json wallet_transaction_json(const WalletEvent& event, const char* type,
                                       nlohmann::json paid_for_service, std::int64_t at_us,
                                       std::uint64_t position) {
  nlohmann::json json(nlohmann::json::value_t::object);
  json.emplace("id", event.transaction_id());
  json.emplace("type", type);
  json.emplace("amount", money_json(event.amount_minor()));
  json.emplace("balance_after", money_json(event.balance_after_minor()));
  json.emplace("source", event.source());
  json.emplace("paid_for_service", std::move(paid_for_service));
  json.emplace("reference", event.reference());
  json.emplace("description", event.description());
  json.emplace("created_at", time_json(at_us));
  json.emplace("position", position);
  return json;
}

}  // namespace

Result<std::optional<nlohmann::json>> transaction_json(const events::Envelope& envelope) {
  if (envelope.event_type() == "WalletCredited") {
    auto credited = domain::decode_event<events::WalletCredited>(envelope);
    if (!credited) return std::move(credited).error();
    return std::optional<nlohmann::json>(wallet_transaction_json(
        *credited, "credit", nullptr, envelope.recorded_at_us(), envelope.position()));
  }
  if (envelope.event_type() == "WalletDebited") {
    auto debited = domain::decode_event<events::WalletDebited>(envelope);
    if (!debited) return std::move(debited).error();
    return std::optional<nlohmann::json>(
        wallet_transaction_json(*debited, "debit", debited->paid_for_service(),
                                envelope.recorded_at_us(), envelope.position()));
  }
  return std::optional<nlohmann::json>();
}

schema::Schema transaction_schema() {
  using namespace schema;
  return named("Transaction", object({
                                  {"id", string()},
                                  {"type", one_of({"credit", "debit"})},
                                  {"amount", money()},
                                  {"balance_after", money()},
                                  {"source", string()},
                                  {"paid_for_service", nullable(string())},
                                  {"reference", string()},
                                  {"description", string()},
                                  {"created_at", nullable(time())},
                                  {"position", integer()},
                              }));
}

nlohmann::json topup_json(const events::TopUpState& topup) {
  return {
      {"id", topup.topup_id()},
      {"user_id", topup.user_id()},
      {"status", events::enum_name(topup.status())},
      {"amount", money_json(topup.amount_minor())},
      {"payment_method", topup.payment_method()},
      {"auto_recharge", topup.auto_recharge()},
      {"provider_reference", topup.provider_reference()},
      {"requested_at", time_json(topup.requested_at_us())},
      {"settled_at", time_json(topup.settled_at_us())},
  };
}

schema::Schema topup_schema() {
  using namespace schema;
  return named("TopUp", object({
                            {"id", string()},
                            {"user_id", string()},
                            {"status", one_of<events::TopUpStatus>()},
                            {"amount", money()},
                            {"payment_method", string()},
                            {"auto_recharge", boolean()},
                            {"provider_reference", string()},
                            {"requested_at", nullable(time())},
                            {"settled_at", nullable(time())},
                        }));
}

nlohmann::json auto_recharge_json(const events::AutoRechargeState& rule) {
  return {
      {"is_enabled", rule.is_enabled()},
      {"threshold_amount", money_json(rule.threshold_minor())},
      {"recharge_amount", money_json(rule.recharge_minor())},
      {"payment_method", rule.payment_method().empty() ? nlohmann::json(nullptr)
                                                       : nlohmann::json(rule.payment_method())},
      {"total_recharges", rule.total_recharges()},
      {"total_recharged", money_json(rule.total_recharged_minor())},
      {"last_recharged_at", time_json(rule.last_recharged_at_us())},
      {"pending_topup_id", rule.pending_topup_id().empty()
                               ? nlohmann::json(nullptr)
                               : nlohmann::json(rule.pending_topup_id())},
  };
}

schema::Schema auto_recharge_schema() {
  using namespace schema;
  return named("AutoRecharge", object({
                                   {"is_enabled", boolean()},
                                   {"threshold_amount", money()},
                                   {"recharge_amount", money()},
                                   {"payment_method", nullable(string())},
                                   {"total_recharges", integer()},
                                   {"total_recharged", money()},
                                   {"last_recharged_at", nullable(time())},
                                   {"pending_topup_id", nullable(string())},
                               }));
}

nlohmann::json redeem_code_json(const events::RedeemCodeState& code) {
  return {
      {"code", code.code()},
      {"value", money_json(code.value_minor())},
      {"usage_limit", code.usage_limit()},
      {"times_used", code.times_used()},
      {"is_active", code.is_active()},
      {"expires_at", time_json(code.expires_at_us())},
      {"description", code.description()},
      {"created_at", time_json(code.created_at_us())},
      {"total_redeemed", money_json(code.total_redeemed_minor())},
  };
}

schema::Schema redeem_code_schema() {
  using namespace schema;
  return named("RedeemCode", object({
                                 {"code", string()},
                                 {"value", money()},
                                 {"usage_limit", integer()},
                                 {"times_used", integer()},
                                 {"is_active", boolean()},
                                 {"expires_at", nullable(time())},
                                 {"description", string()},
                                 {"created_at", nullable(time())},
                                 {"total_redeemed", money()},
                             }));
}

nlohmann::json redemption_json(const events::RedemptionState& redemption) {
  return {
      {"code", redemption.code()},
      {"user_id", redemption.user_id()},
      {"amount", money_json(redemption.amount_minor())},
      {"redeemed_at", time_json(redemption.redeemed_at_us())},
      {"transaction_id", redemption.transaction_id()},
  };
}

schema::Schema redemption_schema() {
  using namespace schema;
  return named("Redemption", object({
                                 {"code", string()},
                                 {"user_id", string()},
                                 {"amount", money()},
                                 {"redeemed_at", nullable(time())},
                                 {"transaction_id", string()},
                             }));
}

nlohmann::json course_json(const events::CourseState& course, bool is_purchased,
                           bool is_accessible) {
  return {
      {"id", course.course_id()},
      {"title", course.title()},
      {"description", course.description()},
      {"price", money_json(course.price_minor())},
      {"is_free", course.is_free()},
      {"allow_individual_purchase", course.allow_individual_purchase()},
      {"access_days",
       course.access_days() == 0 ? nlohmann::json(nullptr) : nlohmann::json(course.access_days())},
      {"created_at", time_json(course.created_at_us())},
      {"updated_at", time_json(course.updated_at_us())},
      {"lesson_count", course.lesson_count()},
      {"is_deleted", course.deleted_at_us() != 0},
      {"deleted_at", time_json(course.deleted_at_us())},
      {"is_purchased", is_purchased},
      {"is_accessible", is_accessible},
  };
}

schema::Schema course_schema() {
  using namespace schema;
  return named("Course", object({
                             {"id", string()},
                             {"title", string()},
                             {"description", string()},
                             {"price", money()},
                             {"is_free", boolean()},
                             {"allow_individual_purchase", boolean()},
                             {"access_days", nullable(integer())},
                             {"created_at", nullable(time())},
                             {"updated_at", nullable(time())},
                             {"lesson_count", integer()},
                             {"is_deleted", boolean()},
                             {"deleted_at", nullable(time())},
                             {"is_purchased", boolean()},
                             {"is_accessible", boolean()},
                         }));
}

nlohmann::json purchase_json(const events::CoursePurchaseState& purchase) {
  return {
      {"id", purchase.purchase_id()},
      {"course_id", purchase.course_id()},
      {"course_title", purchase.course_title()},
      {"user_id", purchase.user_id()},
      {"status", events::enum_name(purchase.status())},
      {"amount_paid", money_json(purchase.amount_minor())},
      {"payment_method", purchase.payment_method()},
      {"purchased_at", time_json(purchase.purchased_at_us())},
      {"completed_at", time_json(purchase.completed_at_us())},
      {"access_expires_at", time_json(purchase.access_expires_at_us())},
      {"refunded_at", time_json(purchase.refunded_at_us())},
      {"finished_at", time_json(purchase.finished_at_us())},
      {"cancelled_at", time_json(purchase.cancelled_at_us())},
      {"cancel_reason", purchase.cancel_reason()},
  };
}

schema::Schema purchase_schema() {
  using namespace schema;
  return named("CoursePurchase", object({
                                     {"id", string()},
                                     {"course_id", string()},
                                     {"course_title", string()},
                                     {"user_id", string()},
                                     {"status", one_of<events::CoursePurchaseStatus>()},
                                     {"amount_paid", money()},
                                     {"payment_method", string()},
                                     {"purchased_at", nullable(time())},
                                     {"completed_at", nullable(time())},
                                     {"access_expires_at", nullable(time())},
                                     {"refunded_at", nullable(time())},
                                     {"finished_at", nullable(time())},
                                     {"cancelled_at", nullable(time())},
                                     {"cancel_reason", string()},
                                 }));
}

nlohmann::json course_progress_json(const events::CourseProgressAnswer& answer) {
  const events::CourseProgressState& progress = answer.progress();
  // Completed lessons in the order they were completed (ties: by id).
  std::vector<std::pair<std::int64_t, std::string>> done;
  done.reserve(progress.completed_at_us().size());
  for (const auto& [lesson_id, completed_at_us] : progress.completed_at_us()) {
    done.emplace_back(completed_at_us, lesson_id);
  }
  std::sort(done.begin(), done.end());
  nlohmann::json lessons = nlohmann::json::array();
  for (const auto& entry : done) lessons.push_back(entry.second);
  return {
      {"course_id", progress.course_id()},
      {"user_id", progress.user_id()},
      {"completed", answer.lessons_completed()},
      {"total", answer.lessons_total()},
      {"percent", answer.percent()},
      {"completed_lessons", std::move(lessons)},
      {"is_completed", progress.finished_at_us() != 0},
      {"completed_at", time_json(progress.finished_at_us())},
      {"certificate_id", progress.certificate_id().empty()
                             ? nlohmann::json(nullptr)
                             : nlohmann::json(progress.certificate_id())},
  };
}

schema::Schema course_progress_schema() {
  using namespace schema;
  return named("CourseProgress", object({
                                     {"course_id", string()},
                                     {"user_id", string()},
                                     {"completed", integer()},
                                     {"total", integer()},
                                     {"percent", integer()},
                                     {"completed_lessons", array(string())},
                                     {"is_completed", boolean()},
                                     {"completed_at", nullable(time())},
                                     {"certificate_id", nullable(string())},
                                 }));
}

nlohmann::json invoice_json(const events::InvoiceState& invoice) {
  return {
      {"id", invoice.invoice_id()},
      {"client_id", invoice.client_id()},
      {"service", invoice.service()},
      {"amount", money_json(invoice.amount_minor())},
      {"due_date", invoice.due_date()},
      {"description", invoice.description()},
      {"status", events::enum_name(invoice.status())},
      {"reminder_sent", invoice.reminder_sent()},
      {"overdue", invoice.overdue()},
      {"issued_at", time_json(invoice.issued_at_us())},
      {"paid_at", time_json(invoice.paid_at_us())},
      {"subscription_id", text_or_null(invoice.subscription_id())},
      {"renewal_date", text_or_null(invoice.renewal_date())},
  };
}

schema::Schema invoice_schema() {
  using namespace schema;
  return named("Invoice", object({
                              {"id", string()},
                              {"client_id", string()},
                              {"service", string()},
                              {"amount", money()},
                              {"due_date", date()},
                              {"description", string()},
                              {"status", one_of<events::InvoiceStatus>()},
                              {"reminder_sent", boolean()},
                              {"overdue", boolean()},
                              {"issued_at", nullable(time())},
                              {"paid_at", nullable(time())},
                              {"subscription_id", nullable(string())},
                              {"renewal_date", nullable(date())},
                          }));
}

nlohmann::json subscription_json(const events::SubscriptionState& subscription) {
  return {
      {"id", subscription.subscription_id()},
      {"client_id", subscription.client_id()},
      {"plan", subscription.plan()},
      {"service", subscription.service()},
      {"price", money_json(subscription.price_minor())},
      {"renews_on", subscription.renews_on()},
      {"pays_from_wallet", subscription.pays_from_wallet()},
      {"status", events::enum_name(subscription.status())},
      {"renewals", subscription.renewals()},
      {"activated_at", time_json(subscription.activated_at_us())},
      {"cancelled_at", time_json(subscription.cancelled_at_us())},
      {"open_invoice_id", text_or_null(subscription.open_invoice_id())},
      {"open_invoice_due_date", text_or_null(subscription.open_invoice_due_date())},
  };
}

schema::Schema subscription_schema() {
  using namespace schema;
  return named("Subscription", object({
                                   {"id", string()},
                                   {"client_id", string()},
                                   {"plan", string()},
                                   {"service", string()},
                                   {"price", money()},
                                   {"renews_on", date()},
                                   {"pays_from_wallet", boolean()},
                                   {"status", one_of<events::SubscriptionStatus>()},
                                   {"renewals", integer()},
                                   {"activated_at", nullable(time())},
                                   {"cancelled_at", nullable(time())},
                                   {"open_invoice_id", nullable(string())},
                                   {"open_invoice_due_date", nullable(date())},
                               }));
}

nlohmann::json campaign_json(const events::CampaignState& campaign) {
  nlohmann::json content = nlohmann::json::array();
  for (const auto& id : campaign.content_ids()) content.push_back(id);
  return {
      {"id", campaign.campaign_id()},
      {"client_id", campaign.client_id()},
      {"client", campaign.client_id()},  // the seed's name
      {"agent_id", campaign.agent_id()},
      {"name", campaign.name()},
      {"title", campaign.name()},  // the seed's name
      {"description", campaign.description()},
      {"platform", campaign.platform()},
      {"goal", campaign.goal()},
      {"status", events::enum_name(campaign.status())},
      {"target_reach", campaign.target_reach()},
      {"target_engagement", campaign.target_engagement()},
      {"reach", campaign.reach()},
      {"engagement", campaign.engagement()},
      {"budget", money_json(campaign.budget_minor())},
      {"spend", money_json(campaign.spend_minor())},
      {"remaining_budget", money_json(campaign.budget_minor() - campaign.spend_minor())},
      {"reserved", !campaign.hold_id().empty()},
      {"hold_id",
       campaign.hold_id().empty() ? nlohmann::json(nullptr) : nlohmann::json(campaign.hold_id())},
      {"performance", std::round(domain::campaign_performance_pct(campaign) * 100.0) / 100.0},
      {"start_date", campaign.start_date().empty() ? nlohmann::json(nullptr)
                                                   : nlohmann::json(campaign.start_date())},
      {"end_date",
       campaign.end_date().empty() ? nlohmann::json(nullptr) : nlohmann::json(campaign.end_date())},
      {"content_ids", std::move(content)},
      {"created_at", time_json(campaign.created_at_us())},
      {"updated_at", time_json(campaign.updated_at_us())},
  };
}

schema::Schema campaign_schema() {
  using namespace schema;
  return named("Campaign", object({
                               {"id", string()},
                               {"client_id", string()},
                               {"client", string()},
                               {"agent_id", string()},
                               {"name", string()},
                               {"title", string()},
                               {"description", string()},
                               {"platform", string()},
                               {"goal", string()},
                               {"status", one_of<events::CampaignStatus>()},
                               {"target_reach", integer()},
                               {"target_engagement", integer()},
                               {"reach", integer()},
                               {"engagement", integer()},
                               {"budget", money()},
                               {"spend", money()},
                               {"remaining_budget", money()},
                               {"reserved", boolean()},
                               {"hold_id", nullable(string())},
                               {"performance", number()},
                               {"start_date", nullable(string())},
                               {"end_date", nullable(string())},
                               {"content_ids", array(string())},
                               {"created_at", nullable(time())},
                               {"updated_at", nullable(time())},
                           }));
}

nlohmann::json task_json(const events::TaskState& task) {
  return {
      {"id", task.task_id()},
      {"client_id", task.client_id()},
      {"title", task.title()},
      {"description", task.description()},
      {"service", text_or_null(task.service())},
      {"priority", events::enum_name(task.priority())},
      {"status", events::enum_name(task.status())},
      {"assigned_to", task.assigned_to()},
      {"created_by", task.created_by()},
      {"due_date", text_or_null(task.due_date())},
      {"overdue", task.overdue()},
      {"completed_by", text_or_null(task.completed_by())},
      {"completed_at", time_json(task.completed_at_us())},
      {"cancelled_by", text_or_null(task.cancelled_by())},
      {"created_at", time_json(task.created_at_us())},
      {"updated_at", time_json(task.updated_at_us())},
  };
}

schema::Schema task_schema() {
  using namespace schema;
  std::vector<std::string> services;
  for (const auto service : domain::task_services()) services.emplace_back(service);
  // OpenAPI 3.0: a nullable enum lists null among its values.
  Schema service = nullable(one_of(services));
  service["enum"].push_back(nullptr);
  return named("Task", object({
                           {"id", string()},
                           {"client_id", string()},
                           {"title", string()},
                           {"description", string()},
                           {"service", service},
                           {"priority", one_of<events::TaskPriority>()},
                           {"status", one_of<events::TaskStatus>()},
                           {"assigned_to", string()},
                           {"created_by", string()},
                           {"due_date", nullable(date())},
                           {"overdue", boolean()},
                           {"completed_by", nullable(string())},
                           {"completed_at", nullable(time())},
                           {"cancelled_by", nullable(string())},
                           {"created_at", nullable(time())},
                           {"updated_at", nullable(time())},
                       }));
}

}  // namespace ledger::http
