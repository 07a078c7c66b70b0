// A fresh PostgreSQL database per test directory, on the server named by LEDGER_TEST_PG (a libpq
// URL with the right to create databases: ctest's fixture starts one with
// scripts/pg-test-server, as does `scripts/pg-test-server run COMMAND`). Without LEDGER_TEST_PG
// the test fails, saying so: the PostgreSQL cases never pass without a server.
//
// The database made for a directory is named in the file `postgres_database` inside it, so that
// reopening the directory reopens the same log; the local inline state lives in `state/` beside.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "core/store/postgres_connection.h"

namespace ledger::testing {

inline std::string test_postgres_server_url() {
  const char* url = std::getenv("LEDGER_TEST_PG");
  REQUIRE_MESSAGE((url != nullptr && *url != '\0'),
                  "LEDGER_TEST_PG is not set: the PostgreSQL cases need a server. Run them with "
                  "ctest (its fixture starts one) or under `scripts/pg-test-server run COMMAND`");
  return url;
}

// `url` naming another database (a URI's query parameter, or a key=value pair, wins over the
// database the URL names).
inline std::string with_database(const std::string& url, const std::string& database) {
  const bool uri = url.starts_with("postgresql://") || url.starts_with("postgres://");
  if (!uri) return url + " dbname=" + database;
  return url + (url.find('?') == std::string::npos ? "?" : "&") + "dbname=" + database;
}

// The URL of the database for `directory`, created on first use.
inline std::string test_postgres_database(const std::string& directory) {
  const std::string server = test_postgres_server_url();
  const auto name_file = std::filesystem::path(directory) / "postgres_database";
  std::string database;
  if (std::ifstream in(name_file); in) {
    in >> database;
  } else {
    std::random_device random;
    database = fmt::format("ledger_test_{:08x}{:08x}", random(), random());
    auto admin = store::PgConnection::connect(server);
    REQUIRE_MESSAGE(admin.ok(), (admin.ok() ? std::string() : admin.error().message));
    // A generated identifier (hex digits): identifiers cannot be bound as parameters.
    const std::string create = fmt::format("CREATE DATABASE {}", database);
    auto created = (*admin)->run(create.c_str(), "create a test database");
    REQUIRE_MESSAGE(created.ok(), (created.ok() ? std::string() : created.error().message));
    std::filesystem::create_directories(directory);
    std::ofstream(name_file) << database << '\n';
  }
  return with_database(server, database);
}

}  // namespace ledger::testing
