// The "courses" fold: the catalogue (each course, with its count of completed purchases) and each
// purchase under two keys, from the course events.
//
//   course/<course_id>               CourseState (purchases: completed ones, refunds excluded)
//   purchase/<purchase_id>           CoursePurchaseState
//   of-user/<user_id>/<course_id>    CoursePurchaseState: the user's latest purchase of the course
//                                    (the one-purchase-per-user guard and the access check)
//   pending/<purchase_id>            CoursePurchaseState holding only purchase_id and
//                                    purchased_at_us, while a PayPal purchase is pending (erased
//                                    when it is confirmed, failed, cancelled or expired): what the
//                                    deadline sweeper scans to expire unpaid purchases
//
// Version 3 added the pending/ rows (and the cancelled status).
//
// The key helpers (course_key, course_purchase_key, user_course_key, user_course_prefix,
// pending_purchase_key) are declared in course.h.
#pragma once

#include "core/domain/fold.h"

namespace ledger::domain {

InlineFold courses_fold();

}  // namespace ledger::domain
