#include "http/routes/billing_routes.h"

#include "core/domain/invoice.h"
#include "core/domain/keyspaces.h"
#include "core/domain/read_model.h"
#include "core/domain/subscription.h"
#include "core/domain/text_limits.h"
#include "core/domain/users.h"
#include "events/enum_names.h"
#include "events/timestamp.h"
#include "http/api_support.h"
#include "http/authorization.h"
#include "http/domain_json.h"
#include "http/listing.h"
#include "http/query_string.h"

namespace ledger::http {
namespace {

using domain::UnitOfWork;

// Ok when `client_id` names a client (invalid_argument naming the field otherwise).
Status require_client(const ApiContext& api, const std::string& client_id) {
  auto client = domain::find_user(api.log, client_id);
  if (!client) return std::move(client).error();
  if (!client->has_value() || (*client)->role() != "client") {
    return make_error(Errc::invalid_argument, "client_id must name a client", "client_id");
  }
  return {};
}

std::optional<std::string> status_filter(const Request& request) {
  return query_param(std::string_view(request.target().data(), request.target().size()), "status");
}

void issue_invoice(ApiContext& api, const Request& request, const Caller& caller, Reply reply) {
  auto body = parse_body(request);
  if (!body) return reply_error(request, body.error(), reply);
  auto client_id = body->string("client_id", domain::text_limits::kId);
  if (!client_id) return reply_error(request, client_id.error(), reply);
  auto amount = body->money("amount");
  if (!amount) return reply_error(request, amount.error(), reply);
  auto service = body->string("service", domain::text_limits::kServiceName);
  if (!service) return reply_error(request, service.error(), reply);
  auto due = body->date("due_date");
  if (!due) return reply_error(request, due.error(), reply);
  auto description = body->optional_long_text("description", domain::text_limits::kDescription);
  if (!description) return reply_error(request, description.error(), reply);
  if (auto done = body->finish(); !done) return reply_error(request, done.error(), reply);
  if (auto client = require_client(api, *client_id); !client) {
    return reply_error(request, client.error(), reply);
  }
  domain::IssueInvoice command{
      domain::InvoiceId{api.ids.next()}, domain::UserId{*client_id}, *service,      *amount,
      events::format_date(*due),         description->value_or(""),  caller.user_id};
  run_command<events::InvoiceState>(
      api, request, caller.user_id,
      [command](UnitOfWork& uow) { return domain::issue_invoice(uow, command); },
      [](const events::InvoiceState& invoice) -> Result<nlohmann::json> {
        return invoice_json(invoice);
      },
      beast_http::status::created, std::move(reply));
}

// Rows of `prefix` the caller may see, filtered by ?status=.
template <class State, class Render>
ListSource scoped_rows(ApiContext& api, const Caller& caller, std::string_view prefix,
                       std::optional<std::string> status, Render render) {
  return state_rows(
      api.log, domain::kBillingKeyspace, std::string(prefix),
      [&api, caller, status, render](
          std::string_view, std::string_view value) -> Result<std::optional<nlohmann::json>> {
        auto row = domain::decode_row<State>(value, "billing");
        if (!row) return std::move(row).error();
        if (status && events::enum_name(row->status()) != *status) {
          return std::optional<nlohmann::json>();
        }
        auto visible = in_client_scope(api.log, caller, row->client_id(), row->service());
        if (!visible) return std::move(visible).error();
        if (!*visible) return std::optional<nlohmann::json>();
        return std::optional<nlohmann::json>(render(*row));
      });
}

void list_invoices(ApiContext& api, const Request& request, const Caller& caller, Reply reply) {
  answer_query(api, request, reply, [&]() -> Result<nlohmann::json> {
    ListSource source = scoped_rows<events::InvoiceState>(
        api, caller, domain::kInvoiceKeyPrefix, status_filter(request),
        [](const events::InvoiceState& invoice) { return invoice_json(invoice); });
    auto count = count_items(source);
    if (!count) return std::move(count).error();
    return list_page(request, source, *count);
  });
}

// The invoice at {id} if the caller may see it (not_found otherwise).
Result<events::InvoiceState> visible_invoice(const ApiContext& api, const Caller& caller,
                                             std::string_view invoice_id) {
  auto invoice = domain::read_row<events::InvoiceState>(api.log, domain::kBillingKeyspace,
                                                        domain::invoice_key(invoice_id));
  if (!invoice) return std::move(invoice).error();
  if (!invoice->has_value()) return make_error(Errc::not_found, "there is no such invoice");
  if (auto scope = require_client_scope(api.log, caller, (*invoice)->client_id(),
                                        (*invoice)->service(), "invoice");
      !scope) {
    return std::move(scope).error();
  }
  return std::move(**invoice);
}

void get_invoice(ApiContext& api, const Request& request, const PathParams& params,
                 const Caller& caller, Reply reply) {
  answer_query(api, request, reply, [&]() -> Result<nlohmann::json> {
    auto invoice = visible_invoice(api, caller, params.get("id"));
    if (!invoice) return std::move(invoice).error();
    return invoice_json(*invoice);
  });
}

void pay_invoice(ApiContext& api, const Request& request, const PathParams& params,
                 const Caller& caller, Reply reply) {
  auto body = parse_body(request);
  if (!body) return reply_error(request, body.error(), reply);
  if (auto done = body->finish(); !done) return reply_error(request, done.error(), reply);
  domain::PayInvoice command{domain::InvoiceId{params.get("id")}, caller.user_id,
                             domain::TransactionId{api.ids.next()}};
  run_command<events::InvoiceState>(
      api, request, caller.user_id,
      [command](UnitOfWork& uow) { return domain::pay_invoice(uow, command); },
      [](const events::InvoiceState& invoice) -> Result<nlohmann::json> {
        return invoice_json(invoice);
      },
      beast_http::status::ok, std::move(reply));
}

void void_invoice(ApiContext& api, const Request& request, const PathParams& params,
                  const Caller& caller, Reply reply) {
  auto body = parse_body(request);
  if (!body) return reply_error(request, body.error(), reply);
  auto reason = body->optional_long_text("reason", domain::text_limits::kNote);
  if (!reason) return reply_error(request, reason.error(), reply);
  if (auto done = body->finish(); !done) return reply_error(request, done.error(), reply);
  domain::VoidInvoice command{domain::InvoiceId{params.get("id")}, caller.user_id,
                              reason->value_or("")};
  run_command<events::InvoiceState>(
      api, request, caller.user_id,
      [command](UnitOfWork& uow) { return domain::void_invoice(uow, command); },
      [](const events::InvoiceState& invoice) -> Result<nlohmann::json> {
        return invoice_json(invoice);
      },
      beast_http::status::ok, std::move(reply));
}

void activate_subscription(ApiContext& api, const Request& request, const Caller& caller,
                           Reply reply) {
  auto body = parse_body(request);
  if (!body) return reply_error(request, body.error(), reply);
  auto client_id = body->string("client_id", domain::text_limits::kId);
  if (!client_id) return reply_error(request, client_id.error(), reply);
  auto plan = body->string("plan", domain::text_limits::kName);
  if (!plan) return reply_error(request, plan.error(), reply);
  auto service = body->string("service", domain::text_limits::kServiceName);
  if (!service) return reply_error(request, service.error(), reply);
  auto price = body->money("price");
  if (!price) return reply_error(request, price.error(), reply);
  auto renews_on = body->date("renews_on");
  if (!renews_on) return reply_error(request, renews_on.error(), reply);
  auto from_wallet = body->optional_boolean("pays_from_wallet");
  if (!from_wallet) return reply_error(request, from_wallet.error(), reply);
  if (auto done = body->finish(); !done) return reply_error(request, done.error(), reply);
  if (auto client = require_client(api, *client_id); !client) {
    return reply_error(request, client.error(), reply);
  }
  domain::ActivateSubscription command{domain::SubscriptionId{api.ids.next()},
                                       domain::UserId{*client_id},
                                       *plan,
                                       *service,
                                       *price,
                                       events::format_date(*renews_on),
                                       from_wallet->value_or(true),
                                       caller.user_id,
                                       domain::TransactionId{api.ids.next()}};
  run_command<events::SubscriptionState>(
      api, request, caller.user_id,
      [command](UnitOfWork& uow) { return domain::activate_subscription(uow, command); },
      [](const events::SubscriptionState& subscription) -> Result<nlohmann::json> {
        return subscription_json(subscription);
      },
      beast_http::status::created, std::move(reply));
}

void cancel_subscription(ApiContext& api, const Request& request, const PathParams& params,
                         const Caller& caller, Reply reply) {
  auto body = parse_body(request);
  if (!body) return reply_error(request, body.error(), reply);
  auto reason = body->optional_long_text("reason", domain::text_limits::kNote);
  if (!reason) return reply_error(request, reason.error(), reply);
  if (auto done = body->finish(); !done) return reply_error(request, done.error(), reply);
  // A client cancels only its own subscriptions (others are not found); admins any.
  domain::CancelSubscription command{domain::SubscriptionId{params.get("id")},
                                     caller.is_admin() ? "" : caller.user_id, caller.user_id,
                                     reason->value_or("")};
  run_command<events::SubscriptionState>(
      api, request, caller.user_id,
      [command](UnitOfWork& uow) { return domain::cancel_subscription(uow, command); },
      [](const events::SubscriptionState& subscription) -> Result<nlohmann::json> {
        return subscription_json(subscription);
      },
      beast_http::status::ok, std::move(reply));
}

void list_subscriptions(ApiContext& api, const Request& request, const Caller& caller,
                        Reply reply) {
  answer_query(api, request, reply, [&]() -> Result<nlohmann::json> {
    ListSource source = scoped_rows<events::SubscriptionState>(
        api, caller, domain::kSubscriptionKeyPrefix, status_filter(request),
        [](const events::SubscriptionState& subscription) {
          return subscription_json(subscription);
        });
    auto count = count_items(source);
    if (!count) return std::move(count).error();
    return list_page(request, source, *count);
  });
}

}  // namespace

void add_billing_routes(Router& router, ApiContext& api) {
  using beast_http::verb;
  router.add(verb::post, "/api/invoices/", for_roles(api, {Role::admin}, issue_invoice));
  router.add(verb::get, "/api/invoices/", for_roles(api, {}, list_invoices));
  router.add(verb::get, "/api/invoices/{id}/", for_roles_with_params(api, {}, get_invoice));
  router.add(verb::post, "/api/invoices/{id}/pay/",
             for_roles_with_params(api, {Role::client}, pay_invoice));
  router.add(verb::post, "/api/invoices/{id}/void/",
             for_roles_with_params(api, {Role::admin}, void_invoice));
  router.add(verb::post, "/api/subscriptions/",
             for_roles(api, {Role::admin}, activate_subscription));
  router.add(verb::get, "/api/subscriptions/", for_roles(api, {}, list_subscriptions));
  router.add(verb::post, "/api/subscriptions/{id}/cancel/",
             for_roles_with_params(api, {Role::admin, Role::client}, cancel_subscription));
}

}  // namespace ledger::http
