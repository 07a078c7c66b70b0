#include "http/routes/course_routes.h"

#include "core/domain/accounts.h"
#include "core/domain/course.h"
#include "core/domain/keyspaces.h"
#include "core/domain/read_model.h"
#include "core/domain/text_limits.h"
#include "http/api_support.h"
#include "http/domain_json.h"
#include "http/listing.h"

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

void create_course(ApiContext& api, const Request& request, const Caller& caller, Reply reply) {
  auto body = parse_body(request);
  if (!body) return reply_error(request, body.error(), reply);
  auto title = body->string("title", domain::text_limits::kName);
  if (!title) return reply_error(request, title.error(), reply);
  auto description = body->optional_long_text("description", domain::text_limits::kDescription);
  if (!description) return reply_error(request, description.error(), reply);
  auto is_free = body->optional_boolean("is_free");
  if (!is_free) return reply_error(request, is_free.error(), reply);
  auto price = body->optional_money("price");
  if (!price) return reply_error(request, price.error(), reply);
  auto individual = body->optional_boolean("allow_individual_purchase");
  if (!individual) return reply_error(request, individual.error(), reply);
  auto access_days = body->optional_integer("access_days", 1, 36'500);
  if (!access_days) return reply_error(request, access_days.error(), reply);
  if (auto done = body->finish(); !done) return reply_error(request, done.error(), reply);
  const bool free = is_free->value_or(false);
  if (!free && !price->has_value()) {
    return reply_error(
        request, make_error(Errc::invalid_argument, "price is required unless is_free", "price"),
        reply);
  }
  domain::CreateCourse command{domain::CourseId{api.ids.next()},
                               *title,
                               description->value_or(""),
                               price->value_or(Money::zero()),
                               free,
                               individual->value_or(true),
                               static_cast<std::uint32_t>(access_days->value_or(0)),
                               caller.user_id};
  run_command<events::CourseState>(
      api, request, caller.user_id,
      [command](UnitOfWork& uow) { return domain::create_course(uow, command); },
      [](const events::CourseState& course) -> Result<nlohmann::json> {
        return course_json(course, false, true);
      },
      beast_http::status::created, std::move(reply));
}

void list_courses(ApiContext& api, const Request& request, const Caller& caller, Reply reply) {
  answer_query(api, request, reply, [&]() -> Result<nlohmann::json> {
    ListSource source = state_rows(
        api.log, domain::kCoursesKeyspace, std::string(domain::kCourseKeyPrefix),
        [&](std::string_view, std::string_view value) -> Result<std::optional<nlohmann::json>> {
          auto course = domain::decode_row<events::CourseState>(value, "course");
          if (!course) return std::move(course).error();
          auto json = course_for(api, caller, *course);
          if (!json) return std::move(json).error();
          return std::optional<nlohmann::json>(std::move(*json));
        });
    auto count = count_items(source);
    if (!count) return std::move(count).error();
    return list_page(request, source, *count);
  });
}

void get_course(ApiContext& api, const Request& request, const PathParams& params,
                const Caller& caller, Reply reply) {
  answer_query(api, request, reply, [&]() -> Result<nlohmann::json> {
    auto course = domain::read_row<events::CourseState>(api.log, domain::kCoursesKeyspace,
                                                        domain::course_key(params.get("id")));
    if (!course) return std::move(course).error();
    if (!course->has_value()) return make_error(Errc::not_found, "there is no such course");
    return course_for(api, caller, **course);
  });
}

void purchase(ApiContext& api, const Request& request, const PathParams& params,
              const Caller& caller, Reply reply) {
  auto body = parse_body(request);
  if (!body) return reply_error(request, body.error(), reply);
  auto method = body->choice("payment_method", {"wallet", "paypal"});
  if (!method) return reply_error(request, method.error(), reply);
  if (auto done = body->finish(); !done) return reply_error(request, done.error(), reply);
  domain::PurchaseCourse command{domain::PurchaseId{api.ids.next()},
                                 domain::CourseId{params.get("id")}, caller.user_id, *method,
                                 domain::TransactionId{api.ids.next()}};
  run_command<events::CoursePurchaseAnswer>(
      api, request, caller.user_id,
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

Renderer<events::CoursePurchaseState> render_purchase() {
  return [](const events::CoursePurchaseState& purchase) -> Result<nlohmann::json> {
    return nlohmann::json{{"purchase", purchase_json(purchase)}};
  };
}

void confirm_paypal(ApiContext& api, const Request& request, const PathParams& params,
                    const Caller& caller, Reply reply) {
  auto body = parse_body(request);
  if (!body) return reply_error(request, body.error(), reply);
  auto purchase_id = body->string("purchase_id", domain::text_limits::kId);
  if (!purchase_id) return reply_error(request, purchase_id.error(), reply);
  auto reference = body->string("provider_reference", domain::text_limits::kReference);
  if (!reference) return reply_error(request, reference.error(), reply);
  if (auto done = body->finish(); !done) return reply_error(request, done.error(), reply);
  domain::ConfirmCoursePurchase command{domain::PurchaseId{*purchase_id},
                                        domain::CourseId{params.get("id")}, *reference,
                                        caller.user_id};
  run_command<events::CoursePurchaseState>(
      api, request, caller.user_id,
      [command](UnitOfWork& uow) { return domain::confirm_course_purchase(uow, command); },
      render_purchase(), beast_http::status::ok, std::move(reply));
}

void my_purchases(ApiContext& api, const Request& request, const Caller& caller, Reply reply) {
  answer_query(api, request, reply, [&]() -> Result<nlohmann::json> {
    ListSource source = state_rows(
        api.log, domain::kCoursesKeyspace, domain::user_course_prefix(caller.user_id.str()),
        [](std::string_view, std::string_view value) -> Result<std::optional<nlohmann::json>> {
          auto purchase = domain::decode_row<events::CoursePurchaseState>(value, "purchase");
          if (!purchase) return std::move(purchase).error();
          return std::optional<nlohmann::json>(purchase_json(*purchase));
        },
        /*ascending=*/true);
    auto count = count_items(source);
    if (!count) return std::move(count).error();
    return list_page(request, source, *count);
  });
}

void refund(ApiContext& api, const Request& request, const PathParams& params, const Caller& caller,
            Reply reply) {
  auto body = parse_body(request);
  if (!body) return reply_error(request, body.error(), reply);
  if (auto done = body->finish(); !done) return reply_error(request, done.error(), reply);
  domain::RefundCoursePurchase command{domain::PurchaseId{params.get("id")}, caller.user_id,
                                       domain::TransactionId{api.ids.next()}};
  run_command<events::CoursePurchaseState>(
      api, request, caller.user_id,
      [command](UnitOfWork& uow) { return domain::refund_course_purchase(uow, command); },
      render_purchase(), beast_http::status::ok, std::move(reply));
}

void finish(ApiContext& api, const Request& request, const PathParams& params, const Caller& caller,
            Reply reply) {
  auto body = parse_body(request);
  if (!body) return reply_error(request, body.error(), reply);
  if (auto done = body->finish(); !done) return reply_error(request, done.error(), reply);
  domain::FinishCourse command{domain::CourseId{params.get("id")}, caller.user_id};
  run_command<events::CoursePurchaseState>(
      api, request, caller.user_id,
      [command](UnitOfWork& uow) { return domain::finish_course(uow, command); }, render_purchase(),
      beast_http::status::ok, std::move(reply));
}

}  // namespace

void add_course_routes(Router& router, ApiContext& api) {
  using beast_http::verb;
  router.add(verb::post, "/api/courses/", for_roles(api, {Role::admin}, create_course));
  router.add(verb::get, "/api/courses/", for_roles(api, {}, list_courses));
  // Literal paths before "{id}": the first matching route wins.
  router.add(verb::get, "/api/courses/my_purchases/", for_roles(api, {Role::client}, my_purchases));
  router.add(verb::get, "/api/courses/{id}/", for_roles_with_params(api, {}, get_course));
  router.add(verb::post, "/api/courses/{id}/purchase/",
             for_roles_with_params(api, {Role::client}, purchase));
  router.add(verb::post, "/api/courses/{id}/finish/",
             for_roles_with_params(api, {Role::client}, finish));
  router.add(verb::post, "/api/courses/{id}/confirm_paypal_purchase/",
             for_roles_with_params(api, {Role::admin}, confirm_paypal));
  router.add(verb::post, "/api/courses/purchases/{id}/refund/",
             for_roles_with_params(api, {Role::admin}, refund));
}

}  // namespace ledger::http
