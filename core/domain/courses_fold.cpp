#include "core/domain/courses_fold.h"

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "core/domain/course.h"
#include "core/domain/course_learning_fold.h"
#include "core/domain/keyspaces.h"
#include "events/course_events.pb.h"
#include "events/course_state.pb.h"

namespace ledger::domain {
namespace {

// A purchase is stored twice: by its id, and as the user's latest purchase of the course.
void save_purchase(KeyspaceRows& rows, const events::CoursePurchaseState& purchase) {
  rows.save(course_purchase_key(purchase.purchase_id()), purchase);
  rows.save(user_course_key(purchase.user_id(), purchase.course_id()), purchase);
}

// Moves the course's count of completed purchases by one (+1 or -1); a course it does not know
// has nothing to count.
Status count_completed(KeyspaceRows& rows, const std::string& course_id, int change) {
  auto course = rows.load<events::CourseState>(course_key(course_id));
  if (!course) return std::move(course).error();
  if (!course->has_value()) return {};
  auto& state = **course;
  if (change > 0) {
    if (state.purchases() == UINT64_MAX) {
      return make_error(Errc::amount_overflow, "a course's purchase count would overflow");
    }
    state.set_purchases(state.purchases() + 1);
  } else if (state.purchases() > 0) {
    state.set_purchases(state.purchases() - 1);
  }
  rows.save(course_key(course_id), state);
  return {};
}

// Changes the stored purchase `purchase_id` with `change` and answers its status before, or
// nullopt for a purchase the fold never saw (which it leaves alone).
template <class Change>
Result<std::optional<events::CoursePurchaseStatus>> change_purchase(KeyspaceRows& rows,
                                                                    const std::string& purchase_id,
                                                                    Change change) {
  auto purchase = rows.load<events::CoursePurchaseState>(course_purchase_key(purchase_id));
  if (!purchase) return std::move(purchase).error();
  if (!purchase->has_value()) return std::optional<events::CoursePurchaseStatus>();
  std::optional<events::CoursePurchaseStatus> status_before((*purchase)->status());
  change(**purchase);
  save_purchase(rows, **purchase);
  return status_before;
}

// The row of the pending index: only the purchase's id and when it was made.
events::CoursePurchaseState pending_index_row(const events::CoursePurchaseState& purchase) {
  events::CoursePurchaseState row;
  row.set_purchase_id(purchase.purchase_id());
  row.set_purchased_at_us(purchase.purchased_at_us());
  return row;
}

Status create_course(KeyspaceRows& rows, const FoldedEvent& event,
                     const events::CourseCreated& created) {
  events::CourseState course;
  course.set_course_id(created.course_id());
  course.set_title(created.title());
  course.set_description(created.description());
  course.set_price_minor(created.price_minor());
  course.set_is_free(created.is_free());
  course.set_allow_individual_purchase(created.allow_individual_purchase());
  course.set_access_days(created.access_days());
  course.set_created_by(created.created_by());
  course.set_created_at_us(event.recorded_at_us);
  rows.save(course_key(created.course_id()), course);
  return {};
}

// The catalogue entry after a change: the event carries every field as it now is.
Status update_course(KeyspaceRows& rows, const FoldedEvent& event,
                     const events::CourseUpdated& updated) {
  auto course = rows.load<events::CourseState>(course_key(updated.course_id()));
  if (!course) return std::move(course).error();
  if (!course->has_value()) return {};
  events::CourseState& state = **course;
  state.set_title(updated.title());
  state.set_description(updated.description());
  state.set_price_minor(updated.price_minor());
  state.set_is_free(updated.is_free());
  state.set_allow_individual_purchase(updated.allow_individual_purchase());
  state.set_access_days(updated.access_days());
  state.set_updated_at_us(event.recorded_at_us);
  rows.save(course_key(updated.course_id()), state);
  return {};
}

Status delete_course(KeyspaceRows& rows, const FoldedEvent& event,
                     const events::CourseDeleted& deleted) {
  auto course = rows.load<events::CourseState>(course_key(deleted.course_id()));
  if (!course) return std::move(course).error();
  if (!course->has_value() || (*course)->deleted_at_us() != 0) return {};
  (*course)->set_deleted_at_us(event.recorded_at_us);
  rows.save(course_key(deleted.course_id()), **course);
  return {};
}

// The title a purchase keeps: the event's; a CoursePurchased recorded before it carried one (a
// title is never empty) takes the course row's, which no event renames.
Result<std::string> purchased_title(KeyspaceRows& rows, const events::CoursePurchased& purchased) {
  if (!purchased.course_title().empty()) return purchased.course_title();
  auto course = rows.load<events::CourseState>(course_key(purchased.course_id()));
  if (!course) return std::move(course).error();
  return course->has_value() ? (*course)->title() : std::string();
}

Status purchase(KeyspaceRows& rows, const FoldedEvent& event,
                const events::CoursePurchased& purchased) {
  // A purchase id is used once (the decider refuses another), so this is a new purchase.
  const bool completed = purchased.status() == events::COURSE_PURCHASE_STATUS_COMPLETED;
  events::CoursePurchaseState purchase;
  purchase.set_purchase_id(purchased.purchase_id());
  purchase.set_course_id(purchased.course_id());
  purchase.set_user_id(purchased.user_id());
  purchase.set_amount_minor(purchased.amount_minor());
  purchase.set_payment_method(purchased.payment_method());
  purchase.set_status(purchased.status());
  purchase.set_purchased_at_us(event.recorded_at_us);
  auto title = purchased_title(rows, purchased);
  if (!title) return std::move(title).error();
  purchase.set_course_title(std::move(*title));
  if (completed) {
    purchase.set_completed_at_us(event.recorded_at_us);
    purchase.set_access_expires_at_us(purchased.access_expires_at_us());
  }
  save_purchase(rows, purchase);
  if (purchase.status() == events::COURSE_PURCHASE_STATUS_PENDING) {
    rows.save(pending_purchase_key(purchase.purchase_id()), pending_index_row(purchase));
  }
  if (!completed) return {};
  return count_completed(rows, purchased.course_id(), +1);
}

// The catalogue and the purchases.
Status evolve_catalogue(KeyspaceRows& rows, const FoldedEvent& event) {
  if (const auto* created = event.as<events::CourseCreated>()) {
    return create_course(rows, event, *created);
  }
  if (const auto* updated = event.as<events::CourseUpdated>()) {
    return update_course(rows, event, *updated);
  }
  if (const auto* deleted = event.as<events::CourseDeleted>()) {
    return delete_course(rows, event, *deleted);
  }
  if (const auto* purchased = event.as<events::CoursePurchased>()) {
    return purchase(rows, event, *purchased);
  }
  if (const auto* confirmed = event.as<events::CoursePurchaseConfirmed>()) {
    auto changed = change_purchase(rows, confirmed->purchase_id(), [&](auto& purchase) {
      purchase.set_status(events::COURSE_PURCHASE_STATUS_COMPLETED);
      purchase.set_completed_at_us(event.recorded_at_us);
      purchase.set_access_expires_at_us(confirmed->access_expires_at_us());
      purchase.set_provider_reference(confirmed->provider_reference());
    });
    if (!changed) return std::move(changed).error();
    if (changed->has_value()) rows.erase(pending_purchase_key(confirmed->purchase_id()));
    // The course counts a purchase once, when it becomes completed.
    if (!changed->has_value() || **changed == events::COURSE_PURCHASE_STATUS_COMPLETED) return {};
    return count_completed(rows, confirmed->course_id(), +1);
  }
  if (const auto* failed = event.as<events::CoursePurchaseFailed>()) {
    auto changed = change_purchase(rows, failed->purchase_id(), [](auto& purchase) {
      purchase.set_status(events::COURSE_PURCHASE_STATUS_FAILED);
    });
    if (!changed) return std::move(changed).error();
    if (changed->has_value()) rows.erase(pending_purchase_key(failed->purchase_id()));
    return {};
  }
  if (const auto* cancelled = event.as<events::CoursePurchaseCancelled>()) {
    auto changed = change_purchase(rows, cancelled->purchase_id(), [&](auto& purchase) {
      purchase.set_status(events::COURSE_PURCHASE_STATUS_CANCELLED);
      purchase.set_cancelled_at_us(event.recorded_at_us);
      purchase.set_cancel_reason(cancelled->reason());
    });
    if (!changed) return std::move(changed).error();
    if (changed->has_value()) rows.erase(pending_purchase_key(cancelled->purchase_id()));
    return {};
  }
  if (const auto* refunded = event.as<events::CoursePurchaseRefunded>()) {
    auto changed = change_purchase(rows, refunded->purchase_id(), [&](auto& purchase) {
      purchase.set_status(events::COURSE_PURCHASE_STATUS_REFUNDED);
      purchase.set_refunded_at_us(event.recorded_at_us);
    });
    if (!changed) return std::move(changed).error();
    // Only a completed purchase was counted.
    if (!changed->has_value() || **changed != events::COURSE_PURCHASE_STATUS_COMPLETED) return {};
    return count_completed(rows, refunded->course_id(), -1);
  }
  if (const auto* finished = event.as<events::CourseFinished>()) {
    // A completion by subscription or of a free course names no purchase.
    if (finished->purchase_id().empty()) return {};
    auto changed = change_purchase(rows, finished->purchase_id(), [&](auto& purchase) {
      purchase.set_finished_at_us(event.recorded_at_us);
    });
    if (!changed) return std::move(changed).error();
    return {};
  }
  return {};
}

Status evolve_courses(KeyspaceRows& rows, const FoldedEvent& event) {
  if (auto folded = evolve_catalogue(rows, event); !folded) return folded;
  return evolve_course_learning(rows, event);
}

std::vector<const google::protobuf::Descriptor*> courses_events() {
  std::vector<const google::protobuf::Descriptor*> types = {
      events::CourseCreated::descriptor(),           events::CourseUpdated::descriptor(),
      events::CourseDeleted::descriptor(),           events::CoursePurchased::descriptor(),
      events::CoursePurchaseConfirmed::descriptor(), events::CoursePurchaseFailed::descriptor(),
      events::CoursePurchaseCancelled::descriptor(), events::CoursePurchaseRefunded::descriptor(),
      events::CourseFinished::descriptor()};
  for (const auto* type : course_learning_events()) {
    if (std::find(types.begin(), types.end(), type) == types.end()) types.push_back(type);
  }
  return types;
}

}  // namespace

InlineFold courses_fold() {
  return InlineFold{
      .keyspace = kCoursesKeyspace,
      .version = 4,
      .description =
          "courses (with their completed purchases and lessons) and purchases, by id and by "
          "user, the pending PayPal purchases, lessons, learners' progress and certificates, "
          "and the clients subscribing to courses",
      .events = courses_events(),
      .every_event = false,
      .evolve = evolve_courses};
}

}  // namespace ledger::domain
