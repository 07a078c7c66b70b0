// Lists of client-owned state rows (campaigns, posts, website projects and versions) as one
// caller may see them: the rows under a prefix, index rows resolved to the row they stand for,
// and rows outside the caller's client scope left out.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/domain/read_model.h"
#include "core/result.h"
#include "core/store/event_log.h"
#include "http/authorization.h"
#include "http/caller.h"
#include "http/listing.h"

namespace ledger::http {

// How to list rows of message type M (which has client_id()).
template <class M>
struct ScopedRows {
  std::string keyspace;
  std::string what;     // names the kind of row in a decode error
  std::string service;  // the service whose clients the caller must have in scope
  // Set when the prefix holds index rows: the key of the full row an index row stands for.
  // An index row whose full row is gone is left out.
  std::function<std::string(const M&)> full_key;
  // Filters: a row for which it answers false is left out. Unset: every row is kept.
  std::function<bool(const M&)> keep;
  std::function<nlohmann::json(const M&)> render;
};

// A ListSource (newest first) over the rows under `prefix`, as described by `rows`.
template <class M>
ListSource scoped_state_rows(const store::EventLog& log, const Caller& caller, std::string prefix,
                             ScopedRows<M> rows) {
  std::string keyspace = rows.keyspace;
  return state_rows(
      log, std::move(keyspace), std::move(prefix),
      [&log, caller, rows = std::move(rows)](
          std::string_view, std::string_view value) -> Result<std::optional<nlohmann::json>> {
        auto row = domain::decode_row<M>(value, rows.what);
        if (!row) return std::move(row).error();
        if (rows.full_key) {
          auto full = domain::read_row<M>(log, rows.keyspace, rows.full_key(*row));
          if (!full) return std::move(full).error();
          if (!full->has_value()) return std::optional<nlohmann::json>();
          row = std::move(**full);
        }
        if (rows.keep && !rows.keep(*row)) return std::optional<nlohmann::json>();
        auto visible = in_client_scope(log, caller, row->client_id(), rows.service);
        if (!visible) return std::move(visible).error();
        if (!*visible) return std::optional<nlohmann::json>();
        return std::optional<nlohmann::json>(rows.render(*row));
      });
}

}  // namespace ledger::http
