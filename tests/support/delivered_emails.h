// The emails an ApiFixture's outbox holds up to a log position, as users receive them: once the
// email projection has folded that position, the delivery worker writes each as an .eml file,
// and each file is read back by the independent reader (mime_checks.h) and checked.
//   const auto emails = testing::delivered_emails(f, position);  // by recipient address
//   CHECK(testing::header_value(emails.find("alice@x.com")->second, "Subject") == "...");
#pragma once

#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>

#include "projections/email_delivery.h"
#include "projections/email_projection.h"
#include "tests/support/api_fixture.h"
#include "tests/support/mime_checks.h"

namespace ledger::testing {

// A header of `message` without the white space after its colon.
inline std::string header_value(const ParsedEml& message, std::string_view name) {
  std::string value = message.header(name);
  value.erase(0, value.find_first_not_of(' '));
  return value;
}

// Every email queued up to `position`, delivered into DATA_DIR/outbox and parsed, by recipient
// address (every file must pass the reader's rules).
inline std::multimap<std::string, ParsedEml> delivered_emails(ApiFixture& f,
                                                              std::uint64_t position) {
  auto* emails = f.projections.find(projections::kEmailsProjection);
  REQUIRE(emails != nullptr);
  REQUIRE(emails->wait_for(position, std::chrono::seconds(10)));
  const std::string dir = f.dir.string() + "/outbox";
  projections::EmailDelivery delivery(*f.log, f.clock, dir);
  REQUIRE(delivery.deliver_once().ok());
  std::multimap<std::string, ParsedEml> parsed;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    std::ifstream file(entry.path(), std::ios::binary);
    const std::string eml((std::istreambuf_iterator<char>(file)), {});
    ParsedEml message;
    const std::string problem = eml_problem(eml, message);
    CHECK_MESSAGE(problem.empty(), problem);
    parsed.emplace(header_value(message, "To"), std::move(message));
  }
  return parsed;
}

}  // namespace ledger::testing
