#include "http/routes/wallet_routes.h"

#include <fmt/format.h>

#include "core/assert.h"
#include "core/clock.h"
#include "core/domain/accounts.h"
#include "core/domain/course.h"
#include "core/domain/keyspaces.h"
#include "core/domain/read_model.h"
#include "core/domain/redeem_code.h"
#include "core/domain/redeem_codes_fold.h"
#include "core/domain/text_limits.h"
#include "core/domain/users.h"
#include "core/domain/validation.h"
#include "core/domain/wallet.h"
#include "http/api_support.h"
#include "http/domain_json.h"
#include "http/listing.h"
#include "http/route_declaration.h"

namespace ledger::http {
namespace {

using domain::UnitOfWork;

// Whose wallet a read is about: the caller's own, or (admins) ?user_id=.
Result<std::string> wallet_owner(const ApiContext& api, const RouteInput& in) {
  auto asked = in.query.optional_text("user_id");
  if (!in.caller.is_admin()) {
    if (asked && *asked != in.caller.user_id.str()) {
      return make_error(Errc::invalid_argument, "only admins may name another user", "user_id");
    }
    return in.caller.user_id.str();
  }
  if (!asked) {
    return make_error(Errc::invalid_argument, "admins name the wallet with ?user_id=", "user_id");
  }
  auto user = domain::find_user(api.log, *asked);
  if (!user) return std::move(user).error();
  if (!user->has_value()) return make_error(Errc::not_found, "there is no such user");
  return *asked;
}

std::vector<Field> wallet_owner_query() {
  return {field::text("user_id", domain::text_limits::kId)
              .optional()
              .described("admins: whose wallet (required); others: their own id or nothing")};
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

void get_wallet(ApiContext& api, const RouteInput& in, Reply reply) {
  auto owner = wallet_owner(api, in);
  if (!owner) return reply_error(in.request, owner.error(), reply);
  answer_query(api, in.request, reply, [&] { return wallet_body(api.log, *owner); });
}

void request_topup(ApiContext& api, const RouteInput& in, Reply reply) {
  domain::RequestTopUp command{in.caller.user_id, domain::TopUpId{api.ids.next()},
                               in.body.money("amount"), in.body.text("payment_method")};
  run_command<events::TopUpRequested>(
      api, in.request, in.caller.user_id,
      [command](UnitOfWork& uow) { return domain::request_topup(uow, command); },
      [](const events::TopUpRequested& requested) -> Result<nlohmann::json> {
        return nlohmann::json{{"id", requested.topup_id()},
                              {"status", "pending"},
                              {"amount", money_json(requested.amount_minor())},
                              {"payment_method", requested.payment_method()}};
      },
      beast_http::status::created, std::move(reply));
}

schema::Schema requested_topup_schema() {
  using namespace schema;
  return object({{"id", string()},
                 {"status", one_of({"pending"})},
                 {"amount", money()},
                 {"payment_method", string()}});
}

// Whether `transaction` (transaction_json) is the one with id `transaction_id`.
bool is_transaction(const nlohmann::json& transaction, std::string_view transaction_id) {
  const auto id = transaction.find("id");
  return id != transaction.end() && id->is_string() &&
         id->get_ref<const std::string&>() == transaction_id;
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
    if (transaction->has_value() && is_transaction(**transaction, transaction_id)) {
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

schema::Schema confirmed_topup_schema() {
  using namespace schema;
  return named("ConfirmedTopUp", object({{"id", string()},
                                         {"status", one_of({"confirmed"})},
                                         {"amount", money()},
                                         {"balance", money()},
                                         {"transaction", transaction_schema()}}));
}

void confirm_topup(ApiContext& api, const RouteInput& in, Reply reply) {
  domain::ConfirmTopUp command{domain::TopUpId{in.path.get("id")},
                               in.body.text("provider_reference"), in.caller.user_id,
                               domain::TransactionId{api.ids.next()}};
  run_command_rendering_commit<events::WalletCredited>(
      api, in.request, in.caller.user_id,
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

PaymentNotice read_payment_notice(const RequestFields& body) {
  return PaymentNotice{body.text("event"),
                       body.text("id"),
                       body.optional_text("provider_reference").value_or(""),
                       body.optional_text("reason").value_or("declined by the payment provider"),
                       body.optional_money("amount"),
                       body.optional_text("currency")};
}

std::vector<Field> payment_notice_fields() {
  namespace limits = domain::text_limits;
  return {
      field::choice("event", {"topup.confirmed", "topup.failed", "course_purchase.confirmed",
                              "course_purchase.failed"}),
      field::text("id", limits::kId).described("the top-up or course purchase id"),
      field::text("provider_reference", limits::kReference).optional(),
      field::long_text("reason", limits::kNote).optional().described("why a payment failed"),
      field::amount("amount").optional().described(
          "the captured amount, required to confirm; one that differs from the payment's is "
          "422 amount_mismatch (recorded, nothing credited)"),
      field::text("currency", limits::kCurrency)
          .optional()
          .described("the captured currency (USD), required to confirm"),
  };
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

// The payment provider's notification (its X-Signature was checked before the body was read).
void payment_webhook(ApiContext& api, const RouteInput& in, Reply reply) {
  const PaymentNotice notice = read_payment_notice(in.body);
  if (notice.event.ends_with(".failed")) {
    return webhook_fail(api, in.request, notice, std::move(reply));
  }
  auto captured = captured_payment(notice);
  if (!captured) return reply_error(in.request, captured.error(), reply);
  if (notice.event == "topup.confirmed") {
    return webhook_confirm_topup(api, in.request, *captured, notice.id, std::move(reply));
  }
  webhook_confirm_course_purchase(api, in.request, *captured, notice.id, std::move(reply));
}

// The answers of the webhook: a confirmed or failed top-up, or a course purchase.
schema::Schema payment_notice_answer_schema() {
  using namespace schema;
  return {{"oneOf", Schema::array({confirmed_topup_schema(),
                                   object({{"id", string()}, {"status", one_of({"failed"})}}),
                                   object({{"purchase", purchase_schema()}})})}};
}

void pay(ApiContext& api, const RouteInput& in, Reply reply) {
  domain::PayFromWallet command{in.caller.user_id,
                                domain::TransactionId{api.ids.next()},
                                in.body.money("amount"),
                                "payment",
                                in.body.text("service"),
                                in.body.optional_text("reference").value_or(""),
                                in.body.optional_text("description").value_or("")};
  run_command_rendering_commit<events::WalletDebited>(
      api, in.request, in.caller.user_id,
      [command](UnitOfWork& uow) { return domain::pay_from_wallet(uow, command); },
      [&log = api.log](
          const domain::Executed<events::WalletDebited>& executed) -> Result<nlohmann::json> {
        auto transaction = committed_transaction(log, executed, executed.answer.transaction_id());
        if (!transaction) return std::move(transaction).error();
        nlohmann::json answer(nlohmann::json::value_t::object);
        answer.emplace("transaction", std::move(*transaction));
        answer.emplace("balance", money_json(executed.answer.balance_after_minor()));
        return answer;
      },
      beast_http::status::created, std::move(reply));
}

void check_affordability(ApiContext& api, const RouteInput& in, Reply reply) {
  const Money amount = in.body.money("amount");
  answer_query(api, in.request, reply, [&]() -> Result<nlohmann::json> {
    auto account = domain::read_row<events::AccountState>(
        api.log, domain::kAccountsKeyspace, domain::wallet_account(in.caller.user_id.str()));
    if (!account) return std::move(account).error();
    auto wallet = wallet_state(api.log, in.caller.user_id.str());
    if (!wallet) return std::move(wallet).error();
    const auto answer = domain::affordability(
        Money::from_minor(account->value_or(events::AccountState{}).balance_minor()), *wallet,
        amount);
    return nlohmann::json{{"can_afford", answer.can_afford},
                          {"amount", amount.format()},
                          {"balance", answer.balance.format()},
                          {"available_balance", answer.available.format()},
                          {"shortfall", answer.shortfall.format()},
                          {"auto_recharge_would_cover", answer.auto_recharge_would_cover}};
  });
}

schema::Schema affordability_schema() {
  using namespace schema;
  return object({{"can_afford", boolean()},
                 {"amount", money()},
                 {"balance", money()},
                 {"available_balance", money()},
                 {"shortfall", money()},
                 {"auto_recharge_would_cover", boolean()}});
}

std::vector<Field> transaction_query() {
  std::vector<Field> query = wallet_owner_query();
  query.push_back(field::choice("type", {"credit", "debit"}).optional());
  query.push_back(field::text("service", domain::text_limits::kServiceName)
                      .optional()
                      .described("debits paid for this service (paid_for_service)"));
  query.push_back(field::date("from").optional().described("from the start of this day (UTC)"));
  query.push_back(field::date("to").optional().described("to the end of this day (UTC)"));
  return query;
}

// The transactions the query's filters keep: of `type`, paid for `service`, recorded within
// [from, to] (whole days, UTC). None given: every transaction of the stream.
struct TransactionFilter {
  std::optional<std::string> type;
  std::optional<std::string> service;
  std::optional<std::int64_t> from_us;
  std::optional<std::int64_t> to_end_us;  // exclusive: the start of the day after `to`

  bool any() const { return type || service || from_us || to_end_us; }

  bool keeps(const events::Envelope& envelope, const nlohmann::json& item) const {
    if (type && item["type"] != *type) return false;
    if (service &&
        (!item["paid_for_service"].is_string() || item["paid_for_service"] != *service)) {
      return false;
    }
    if (from_us && envelope.recorded_at_us() < *from_us) return false;
    if (to_end_us && envelope.recorded_at_us() >= *to_end_us) return false;
    return true;
  }
};

Result<TransactionFilter> transaction_filter(const RequestFields& query) {
  TransactionFilter filter{query.optional_text("type"), query.optional_text("service"),
                           query.optional_integer("from"), query.optional_integer("to")};
  if (filter.from_us && filter.to_end_us) {
    if (auto ordered =
            domain::require_period_order(*filter.from_us, *filter.to_end_us, "from", "to");
        !ordered) {
      return std::move(ordered).error();
    }
  }
  if (filter.to_end_us) *filter.to_end_us += kMicrosPerDay;
  return filter;
}

void transactions(ApiContext& api, const RouteInput& in, Reply reply) {
  auto owner = wallet_owner(api, in);
  if (!owner) return reply_error(in.request, owner.error(), reply);
  auto filter = transaction_filter(in.query);
  if (!filter) return reply_error(in.request, filter.error(), reply);
  answer_query(api, in.request, reply, [&]() -> Result<nlohmann::json> {
    const std::string stream = domain::wallet_stream(*owner);
    if (!filter->any()) {
      auto count = api.log.stream_version(stream);
      if (!count) return std::move(count).error();
      return list_page(in.request, stream_events(api.log, stream, transaction_json), *count);
    }
    ListSource source = stream_events(
        api.log, stream,
        [kept =
             *filter](const events::Envelope& envelope) -> Result<std::optional<nlohmann::json>> {
          auto item = transaction_json(envelope);
          if (!item || !item->has_value() || kept.keeps(envelope, **item)) return item;
          return std::optional<nlohmann::json>();
        });
    auto count = count_items(source);
    if (!count) return std::move(count).error();
    return list_page(in.request, source, *count);
  });
}

// Guessing codes is throttled per user and per address (many accounts, one attacker); redeeming
// and validating count together, so that validation is no guessing oracle. True when the
// attempt was refused (the 429 is sent).
bool redemption_throttled(ApiContext& api, const RouteInput& in, Reply& reply) {
  const auto peer = in.request.find(kPeerHeader);
  const std::pair<std::string, RateLimit> limits[] = {
      {"redeem-user:" + in.caller.user_id.str(), api.options.redeem_limit},
      {"redeem-ip:" + (peer == in.request.end() ? std::string() : std::string(peer->value())),
       api.options.redeem_ip_limit}};
  for (const auto& [key, limit] : limits) {
    std::uint64_t retry_after = 0;
    if (auto allowed = api.limiter.attempt(key, limit, &retry_after); !allowed) {
      reply_error(in.request, allowed.error(), reply, retry_after);
      return true;
    }
  }
  return false;
}

void redeem(ApiContext& api, const RouteInput& in, Reply reply) {
  if (redemption_throttled(api, in, reply)) return;
  domain::RedeemCode command{in.body.text("code"), in.caller.user_id,
                             domain::TransactionId{api.ids.next()}};
  run_command<events::WalletCredited>(
      api, in.request, in.caller.user_id,
      [command](UnitOfWork& uow) { return domain::redeem_code(uow, command); },
      [](const events::WalletCredited& credited) -> Result<nlohmann::json> {
        return nlohmann::json{{"code", credited.reference()},
                              {"amount", money_json(credited.amount_minor())},
                              {"balance", money_json(credited.balance_after_minor())}};
      },
      beast_http::status::created, std::move(reply));
}

schema::Schema redeem_check_schema() {
  using namespace schema;
  // OpenAPI 3.0: a nullable enum lists null among its values.
  Schema reason = nullable(one_of({"code_not_found", "code_inactive", "code_expired",
                                   "code_already_redeemed", "code_exhausted"}));
  reason["enum"].push_back(nullptr);
  return named("RedeemCodeCheck", object({{"valid", boolean()},
                                          {"code", nullable(string())},
                                          {"value", optional(money())},  // only when valid
                                          {"reason", reason},
                                          {"message", nullable(string())}}));
}

// Whether the caller could redeem a code now, without redeeming it: the decider's own rule
// (domain::redeem_refusal) over the rows as of the answer's position.
void validate_code(ApiContext& api, const RouteInput& in, Reply reply) {
  if (redemption_throttled(api, in, reply)) return;
  answer_query(api, in.request, reply, [&]() -> Result<nlohmann::json> {
    auto code = domain::normalize_redeem_code(in.body.text("code"));
    std::optional<events::RedeemCodeState> state;
    bool redeemed_before = false;
    if (code) {
      auto row = domain::read_row<events::RedeemCodeState>(api.log, domain::kRedeemCodesKeyspace,
                                                           domain::redeem_code_key(*code));
      if (!row) return std::move(row).error();
      state = std::move(*row);
      auto mine = domain::read_row<events::RedemptionState>(
          api.log, domain::kRedeemCodesKeyspace,
          domain::redeemed_by_user_key(in.caller.user_id.str(), *code));
      if (!mine) return std::move(mine).error();
      redeemed_before = mine->has_value();
    }
    // Anything that cannot be a code is simply not one, as when redeeming.
    const auto refusal =
        code ? domain::redeem_refusal(*code, state, redeemed_before, api.clock.now_us())
             : std::optional<Error>(
                   make_error(Errc::code_not_found, "there is no such redeem code", "code"));
    if (refusal) {
      return nlohmann::json{{"valid", false},
                            {"code", code ? nlohmann::json(*code) : nlohmann::json(nullptr)},
                            {"reason", std::string(errc_name(refusal->code))},
                            {"message", refusal->message}};
    }
    return nlohmann::json{{"valid", true},
                          {"code", *code},
                          {"value", money_json(state->value_minor())},
                          {"reason", nullptr},
                          {"message", nullptr}};
  });
}

void my_redeemed_codes(ApiContext& api, const RouteInput& in, Reply reply) {
  answer_query(api, in.request, reply, [&]() -> Result<nlohmann::json> {
    ListSource source = state_rows(
        api.log, domain::kRedeemCodesKeyspace,
        domain::redeemed_by_user_prefix(in.caller.user_id.str()),
        [](std::string_view, std::string_view value) -> Result<std::optional<nlohmann::json>> {
          auto redemption = domain::decode_row<events::RedemptionState>(value, "redemption");
          if (!redemption) return std::move(redemption).error();
          return std::optional<nlohmann::json>(redemption_json(*redemption));
        },
        /*ascending=*/true);
    auto count = count_items(source);
    if (!count) return std::move(count).error();
    return list_page(in.request, source, *count);
  });
}

Renderer<events::AutoRechargeState> render_rule() {
  return [](const events::AutoRechargeState& rule) -> Result<nlohmann::json> {
    return auto_recharge_json(rule);
  };
}

void get_auto_recharge(ApiContext& api, const RouteInput& in, Reply reply) {
  answer_query(api, in.request, reply, [&]() -> Result<nlohmann::json> {
    auto wallet = wallet_state(api.log, in.caller.user_id.str());
    if (!wallet) return std::move(wallet).error();
    return auto_recharge_json(wallet->auto_recharge());
  });
}

void configure_auto_recharge(ApiContext& api, const RouteInput& in, Reply reply) {
  domain::ConfigureAutoRecharge command{in.caller.user_id, in.body.money("threshold_amount"),
                                        in.body.money("recharge_amount"),
                                        in.body.text("payment_method")};
  run_command<events::AutoRechargeState>(
      api, in.request, in.caller.user_id,
      [command](UnitOfWork& uow) { return domain::configure_auto_recharge(uow, command); },
      render_rule(), beast_http::status::ok, std::move(reply));
}

void trigger_auto_recharge(ApiContext& api, const RouteInput& in, Reply reply) {
  domain::TriggerAutoRecharge command{in.caller.user_id, domain::TopUpId{api.ids.next()}};
  run_command<events::TopUpState>(
      api, in.request, in.caller.user_id,
      [command](UnitOfWork& uow) { return domain::trigger_auto_recharge(uow, command); },
      [](const events::TopUpState& topup) -> Result<nlohmann::json> { return topup_json(topup); },
      beast_http::status::created, std::move(reply));
}

void disable_auto_recharge(ApiContext& api, const RouteInput& in, Reply reply) {
  domain::DisableAutoRecharge command{in.caller.user_id};
  run_command<events::AutoRechargeState>(
      api, in.request, in.caller.user_id,
      [command](UnitOfWork& uow) { return domain::disable_auto_recharge(uow, command); },
      render_rule(), beast_http::status::ok, std::move(reply));
}

Field payment_method_field() { return field::choice("payment_method", {"paypal", "card"}); }

}  // namespace

RouteTable wallet_routes() {
  using beast_http::verb;
  namespace limits = domain::text_limits;
  const std::vector<Role> owners = {Role::client, Role::admin};
  const std::vector<Role> clients = {Role::client};
  return {
      {.method = verb::get,
       .path = "/api/wallet/",
       .operation_id = "getWallet",
       .summary = "Balance, available balance, holds and totals of the caller's wallet (admins: "
                  "of ?user_id=)",
       .roles = owners,
       .query = wallet_owner_query(),
       .answer = wallet_schema(),
       .errors = {Errc::not_found},
       .handler = get_wallet},
      {.method = verb::post,
       .path = "/api/wallet/topup/",
       .operation_id = "requestTopUp",
       .summary = "Ask for a top-up (pending until confirmed)",
       .roles = clients,
       .body = {field::money("amount"), payment_method_field()},
       .success = beast_http::status::created,
       .answer = requested_topup_schema(),
       .handler = request_topup},
      {.method = verb::post,
       .path = "/api/wallet/topups/{id}/confirm/",
       .operation_id = "confirmTopUp",
       .summary = "Confirm a pending top-up: credits the wallet",
       .roles = {Role::admin},
       .body = {field::text("provider_reference", limits::kReference)},
       .answer = confirmed_topup_schema(),
       .errors = {Errc::not_found, Errc::already_confirmed, Errc::already_failed,
                  Errc::amount_overflow},
       .handler = confirm_topup},
      {.method = verb::post,
       .path = "/api/payments/webhook/",
       .operation_id = "notifyPayment",
       .summary = "The payment provider's notice that a top-up or course purchase was paid or "
                  "failed, signed with X-Signature: sha256=<hex HMAC of the body>",
       .audience = Audience::payment_provider,
       .body = payment_notice_fields(),
       .answer = payment_notice_answer_schema(),
       .errors = {Errc::not_found, Errc::already_confirmed, Errc::already_failed, Errc::not_pending,
                  Errc::amount_mismatch, Errc::amount_overflow},
       .handler = payment_webhook},
      {.method = verb::post,
       .path = "/api/wallet/pay/",
       .operation_id = "payFromWallet",
       .summary = "Pay for a service from the wallet",
       .roles = clients,
       .body = {field::money("amount"), field::text("service", limits::kServiceName),
                field::text("reference", limits::kReference).optional(),
                field::long_text("description", limits::kDescription).optional()},
       .success = beast_http::status::created,
       .answer =
           schema::object({{"transaction", transaction_schema()}, {"balance", schema::money()}}),
       .errors = {Errc::insufficient_funds},
       .handler = pay},
      {.method = verb::post,
       .path = "/api/wallet/check_affordability/",
       .operation_id = "checkAffordability",
       .summary = "Can the wallet pay this amount now?",
       .roles = clients,
       .body = {field::money("amount")},
       .answer = affordability_schema(),
       .answers_position = false,  // a question, not a command: nothing is committed
       .served_locally = true,
       .handler = check_affordability},
      {.method = verb::get,
       .path = "/api/wallet/transactions/",
       .operation_id = "listWalletTransactions",
       .summary = "Credits and debits of the caller's wallet (admins: of ?user_id=), newest "
                  "first",
       .roles = owners,
       .query = transaction_query(),
       .paged = true,
       .answer = transaction_schema(),
       .errors = {Errc::not_found},
       .handler = transactions},
      {.method = verb::post,
       .path = "/api/wallet/redeem/",
       .operation_id = "redeemCode",
       .summary = "Redeem a code into the wallet",
       .roles = clients,
       .body = {field::text("code", limits::kRedeemCode)},
       .success = beast_http::status::created,
       .answer = schema::object(
           {{"code", schema::string()}, {"amount", schema::money()}, {"balance", schema::money()}}),
       .errors = {Errc::rate_limited, Errc::code_not_found, Errc::code_inactive, Errc::code_expired,
                  Errc::code_already_redeemed, Errc::code_exhausted, Errc::amount_overflow},
       .handler = redeem},
      {.method = verb::post,
       .path = "/api/redeem-codes/validate/",
       .operation_id = "validateRedeemCode",
       .summary = "Whether the caller could redeem a code now, without redeeming it (throttled "
                  "with redemptions)",
       .roles = clients,
       .body = {field::text("code", limits::kRedeemCode)},
       .answer = redeem_check_schema(),
       .answers_position = false,  // a question, not a command: nothing is committed
       .served_locally = true,
       .errors = {Errc::rate_limited},
       .handler = validate_code},
      {.method = verb::get,
       .path = "/api/wallet/my-redeemed-codes/",
       .operation_id = "listMyRedeemedCodes",
       .summary = "Codes the caller redeemed",
       .roles = clients,
       .paged = true,
       .answer = redemption_schema(),
       .handler = my_redeemed_codes},
      {.method = verb::get,
       .path = "/api/wallet-auto-recharge/",
       .operation_id = "getAutoRecharge",
       .summary = "The auto-recharge rule and its stats",
       .roles = clients,
       .answer = auto_recharge_schema(),
       .handler = get_auto_recharge},
      {.method = verb::post,
       .path = "/api/wallet-auto-recharge/configure/",
       .operation_id = "configureAutoRecharge",
       .summary = "Turn on or change auto-recharge",
       .roles = clients,
       .body = {field::money("threshold_amount").described("at least 5.00"),
                field::money("recharge_amount").described("at least 10.00"),
                payment_method_field()},
       .answer = auto_recharge_schema(),
       .handler = configure_auto_recharge},
      {.method = verb::post,
       .path = "/api/wallet-auto-recharge/trigger/",
       .operation_id = "triggerAutoRecharge",
       .summary = "Request the recharge top-up now (the pending one if there is one)",
       .roles = clients,
       .success = beast_http::status::created,
       .answer = topup_schema(),
       .errors = {Errc::auto_recharge_disabled},
       .handler = trigger_auto_recharge},
      {.method = verb::post,
       .path = "/api/wallet-auto-recharge/disable/",
       .operation_id = "disableAutoRecharge",
       .summary = "Turn auto-recharge off",
       .roles = clients,
       .answer = auto_recharge_schema(),
       .handler = disable_auto_recharge},
  };
}

}  // namespace ledger::http
