// Courses: the catalogue and purchases of courses by clients.
//
// Rules (each refused command writes nothing):
// - A course has a title, a price (> 0 unless is_free, then 0), whether it can be bought on its
//   own, and optional access days (0: lifetime access).
// - Purchase: refused with not_for_sale when individual purchase is not allowed; with
//   already_purchased when the user has a purchase of the course that is pending or completed
//   (one purchase per user and course; after a refund, a failed payment or a cancelled or expired
//   PayPal purchase the course can be bought again). A free course is "purchased" for 0 at once, no
//   money moves. With the wallet: completed at once (WalletDebited to revenue:courses;
//   insufficient_funds when short). With PayPal: pending, no money moves until confirmed.
// - Confirming a PayPal purchase posts clearing:paypal -> revenue:courses and starts access;
//   confirming a completed one again is already_confirmed (admin and provider alike), a failed one
//   already_failed; confirming a wallet or refunded purchase is not_pending. The payment
//   provider's confirmation carries what it captured: a different amount or currency confirms
//   nothing, is recorded (PaymentAmountMismatched, see captured_payment.h) and the purchase stays
//   pending.
// - Failing (the provider reports the payment failed): only a pending PayPal purchase (the same
//   refusals as confirming); no money moves and the course can be bought again.
// - Cancelling (the client): only the purchase's own user (another user's purchase is not_found,
//   as a missing one) and only a pending PayPal purchase (the same refusals as confirming: a
//   cancelled one is not_pending); no money moves and the course can be bought again.
// - Expiry (the deadline sweeper): a PayPal purchase still pending kPendingPurchaseLifetimeUs
//   (24 h, by the sequencer's clock) after it was made is cancelled with reason "expired"; before
//   that, or when it is no longer pending, expiring answers it unchanged and writes nothing.
// - Refund (admin): only a completed, paid purchase (not_refundable otherwise); the amount goes
//   back to the wallet from `refunds`; access ends.
// - Access: a free course, or a completed purchase that has not expired.
// - Finish (the learner): needs the user's current purchase of the course and access to it
//   (course_not_accessible otherwise); once only (already_finished).
//
// Every decider here reads rows, checks the rules and emits events; the course and purchase rows
// those events fold into are written by the "courses" fold (courses_fold.h), the money by the
// "wallets" and "accounts" folds.
#pragma once

#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/domain/captured_payment.h"
#include "core/domain/unit_of_work.h"
#include "core/money.h"
#include "events/course_events.pb.h"
#include "events/course_state.pb.h"
#include "events/wallet_events.pb.h"

namespace ledger::domain {

std::string course_stream(std::string_view course_id);
std::string course_purchase_stream(std::string_view purchase_id);

struct CreateCourse {
  CourseId course_id;
  std::string title;
  std::string description;
  Money price;
  bool is_free = false;
  bool allow_individual_purchase = true;
  std::uint32_t access_days = 0;
  ActorId created_by;
};
Result<events::CourseState> create_course(UnitOfWork& uow, const CreateCourse& command);

struct PurchaseCourse {
  PurchaseId purchase_id;
  CourseId course_id;
  UserId user_id;
  std::string payment_method;    // "wallet" or "paypal"
  TransactionId transaction_id;  // of the wallet debit
};
Result<events::CoursePurchaseState> purchase_course(UnitOfWork& uow, const PurchaseCourse& command);

struct ConfirmCoursePurchase {
  PurchaseId purchase_id;
  CourseId course_id;  // when given, must be the purchase's course
  std::string provider_reference;
  ActorId confirmed_by;
};
Result<events::CoursePurchaseState> confirm_course_purchase(UnitOfWork& uow,
                                                            const ConfirmCoursePurchase& command);

struct ConfirmCoursePayment {
  PurchaseId purchase_id;
  CapturedPayment captured;
};
// The payment provider's confirmation: a capture of exactly the purchase's amount in USD
// confirms it as confirm_course_purchase does (answer.purchase); any other capture records
// PaymentAmountMismatched and confirms nothing (answer.mismatch).
Result<events::CoursePaymentAnswer> confirm_course_payment(UnitOfWork& uow,
                                                           const ConfirmCoursePayment& command);

struct FailCoursePurchase {
  PurchaseId purchase_id;
  std::string reason;
};
// The payment provider reports the payment failed: the purchase becomes "failed".
Result<events::CoursePurchaseState> fail_course_purchase(UnitOfWork& uow,
                                                         const FailCoursePurchase& command);

struct CancelCoursePurchase {
  PurchaseId purchase_id;
  UserId user_id;  // the caller: must be the purchase's user
};
// The client gives up a pending PayPal purchase: it becomes "cancelled" (reason "client").
Result<events::CoursePurchaseState> cancel_course_purchase(UnitOfWork& uow,
                                                           const CancelCoursePurchase& command);

// How long a PayPal purchase may stay pending before the sweeper expires it.
inline constexpr std::int64_t kPendingPurchaseLifetimeUs = kMicrosPerDay;

struct ExpireCoursePurchase {
  PurchaseId purchase_id;
};
// The deadline sweeper's command: cancels (reason "expired") a purchase pending for
// kPendingPurchaseLifetimeUs; otherwise answers it unchanged.
Result<events::CoursePurchaseState> expire_course_purchase(UnitOfWork& uow,
                                                           const ExpireCoursePurchase& command);

struct RefundCoursePurchase {
  PurchaseId purchase_id;
  ActorId refunded_by;
  TransactionId transaction_id;  // of the wallet credit
};
Result<events::CoursePurchaseState> refund_course_purchase(UnitOfWork& uow,
                                                           const RefundCoursePurchase& command);

struct FinishCourse {
  CourseId course_id;
  UserId user_id;
};
Result<events::CoursePurchaseState> finish_course(UnitOfWork& uow, const FinishCourse& command);

// Pure: may `purchase` (the user's current purchase of `course`, if any) open the course at
// `now_us`?
bool course_is_accessible(const events::CourseState& course,
                          const events::CoursePurchaseState* purchase, std::int64_t now_us);

// Row keys of the "courses" keyspace, for readers.
inline constexpr std::string_view kCourseKeyPrefix = "course/";
std::string course_key(std::string_view course_id);
std::string course_purchase_key(std::string_view purchase_id);
std::string user_course_prefix(std::string_view user_id);
std::string user_course_key(std::string_view user_id, std::string_view course_id);
inline constexpr std::string_view kPendingPurchaseKeyPrefix = "pending/";
std::string pending_purchase_key(std::string_view purchase_id);

}  // namespace ledger::domain
