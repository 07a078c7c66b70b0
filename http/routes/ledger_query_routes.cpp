#include "http/routes/ledger_query_routes.h"

#include <charconv>

#include "core/domain/account_statement.h"
#include "core/domain/accounts.h"
#include "core/domain/keyspaces.h"
#include "core/domain/read_model.h"
#include "core/domain/text_limits.h"
#include "events/event_json.h"
#include "events/timestamp.h"
#include "http/api_support.h"
#include "http/domain_json.h"
#include "http/listing.h"
#include "http/query_string.h"

namespace ledger::http {
namespace {

// A time or a date (its 00:00 UTC) of the query, `fallback` when absent.
Result<std::int64_t> time_param(const RouteInput& in, std::string_view name,
                                std::int64_t fallback) {
  auto text = in.query.optional_text(name);
  if (!text) return fallback;
  if (auto time = events::parse_rfc3339(*text)) return *time;
  if (auto date = events::parse_date(*text)) return *date;
  return make_error(Errc::invalid_argument,
                    fmt::format("{} must be an RFC 3339 time or a date", name), std::string(name));
}

void log_events(ApiContext& api, const RouteInput& in, Reply reply) {
  const auto after = static_cast<std::uint64_t>(in.query.optional_integer("after").value_or(0));
  const auto limit = static_cast<std::uint64_t>(
      in.query.optional_integer("limit").value_or(static_cast<std::int64_t>(kListLimitDefault)));
  const std::string stream = in.query.optional_text("stream").value_or("");
  const Request& request = in.request;
  answer_query(api, request, reply, [&]() -> Result<nlohmann::json> {
    std::vector<events::Envelope> envelopes;
    std::uint64_t count = 0;
    if (stream.empty()) {
      auto read = api.log.read_all(after, limit);
      if (!read) return std::move(read).error();
      envelopes = std::move(*read);
      count = api.log.head().position;
    } else {
      auto version = api.log.stream_version(stream);
      if (!version) return std::move(version).error();
      count = *version;
      std::uint64_t from = 1;
      while (envelopes.size() < limit && from <= *version) {
        auto read = api.log.read_stream(stream, from, store::ReadDirection::forward, 256);
        if (!read) return std::move(read).error();
        if (read->empty()) break;
        // Read before the envelopes are moved out: a moved-from envelope has no version.
        const std::uint64_t next_version = read->back().stream_version() + 1;
        for (auto& envelope : *read) {
          if (envelope.position() > after && envelopes.size() < limit) {
            envelopes.push_back(std::move(envelope));
          }
        }
        from = next_version;
      }
    }
    nlohmann::json results = nlohmann::json::array();
    for (const auto& envelope : envelopes) {
      std::string error;
      auto json = events::envelope_to_json(envelope, &error);
      if (!json) return make_error(Errc::corruption, error);
      results.push_back(std::move(*json));
    }
    nlohmann::json next = nullptr;
    if (envelopes.size() == limit) {
      next = fmt::format("/api/ledger/events/?after={}&limit={}{}", envelopes.back().position(),
                         limit, stream.empty() ? "" : "&stream=" + url_encode(stream));
    }
    // The log is read forward from a position: "next" continues it, there is no "previous".
    return nlohmann::json{
        {"count", count}, {"next", next}, {"previous", nullptr}, {"results", results}};
  });
}

void trial_balance(ApiContext& api, const RouteInput& in, Reply reply) {
  const Request& request = in.request;
  answer_query(api, request, reply, [&]() -> Result<nlohmann::json> {
    ListSource source = state_rows(
        api.log, domain::kAccountsKeyspace, "",
        [](std::string_view key, std::string_view value) -> Result<std::optional<nlohmann::json>> {
          auto account = domain::decode_row<events::AccountState>(value, "account");
          if (!account) return std::move(account).error();
          return std::optional<nlohmann::json>(
              nlohmann::json{{"account", key},
                             {"balance", money_json(account->balance_minor())},
                             {"total_credited", money_json(account->total_credited_minor())},
                             {"total_debited", money_json(account->total_debited_minor())},
                             {"postings", account->postings()}});
        },
        /*ascending=*/true);
    std::int64_t sum = 0;
    std::uint64_t count = 0;
    Status folded;
    auto summed = api.log.scan_state(
        domain::kAccountsKeyspace, "", store::ReadDirection::forward,
        [&](std::string_view, std::string_view value) {
          auto account = domain::decode_row<events::AccountState>(value, "account");
          if (!account) {
            folded = std::move(account).error();
            return false;
          }
          auto total =
              Money::from_minor(sum).checked_add(Money::from_minor(account->balance_minor()));
          if (!total) {
            folded = std::move(total).error();
            return false;
          }
          sum = total->minor();
          ++count;
          return true;
        });
    if (!summed) return std::move(summed).error();
    if (!folded) return std::move(folded).error();
    auto page = list_page(request, source, count);
    if (!page) return std::move(page).error();
    (*page)["sum_of_balances"] = money_json(sum);  // zero, by double entry
    return page;
  });
}

void statement(ApiContext& api, const RouteInput& in, Reply reply) {
  const Request& request = in.request;
  const Caller& caller = in.caller;
  const std::string account(in.path.get("account"));
  if (!caller.is_admin() && account != domain::wallet_account(caller.user_id.str())) {
    return reply_error(request, make_error(Errc::not_found, "there is no such account"), reply);
  }
  auto from = time_param(in, "from", 0);
  if (!from) return reply_error(request, from.error(), reply);
  auto to = time_param(in, "to", INT64_MAX);
  if (!to) return reply_error(request, to.error(), reply);
  const auto limit =
      static_cast<std::uint64_t>(in.query.optional_integer("limit").value_or(10'000));
  answer_query(api, request, reply, [&]() -> Result<nlohmann::json> {
    auto exists =
        domain::read_row<events::AccountState>(api.log, domain::kAccountsKeyspace, account);
    if (!exists) return std::move(exists).error();
    if (!exists->has_value()) return make_error(Errc::not_found, "there is no such account");
    auto result = domain::account_statement(api.log, account, *from, *to, limit);
    if (!result) return std::move(result).error();
    nlohmann::json lines = nlohmann::json::array();
    for (const auto& line : result->lines) {
      lines.push_back({{"position", line.position},
                       {"at", time_json(line.recorded_at_us)},
                       {"event_type", line.event_type},
                       {"stream", line.stream_id},
                       {"amount", line.amount.format()},
                       {"balance_after", line.balance_after.format()}});
    }
    return nlohmann::json{{"account", account},
                          {"from", *from == 0 ? nlohmann::json(nullptr) : time_json(*from)},
                          {"to", *to == INT64_MAX ? nlohmann::json(nullptr) : time_json(*to)},
                          {"opening_balance", result->opening_balance.format()},
                          {"closing_balance", result->closing_balance.format()},
                          {"lines", lines},
                          {"truncated", result->lines.size() >= limit},
                          {"through_position", result->through_position}};
  });
}

}  // namespace

RouteTable ledger_query_routes() {
  using beast_http::verb;
  using namespace schema;
  const auto list_max = static_cast<std::int64_t>(kListLimitMax);
  const Schema account = named("Account", object({{"account", string()},
                                                  {"balance", money()},
                                                  {"total_credited", money()},
                                                  {"total_debited", money()},
                                                  {"postings", integer()}}));
  Schema trial_balance_answer = list_of(account);
  trial_balance_answer.erase("title");  // the list plus its sum: not the plain list
  trial_balance_answer["properties"]["sum_of_balances"] = money();
  trial_balance_answer["required"].push_back("sum_of_balances");
  return {
      {.method = verb::get,
       .path = "/api/ledger/events/",
       .operation_id = "listLogEvents",
       .summary = "The log's events in order, after a position, of one stream or all, as stored",
       .roles = {Role::admin},
       .query = {field::integer("after", 0, INT64_MAX).optional().described("a log position"),
                 field::integer("limit", 1, list_max).optional().described("default 50"),
                 field::text("stream", domain::text_limits::kName).optional()},
       .answer = object({{"count", integer()},
                         {"next", nullable(string())},
                         {"previous", nullable(string())},
                         {"results", array(named("Event", object({{"position", integer()},
                                                                  {"stream_id", string()},
                                                                  {"stream_version", integer()},
                                                                  {"type", string()},
                                                                  {"schema_version", integer()},
                                                                  {"recorded_at", time()},
                                                                  {"actor", string()},
                                                                  {"correlation_id", string()},
                                                                  {"causation_id", string()},
                                                                  {"idempotency_key", string()},
                                                                  {"data", map_of(any())},
                                                                  {"previous_hash", string()},
                                                                  {"hash", string()}})))}}),
       .handler = log_events},
      {.method = verb::get,
       .path = "/api/ledger/accounts/",
       .operation_id = "getTrialBalance",
       .summary = "Trial balance: every account, and the sum of their balances (zero)",
       .roles = {Role::admin},
       .query = {field::integer("limit", 1, list_max).optional().described("default 50"),
                 field::text("cursor", 200).optional()},
       .answer = trial_balance_answer,
       .handler = trial_balance},
      {.method = verb::get,
       .path = "/api/ledger/accounts/{account}/statement/",
       .operation_id = "getAccountStatement",
       .summary = "An account's opening balance, postings with running balance, and closing "
                  "balance over a period (clients: their wallet's account only)",
       .roles = {Role::admin, Role::client},
       .query = {field::text("from", 64).optional().described("an RFC 3339 time or a date"),
                 field::text("to", 64).optional().described("an RFC 3339 time or a date"),
                 field::integer("limit", 1, 100'000).optional().described("lines, default 10000")},
       .answer = object({{"account", string()},
                         {"from", nullable(time())},
                         {"to", nullable(time())},
                         {"opening_balance", money()},
                         {"closing_balance", money()},
                         {"lines", array(object({{"position", integer()},
                                                 {"at", nullable(time())},
                                                 {"event_type", string()},
                                                 {"stream", string()},
                                                 {"amount", money()},
                                                 {"balance_after", money()}}))},
                         {"truncated", boolean()},
                         {"through_position", integer()}}),
       .errors = {Errc::not_found},
       .handler = statement},
  };
}

}  // namespace ledger::http
