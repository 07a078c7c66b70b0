#include "http/listing.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "core/hex.h"
#include "http/query_string.h"

namespace ledger::http {
namespace {

std::string encode_cursor(char direction, std::string_view key) {
  return std::string(1, direction) + to_hex(key);
}

std::string page_url(const Request& request, std::size_t limit, const std::string& cursor) {
  const std::string_view target(request.target().data(), request.target().size());
  const std::string_view path = target.substr(0, target.find('?'));
  std::string url(path);
  url += "?limit=" + std::to_string(limit) + "&cursor=" + cursor;
  // Keep the other query parameters (filters) as they were sent.
  const auto question = target.find('?');
  if (question != std::string_view::npos) {
    std::string_view rest = target.substr(question + 1);
    while (!rest.empty()) {
      const auto amp = rest.find('&');
      const std::string_view pair = rest.substr(0, amp);
      rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
      if (pair.starts_with("limit=") || pair.starts_with("cursor=") || pair.empty()) continue;
      url += "&";
      url += pair;
    }
  }
  return url;
}

}  // namespace

Result<PageRequest> page_request(const Request& request) {
  const std::string_view target(request.target().data(), request.target().size());
  PageRequest page;
  if (auto limit = query_param(target, "limit")) {
    std::size_t value = 0;
    const auto [end, error] = std::from_chars(limit->data(), limit->data() + limit->size(), value);
    if (error != std::errc() || end != limit->data() + limit->size() || value < 1 ||
        value > kListLimitMax) {
      return make_error(Errc::invalid_argument,
                        fmt::format("limit must be a whole number from 1 to {}", kListLimitMax),
                        "limit");
    }
    page.limit = value;
  }
  if (auto cursor = query_param(target, "cursor"); cursor && !cursor->empty()) {
    const char direction = (*cursor)[0];
    auto key = from_hex(std::string_view(*cursor).substr(1));
    if ((direction != 'n' && direction != 'p') || !key || key->empty()) {
      return make_error(Errc::invalid_argument, "cursor is not one this server gave out", "cursor");
    }
    page.key = std::move(*key);
    page.backward = direction == 'p';
  }
  return page;
}

Result<nlohmann::json> list_page(const Request& request, const ListSource& source,
                                 std::uint64_t count) {
  auto page = page_request(request);
  if (!page) return std::move(page).error();
  std::vector<std::pair<std::string, nlohmann::json>> items;
  const std::size_t wanted = page->limit + 1;  // one more tells whether there is another page
  auto scanned = source(page->key, page->backward, [&](std::string key, nlohmann::json item) {
    items.emplace_back(std::move(key), std::move(item));
    return items.size() < wanted;
  });
  if (!scanned) return std::move(scanned).error();
  const bool more = items.size() == wanted;
  if (more) items.pop_back();
  if (page->backward) std::reverse(items.begin(), items.end());

  const bool has_next = page->backward ? !page->key.empty() : more;
  const bool has_previous = page->backward ? more : !page->key.empty();
  nlohmann::json body = {{"count", count}, {"next", nullptr}, {"previous", nullptr}};
  nlohmann::json results = nlohmann::json::array();
  for (auto& [key, item] : items) results.push_back(std::move(item));
  if (has_next && !items.empty()) {
    body["next"] = page_url(request, page->limit, encode_cursor('n', items.back().first));
  }
  if (has_previous && !items.empty()) {
    body["previous"] = page_url(request, page->limit, encode_cursor('p', items.front().first));
  }
  body["results"] = std::move(results);
  return body;
}

ListSource state_rows(const store::EventLog& log, std::string keyspace, std::string prefix,
                      RowRenderer render, bool ascending) {
  return
      [&log, keyspace = std::move(keyspace), prefix = std::move(prefix), render = std::move(render),
       ascending](std::string_view after, bool reverse, const ItemVisitor& visit) -> Status {
        const bool forward_keys = ascending != reverse;
        Status failure;
        auto scanned = log.scan_state(
            keyspace, prefix,
            forward_keys ? store::ReadDirection::forward : store::ReadDirection::backward,
            [&](std::string_view key, std::string_view value) {
              auto item = render(key, value);
              if (!item) {
                failure = std::move(item).error();
                return false;
              }
              if (!item->has_value()) return true;
              return visit(std::string(key), std::move(**item));
            },
            after);
        if (!scanned) return scanned;
        return failure;
      };
}

ListSource stream_events(const store::EventLog& log, std::string stream_id, EventRenderer render) {
  return [&log, stream_id = std::move(stream_id), render = std::move(render)](
             std::string_view after, bool reverse, const ItemVisitor& visit) -> Status {
    constexpr std::size_t kChunk = 128;
    std::uint64_t version = 0;  // last version visited
    if (!after.empty()) {
      const auto [end, error] = std::from_chars(after.data(), after.data() + after.size(), version);
      if (error != std::errc() || end != after.data() + after.size()) {
        return make_error(Errc::invalid_argument, "cursor is not one this server gave out",
                          "cursor");
      }
    }
    // Newest first is backward through the stream; `reverse` walks towards the newest.
    const bool backward = !reverse;
    if (backward && !after.empty() && version <= 1) return {};
    std::uint64_t from = backward ? (after.empty() ? 0 : version - 1) : version + 1;
    while (true) {
      auto events = log.read_stream(
          stream_id, from,
          backward ? store::ReadDirection::backward : store::ReadDirection::forward, kChunk);
      if (!events) return std::move(events).error();
      for (const auto& envelope : *events) {
        auto item = render(envelope);
        if (!item) return std::move(item).error();
        if (!item->has_value()) continue;
        if (!visit(fmt::format("{:020}", envelope.stream_version()), std::move(**item))) return {};
      }
      if (events->size() < kChunk) return {};
      const std::uint64_t last = events->back().stream_version();
      if (backward && last <= 1) return {};
      from = backward ? last - 1 : last + 1;
    }
  };
}

Result<std::uint64_t> count_items(const ListSource& source) {
  std::uint64_t count = 0;
  auto scanned = source({}, false, [&](const std::string&, const nlohmann::json&) {
    ++count;
    return true;
  });
  if (!scanned) return std::move(scanned).error();
  return count;
}

}  // namespace ledger::http
