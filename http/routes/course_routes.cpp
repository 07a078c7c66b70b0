#include "http/routes/course_routes.h"

#include "core/domain/accounts.h"
#include "core/domain/course.h"
#include "core/domain/keyspaces.h"
#include "core/domain/read_model.h"
#include "core/domain/text_limits.h"
#include "http/api_support.h"
#include "http/domain_json.h"
#include "http/listing.h"
#include "http/route_declaration.h"

namespace ledger::http {
namespace {

using domain::UnitOfWork;

// The course as the caller sees it: with whether the caller bought it and may open it.
Result<nlohmann::json> course_for(const ApiContext& api, const Caller& caller,
                                  const events::CourseState& course) {
  auto purchase = domain::read_row<events::CoursePurchaseState>(
      api.log, domain::kCoursesKeyspace,
      domain::user_course_key(caller.user_id.str(), course.course_id()));
  if (!purchase) return std::move(purchase).error();
  const events::CoursePurchaseState* owned = purchase->has_value() ? &**purchase : nullptr;
  const bool purchased =
      owned != nullptr && owned->status() == events::COURSE_PURCHASE_STATUS_COMPLETED;
  // Admins and agents manage the catalogue: they may open every course.
  const bool accessible =
      !caller.is_client() || domain::course_is_accessible(course, owned, api.clock.now_us());
  return course_json(course, purchased, accessible);
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
      [command](UnitOfWork& uow) { return domain::create_course(uow, command); },
      [](const events::CourseState& course) -> Result<nlohmann::json> {
        return course_json(course, false, true);
      },
      beast_http::status::created, std::move(reply));
}

void list_courses(ApiContext& api, const RouteInput& in, Reply reply) {
  answer_query(api, in.request, reply, [&]() -> Result<nlohmann::json> {
    ListSource source = state_rows(
        api.log, domain::kCoursesKeyspace, std::string(domain::kCourseKeyPrefix),
        [&](std::string_view, std::string_view value) -> Result<std::optional<nlohmann::json>> {
          auto course = domain::decode_row<events::CourseState>(value, "course");
          if (!course) return std::move(course).error();
          auto json = course_for(api, in.caller, *course);
          if (!json) return std::move(json).error();
          return std::optional<nlohmann::json>(std::move(*json));
        });
    auto count = count_items(source);
    if (!count) return std::move(count).error();
    return list_page(in.request, source, *count);
  });
}

void get_course(ApiContext& api, const RouteInput& in, Reply reply) {
  answer_query(api, in.request, reply, [&]() -> Result<nlohmann::json> {
    auto course = domain::read_row<events::CourseState>(api.log, domain::kCoursesKeyspace,
                                                        domain::course_key(in.path.get("id")));
    if (!course) return std::move(course).error();
    if (!course->has_value()) return make_error(Errc::not_found, "there is no such course");
    return course_for(api, in.caller, **course);
  });
}

void purchase(ApiContext& api, const RouteInput& in, Reply reply) {
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

void finish(ApiContext& api, const RouteInput& in, Reply reply) {
  domain::FinishCourse command{domain::CourseId{in.path.get("id")}, in.caller.user_id};
  run_command<events::CoursePurchaseState>(
      api, in.request, in.caller.user_id,
      [command](UnitOfWork& uow) { return domain::finish_course(uow, command); }, render_purchase(),
      beast_http::status::ok, std::move(reply));
}

}  // namespace

RouteTable course_routes() {
  using beast_http::verb;
  namespace limits = domain::text_limits;
  // Literal paths before "{id}": the first matching route wins.
  return {
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
       .summary = "Mark a course finished (the learner, with access; once)",
       .roles = {Role::client},
       .answer = purchase_answer_schema(),
       .errors = {Errc::not_found, Errc::course_not_accessible, Errc::already_finished},
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
}

}  // namespace ledger::http
