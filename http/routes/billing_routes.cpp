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
#include "http/route_declaration.h"

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

// ?status= of the lists: free text, compared with the rows' status names (another value
// matches nothing).
std::vector<Field> status_filter(std::string statuses) {
  return {field::text("status", domain::text_limits::kServiceName)
              .optional()
              .described(std::move(statuses) + " (another value matches nothing)")};
}

Renderer<events::InvoiceState> render_invoice() {
  return [](const events::InvoiceState& invoice) -> Result<nlohmann::json> {
    return invoice_json(invoice);
  };
}

Renderer<events::SubscriptionState> render_subscription() {
  return [](const events::SubscriptionState& subscription) -> Result<nlohmann::json> {
    return subscription_json(subscription);
  };
}

void issue_invoice(ApiContext& api, const RouteInput& in, Reply reply) {
  const std::string& client_id = in.body.text("client_id");
  if (auto client = require_client(api, client_id); !client) {
    return reply_error(in.request, client.error(), reply);
  }
  domain::IssueInvoice command{domain::InvoiceId{api.ids.next()},
                               domain::UserId{client_id},
                               in.body.text("service"),
                               in.body.money("amount"),
                               events::format_date(in.body.integer("due_date")),
                               in.body.optional_text("description").value_or(""),
                               in.caller.user_id};
  run_command<events::InvoiceState>(
      api, in.request, in.caller.user_id,
      [command](UnitOfWork& uow) { return domain::issue_invoice(uow, command); }, render_invoice(),
      beast_http::status::created, std::move(reply));
}

// Rows of `prefix` the caller may see, filtered by ?status=.
template <class State, class Render>
ListSource scoped_rows(ApiContext& api, const Caller& caller, std::string_view prefix,
                       const std::optional<std::string>& status, Render render) {
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

void list_invoices(ApiContext& api, const RouteInput& in, Reply reply) {
  answer_query(api, in.request, reply, [&]() -> Result<nlohmann::json> {
    ListSource source = scoped_rows<events::InvoiceState>(
        api, in.caller, domain::kInvoiceKeyPrefix, in.query.optional_text("status"),
        [](const events::InvoiceState& invoice) { return invoice_json(invoice); });
    auto count = count_items(source);
    if (!count) return std::move(count).error();
    return list_page(in.request, source, *count);
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

void get_invoice(ApiContext& api, const RouteInput& in, Reply reply) {
  answer_query(api, in.request, reply, [&]() -> Result<nlohmann::json> {
    auto invoice = visible_invoice(api, in.caller, in.path.get("id"));
    if (!invoice) return std::move(invoice).error();
    return invoice_json(*invoice);
  });
}

void pay_invoice(ApiContext& api, const RouteInput& in, Reply reply) {
  domain::PayInvoice command{domain::InvoiceId{in.path.get("id")}, in.caller.user_id,
                             domain::TransactionId{api.ids.next()}};
  run_command<events::InvoiceState>(
      api, in.request, in.caller.user_id,
      [command](UnitOfWork& uow) { return domain::pay_invoice(uow, command); }, render_invoice(),
      beast_http::status::ok, std::move(reply));
}

void void_invoice(ApiContext& api, const RouteInput& in, Reply reply) {
  domain::VoidInvoice command{domain::InvoiceId{in.path.get("id")}, in.caller.user_id,
                              in.body.optional_text("reason").value_or("")};
  run_command<events::InvoiceState>(
      api, in.request, in.caller.user_id,
      [command](UnitOfWork& uow) { return domain::void_invoice(uow, command); }, render_invoice(),
      beast_http::status::ok, std::move(reply));
}

void activate_subscription(ApiContext& api, const RouteInput& in, Reply reply) {
  const std::string& client_id = in.body.text("client_id");
  if (auto client = require_client(api, client_id); !client) {
    return reply_error(in.request, client.error(), reply);
  }
  domain::ActivateSubscription command{domain::SubscriptionId{api.ids.next()},
                                       domain::UserId{client_id},
                                       in.body.text("plan"),
                                       in.body.text("service"),
                                       in.body.money("price"),
                                       events::format_date(in.body.integer("renews_on")),
                                       in.body.optional_boolean("pays_from_wallet").value_or(true),
                                       in.caller.user_id,
                                       domain::TransactionId{api.ids.next()}};
  run_command<events::SubscriptionState>(
      api, in.request, in.caller.user_id,
      [command](UnitOfWork& uow) { return domain::activate_subscription(uow, command); },
      render_subscription(), beast_http::status::created, std::move(reply));
}

void cancel_subscription(ApiContext& api, const RouteInput& in, Reply reply) {
  // A client cancels only its own subscriptions (others are not found); admins any.
  domain::CancelSubscription command{
      domain::SubscriptionId{in.path.get("id")}, in.caller.is_admin() ? "" : in.caller.user_id,
      in.caller.user_id, in.body.optional_text("reason").value_or("")};
  run_command<events::SubscriptionState>(
      api, in.request, in.caller.user_id,
      [command](UnitOfWork& uow) { return domain::cancel_subscription(uow, command); },
      render_subscription(), beast_http::status::ok, std::move(reply));
}

void list_subscriptions(ApiContext& api, const RouteInput& in, Reply reply) {
  answer_query(api, in.request, reply, [&]() -> Result<nlohmann::json> {
    ListSource source = scoped_rows<events::SubscriptionState>(
        api, in.caller, domain::kSubscriptionKeyPrefix, in.query.optional_text("status"),
        [](const events::SubscriptionState& subscription) {
          return subscription_json(subscription);
        });
    auto count = count_items(source);
    if (!count) return std::move(count).error();
    return list_page(in.request, source, *count);
  });
}

}  // namespace

RouteTable billing_routes() {
  using beast_http::verb;
  namespace limits = domain::text_limits;
  const Field reason = field::long_text("reason", limits::kNote).optional();
  return {
      {.method = verb::post,
       .path = "/api/invoices/",
       .operation_id = "issueInvoice",
       .summary = "Issue an invoice to a client",
       .roles = {Role::admin},
       .body = {field::text("client_id", limits::kId), field::money("amount"),
                field::text("service", limits::kServiceName), field::date("due_date"),
                field::long_text("description", limits::kDescription).optional()},
       .success = beast_http::status::created,
       .answer = invoice_schema(),
       .handler = issue_invoice},
      {.method = verb::get,
       .path = "/api/invoices/",
       .operation_id = "listInvoices",
       .summary = "Invoices in the caller's scope, newest first",
       .query = status_filter("issued, paid or void"),
       .paged = true,
       .answer = invoice_schema(),
       .handler = list_invoices},
      {.method = verb::get,
       .path = "/api/invoices/{id}/",
       .operation_id = "getInvoice",
       .summary = "One invoice",
       .answer = invoice_schema(),
       .errors = {Errc::not_found},
       .handler = get_invoice},
      {.method = verb::post,
       .path = "/api/invoices/{id}/pay/",
       .operation_id = "payInvoice",
       .summary = "Pay one of the caller's invoices from the wallet (a subscription's renewal "
                  "invoice also settles the renewal and reinstates a past-due subscription)",
       .roles = {Role::client},
       .answer = invoice_schema(),
       .errors = {Errc::not_found, Errc::already_paid, Errc::invoice_void,
                  Errc::insufficient_funds},
       .handler = pay_invoice},
      {.method = verb::post,
       .path = "/api/invoices/{id}/void/",
       .operation_id = "voidInvoice",
       .summary = "Void an unpaid invoice (a subscription's renewal invoice: the renewal is "
                  "waived and a past-due subscription reinstated)",
       .roles = {Role::admin},
       .body = {reason},
       .answer = invoice_schema(),
       .errors = {Errc::not_found, Errc::already_paid, Errc::invoice_void},
       .handler = void_invoice},
      {.method = verb::post,
       .path = "/api/subscriptions/",
       .operation_id = "activateSubscription",
       .summary = "Activate a subscription for a client: paid from the wallet, the first month "
                  "and each renewal are charged to it; otherwise each renewal issues an invoice "
                  "due 7 days after the renewal date, and the subscription is past_due when that "
                  "ends unpaid, until the invoice is paid or voided",
       .roles = {Role::admin},
       .body = {field::text("client_id", limits::kId), field::text("plan", limits::kName),
                field::text("service", limits::kServiceName),
                field::money("price").described("per month"),
                field::date("renews_on").described("after today"),
                field::boolean("pays_from_wallet")
                    .optional()
                    .described("default true; false: each renewal issues an invoice")},
       .success = beast_http::status::created,
       .answer = subscription_schema(),
       .errors = {Errc::insufficient_funds},
       .handler = activate_subscription},
      {.method = verb::get,
       .path = "/api/subscriptions/",
       .operation_id = "listSubscriptions",
       .summary = "Subscriptions in the caller's scope",
       .query = status_filter("active, past_due (a renewal unpaid: no access) or cancelled"),
       .paged = true,
       .answer = subscription_schema(),
       .handler = list_subscriptions},
      {.method = verb::post,
       .path = "/api/subscriptions/{id}/cancel/",
       .operation_id = "cancelSubscription",
       .summary = "Cancel a subscription (clients: their own)",
       .roles = {Role::admin, Role::client},
       .body = {reason},
       .answer = subscription_schema(),
       .errors = {Errc::not_found, Errc::subscription_not_active},
       .handler = cancel_subscription},
  };
}

}  // namespace ledger::http
