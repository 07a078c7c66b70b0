// Lists: `{"count": N, "next": url|null, "previous": url|null, "results": [...]}` with `?limit=`
// (default 50, max 500) and an opaque `?cursor=`.
//
// A list is a sequence of items, each with a sort key, visited in list order (newest first
// unless stated) by a ListSource. A cursor names a key and a direction: "next" pages continue
// just past the last key of the page, "previous" pages end just before its first key. Cursors are
// hex so they travel safely in URLs; a malformed one is a 400.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "core/store/event_log.h"
#include "http/http_types.h"

namespace ledger::http {

inline constexpr std::size_t kListLimitDefault = 50;
inline constexpr std::size_t kListLimitMax = 500;

struct PageRequest {
  std::size_t limit = kListLimitDefault;
  std::string key;        // empty: from the start of the list
  bool backward = false;  // a "previous" cursor: the items just before `key`
};

// Reads ?limit= and ?cursor=; invalid_argument naming the parameter when malformed.
Result<PageRequest> page_request(const Request& request);

// Visits items in list order (or reverse order when `reverse`), starting just past `after`
// (empty: from the start, or from the end when reversed). The visitor returns false to stop.
using ItemVisitor = std::function<bool(std::string key, nlohmann::json item)>;
using ListSource =
    std::function<Status(std::string_view after, bool reverse, const ItemVisitor& visit)>;

// The page of `source` the request asks for, as the list body. `count` is the list's length.
Result<nlohmann::json> list_page(const Request& request, const ListSource& source,
                                 std::uint64_t count);

// A ListSource over state rows with `prefix`, in descending key order (newest first for rows
// keyed by ULIDs or zero-padded numbers) unless `ascending`. `render` turns a row into an item,
// or nullopt to leave it out (filters).
using RowRenderer = std::function<Result<std::optional<nlohmann::json>>(std::string_view key,
                                                                        std::string_view value)>;
ListSource state_rows(const store::EventLog& log, std::string keyspace, std::string prefix,
                      RowRenderer render, bool ascending = false);

// A ListSource over the events of one stream, newest first; keys are zero-padded versions.
// `render` turns an event into an item, or nullopt to leave it out.
using EventRenderer =
    std::function<Result<std::optional<nlohmann::json>>(const events::Envelope& envelope)>;
ListSource stream_events(const store::EventLog& log, std::string stream_id, EventRenderer render);

// Counts the rows of `source` (all items it visits).
Result<std::uint64_t> count_items(const ListSource& source);

}  // namespace ledger::http
