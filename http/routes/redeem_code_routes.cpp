#include "http/routes/redeem_code_routes.h"

#include "core/domain/keyspaces.h"
#include "core/domain/read_model.h"
#include "core/domain/redeem_code.h"
#include "core/domain/text_limits.h"
#include "http/api_support.h"
#include "http/domain_json.h"
#include "http/listing.h"
#include "http/route_declaration.h"

namespace ledger::http {
namespace {

using domain::UnitOfWork;

// The codes a create command makes: the one given, or `quantity` generated ones after `prefix`.
Result<std::vector<std::string>> codes_to_create(const RequestFields& body) {
  const auto code = body.optional_text("code");
  const auto quantity = body.optional_integer("quantity");
  const auto prefix = body.optional_text("prefix");
  std::vector<std::string> codes;
  if (code) {
    if (quantity.value_or(1) != 1 || prefix) {
      return make_error(Errc::invalid_argument,
                        "give either a code, or a quantity and prefix to generate", "code");
    }
    auto normalized = domain::normalize_redeem_code(*code);
    if (!normalized) return std::move(normalized).error();
    codes.push_back(std::move(*normalized));
    return codes;
  }
  auto normalized_prefix = domain::normalize_redeem_code_prefix(prefix.value_or(""));
  if (!normalized_prefix) return std::move(normalized_prefix).error();
  for (std::int64_t i = 0; i < quantity.value_or(1); ++i) {
    codes.push_back(domain::generate_redeem_code(*normalized_prefix));
  }
  return codes;
}

void create_codes(ApiContext& api, const RouteInput& in, Reply reply) {
  auto codes = codes_to_create(in.body);
  if (!codes) return reply_error(in.request, codes.error(), reply);
  domain::CreateRedeemCodes command;
  command.codes = std::move(*codes);
  command.value = in.body.money("value");
  command.usage_limit = static_cast<std::uint32_t>(in.body.integer("usage_limit"));
  command.expires_at_us = in.body.optional_integer("expires_at").value_or(0);
  command.description = in.body.optional_text("description").value_or("");
  command.created_by = in.caller.user_id;
  command.batch_id = domain::RedeemBatchId{api.ids.next()};
  run_command<events::RedeemCodeBatch>(
      api, in.request, in.caller.user_id,
      [command](UnitOfWork& uow) { return domain::create_redeem_codes(uow, command); },
      [](const events::RedeemCodeBatch& batch) -> Result<nlohmann::json> {
        nlohmann::json codes = nlohmann::json::array();
        for (const auto& code : batch.codes()) codes.push_back(redeem_code_json(code));
        return nlohmann::json{{"codes", codes}};
      },
      beast_http::status::created, std::move(reply));
}

std::vector<Field> create_fields() {
  namespace limits = domain::text_limits;
  return {
      field::text("code", limits::kRedeemCode)
          .matching(domain::kRedeemCodePattern)
          .optional()
          .described("one code of 4-40 letters and digits (upper-cased); or leave it out to "
                     "generate quantity codes"),
      field::integer("quantity", 1, domain::kRedeemCodeBatchMax)
          .optional()
          .described("how many codes to generate, default 1"),
      field::text("prefix", limits::kRedeemCodePrefix)
          .matching(domain::kRedeemCodePrefixPattern)
          .optional()
          .described("letters and digits that generated codes start with"),
      field::money("value"),
      field::integer("usage_limit", 1, 1'000'000),
      field::time("expires_at").optional().described("in the future; omitted: never"),
      field::long_text("description", limits::kDescription).optional(),
  };
}

Result<std::optional<nlohmann::json>> code_item(std::string_view, std::string_view value) {
  auto code = domain::decode_row<events::RedeemCodeState>(value, "redeem code");
  if (!code) return std::move(code).error();
  return std::optional<nlohmann::json>(redeem_code_json(*code));
}

void list_codes(ApiContext& api, const RouteInput& in, Reply reply) {
  answer_query(api, in.request, reply, [&]() -> Result<nlohmann::json> {
    ListSource source = state_rows(api.log, domain::kRedeemCodesKeyspace,
                                   std::string(domain::kRedeemCodeKeyPrefix), code_item,
                                   /*ascending=*/true);
    auto stats = domain::read_row<events::RedeemCodeStats>(api.log, domain::kRedeemCodesKeyspace,
                                                           domain::kRedeemCodeStatsKey);
    if (!stats) return std::move(stats).error();
    return list_page(in.request, source, stats->value_or(events::RedeemCodeStats{}).total_codes());
  });
}

void patch_code(ApiContext& api, const RouteInput& in, Reply reply) {
  domain::SetRedeemCodeActive command{std::string(in.path.get("code")),
                                      in.body.boolean("is_active"), in.caller.user_id};
  run_command<events::RedeemCodeState>(
      api, in.request, in.caller.user_id,
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

void stats(ApiContext& api, const RouteInput& in, Reply reply) {
  answer_query(api, in.request, reply, [&]() -> Result<nlohmann::json> {
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

schema::Schema stats_schema() {
  using namespace schema;
  return object({{"total_codes", integer()},
                 {"active_codes", integer()},
                 {"total_redemptions", integer()},
                 {"total_value_redeemed", money()}});
}

void usage_history(ApiContext& api, const RouteInput& in, Reply reply) {
  auto code = domain::normalize_redeem_code(in.path.get("code"));
  if (!code) {
    return reply_error(in.request, make_error(Errc::not_found, "there is no such code"), reply);
  }
  answer_query(api, in.request, reply, [&]() -> Result<nlohmann::json> {
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
    return list_page(in.request, source, (*state)->times_used());
  });
}

}  // namespace

RouteTable redeem_code_routes() {
  using beast_http::verb;
  const std::vector<Role> admins = {Role::admin};
  // Literal paths before "{code}": the first matching route wins.
  return {
      {.method = verb::post,
       .path = "/api/redeem-codes/",
       .operation_id = "createRedeemCodes",
       .summary = "Create one code or a batch of generated ones",
       .roles = admins,
       .body = create_fields(),
       .success = beast_http::status::created,
       .answer = schema::object({{"codes", schema::array(redeem_code_schema())}}),
       .errors = {Errc::code_exists},
       .handler = create_codes},
      {.method = verb::get,
       .path = "/api/redeem-codes/",
       .operation_id = "listRedeemCodes",
       .summary = "Codes in code order",
       .roles = admins,
       .paged = true,
       .answer = redeem_code_schema(),
       .handler = list_codes},
      {.method = verb::get,
       .path = "/api/redeem-codes/stats/",
       .operation_id = "getRedeemCodeStats",
       .summary = "Totals over all codes",
       .roles = admins,
       .answer = stats_schema(),
       .handler = stats},
      {.method = verb::patch,
       .path = "/api/redeem-codes/{code}/",
       .operation_id = "setRedeemCodeActive",
       .summary = "Activate or deactivate a code",
       .roles = admins,
       .body = {field::boolean("is_active")},
       .answer = redeem_code_schema(),
       .errors = {Errc::not_found},
       .handler = patch_code},
      {.method = verb::get,
       .path = "/api/redeem-codes/{code}/usage_history/",
       .operation_id = "listRedeemCodeUsage",
       .summary = "Redemptions of a code, newest first",
       .roles = admins,
       .paged = true,
       .answer = redemption_schema(),
       .errors = {Errc::not_found},
       .handler = usage_history},
  };
}

}  // namespace ledger::http
