// The API's JSON shapes of domain objects: money as "50.00" strings, times as RFC 3339 (null when
// unset), ids as strings. One function per object, used by every route that shows it, and beside
// it the schema of what it renders (`campaign_schema()` for `campaign_json`), which the routes
// declare as their answer; the end-to-end tests hold each rendering to its schema.
#pragma once

#include <cstdint>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "events/billing_state.pb.h"
#include "events/campaign_state.pb.h"
#include "events/course_state.pb.h"
#include "events/envelope.pb.h"
#include "events/ledger_accounts.pb.h"
#include "events/lesson_state.pb.h"
#include "events/redeem_code_state.pb.h"
#include "events/task_state.pb.h"
#include "events/user_state.pb.h"
#include "events/wallet_events.pb.h"
#include "events/wallet_state.pb.h"
#include "http/answer_schema.h"

namespace ledger::http {

nlohmann::json money_json(std::int64_t minor);
nlohmann::json time_json(std::int64_t microseconds);  // null for 0

nlohmann::json user_json(const events::UserState& user);
schema::Schema user_schema();
nlohmann::json wallet_json(const events::AccountState& account, const events::WalletState& wallet);
schema::Schema wallet_schema();
// A stored wallet stream event as a transaction, with its recorded time and position (nullopt for
// events that are not credits or debits). The one rendering of a transaction: lists and the
// answers of the commands that make one alike.
Result<std::optional<nlohmann::json>> transaction_json(const events::Envelope& envelope);
schema::Schema transaction_schema();
nlohmann::json topup_json(const events::TopUpState& topup);
schema::Schema topup_schema();
nlohmann::json auto_recharge_json(const events::AutoRechargeState& rule);
schema::Schema auto_recharge_schema();
nlohmann::json redeem_code_json(const events::RedeemCodeState& code);
schema::Schema redeem_code_schema();
nlohmann::json redemption_json(const events::RedemptionState& redemption);
schema::Schema redemption_schema();
nlohmann::json course_json(const events::CourseState& course, bool is_purchased,
                           bool is_accessible);
schema::Schema course_schema();
nlohmann::json purchase_json(const events::CoursePurchaseState& purchase);
schema::Schema purchase_schema();
// A learner's progress in a course: {completed, total, percent, ...}
// (core/domain/course_progress.h)
nlohmann::json course_progress_json(const events::CourseProgressAnswer& answer);
schema::Schema course_progress_schema();
nlohmann::json invoice_json(const events::InvoiceState& invoice);
schema::Schema invoice_schema();
nlohmann::json subscription_json(const events::SubscriptionState& subscription);
schema::Schema subscription_schema();
nlohmann::json campaign_json(const events::CampaignState& campaign);
schema::Schema campaign_schema();
nlohmann::json task_json(const events::TaskState& task);
schema::Schema task_schema();

}  // namespace ledger::http
