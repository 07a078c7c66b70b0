#include "core/domain/course.h"

#include <fmt/format.h>

#include <string>
#include <vector>

#include "core/clock.h"
#include "core/domain/accounts.h"
#include "core/domain/courses_fold.h"
#include "core/domain/keyspaces.h"
#include "core/domain/text_limits.h"
#include "core/domain/validation.h"
#include "core/domain/wallet.h"
#include "events/enum_names.h"

namespace ledger::domain {
namespace {

constexpr std::uint32_t kAccessDaysMax = 36'500;
constexpr std::string_view kCoursesService = "courses";

Result<events::CoursePurchaseState> load_purchase(UnitOfWork& uow, std::string_view purchase_id) {
  auto row =
      uow.load<events::CoursePurchaseState>(kCoursesKeyspace, course_purchase_key(purchase_id));
  if (!row) return std::move(row).error();
  if (!row->has_value()) {
    return make_error(Errc::not_found, fmt::format("there is no course purchase {}", purchase_id));
  }
  return std::move(**row);
}

std::int64_t access_expiry(const events::CourseState& course, std::int64_t from_us) {
  if (course.access_days() == 0) return 0;
  return from_us + static_cast<std::int64_t>(course.access_days()) * kMicrosPerDay;
}

// One purchase per user and course: a pending or completed one stands in the way of another.
bool blocks_new_purchase(const events::CoursePurchaseState& current) {
  return current.status() == events::COURSE_PURCHASE_STATUS_PENDING ||
         current.status() == events::COURSE_PURCHASE_STATUS_COMPLETED;
}

// The rules of a catalogue entry, at creation and after every change.
Status validate_entry(const events::CourseState& course) {
  if (auto valid = require_text(course.title(), "title", text_limits::kName); !valid) return valid;
  if (auto valid = limit_text(course.description(), "description", text_limits::kDescription);
      !valid) {
    return valid;
  }
  const Money price = Money::from_minor(course.price_minor());
  if (course.is_free() && !price.is_zero()) {
    return make_error(Errc::invalid_argument, "a free course has price 0.00", "price");
  }
  if (!course.is_free()) {
    if (auto valid = require_positive(price, "price"); !valid) return valid;
  }
  if (price.minor() > Money::kApiAmountMinorMax) {
    return make_error(Errc::invalid_argument, "price is above the maximum amount", "price");
  }
  if (course.access_days() > kAccessDaysMax) {
    return make_error(Errc::invalid_argument,
                      fmt::format("access_days is at most {}", kAccessDaysMax), "access_days");
  }
  return {};
}

// Applies `changes` to `course`, naming each field whose value changed in `changed`. Making a
// course free makes it cost nothing.
void apply_changes(const CourseChanges& changes, events::CourseState& course,
                   std::vector<std::string>& changed) {
  auto set = [&changed](const char* name, const auto& current, const auto& wanted, auto setter) {
    if (!wanted || *wanted == current) return;
    setter(*wanted);
    changed.emplace_back(name);
  };
  set("title", course.title(), changes.title, [&](const std::string& v) { course.set_title(v); });
  set("description", course.description(), changes.description,
      [&](const std::string& v) { course.set_description(v); });
  set("is_free", course.is_free(), changes.is_free, [&](bool v) { course.set_is_free(v); });
  std::optional<Money> price = changes.price;
  if (!price && changes.is_free == true) price = Money::zero();
  set("price", Money::from_minor(course.price_minor()), price,
      [&](Money v) { course.set_price_minor(v.minor()); });
  set("allow_individual_purchase", course.allow_individual_purchase(),
      changes.allow_individual_purchase, [&](bool v) { course.set_allow_individual_purchase(v); });
  set("access_days", course.access_days(), changes.access_days,
      [&](std::uint32_t v) { course.set_access_days(v); });
}

}  // namespace

std::string course_stream(std::string_view course_id) { return "course:" + std::string(course_id); }
std::string course_purchase_stream(std::string_view purchase_id) {
  return "course-purchase:" + std::string(purchase_id);
}
std::string course_key(std::string_view course_id) {
  return std::string(kCourseKeyPrefix) + std::string(course_id);
}
std::string course_purchase_key(std::string_view purchase_id) {
  return "purchase/" + std::string(purchase_id);
}
std::string user_course_prefix(std::string_view user_id) {
  return "of-user/" + std::string(user_id) + "/";
}
std::string user_course_key(std::string_view user_id, std::string_view course_id) {
  return user_course_prefix(user_id) + std::string(course_id);
}
std::string pending_purchase_key(std::string_view purchase_id) {
  return std::string(kPendingPurchaseKeyPrefix) + std::string(purchase_id);
}

Result<events::CourseState> load_course(UnitOfWork& uow, std::string_view course_id) {
  if (auto valid = require_id(course_id, "course_id"); !valid) return std::move(valid).error();
  auto row = uow.load<events::CourseState>(kCoursesKeyspace, course_key(course_id));
  if (!row) return std::move(row).error();
  if (!row->has_value()) {
    return make_error(Errc::not_found, fmt::format("there is no course {}", course_id));
  }
  return std::move(**row);
}

Status require_course_not_deleted(const events::CourseState& course) {
  if (course.deleted_at_us() == 0) return {};
  return make_error(
      Errc::invalid_transition,
      fmt::format("course {} is deleted: it does not change any more", course.title()));
}

Result<events::CourseState> create_course(UnitOfWork& uow, const CreateCourse& command) {
  if (auto valid = require_id(command.course_id.str(), "course_id"); !valid) {
    return std::move(valid).error();
  }
  events::CourseState entry;
  entry.set_title(command.title);
  entry.set_description(command.description);
  entry.set_price_minor(command.price.minor());
  entry.set_is_free(command.is_free);
  entry.set_access_days(command.access_days);
  if (auto valid = validate_entry(entry); !valid) return std::move(valid).error();
  if (auto unused = uow.require_unused(command.course_id, kCoursesKeyspace,
                                       course_key(command.course_id.str()));
      !unused) {
    return std::move(unused).error();
  }
  events::CourseCreated created;
  created.set_course_id(command.course_id.str());
  created.set_title(command.title);
  created.set_description(command.description);
  created.set_price_minor(command.price.minor());
  created.set_is_free(command.is_free);
  created.set_allow_individual_purchase(command.allow_individual_purchase);
  created.set_access_days(command.access_days);
  created.set_created_by(command.created_by.str());
  if (auto emitted = uow.emit(course_stream(command.course_id.str()), created); !emitted) {
    return std::move(emitted).error();
  }
  return load_course(uow, command.course_id.str());
}

Result<events::CourseState> update_course(UnitOfWork& uow, const UpdateCourse& command) {
  auto course = load_course(uow, command.course_id.str());
  if (!course) return course;
  if (auto alive = require_course_not_deleted(*course); !alive) return std::move(alive).error();
  std::vector<std::string> changed;
  apply_changes(command.changes, *course, changed);
  if (auto valid = validate_entry(*course); !valid) return std::move(valid).error();
  if (changed.empty()) return course;  // nothing to record
  events::CourseUpdated updated;
  updated.set_course_id(course->course_id());
  for (const auto& name : changed) updated.add_changed(name);
  updated.set_title(course->title());
  updated.set_description(course->description());
  updated.set_price_minor(course->price_minor());
  updated.set_is_free(course->is_free());
  updated.set_allow_individual_purchase(course->allow_individual_purchase());
  updated.set_access_days(course->access_days());
  updated.set_updated_by(command.updated_by.str());
  if (auto emitted = uow.emit(course_stream(course->course_id()), updated); !emitted) {
    return std::move(emitted).error();
  }
  return load_course(uow, course->course_id());
}

Result<events::CourseState> delete_course(UnitOfWork& uow, const DeleteCourse& command) {
  auto course = load_course(uow, command.course_id.str());
  if (!course) return course;
  if (course->deleted_at_us() != 0) {
    return make_error(Errc::invalid_transition,
                      fmt::format("course {} is deleted already", course->title()));
  }
  events::CourseDeleted deleted;
  deleted.set_course_id(course->course_id());
  deleted.set_title(course->title());
  deleted.set_deleted_by(command.deleted_by.str());
  if (auto emitted = uow.emit(course_stream(course->course_id()), deleted); !emitted) {
    return std::move(emitted).error();
  }
  return load_course(uow, course->course_id());
}

Result<events::CoursePurchaseState> purchase_course(UnitOfWork& uow,
                                                    const PurchaseCourse& command) {
  if (auto valid = require_id(command.purchase_id.str(), "purchase_id"); !valid) {
    return std::move(valid).error();
  }
  if (command.payment_method != "wallet" && command.payment_method != "paypal") {
    return make_error(Errc::invalid_argument, "payment_method must be \"wallet\" or \"paypal\"",
                      "payment_method");
  }
  auto course = load_course(uow, command.course_id.str());
  if (!course) return std::move(course).error();
  if (course->deleted_at_us() != 0) {
    return make_error(Errc::not_for_sale,
                      fmt::format("course {} is no longer in the catalogue", course->title()));
  }
  if (!course->allow_individual_purchase()) {
    return make_error(Errc::not_for_sale,
                      fmt::format("course {} cannot be bought on its own", course->title()));
  }
  auto current = uow.load<events::CoursePurchaseState>(
      kCoursesKeyspace, user_course_key(command.user_id.str(), command.course_id.str()));
  if (!current) return std::move(current).error();
  if (current->has_value() && blocks_new_purchase(**current)) {
    return make_error(
        Errc::already_purchased,
        (*current)->status() == events::COURSE_PURCHASE_STATUS_PENDING
            ? fmt::format("a purchase of course {} is waiting for payment", course->title())
            : fmt::format("you have already bought course {}", course->title()));
  }
  if (auto unused = uow.require_unused(command.purchase_id, kCoursesKeyspace,
                                       course_purchase_key(command.purchase_id.str()));
      !unused) {
    return std::move(unused).error();
  }

  const Money price = course->is_free() ? Money::zero() : Money::from_minor(course->price_minor());
  const bool completes_now = course->is_free() || command.payment_method == "wallet";
  if (completes_now && price.is_positive()) {
    auto debited = debit_wallet(
        uow, WalletDebit{command.user_id, command.transaction_id, price, "course_purchase",
                         std::string(kCoursesService), command.purchase_id.str(),
                         fmt::format("Course: {}", course->title())});
    if (!debited) return std::move(debited).error();
  }
  events::CoursePurchased purchased;
  purchased.set_purchase_id(command.purchase_id.str());
  purchased.set_course_id(command.course_id.str());
  purchased.set_user_id(command.user_id.str());
  purchased.set_amount_minor(price.minor());
  purchased.set_payment_method(course->is_free() ? "free" : command.payment_method);
  purchased.set_status(completes_now ? events::COURSE_PURCHASE_STATUS_COMPLETED
                                     : events::COURSE_PURCHASE_STATUS_PENDING);
  if (completes_now) {
    purchased.set_access_expires_at_us(access_expiry(*course, uow.now_us()));
  }
  purchased.set_course_title(course->title());
  if (auto emitted = uow.emit(course_purchase_stream(command.purchase_id.str()), purchased);
      !emitted) {
    return std::move(emitted).error();
  }
  return load_purchase(uow, command.purchase_id.str());
}

namespace {

// The purchase a PayPal confirmation or failure is about, which must be pending.
Result<events::CoursePurchaseState> load_pending_paypal_purchase(UnitOfWork& uow,
                                                                 std::string_view purchase_id,
                                                                 std::string_view course_id) {
  if (auto valid = require_id(purchase_id, "purchase_id"); !valid) {
    return std::move(valid).error();
  }
  auto purchase = load_purchase(uow, purchase_id);
  if (!purchase) return std::move(purchase).error();
  if (!course_id.empty() && purchase->course_id() != course_id) {
    return make_error(Errc::not_found,
                      fmt::format("course {} has no purchase {}", course_id, purchase_id));
  }
  if (purchase->payment_method() != "paypal") {
    return make_error(Errc::not_pending,
                      fmt::format("purchase {} is not paid with PayPal", purchase_id));
  }
  if (purchase->status() == events::COURSE_PURCHASE_STATUS_COMPLETED) {
    return make_error(Errc::already_confirmed,
                      fmt::format("purchase {} is already confirmed", purchase_id));
  }
  if (purchase->status() == events::COURSE_PURCHASE_STATUS_FAILED) {
    return make_error(Errc::already_failed, fmt::format("purchase {} has failed", purchase_id));
  }
  if (purchase->status() != events::COURSE_PURCHASE_STATUS_PENDING) {
    return make_error(Errc::not_pending, fmt::format("purchase {} is {}", purchase_id,
                                                     events::enum_name(purchase->status())));
  }
  return purchase;
}

// Completes a pending PayPal purchase: clearing:paypal -> revenue:courses, access starts.
Result<events::CoursePurchaseState> complete_paypal_purchase(
    UnitOfWork& uow, const events::CoursePurchaseState& purchase,
    const std::string& provider_reference, const std::string& confirmed_by) {
  auto course = load_course(uow, purchase.course_id());
  if (!course) return std::move(course).error();
  const Money amount = Money::from_minor(purchase.amount_minor());
  events::CoursePurchaseConfirmed confirmed;
  confirmed.set_purchase_id(purchase.purchase_id());
  confirmed.set_course_id(purchase.course_id());
  confirmed.set_user_id(purchase.user_id());
  confirmed.set_amount_minor(amount.minor());
  confirmed.set_provider_reference(provider_reference);
  confirmed.set_confirmed_by(confirmed_by);
  confirmed.set_access_expires_at_us(access_expiry(*course, uow.now_us()));
  *confirmed.add_postings() = posting(clearing_account("paypal"), -amount);
  *confirmed.add_postings() = posting(revenue_account(kCoursesService), amount);
  if (auto emitted = uow.emit(course_purchase_stream(purchase.purchase_id()), confirmed);
      !emitted) {
    return std::move(emitted).error();
  }
  return load_purchase(uow, purchase.purchase_id());
}

}  // namespace

Result<events::CoursePurchaseState> confirm_course_purchase(UnitOfWork& uow,
                                                            const ConfirmCoursePurchase& command) {
  auto purchase =
      load_pending_paypal_purchase(uow, command.purchase_id.str(), command.course_id.str());
  if (!purchase) return std::move(purchase).error();
  return complete_paypal_purchase(uow, *purchase, command.provider_reference,
                                  command.confirmed_by.str());
}

Result<events::CoursePaymentAnswer> confirm_course_payment(UnitOfWork& uow,
                                                           const ConfirmCoursePayment& command) {
  auto purchase = load_pending_paypal_purchase(uow, command.purchase_id.str(), "");
  if (!purchase) return std::move(purchase).error();
  const ExpectedPayment expected{"course_purchase", purchase->purchase_id(),
                                 UserId{purchase->user_id()},
                                 Money::from_minor(purchase->amount_minor())};
  events::CoursePaymentAnswer answer;
  if (!capture_matches(expected, command.captured)) {
    auto mismatch = record_amount_mismatch(uow, expected, command.captured);
    if (!mismatch) return std::move(mismatch).error();
    *answer.mutable_mismatch() = std::move(*mismatch);
    return answer;
  }
  auto completed = complete_paypal_purchase(uow, *purchase, command.captured.provider_reference,
                                            std::string(kPaymentProvider));
  if (!completed) return std::move(completed).error();
  *answer.mutable_purchase() = std::move(*completed);
  return answer;
}

Result<events::CoursePurchaseState> fail_course_purchase(UnitOfWork& uow,
                                                         const FailCoursePurchase& command) {
  auto purchase = load_pending_paypal_purchase(uow, command.purchase_id.str(), "");
  if (!purchase) return std::move(purchase).error();
  events::CoursePurchaseFailed failed;
  failed.set_purchase_id(purchase->purchase_id());
  failed.set_course_id(purchase->course_id());
  failed.set_user_id(purchase->user_id());
  failed.set_reason(command.reason);
  if (auto emitted = uow.emit(course_purchase_stream(purchase->purchase_id()), failed); !emitted) {
    return std::move(emitted).error();
  }
  return load_purchase(uow, purchase->purchase_id());
}

namespace {

Result<events::CoursePurchaseState> record_cancelled(UnitOfWork& uow,
                                                     const events::CoursePurchaseState& purchase,
                                                     const std::string& cancelled_by,
                                                     std::string_view reason) {
  events::CoursePurchaseCancelled cancelled;
  cancelled.set_purchase_id(purchase.purchase_id());
  cancelled.set_course_id(purchase.course_id());
  cancelled.set_user_id(purchase.user_id());
  cancelled.set_cancelled_by(cancelled_by);
  cancelled.set_reason(std::string(reason));
  if (auto emitted = uow.emit(course_purchase_stream(purchase.purchase_id()), cancelled);
      !emitted) {
    return std::move(emitted).error();
  }
  return load_purchase(uow, purchase.purchase_id());
}

}  // namespace

Result<events::CoursePurchaseState> cancel_course_purchase(UnitOfWork& uow,
                                                           const CancelCoursePurchase& command) {
  if (auto valid = require_id(command.purchase_id.str(), "purchase_id"); !valid) {
    return std::move(valid).error();
  }
  // Someone else's purchase is answered as a missing one: its id tells the caller nothing.
  auto owned = load_purchase(uow, command.purchase_id.str());
  if (!owned) return std::move(owned).error();
  if (owned->user_id() != command.user_id.str()) {
    return make_error(Errc::not_found,
                      fmt::format("there is no course purchase {}", command.purchase_id.str()));
  }
  auto purchase = load_pending_paypal_purchase(uow, command.purchase_id.str(), "");
  if (!purchase) return std::move(purchase).error();
  return record_cancelled(uow, *purchase, command.user_id.str(), "client");
}

Result<events::CoursePurchaseState> expire_course_purchase(UnitOfWork& uow,
                                                           const ExpireCoursePurchase& command) {
  if (auto valid = require_id(command.purchase_id.str(), "purchase_id"); !valid) {
    return std::move(valid).error();
  }
  auto purchase = load_purchase(uow, command.purchase_id.str());
  if (!purchase) return purchase;
  if (purchase->status() != events::COURSE_PURCHASE_STATUS_PENDING ||
      purchase->payment_method() != "paypal") {
    return purchase;
  }
  if (uow.now_us() < purchase->purchased_at_us() + kPendingPurchaseLifetimeUs) return purchase;
  return record_cancelled(uow, *purchase, "system", "expired");
}

Result<events::CoursePurchaseState> refund_course_purchase(UnitOfWork& uow,
                                                           const RefundCoursePurchase& command) {
  if (auto valid = require_id(command.purchase_id.str(), "purchase_id"); !valid) {
    return std::move(valid).error();
  }
  auto purchase = load_purchase(uow, command.purchase_id.str());
  if (!purchase) return std::move(purchase).error();
  if (purchase->status() != events::COURSE_PURCHASE_STATUS_COMPLETED ||
      purchase->amount_minor() == 0) {
    return make_error(Errc::not_refundable,
                      purchase->status() == events::COURSE_PURCHASE_STATUS_COMPLETED
                          ? fmt::format("purchase {} was free", command.purchase_id.str())
                          : fmt::format("purchase {} is {}", command.purchase_id.str(),
                                        events::enum_name(purchase->status())));
  }
  const Money amount = Money::from_minor(purchase->amount_minor());
  auto credited =
      credit_wallet(uow, WalletCredit{UserId{purchase->user_id()}, command.transaction_id, amount,
                                      "refund", purchase->purchase_id(),
                                      fmt::format("Refund: {}", purchase->course_title()),
                                      std::string(kRefunds)});
  if (!credited) return std::move(credited).error();

  events::CoursePurchaseRefunded refunded;
  refunded.set_purchase_id(purchase->purchase_id());
  refunded.set_course_id(purchase->course_id());
  refunded.set_user_id(purchase->user_id());
  refunded.set_amount_minor(amount.minor());
  refunded.set_refunded_by(command.refunded_by.str());
  refunded.set_transaction_id(command.transaction_id.str());
  if (auto emitted = uow.emit(course_purchase_stream(purchase->purchase_id()), refunded);
      !emitted) {
    return std::move(emitted).error();
  }
  return load_purchase(uow, purchase->purchase_id());
}

bool course_is_purchased(const Learner& learner) {
  return learner.purchase && learner.purchase->status() == events::COURSE_PURCHASE_STATUS_COMPLETED;
}

bool course_is_accessible(const events::CourseState& course, const Learner& learner,
                          std::int64_t now_us) {
  if (course_is_purchased(learner)) {
    const std::int64_t expires_at_us = learner.purchase->access_expires_at_us();
    if (expires_at_us == 0 || expires_at_us > now_us) return true;
  }
  if (course.deleted_at_us() != 0) return false;
  return course.is_free() || learner.subscribed;
}

bool course_is_visible(const events::CourseState& course, const Learner& learner) {
  return course.deleted_at_us() == 0 || course_is_purchased(learner);
}

}  // namespace ledger::domain
