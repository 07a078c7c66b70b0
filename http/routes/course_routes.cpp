#include "http/routes/course_routes.h"

#include "core/domain/accounts.h"
#include "core/domain/course.h"
#include "core/domain/course_progress.h"
#include "core/domain/keyspaces.h"
#include "core/domain/read_model.h"
#include "core/domain/text_limits.h"
#include "http/api_support.h"
#include "http/authorization.h"
#include "http/domain_json.h"
#include "http/listing.h"
#include "http/route_declaration.h"
#include "http/routes/lesson_routes.h"

namespace ledger::http {
namespace {

using domain::UnitOfWork;

nlohmann::json view_json(const CourseView& view) {
  return course_json(view.course, view.purchased, view.accessible);
}

// An admin's answer about a course: the catalogue entry, which admins may always open.
Result<nlohmann::json> admin_course_json(const events::CourseState& course) {
  return course_json(course, false, true);
}

void create_course(ApiContext& api, const RouteInput& in, Reply reply) {
  const bool free = in.body.optional_boolean("is_free").value_or(false);
  const auto price = in.body.optional_money("price");
  if (!free && !price) {
    return reply_error(
        in.request, make_error(Errc::invalid_argument, "price is required unless is_free", "price"),
        reply);
  }
  domain::CreateCourse command{
      domain::CourseId{api.ids.next()},
      in.body.text("title"),
      in.body.optional_text("description").value_or(""),
      price.value_or(Money::zero()),
      free,
      in.body.optional_boolean("allow_individual_purchase").value_or(true),
      static_cast<std::uint32_t>(in.body.optional_integer("access_days").value_or(0)),
      in.caller.user_id};
  run_command<events::CourseState>(
      api, in.request, in.caller.user_id,
      [command](UnitOfWork& uow) { return domain::create_course(uow, command); }, admin_course_json,
      beast_http::status::created, std::move(reply));
}

void list_courses(ApiContext& api, const RouteInput& in, Reply reply) {
  answer_query(api, in.request, reply, [&]() -> Result<nlohmann::json> {
    ListSource source = state_rows(
        api.log, domain::kCoursesKeyspace, std::string(domain::kCourseKeyPrefix),
        [&](std::string_view, std::string_view value) -> Result<std::optional<nlohmann::json>> {
          auto course = domain::decode_row<events::CourseState>(value, "course");
          if (!course) return std::move(course).error();
          auto view = course_view(api.log, in.caller, std::move(*course), api.clock.now_us());
          if (!view) return std::move(view).error();
          if (!view->has_value()) return std::optional<nlohmann::json>();  // deleted
          return std::optional<nlohmann::json>(view_json(**view));
        });
    auto count = count_items(source);
    if (!count) return std::move(count).error();
    return list_page(in.request, source, *count);
  });
}

void get_course(ApiContext& api, const RouteInput& in, Reply reply) {
  answer_query(api, in.request, reply, [&]() -> Result<nlohmann::json> {
    auto view = visible_course(api.log, in.caller, in.path.get("id"), api.clock.now_us());
    if (!view) return std::move(view).error();
    return view_json(*view);
  });
}

std::optional<std::uint32_t> access_days_of(const RequestFields& body) {
  const auto days = body.optional_integer("access_days");
  if (!days) return std::nullopt;
  return static_cast<std::uint32_t>(*days);
}

void update_course(ApiContext& api, const RouteInput& in, Reply reply) {
  const domain::UpdateCourse command{
      domain::CourseId{in.path.get("id")},
      {in.body.optional_text("title"), in.body.optional_text("description"),
       in.body.optional_money("price"), in.body.optional_boolean("is_free"),
       in.body.optional_boolean("allow_individual_purchase"), access_days_of(in.body)},
      in.caller.user_id};
  run_command<events::CourseState>(
      api, in.request, in.caller.user_id,
      [command](UnitOfWork& uow) { return domain::update_course(uow, command); }, admin_course_json,
      beast_http::status::ok, std::move(reply));
}

void delete_course(ApiContext& api, const RouteInput& in, Reply reply) {
  const domain::DeleteCourse command{domain::CourseId{in.path.get("id")}, in.caller.user_id};
  run_command<events::CourseState>(
      api, in.request, in.caller.user_id,
      [command](UnitOfWork& uow) { return domain::delete_course(uow, command); }, admin_course_json,
      beast_http::status::ok, std::move(reply));
}

void purchase(ApiContext& api, const RouteInput& in, Reply reply) {
  if (auto view = visible_course(api.log, in.caller, in.path.get("id"), api.clock.now_us());
      !view) {
    return reply_error(in.request, view.error(), reply);
  }
  domain::PurchaseCourse command{
      domain::PurchaseId{api.ids.next()}, domain::CourseId{in.path.get("id")}, in.caller.user_id,
      in.body.text("payment_method"), domain::TransactionId{api.ids.next()}};
  run_command<events::CoursePurchaseAnswer>(
      api, in.request, in.caller.user_id,
      [command](UnitOfWork& uow) -> Result<events::CoursePurchaseAnswer> {
        auto bought = domain::purchase_course(uow, command);
        if (!bought) return std::move(bought).error();
        events::CoursePurchaseAnswer answer;
        *answer.mutable_purchase() = *bought;
        if (bought->payment_method() == "wallet") {
          auto balance = uow.balance(domain::wallet_account(command.user_id.str()));
          if (!balance) return std::move(balance).error();
          answer.set_paid_from_wallet(true);
          answer.set_balance_after_minor(balance->minor());
        }
        return answer;
      },
      [](const events::CoursePurchaseAnswer& answer) -> Result<nlohmann::json> {
        nlohmann::json json = {{"purchase", purchase_json(answer.purchase())}};
        if (answer.paid_from_wallet()) json["balance"] = money_json(answer.balance_after_minor());
        return json;
      },
      beast_http::status::created, std::move(reply));
}

schema::Schema bought_course_schema() {
  using namespace schema;
  return object({{"purchase", purchase_schema()}, {"balance", optional(money())}});
}

Renderer<events::CoursePurchaseState> render_purchase() {
  return [](const events::CoursePurchaseState& purchase) -> Result<nlohmann::json> {
    return nlohmann::json{{"purchase", purchase_json(purchase)}};
  };
}

schema::Schema purchase_answer_schema() {
  return schema::object({{"purchase", purchase_schema()}});
}

void confirm_paypal(ApiContext& api, const RouteInput& in, Reply reply) {
  domain::ConfirmCoursePurchase command{domain::PurchaseId{in.body.text("purchase_id")},
                                        domain::CourseId{in.path.get("id")},
                                        in.body.text("provider_reference"), in.caller.user_id};
  run_command<events::CoursePurchaseState>(
      api, in.request, in.caller.user_id,
      [command](UnitOfWork& uow) { return domain::confirm_course_purchase(uow, command); },
      render_purchase(), beast_http::status::ok, std::move(reply));
}

void my_purchases(ApiContext& api, const RouteInput& in, Reply reply) {
  answer_query(api, in.request, reply, [&]() -> Result<nlohmann::json> {
    ListSource source = state_rows(
        api.log, domain::kCoursesKeyspace, domain::user_course_prefix(in.caller.user_id.str()),
        [](std::string_view, std::string_view value) -> Result<std::optional<nlohmann::json>> {
          auto purchase = domain::decode_row<events::CoursePurchaseState>(value, "purchase");
          if (!purchase) return std::move(purchase).error();
          return std::optional<nlohmann::json>(purchase_json(*purchase));
        },
        /*ascending=*/true);
    auto count = count_items(source);
    if (!count) return std::move(count).error();
    return list_page(in.request, source, *count);
  });
}

void refund(ApiContext& api, const RouteInput& in, Reply reply) {
  domain::RefundCoursePurchase command{domain::PurchaseId{in.path.get("id")}, in.caller.user_id,
                                       domain::TransactionId{api.ids.next()}};
  run_command<events::CoursePurchaseState>(
      api, in.request, in.caller.user_id,
      [command](UnitOfWork& uow) { return domain::refund_course_purchase(uow, command); },
      render_purchase(), beast_http::status::ok, std::move(reply));
}

void cancel(ApiContext& api, const RouteInput& in, Reply reply) {
  domain::CancelCoursePurchase command{domain::PurchaseId{in.path.get("id")}, in.caller.user_id};
  run_command<events::CoursePurchaseState>(
      api, in.request, in.caller.user_id,
      [command](UnitOfWork& uow) { return domain::cancel_course_purchase(uow, command); },
      render_purchase(), beast_http::status::ok, std::move(reply));
}

// The course finished: the caller's progress and, when the access came from a purchase (not from
// a free course or a subscription), the purchase.
Result<nlohmann::json> finished_json(const events::CourseProgressAnswer& answer) {
  nlohmann::json json = {{"progress", course_progress_json(answer)}};
  if (answer.has_purchase()) json["purchase"] = purchase_json(answer.purchase());
  return json;
}

schema::Schema finished_schema() {
  using namespace schema;
  return object(
      {{"purchase", optional(purchase_schema())}, {"progress", course_progress_schema()}});
}

void finish(ApiContext& api, const RouteInput& in, Reply reply) {
  if (auto view = visible_course(api.log, in.caller, in.path.get("id"), api.clock.now_us());
      !view) {
    return reply_error(in.request, view.error(), reply);
  }
  const domain::FinishCourse command{domain::CourseId{in.path.get("id")}, in.caller.user_id,
                                     domain::CertificateId{api.ids.next()}};
  run_command<events::CourseProgressAnswer>(
      api, in.request, in.caller.user_id,
      [command](UnitOfWork& uow) { return domain::finish_course(uow, command); }, finished_json,
      beast_http::status::ok, std::move(reply));
}

}  // namespace

RouteTable course_routes() {
  using beast_http::verb;
  namespace limits = domain::text_limits;
  // Literal paths before "{id}": the first matching route wins.
  RouteTable routes = {
      {.method = verb::post,
       .path = "/api/courses/",
       .operation_id = "createCourse",
       .summary = "Add a course to the catalogue",
       .roles = {Role::admin},
       .body = {field::text("title", limits::kName),
                field::long_text("description", limits::kDescription).optional(),
                field::boolean("is_free").optional().described("default false"),
                field::money("price").optional().described("required unless is_free"),
                field::boolean("allow_individual_purchase").optional().described("default true"),
                field::integer("access_days", 1, 36'500)
                    .optional()
                    .described("days of access after purchase; omitted: lifetime access")},
       .success = beast_http::status::created,
       .answer = course_schema(),
       .handler = create_course},
      {.method = verb::get,
       .path = "/api/courses/",
       .operation_id = "listCourses",
       .summary = "The catalogue, with whether the caller bought and may open each course",
       .paged = true,
       .answer = course_schema(),
       .handler = list_courses},
      {.method = verb::get,
       .path = "/api/courses/my_purchases/",
       .operation_id = "listMyCoursePurchases",
       .summary = "The caller's course purchases",
       .roles = {Role::client},
       .paged = true,
       .answer = purchase_schema(),
       .handler = my_purchases},
      {.method = verb::get,
       .path = "/api/courses/my-purchases/",
       .operation_id = "listMyCoursePurchasesDashed",
       .summary = "The same as /api/courses/my_purchases/ (the seed's dashboards use both)",
       .roles = {Role::client},
       .paged = true,
       .answer = purchase_schema(),
       .handler = my_purchases},
      {.method = verb::get,
       .path = "/api/courses/{id}/",
       .operation_id = "getCourse",
       .summary = "One course",
       .answer = course_schema(),
       .errors = {Errc::not_found},
       .handler = get_course},
      {.method = verb::patch,
       .path = "/api/courses/{id}/",
       .operation_id = "updateCourse",
       .summary = "Change a course's catalogue entry (not once deleted); purchases keep their "
                  "price and access",
       .roles = {Role::admin},
       .body = {field::text("title", limits::kName).optional(),
                field::long_text("description", limits::kDescription).optional(),
                field::boolean("is_free").optional().described("true also sets the price to 0.00"),
                field::money("price").optional().described("required when a free course is made "
                                                           "paid"),
                field::boolean("allow_individual_purchase").optional(),
                field::integer("access_days", 0, 36'500)
                    .optional()
                    .described("days of access after purchase; 0: lifetime access")},
       .answer = course_schema(),
       .errors = {Errc::not_found, Errc::invalid_transition},
       .handler = update_course},
      {.method = verb::delete_,
       .path = "/api/courses/{id}/",
       .operation_id = "deleteCourse",
       .summary = "Take a course out of the catalogue for good: nobody can buy it any more; "
                  "those who bought it keep it",
       .roles = {Role::admin},
       .answer = course_schema(),
       .errors = {Errc::not_found, Errc::invalid_transition},
       .handler = delete_course},
      {.method = verb::post,
       .path = "/api/courses/{id}/purchase/",
       .operation_id = "purchaseCourse",
       .summary = "Buy a course (wallet or free: at once, answering the balance after a wallet "
                  "payment; PayPal: pending until confirmed)",
       .roles = {Role::client},
       .body = {field::choice("payment_method", {"wallet", "paypal"})},
       .success = beast_http::status::created,
       .answer = bought_course_schema(),
       .errors = {Errc::not_found, Errc::not_for_sale, Errc::already_purchased,
                  Errc::insufficient_funds},
       .handler = purchase},
      {.method = verb::post,
       .path = "/api/courses/{id}/finish/",
       .operation_id = "finishCourse",
       .summary = "Complete a course with nothing left to complete (no lessons, or every current "
                  "one completed; the last lesson's completion does it by itself): the learner, "
                  "with access; once",
       .roles = {Role::client},
       .answer = finished_schema(),
       .errors = {Errc::not_found, Errc::course_not_accessible, Errc::already_finished,
                  Errc::lessons_incomplete},
       .handler = finish},
      {.method = verb::post,
       .path = "/api/courses/{id}/confirm_paypal_purchase/",
       .operation_id = "confirmCoursePaypalPurchase",
       .summary = "Confirm a pending PayPal purchase of the course: access starts",
       .roles = {Role::admin},
       .body = {field::text("purchase_id", limits::kId),
                field::text("provider_reference", limits::kReference)},
       .answer = purchase_answer_schema(),
       .errors = {Errc::not_found, Errc::not_pending, Errc::already_confirmed,
                  Errc::already_failed},
       .handler = confirm_paypal},
      {.method = verb::post,
       .path = "/api/courses/purchases/{id}/refund/",
       .operation_id = "refundCoursePurchase",
       .summary = "Refund a paid purchase to the wallet; access ends",
       .roles = {Role::admin},
       .answer = purchase_answer_schema(),
       .errors = {Errc::not_found, Errc::not_refundable, Errc::amount_overflow},
       .handler = refund},
      {.method = verb::post,
       .path = "/api/courses/purchases/{id}/cancel/",
       .operation_id = "cancelCoursePurchase",
       .summary = "Cancel the caller's pending PayPal purchase; the course can be bought again "
                  "(pending purchases also expire after 24 hours)",
       .roles = {Role::client},
       .answer = purchase_answer_schema(),
       .errors = {Errc::not_found, Errc::not_pending, Errc::already_confirmed,
                  Errc::already_failed},
       .handler = cancel},
  };
  // The courses' lessons, progress and certificates follow in the same area of the document.
  for (auto& declaration : lesson_routes()) routes.push_back(std::move(declaration));
  return routes;
}

}  // namespace ledger::http
