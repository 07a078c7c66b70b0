#include "http/routes/redeem_code_routes.h"

#include "core/domain/keyspaces.h"
#include "core/domain/read_model.h"
#include "core/domain/redeem_code.h"
#include "core/domain/text_limits.h"
#include "http/api_support.h"
#include "http/domain_json.h"
#include "http/listing.h"

namespace ledger::http {
namespace {

using domain::UnitOfWork;

void create_codes(ApiContext& api, const Request& request, const Caller& caller, Reply reply) {
  auto body = parse_body(request);
  if (!body) return reply_error(request, body.error(), reply);
  auto code = body->optional_string("code", domain::text_limits::kRedeemCode);
  if (!code) return reply_error(request, code.error(), reply);
  auto quantity = body->optional_integer("quantity", 1, domain::kRedeemCodeBatchMax);
  if (!quantity) return reply_error(request, quantity.error(), reply);
  auto prefix = body->optional_string("prefix", domain::text_limits::kRedeemCodePrefix);
  if (!prefix) return reply_error(request, prefix.error(), reply);
  auto value = body->money("value");
  if (!value) return reply_error(request, value.error(), reply);
  auto limit = body->integer("usage_limit", 1, 1'000'000);
  if (!limit) return reply_error(request, limit.error(), reply);
  auto expires = body->optional_time("expires_at");
  if (!expires) return reply_error(request, expires.error(), reply);
  auto description = body->optional_long_text("description", domain::text_limits::kDescription);
  if (!description) return reply_error(request, description.error(), reply);
  if (auto done = body->finish(); !done) return reply_error(request, done.error(), reply);

  domain::CreateRedeemCodes command;
  if (code->has_value()) {
    if (quantity->value_or(1) != 1 || prefix->has_value()) {
      return reply_error(
          request,
          make_error(Errc::invalid_argument,
                     "give either a code, or a quantity and prefix to generate", "code"),
          reply);
    }
    auto normalized = domain::normalize_redeem_code(**code);
    if (!normalized) return reply_error(request, normalized.error(), reply);
    command.codes.push_back(*normalized);
  } else {
    auto normalized_prefix = domain::normalize_redeem_code_prefix(prefix->value_or(""));
    if (!normalized_prefix) return reply_error(request, normalized_prefix.error(), reply);
    for (std::int64_t i = 0; i < quantity->value_or(1); ++i) {
      command.codes.push_back(domain::generate_redeem_code(*normalized_prefix));
    }
  }
  command.value = *value;
  command.usage_limit = static_cast<std::uint32_t>(*limit);
  command.expires_at_us = expires->value_or(0);
  command.description = description->value_or("");
  command.created_by = caller.user_id;
  command.batch_id = domain::RedeemBatchId{api.ids.next()};
  run_command<events::RedeemCodeBatch>(
      api, request, caller.user_id,
      [command](UnitOfWork& uow) { return domain::create_redeem_codes(uow, command); },
      [](const events::RedeemCodeBatch& batch) -> Result<nlohmann::json> {
        nlohmann::json codes = nlohmann::json::array();
        for (const auto& code : batch.codes()) codes.push_back(redeem_code_json(code));
        return nlohmann::json{{"codes", codes}};
      },
      beast_http::status::created, std::move(reply));
}

Result<std::optional<nlohmann::json>> code_item(std::string_view, std::string_view value) {
  auto code = domain::decode_row<events::RedeemCodeState>(value, "redeem code");
  if (!code) return std::move(code).error();
  return std::optional<nlohmann::json>(redeem_code_json(*code));
}

void list_codes(ApiContext& api, const Request& request, const Caller&, Reply reply) {
  answer_query(api, request, reply, [&]() -> Result<nlohmann::json> {
    ListSource source = state_rows(api.log, domain::kRedeemCodesKeyspace,
                                   std::string(domain::kRedeemCodeKeyPrefix), code_item,
                                   /*ascending=*/true);
    auto stats = domain::read_row<events::RedeemCodeStats>(api.log, domain::kRedeemCodesKeyspace,
                                                           domain::kRedeemCodeStatsKey);
    if (!stats) return std::move(stats).error();
    return list_page(request, source, stats->value_or(events::RedeemCodeStats{}).total_codes());
  });
}

void patch_code(ApiContext& api, const Request& request, const PathParams& params,
                const Caller& caller, Reply reply) {
  auto body = parse_body(request);
  if (!body) return reply_error(request, body.error(), reply);
  auto active = body->boolean("is_active");
  if (!active) return reply_error(request, active.error(), reply);
  if (auto done = body->finish(); !done) return reply_error(request, done.error(), reply);
  domain::SetRedeemCodeActive command{std::string(params.get("code")), *active, caller.user_id};
  run_command<events::RedeemCodeState>(
      api, request, caller.user_id,
      [command](UnitOfWork& uow) -> Result<events::RedeemCodeState> {
        auto changed = domain::set_redeem_code_active(uow, command);
        // For an admin an unknown code is simply not found (404), not a refused redemption.
        if (!changed && changed.error().code == Errc::code_not_found) {
          return make_error(Errc::not_found, changed.error().message);
        }
        return changed;
      },
      [](const events::RedeemCodeState& code) -> Result<nlohmann::json> {
        return redeem_code_json(code);
      },
      beast_http::status::ok, std::move(reply));
}

void stats(ApiContext& api, const Request& request, const Caller&, Reply reply) {
  answer_query(api, request, reply, [&]() -> Result<nlohmann::json> {
    auto row = domain::read_row<events::RedeemCodeStats>(api.log, domain::kRedeemCodesKeyspace,
                                                         domain::kRedeemCodeStatsKey);
    if (!row) return std::move(row).error();
    const auto stats = row->value_or(events::RedeemCodeStats{});
    return nlohmann::json{{"total_codes", stats.total_codes()},
                          {"active_codes", stats.active_codes()},
                          {"total_redemptions", stats.total_redemptions()},
                          {"total_value_redeemed", money_json(stats.total_value_redeemed_minor())}};
  });
}

void usage_history(ApiContext& api, const Request& request, const PathParams& params, const Caller&,
                   Reply reply) {
  auto code = domain::normalize_redeem_code(params.get("code"));
  if (!code)
    return reply_error(request, make_error(Errc::not_found, "there is no such code"), reply);
  answer_query(api, request, reply, [&]() -> Result<nlohmann::json> {
    auto state = domain::read_row<events::RedeemCodeState>(api.log, domain::kRedeemCodesKeyspace,
                                                           domain::redeem_code_key(*code));
    if (!state) return std::move(state).error();
    if (!state->has_value()) return make_error(Errc::not_found, "there is no such code");
    ListSource source = state_rows(
        api.log, domain::kRedeemCodesKeyspace, domain::redeem_code_usage_prefix(*code),
        [](std::string_view, std::string_view value) -> Result<std::optional<nlohmann::json>> {
          auto redemption = domain::decode_row<events::RedemptionState>(value, "redemption");
          if (!redemption) return std::move(redemption).error();
          return std::optional<nlohmann::json>(redemption_json(*redemption));
        });
    return list_page(request, source, (*state)->times_used());
  });
}

}  // namespace

void add_redeem_code_routes(Router& router, ApiContext& api) {
  using beast_http::verb;
  router.add(verb::post, "/api/redeem-codes/", for_roles(api, {Role::admin}, create_codes));
  router.add(verb::get, "/api/redeem-codes/", for_roles(api, {Role::admin}, list_codes));
  router.add(verb::get, "/api/redeem-codes/stats/", for_roles(api, {Role::admin}, stats));
  router.add(verb::patch, "/api/redeem-codes/{code}/",
             for_roles_with_params(api, {Role::admin}, patch_code));
  router.add(verb::get, "/api/redeem-codes/{code}/usage_history/",
             for_roles_with_params(api, {Role::admin}, usage_history));
}

}  // namespace ledger::http
