// Course commands as one-line steps for domain tests.
//   LedgerFixture f;
//   testing::add_course(f, "seo", usd("10.00"));  // "Course seo", sold on its own, for life
#pragma once

#include <doctest/doctest.h>

#include <cstdint>
#include <string>

#include "core/domain/course.h"
#include "tests/support/ledger_fixture.h"

namespace ledger::testing {

// A course `id` titled "Course <id>", created by "admin"; the test stops when it is refused.
inline void add_course(LedgerFixture& f, const std::string& id, Money price, bool is_free = false,
                       bool individual = true, std::uint32_t access_days = 0) {
  auto created = f.run<events::CourseState>([=](domain::UnitOfWork& uow) {
    return domain::create_course(uow, {domain::CourseId{id}, "Course " + id, "", price, is_free,
                                       individual, access_days, "admin"});
  });
  REQUIRE(created.ok());
}

}  // namespace ledger::testing
