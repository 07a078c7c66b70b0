// A small agency over HTTP for end-to-end tests: an admin, clients alice and bob, agents mia
// (alice's marketing), web (alice's website) and max (bob's marketing), each logged in; with the
// caller's notifications once the feed reached a position. The emails: delivered_emails.h.
#pragma once

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <tuple>

#include "tests/support/api_fixture.h"

namespace ledger::testing {

struct ApiAgency {
  ApiFixture f;
  std::string admin = f.admin();
  std::string alice_id = f.create_user(admin, "alice@x.com", "client");
  std::string alice = f.login_as("alice@x.com");
  std::string bob_id = f.create_user(admin, "bob@x.com", "client");
  std::string bob = f.login_as("bob@x.com");
  std::string mia_id = f.create_user(admin, "mia@x.com", "agent", "marketing");
  std::string mia = f.login_as("mia@x.com");  // alice's marketing agent
  std::string max_id = f.create_user(admin, "max@x.com", "agent", "marketing");
  std::string max = f.login_as("max@x.com");  // bob's marketing agent
  std::string web_id = f.create_user(admin, "web@x.com", "agent", "website");
  std::string web = f.login_as("web@x.com");  // alice's website agent

  ApiAgency() {
    for (const auto& [client, service, agent] : {std::tuple{alice_id, "marketing", mia_id},
                                                 {alice_id, "website", web_id},
                                                 {bob_id, "marketing", max_id}}) {
      REQUIRE(f.post(admin, "/api/clients/" + client + "/assign_agent/",
                     nlohmann::json{{"service", service}, {"agent_id", agent}}.dump())
                  .status == 200);
    }
  }

  // The caller's notifications of `type`, once the feed has reached `position`.
  nlohmann::json notifications(const std::string& token, const std::string& type,
                               const std::string& position) {
    auto feed = f.call(token, boost::beast::http::verb::get, "/api/notifications/?type=" + type, "",
                       {{"X-Min-Position", position}});
    REQUIRE_MESSAGE(feed.status == 200, feed.body);
    return feed.json()["results"];
  }
  nlohmann::json notifications(const std::string& token, const std::string& type,
                               std::uint64_t position) {
    return notifications(token, type, std::to_string(position));
  }
};

inline std::uint64_t position_of(const HttpAnswer& answer) {
  return std::stoull(answer.header("X-Ledger-Position"));
}

}  // namespace ledger::testing
