// Courses: the catalogue and purchases of courses by clients; who may open a course.
//
// Rules (each refused command writes nothing):
// - A course has a title, a price (> 0 unless is_free, then 0), whether it can be bought on its
//   own, and optional access days (0: lifetime access).
// - Changing a course (admin): any of those, checked as at creation (making a course free sets its
//   price to 0; a course made paid needs a price). Purchases already made keep their price, title
//   and access. Asking for what the course already has records nothing.
// - Deleting a course (admin) takes it out of the catalogue for good: it cannot be bought
//   (not_for_sale), changed or deleted again, nor its lessons changed (invalid_transition); those
//   who bought it keep it (see Access).
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
// - Access ("subscription OR purchase"): a user may open a course — read its lessons' content,
//   complete them and complete the course — when
//     * they have a completed purchase of it whose access has not expired (a deleted course too),
//     * or the course is not deleted and is free,
//     * or the course is not deleted and they have an active subscription to the "courses"
//       service (SUBSCRIPTION_STATUS_ACTIVE: a past-due one, whose renewal charge failed, opens
//       nothing until a later charge succeeds; a cancelled one nothing).
//   `course_is_accessible` is the rule; `load_learner` reads what it needs. A deleted course is
//   seen only by those who bought it (a completed purchase, expired or not: `course_is_visible`).
// - Lessons, progress, completion and certificates: course_lesson.h and course_progress.h.
//
// Every decider here reads rows, checks the rules and emits events; the course and purchase rows
// those events fold into are written by the "courses" fold (courses_fold.h), the money by the
// "wallets" and "accounts" folds.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/domain/captured_payment.h"
#include "core/domain/courses_fold.h"
#include "core/domain/keyspaces.h"
#include "core/domain/subscription.h"
#include "core/domain/unit_of_work.h"
#include "core/money.h"
#include "events/billing_state.pb.h"
#include "events/course_events.pb.h"
#include "events/course_state.pb.h"
#include "events/lesson_state.pb.h"
#include "events/wallet_events.pb.h"

namespace ledger::domain {

std::string course_stream(std::string_view course_id);
std::string course_purchase_stream(std::string_view purchase_id);

// Row keys of the "courses" keyspace, for readers.
inline constexpr std::string_view kCourseKeyPrefix = "course/";
std::string course_key(std::string_view course_id);
std::string course_purchase_key(std::string_view purchase_id);
std::string user_course_prefix(std::string_view user_id);
std::string user_course_key(std::string_view user_id, std::string_view course_id);
inline constexpr std::string_view kPendingPurchaseKeyPrefix = "pending/";
std::string pending_purchase_key(std::string_view purchase_id);

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

// What a change of a course sets; the fields not given keep their value.
struct CourseChanges {
  std::optional<std::string> title;
  std::optional<std::string> description;
  std::optional<Money> price;
  std::optional<bool> is_free;
  std::optional<bool> allow_individual_purchase;
  std::optional<std::uint32_t> access_days;  // 0: lifetime access
};

struct UpdateCourse {
  CourseId course_id;
  CourseChanges changes;
  ActorId updated_by;
};
// Answers the course as it is after the change.
Result<events::CourseState> update_course(UnitOfWork& uow, const UpdateCourse& command);

struct DeleteCourse {
  CourseId course_id;
  ActorId deleted_by;
};
// Answers the deleted course.
Result<events::CourseState> delete_course(UnitOfWork& uow, const DeleteCourse& command);

// The course at `course_id` (not_found when there is none), for the deciders of its lessons and
// learners too.
Result<events::CourseState> load_course(UnitOfWork& uow, std::string_view course_id);

// Refuses (invalid_transition) to change anything of a deleted course.
Status require_course_not_deleted(const events::CourseState& course);

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

// What the access rule knows of a user and a course.
struct Learner {
  std::optional<events::CoursePurchaseState> purchase;  // the user's current purchase of it
  bool subscribed = false;  // an active subscription to the courses service
};

// Pure: may `learner` open `course` at `now_us`? (the Access rule above)
bool course_is_accessible(const events::CourseState& course, const Learner& learner,
                          std::int64_t now_us);
// Pure: does `learner` see `course` at all? Every course not deleted; a deleted one when they
// bought it (a completed purchase, even expired).
bool course_is_visible(const events::CourseState& course, const Learner& learner);
// Pure: did `learner` buy the course (a completed purchase, even expired)?
bool course_is_purchased(const Learner& learner);

// Reads what the access rule needs of `user_id` and `course_id`: their current purchase and their
// subscriptions to the courses service with their status. `rows` is a UnitOfWork or a LogRows
// (core/domain/read_model.h): deciders and queries read it the same way.
template <class Rows>
Result<Learner> load_learner(Rows& rows, std::string_view user_id, std::string_view course_id) {
  Learner learner;
  auto purchase = rows.template load<events::CoursePurchaseState>(
      kCoursesKeyspace, user_course_key(user_id, course_id));
  if (!purchase) return std::move(purchase).error();
  learner.purchase = std::move(*purchase);
  auto subscriber = rows.template load<events::CourseSubscriberState>(
      kCoursesKeyspace, course_subscriber_key(user_id));
  if (!subscriber) return std::move(subscriber).error();
  if (!subscriber->has_value()) return learner;
  for (const auto& subscription_id : (*subscriber)->subscription_ids()) {
    auto subscription = rows.template load<events::SubscriptionState>(
        kBillingKeyspace, subscription_key(subscription_id));
    if (!subscription) return std::move(subscription).error();
    if (subscription->has_value() &&
        (*subscription)->status() == events::SUBSCRIPTION_STATUS_ACTIVE) {
      learner.subscribed = true;
      break;
    }
  }
  return learner;
}

}  // namespace ledger::domain
