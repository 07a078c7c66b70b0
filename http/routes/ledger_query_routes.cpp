#include "http/routes/ledger_query_routes.h"

#include <charconv>

#include "core/domain/account_statement.h"
#include "core/domain/accounts.h"
#include "core/domain/keyspaces.h"
#include "core/domain/read_model.h"
#include "events/event_json.h"
#include "events/timestamp.h"
#include "http/api_support.h"
#include "http/domain_json.h"
#include "http/listing.h"
#include "http/query_string.h"

namespace ledger::http {
namespace {

std::string_view target_of(const Request& request) {
  return {request.target().data(), request.target().size()};
}

Result<std::uint64_t> number_param(const Request& request, std::string_view name,
                                   std::uint64_t fallback, std::uint64_t max) {
  auto text = query_param(target_of(request), name);
  if (!text) return fallback;
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (error != std::errc() || end != text->data() + text->size() || value > max) {
    return make_error(Errc::invalid_argument,
                      fmt::format("{} must be a whole number up to {}", name, max),
                      std::string(name));
  }
  return value;
}

Result<std::int64_t> time_param(const Request& request, std::string_view name,
                                std::int64_t fallback) {
  auto text = query_param(target_of(request), name);
  if (!text || text->empty()) return fallback;
  if (auto time = events::parse_rfc3339(*text)) return *time;
  if (auto date = events::parse_date(*text)) return *date;
  return make_error(Errc::invalid_argument,
                    fmt::format("{} must be an RFC 3339 time or a date", name), std::string(name));
}

void log_events(ApiContext& api, const Request& request, const Caller&, Reply reply) {
  auto after = number_param(request, "after", 0, UINT64_MAX);
  if (!after) return reply_error(request, after.error(), reply);
  auto limit = number_param(request, "limit", kListLimitDefault, kListLimitMax);
  if (!limit) return reply_error(request, limit.error(), reply);
  if (*limit == 0) {
    return reply_error(
        request, make_error(Errc::invalid_argument, "limit must be at least 1", "limit"), reply);
  }
  const std::string stream = query_param(target_of(request), "stream").value_or("");
  answer_query(api, request, reply, [&]() -> Result<nlohmann::json> {
    std::vector<events::Envelope> envelopes;
    std::uint64_t count = 0;
    if (stream.empty()) {
      auto read = api.log.read_all(*after, *limit);
      if (!read) return std::move(read).error();
      envelopes = std::move(*read);
      count = api.log.head().position;
    } else {
      auto version = api.log.stream_version(stream);
      if (!version) return std::move(version).error();
      count = *version;
      std::uint64_t from = 1;
      while (envelopes.size() < *limit && from <= *version) {
        auto read = api.log.read_stream(stream, from, store::ReadDirection::forward, 256);
        if (!read) return std::move(read).error();
        if (read->empty()) break;
        // Read before the envelopes are moved out: a moved-from envelope has no version.
        const std::uint64_t next_version = read->back().stream_version() + 1;
        for (auto& envelope : *read) {
          if (envelope.position() > *after && envelopes.size() < *limit) {
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
    if (envelopes.size() == *limit) {
      next = fmt::format("/api/ledger/events/?after={}&limit={}{}", envelopes.back().position(),
                         *limit, stream.empty() ? "" : "&stream=" + url_encode(stream));
    }
    // The log is read forward from a position: "next" continues it, there is no "previous".
    return nlohmann::json{
        {"count", count}, {"next", next}, {"previous", nullptr}, {"results", results}};
  });
}

void trial_balance(ApiContext& api, const Request& request, const Caller&, Reply reply) {
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
    auto summed =
        api.log.scan_state(domain::kAccountsKeyspace, "", store::ReadDirection::forward,
                           [&](std::string_view, std::string_view value) {
                             events::AccountState account;
                             account.ParseFromArray(value.data(), static_cast<int>(value.size()));
                             sum += account.balance_minor();
                             ++count;
                             return true;
                           });
    if (!summed) return std::move(summed).error();
    auto page = list_page(request, source, count);
    if (!page) return std::move(page).error();
    (*page)["sum_of_balances"] = money_json(sum);  // zero, by double entry
    return page;
  });
}

void statement(ApiContext& api, const Request& request, const PathParams& params,
               const Caller& caller, Reply reply) {
  const std::string account(params.get("account"));
  if (!caller.is_admin() && account != domain::wallet_account(caller.user_id.str())) {
    return reply_error(request, make_error(Errc::not_found, "there is no such account"), reply);
  }
  auto from = time_param(request, "from", 0);
  if (!from) return reply_error(request, from.error(), reply);
  auto to = time_param(request, "to", INT64_MAX);
  if (!to) return reply_error(request, to.error(), reply);
  auto limit = number_param(request, "limit", 10'000, 100'000);
  if (!limit) return reply_error(request, limit.error(), reply);
  answer_query(api, request, reply, [&]() -> Result<nlohmann::json> {
    auto exists =
        domain::read_row<events::AccountState>(api.log, domain::kAccountsKeyspace, account);
    if (!exists) return std::move(exists).error();
    if (!exists->has_value()) return make_error(Errc::not_found, "there is no such account");
    auto result = domain::account_statement(api.log, account, *from, *to, *limit);
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
                          {"truncated", result->lines.size() >= *limit},
                          {"through_position", result->through_position}};
  });
}

}  // namespace

void add_ledger_query_routes(Router& router, ApiContext& api) {
  using beast_http::verb;
  router.add(verb::get, "/api/ledger/events/", for_roles(api, {Role::admin}, log_events));
  router.add(verb::get, "/api/ledger/accounts/", for_roles(api, {Role::admin}, trial_balance));
  router.add(verb::get, "/api/ledger/accounts/{account}/statement/",
             for_roles_with_params(api, {Role::admin, Role::client}, statement));
}

}  // namespace ledger::http
