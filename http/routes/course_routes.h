// Course endpoints: catalogue (admin creates, changes and deletes; everyone reads with
// is_purchased/is_accessible), purchases with the wallet or PayPal, PayPal confirmation, my
// purchases, refunds, finishing a course (API.md). Lessons, progress and certificates are
// lesson_routes.h's.
//
// What API.md leaves open, decided as the dashboards' users would expect:
// - A deleted course leaves the list and answers 404 (GET, purchase, its lessons) to everyone but
//   admins and the clients who bought it (http/authorization.h), who read it with is_deleted
//   true. Changing or deleting it again is 422 invalid_transition; buying it 422 not_for_sale.
// - PATCH takes any of the creation fields; access_days 0 means lifetime access; is_free true
//   sets the price to 0.00.
// - POST .../finish/ completes a course with nothing left to complete (422 lessons_incomplete
//   otherwise) and answers {progress, purchase} (purchase only when the access came from one).
#pragma once

#include "http/route_declaration.h"

namespace ledger::http {

RouteTable course_routes();

}  // namespace ledger::http
