#include "http/routes/wallet_routes.h"

#include <fmt/format.h>

#include "core/assert.h"
#include "core/domain/accounts.h"
#include "core/domain/course.h"
#include "core/domain/keyspaces.h"
#include "core/domain/read_model.h"
#include "core/domain/redeem_code.h"
#include "core/domain/text_limits.h"
#include "core/domain/users.h"
#include "core/domain/wallet.h"
#include "core/secret_token.h"
#include "http/api_support.h"
#include "http/domain_json.h"
#include "http/listing.h"
#include "http/query_string.h"

namespace ledger::http {
namespace {

using domain::UnitOfWork;

// Whose wallet a read is about: the caller's own, or (admins) ?user_id=.
Result<std::string> wallet_owner(const ApiContext& api, const Request& request,
                                 const Caller& caller) {
  const std::string_view target(request.target().data(), request.target().size());
  auto asked = query_param(target, "user_id");
  if (!caller.is_admin()) {
    if (asked && *asked != caller.user_id.str()) {
      return make_error(Errc::invalid_argument, "only admins may name another user", "user_id");
    }
    return caller.user_id.str();
  }
  if (!asked || asked->empty()) {
    return make_error(Errc::invalid_argument, "admins name the wallet with ?user_id=", "user_id");
  }
  auto user = domain::find_user(api.log, *asked);
  if (!user) return std::move(user).error();
  if (!user->has_value()) return make_error(Errc::not_found, "there is no such user");
  return *asked;
}

Result<events::WalletState> wallet_state(const store::EventLog& log, std::string_view user_id) {
  auto row = domain::read_row<events::WalletState>(log, domain::kWalletsKeyspace,
                                                   "wallet/" + std::string(user_id));
  if (!row) return std::move(row).error();
  return row->value_or(events::WalletState{});
}

Result<nlohmann::json> wallet_body(const store::EventLog& log, std::string_view user_id) {
  auto account = domain::read_row<events::AccountState>(log, domain::kAccountsKeyspace,
                                                        domain::wallet_account(user_id));
  if (!account) return std::move(account).error();
  auto wallet = wallet_state(log, user_id);
  if (!wallet) return std::move(wallet).error();
  return wallet_json(account->value_or(events::AccountState{}), *wallet);
}

void request_topup(ApiContext& api, const Request& request, const Caller& caller, Reply reply) {
  auto body = parse_body(request);
  if (!body) return reply_error(request, body.error(), reply);
  auto amount = body->money("amount");
  if (!amount) return reply_error(request, amount.error(), reply);
  auto method = body->choice("payment_method", {"paypal", "card"});
  if (!method) return reply_error(request, method.error(), reply);
  if (auto done = body->finish(); !done) return reply_error(request, done.error(), reply);
  domain::RequestTopUp command{caller.user_id, domain::TopUpId{api.ids.next()}, *amount, *method};
  run_command<events::TopUpRequested>(
      api, request, caller.user_id,
      [command](UnitOfWork& uow) { return domain::request_topup(uow, command); },
      [](const events::TopUpRequested& requested) -> Result<nlohmann::json> {
        return nlohmann::json{{"id", requested.topup_id()},
                              {"status", "pending"},
                              {"amount", money_json(requested.amount_minor())},
                              {"payment_method", requested.payment_method()}};
      },
      beast_http::status::created, std::move(reply));
}

// The wallet transaction `transaction_id` written by the commit `executed`, rendered from the
// stored event (its recorded time and position) exactly as GET /api/wallet/transactions/ does.
template <class Answer>
Result<nlohmann::json> committed_transaction(const store::EventLog& log,
                                             const domain::Executed<Answer>& executed,
                                             std::string_view transaction_id) {
  LEDGER_ASSERT(executed.first_position <= executed.position, "a commit's positions ascend");
  auto written =
      log.read_all(executed.first_position - 1, executed.position - executed.first_position + 1);
  if (!written) return std::move(written).error();
  for (const events::Envelope& envelope : *written) {
    auto transaction = transaction_json(envelope);
    if (!transaction) return std::move(transaction).error();
    if (transaction->has_value() && (**transaction)["id"] == std::string(transaction_id)) {
      return std::move(**transaction);
    }
  }
  return make_error(
      Errc::internal,
      fmt::format("transaction {} is not among the events of its commit", transaction_id));
}

// The answer of a confirmed top-up (by an admin or by the provider's webhook).
template <class Answer>
Result<nlohmann::json> confirmed_topup_json(const store::EventLog& log,
                                            const domain::Executed<Answer>& executed,
                                            const events::WalletCredited& credited) {
  auto transaction = committed_transaction(log, executed, credited.transaction_id());
  if (!transaction) return std::move(transaction).error();
  return nlohmann::json{{"id", credited.reference()},
                        {"status", "confirmed"},
                        {"amount", money_json(credited.amount_minor())},
                        {"balance", money_json(credited.balance_after_minor())},
                        {"transaction", std::move(*transaction)}};
}

void confirm_topup(ApiContext& api, const Request& request, const PathParams& params,
                   const Caller& caller, Reply reply) {
  auto body = parse_body(request);
  if (!body) return reply_error(request, body.error(), reply);
  auto reference = body->string("provider_reference", domain::text_limits::kReference);
  if (!reference) return reply_error(request, reference.error(), reply);
  if (auto done = body->finish(); !done) return reply_error(request, done.error(), reply);
  domain::ConfirmTopUp command{domain::TopUpId{params.get("id")}, *reference, caller.user_id,
                               domain::TransactionId{api.ids.next()}};
  run_command_rendering_commit<events::WalletCredited>(
      api, request, caller.user_id,
      [command](UnitOfWork& uow) { return domain::confirm_topup(uow, command); },
      [&log = api.log](const domain::Executed<events::WalletCredited>& executed) {
        return confirmed_topup_json(log, executed, executed.answer);
      },
      beast_http::status::ok, std::move(reply));
}

// What the payment provider's webhook says: `event` is "<topup|course_purchase>.<confirmed|
// failed>"; a confirmation carries the captured `amount` and `currency`.
struct PaymentNotice {
  std::string event;
  std::string id;
  std::string provider_reference;
  std::string reason;
  std::optional<Money> amount;
  std::optional<std::string> currency;
};

Status verify_webhook_signature(const ApiContext& api, const Request& request) {
  if (api.options.webhook_secret.empty()) {
    return make_error(Errc::forbidden, "the payment webhook is not configured");
  }
  const auto signature = request.find("X-Signature");
  const std::string expected =
      "sha256=" + to_hex(hmac_sha256(api.options.webhook_secret, request.body()));
  if (signature == request.end() ||
      !constant_time_equal(std::string_view(signature->value().data(), signature->value().size()),
                           expected)) {
    return make_error(Errc::unauthenticated,
                      "X-Signature must be sha256=<hex HMAC-SHA256 of the body>");
  }
  return {};
}

Result<PaymentNotice> read_payment_notice(const Request& request) {
  auto body = parse_body(request);
  if (!body) return std::move(body).error();
  auto event = body->choice("event", {"topup.confirmed", "topup.failed",
                                      "course_purchase.confirmed", "course_purchase.failed"});
  if (!event) return std::move(event).error();
  auto id = body->string("id", domain::text_limits::kId);
  if (!id) return std::move(id).error();
  auto reference = body->optional_string("provider_reference", domain::text_limits::kReference);
  if (!reference) return std::move(reference).error();
  auto reason = body->optional_long_text("reason", domain::text_limits::kNote);
  if (!reason) return std::move(reason).error();
  auto amount = body->optional_amount("amount");
  if (!amount) return std::move(amount).error();
  auto currency = body->optional_string("currency", domain::text_limits::kCurrency);
  if (!currency) return std::move(currency).error();
  if (auto done = body->finish(); !done) return std::move(done).error();
  return PaymentNotice{*event,
                       *id,
                       reference->value_or(""),
                       reason->value_or("declined by the payment provider"),
                       *amount,
                       *currency};
}

// The capture a confirmation reports: amount and currency are required.
Result<domain::CapturedPayment> captured_payment(const PaymentNotice& notice) {
  if (!notice.amount) {
    return make_error(Errc::invalid_argument, "a confirmation carries the captured amount",
                      "amount");
  }
  if (!notice.currency) {
    return make_error(Errc::invalid_argument, "a confirmation carries the captured currency",
                      "currency");
  }
  return domain::CapturedPayment{*notice.amount, *notice.currency, notice.provider_reference};
}

// A capture that did not match: the mismatch is recorded and answered as amount_mismatch.
Error amount_mismatch_error(const events::PaymentAmountMismatched& mismatch) {
  return make_error(
      Errc::amount_mismatch,
      fmt::format("the provider captured {} {} for {} {}, which is {} {}: nothing "
                  "was credited and the mismatch is recorded",
                  Money::from_minor(mismatch.captured_minor()).format(),
                  mismatch.captured_currency(), mismatch.payment_kind(), mismatch.payment_id(),
                  Money::from_minor(mismatch.expected_minor()).format(),
                  mismatch.expected_currency()),
      "amount");
}

void webhook_confirm_topup(ApiContext& api, const Request& request,
                           const domain::CapturedPayment& captured, const std::string& topup_id,
                           Reply reply) {
  domain::ConfirmTopUpPayment command{domain::TopUpId{topup_id}, captured,
                                      domain::TransactionId{api.ids.next()}};
  run_command_rendering_commit<events::TopUpPaymentAnswer>(
      api, request, domain::ActorId{domain::kPaymentProvider},
      [command](UnitOfWork& uow) { return domain::confirm_topup_payment(uow, command); },
      [&log = api.log](
          const domain::Executed<events::TopUpPaymentAnswer>& executed) -> Result<nlohmann::json> {
        if (executed.answer.has_mismatch()) {
          return amount_mismatch_error(executed.answer.mismatch());
        }
        return confirmed_topup_json(log, executed, executed.answer.credited());
      },
      beast_http::status::ok, std::move(reply));
}

void webhook_confirm_course_purchase(ApiContext& api, const Request& request,
                                     const domain::CapturedPayment& captured,
                                     const std::string& purchase_id, Reply reply) {
  domain::ConfirmCoursePayment command{domain::PurchaseId{purchase_id}, captured};
  run_command<events::CoursePaymentAnswer>(
      api, request, domain::ActorId{domain::kPaymentProvider},
      [command](UnitOfWork& uow) { return domain::confirm_course_payment(uow, command); },
      [](const events::CoursePaymentAnswer& answer) -> Result<nlohmann::json> {
        if (answer.has_mismatch()) return amount_mismatch_error(answer.mismatch());
        return nlohmann::json{{"purchase", purchase_json(answer.purchase())}};
      },
      beast_http::status::ok, std::move(reply));
}

void webhook_fail(ApiContext& api, const Request& request, const PaymentNotice& notice,
                  Reply reply) {
  const domain::ActorId actor{domain::kPaymentProvider};
  if (notice.event == "topup.failed") {
    domain::FailTopUp command{domain::TopUpId{notice.id}, notice.reason};
    return run_command<events::TopUpFailed>(
        api, request, actor,
        [command](UnitOfWork& uow) { return domain::fail_topup(uow, command); },
        [](const events::TopUpFailed& failed) -> Result<nlohmann::json> {
          return nlohmann::json{{"id", failed.topup_id()}, {"status", "failed"}};
        },
        beast_http::status::ok, std::move(reply));
  }
  domain::FailCoursePurchase command{domain::PurchaseId{notice.id}, notice.reason};
  run_command<events::CoursePurchaseState>(
      api, request, actor,
      [command](UnitOfWork& uow) { return domain::fail_course_purchase(uow, command); },
      [](const events::CoursePurchaseState& purchase) -> Result<nlohmann::json> {
        return nlohmann::json{{"purchase", purchase_json(purchase)}};
      },
      beast_http::status::ok, std::move(reply));
}

// The payment provider's notification, authenticated by an HMAC of the raw body.
void payment_webhook(ApiContext& api, const Request& request, Reply reply) {
  if (auto signed_by_provider = verify_webhook_signature(api, request); !signed_by_provider) {
    return reply_error(request, signed_by_provider.error(), reply);
  }
  auto notice = read_payment_notice(request);
  if (!notice) return reply_error(request, notice.error(), reply);
  if (notice->event.ends_with(".failed")) {
    return webhook_fail(api, request, *notice, std::move(reply));
  }
  auto captured = captured_payment(*notice);
  if (!captured) return reply_error(request, captured.error(), reply);
  if (notice->event == "topup.confirmed") {
    return webhook_confirm_topup(api, request, *captured, notice->id, std::move(reply));
  }
  webhook_confirm_course_purchase(api, request, *captured, notice->id, std::move(reply));
}

void pay(ApiContext& api, const Request& request, const Caller& caller, Reply reply) {
  auto body = parse_body(request);
  if (!body) return reply_error(request, body.error(), reply);
  auto amount = body->money("amount");
  if (!amount) return reply_error(request, amount.error(), reply);
  auto service = body->string("service", domain::text_limits::kServiceName);
  if (!service) return reply_error(request, service.error(), reply);
  auto reference = body->optional_string("reference", domain::text_limits::kReference);
  if (!reference) return reply_error(request, reference.error(), reply);
  auto description = body->optional_long_text("description", domain::text_limits::kDescription);
  if (!description) return reply_error(request, description.error(), reply);
  if (auto done = body->finish(); !done) return reply_error(request, done.error(), reply);
  domain::PayFromWallet command{caller.user_id,
                                domain::TransactionId{api.ids.next()},
                                *amount,
                                "payment",
                                *service,
                                reference->value_or(""),
                                description->value_or("")};
  run_command_rendering_commit<events::WalletDebited>(
      api, request, caller.user_id,
      [command](UnitOfWork& uow) { return domain::pay_from_wallet(uow, command); },
      [&log = api.log](
          const domain::Executed<events::WalletDebited>& executed) -> Result<nlohmann::json> {
        auto transaction = committed_transaction(log, executed, executed.answer.transaction_id());
        if (!transaction) return std::move(transaction).error();
        return nlohmann::json{{"transaction", std::move(*transaction)},
                              {"balance", money_json(executed.answer.balance_after_minor())}};
      },
      beast_http::status::created, std::move(reply));
}

void check_affordability(ApiContext& api, const Request& request, const Caller& caller,
                         Reply reply) {
  auto body = parse_body(request);
  if (!body) return reply_error(request, body.error(), reply);
  auto amount = body->money("amount");
  if (!amount) return reply_error(request, amount.error(), reply);
  if (auto done = body->finish(); !done) return reply_error(request, done.error(), reply);
  answer_query(api, request, reply, [&]() -> Result<nlohmann::json> {
    auto account = domain::read_row<events::AccountState>(
        api.log, domain::kAccountsKeyspace, domain::wallet_account(caller.user_id.str()));
    if (!account) return std::move(account).error();
    auto wallet = wallet_state(api.log, caller.user_id.str());
    if (!wallet) return std::move(wallet).error();
    const auto answer = domain::affordability(
        Money::from_minor(account->value_or(events::AccountState{}).balance_minor()), *wallet,
        *amount);
    return nlohmann::json{{"can_afford", answer.can_afford},
                          {"amount", amount->format()},
                          {"balance", answer.balance.format()},
                          {"available_balance", answer.available.format()},
                          {"shortfall", answer.shortfall.format()},
                          {"auto_recharge_would_cover", answer.auto_recharge_would_cover}};
  });
}

void transactions(ApiContext& api, const Request& request, const Caller& caller, Reply reply) {
  auto owner = wallet_owner(api, request, caller);
  if (!owner) return reply_error(request, owner.error(), reply);
  answer_query(api, request, reply, [&]() -> Result<nlohmann::json> {
    const std::string stream = domain::wallet_stream(*owner);
    auto count = api.log.stream_version(stream);
    if (!count) return std::move(count).error();
    return list_page(request, stream_events(api.log, stream, transaction_json), *count);
  });
}

void redeem(ApiContext& api, const Request& request, const Caller& caller, Reply reply) {
  auto body = parse_body(request);
  if (!body) return reply_error(request, body.error(), reply);
  auto code = body->string("code", domain::text_limits::kRedeemCode);
  if (!code) return reply_error(request, code.error(), reply);
  if (auto done = body->finish(); !done) return reply_error(request, done.error(), reply);
  // Guessing codes is throttled per user and per address (many accounts, one attacker).
  const auto peer = request.find(kPeerHeader);
  const std::pair<std::string, RateLimit> limits[] = {
      {"redeem-user:" + caller.user_id.str(), api.options.redeem_limit},
      {"redeem-ip:" + (peer == request.end() ? std::string() : std::string(peer->value())),
       api.options.redeem_ip_limit}};
  for (const auto& [key, limit] : limits) {
    std::uint64_t retry_after = 0;
    if (auto allowed = api.limiter.attempt(key, limit, &retry_after); !allowed) {
      return reply_error(request, allowed.error(), reply, retry_after);
    }
  }
  domain::RedeemCode command{*code, caller.user_id, domain::TransactionId{api.ids.next()}};
  run_command<events::WalletCredited>(
      api, request, caller.user_id,
      [command](UnitOfWork& uow) { return domain::redeem_code(uow, command); },
      [](const events::WalletCredited& credited) -> Result<nlohmann::json> {
        return nlohmann::json{{"code", credited.reference()},
                              {"amount", money_json(credited.amount_minor())},
                              {"balance", money_json(credited.balance_after_minor())}};
      },
      beast_http::status::created, std::move(reply));
}

void my_redeemed_codes(ApiContext& api, const Request& request, const Caller& caller, Reply reply) {
  answer_query(api, request, reply, [&]() -> Result<nlohmann::json> {
    ListSource source = state_rows(
        api.log, domain::kRedeemCodesKeyspace,
        domain::redeemed_by_user_prefix(caller.user_id.str()),
        [](std::string_view, std::string_view value) -> Result<std::optional<nlohmann::json>> {
          auto redemption = domain::decode_row<events::RedemptionState>(value, "redemption");
          if (!redemption) return std::move(redemption).error();
          return std::optional<nlohmann::json>(redemption_json(*redemption));
        },
        /*ascending=*/true);
    auto count = count_items(source);
    if (!count) return std::move(count).error();
    return list_page(request, source, *count);
  });
}

Renderer<events::AutoRechargeState> render_rule() {
  return [](const events::AutoRechargeState& rule) -> Result<nlohmann::json> {
    return auto_recharge_json(rule);
  };
}

void configure_auto_recharge(ApiContext& api, const Request& request, const Caller& caller,
                             Reply reply) {
  auto body = parse_body(request);
  if (!body) return reply_error(request, body.error(), reply);
  auto threshold = body->money("threshold_amount");
  if (!threshold) return reply_error(request, threshold.error(), reply);
  auto amount = body->money("recharge_amount");
  if (!amount) return reply_error(request, amount.error(), reply);
  auto method = body->choice("payment_method", {"paypal", "card"});
  if (!method) return reply_error(request, method.error(), reply);
  if (auto done = body->finish(); !done) return reply_error(request, done.error(), reply);
  domain::ConfigureAutoRecharge command{caller.user_id, *threshold, *amount, *method};
  run_command<events::AutoRechargeState>(
      api, request, caller.user_id,
      [command](UnitOfWork& uow) { return domain::configure_auto_recharge(uow, command); },
      render_rule(), beast_http::status::ok, std::move(reply));
}

void trigger_auto_recharge(ApiContext& api, const Request& request, const Caller& caller,
                           Reply reply) {
  auto body = parse_body(request);
  if (!body) return reply_error(request, body.error(), reply);
  if (auto done = body->finish(); !done) return reply_error(request, done.error(), reply);
  domain::TriggerAutoRecharge command{caller.user_id, domain::TopUpId{api.ids.next()}};
  run_command<events::TopUpState>(
      api, request, caller.user_id,
      [command](UnitOfWork& uow) { return domain::trigger_auto_recharge(uow, command); },
      [](const events::TopUpState& topup) -> Result<nlohmann::json> { return topup_json(topup); },
      beast_http::status::created, std::move(reply));
}

void disable_auto_recharge(ApiContext& api, const Request& request, const Caller& caller,
                           Reply reply) {
  auto body = parse_body(request);
  if (!body) return reply_error(request, body.error(), reply);
  if (auto done = body->finish(); !done) return reply_error(request, done.error(), reply);
  domain::DisableAutoRecharge command{caller.user_id};
  run_command<events::AutoRechargeState>(
      api, request, caller.user_id,
      [command](UnitOfWork& uow) { return domain::disable_auto_recharge(uow, command); },
      render_rule(), beast_http::status::ok, std::move(reply));
}

}  // namespace

void add_wallet_routes(Router& router, ApiContext& api) {
  using beast_http::verb;
  router.add(
      verb::get, "/api/wallet/",
      for_roles(api, {Role::client, Role::admin},
                [](ApiContext& api, const Request& request, const Caller& caller, Reply reply) {
                  auto owner = wallet_owner(api, request, caller);
                  if (!owner) return reply_error(request, owner.error(), reply);
                  answer_query(api, request, reply, [&] { return wallet_body(api.log, *owner); });
                }));
  router.add(verb::post, "/api/wallet/topup/", for_roles(api, {Role::client}, request_topup));
  router.add(verb::post, "/api/wallet/topups/{id}/confirm/",
             for_roles_with_params(api, {Role::admin}, confirm_topup));
  router.add(verb::post, "/api/payments/webhook/",
             [&api](const Request& request, const PathParams&, Reply reply) {
               payment_webhook(api, request, std::move(reply));
             });
  router.add(verb::post, "/api/wallet/pay/", for_roles(api, {Role::client}, pay));
  router.add(verb::post, "/api/wallet/check_affordability/",
             for_roles(api, {Role::client}, check_affordability));
  router.add(verb::get, "/api/wallet/transactions/",
             for_roles(api, {Role::client, Role::admin}, transactions));
  router.add(verb::post, "/api/wallet/redeem/", for_roles(api, {Role::client}, redeem));
  router.add(verb::get, "/api/wallet/my-redeemed-codes/",
             for_roles(api, {Role::client}, my_redeemed_codes));
  router.add(
      verb::get, "/api/wallet-auto-recharge/",
      for_roles(api, {Role::client},
                [](ApiContext& api, const Request& request, const Caller& caller, Reply reply) {
                  answer_query(api, request, reply, [&]() -> Result<nlohmann::json> {
                    auto wallet = wallet_state(api.log, caller.user_id.str());
                    if (!wallet) return std::move(wallet).error();
                    return auto_recharge_json(wallet->auto_recharge());
                  });
                }));
  router.add(verb::post, "/api/wallet-auto-recharge/configure/",
             for_roles(api, {Role::client}, configure_auto_recharge));
  router.add(verb::post, "/api/wallet-auto-recharge/trigger/",
             for_roles(api, {Role::client}, trigger_auto_recharge));
  router.add(verb::post, "/api/wallet-auto-recharge/disable/",
             for_roles(api, {Role::client}, disable_auto_recharge));
}

}  // namespace ledger::http
