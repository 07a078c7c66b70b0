// Tampering with stored records is found, at the right position.
#include <doctest/doctest.h>

#include "core/store/chain_verifier.h"
#include "core/store/key_encoding.h"
#include "tests/support/raw_store.h"
#include "tests/support/store_fixtures.h"
#include "tests/support/temp_directory.h"

namespace ledger {
namespace {

using testing::append_one;
using testing::commit_to;
using testing::TempDirectory;

void write_log(const std::string& path, int events) {
  auto log = testing::open_test_log(path);
  for (int i = 0; i < events; ++i) REQUIRE(append_one(*log, commit_to("s", 1)).ok());
}

std::vector<store::ChainFinding> verify_all(const std::string& path) {
  auto options = testing::test_store_options(path);
  options.verify_tail_records_on_open = 0;
  auto log = store::RocksDbEventLog::open(options);
  REQUIRE(log.ok());
  return testing::verify_whole_chain(**log).findings;
}

bool has_finding_at(const std::vector<store::ChainFinding>& findings, std::uint64_t position,
                    const std::string& kind) {
  for (const auto& finding : findings) {
    if (finding.position == position && finding.kind == kind) return true;
  }
  return false;
}

TEST_CASE("an untouched log verifies without findings") {
  TempDirectory dir;
  write_log(dir.string(), 20);
  CHECK(verify_all(dir.string()).empty());
}

TEST_CASE("one flipped byte in a stored record is reported at its position, and only there") {
  TempDirectory dir;
  write_log(dir.string(), 20);
  {
    testing::RawStore raw(dir.string());
    std::string record = raw.get("events", store::big_endian_key(7));
    record[record.size() / 2] ^= 0x01;
    raw.put("events", store::big_endian_key(7), record);
  }
  const auto findings = verify_all(dir.string());
  REQUIRE_FALSE(findings.empty());
  CHECK(has_finding_at(findings, 7, "bad_hash"));
  for (const auto& finding : findings) CHECK(finding.position == 7);
}

TEST_CASE("a deleted record is reported as a gap at the next position") {
  TempDirectory dir;
  write_log(dir.string(), 10);
  {
    testing::RawStore raw(dir.string());
    raw.remove("events", store::big_endian_key(4));
  }
  const auto findings = verify_all(dir.string());
  CHECK(has_finding_at(findings, 5, "gap"));
  CHECK(has_finding_at(findings, 5, "bad_hash"));
}

TEST_CASE("two swapped records are reported at both positions") {
  TempDirectory dir;
  write_log(dir.string(), 10);
  {
    testing::RawStore raw(dir.string());
    const std::string third = raw.get("events", store::big_endian_key(3));
    const std::string fourth = raw.get("events", store::big_endian_key(4));
    raw.put("events", store::big_endian_key(3), fourth);
    raw.put("events", store::big_endian_key(4), third);
  }
  const auto findings = verify_all(dir.string());
  CHECK(has_finding_at(findings, 3, "position_mismatch"));
  CHECK(has_finding_at(findings, 4, "position_mismatch"));
}

TEST_CASE("a store whose tail was tampered with refuses to open, naming the position") {
  TempDirectory dir;
  write_log(dir.string(), 10);
  {
    testing::RawStore raw(dir.string());
    std::string record = raw.get("events", store::big_endian_key(9));
    record[3] ^= 0x40;
    raw.put("events", store::big_endian_key(9), record);
  }
  auto log = store::RocksDbEventLog::open(testing::test_store_options(dir.string()));
  REQUIRE_FALSE(log.ok());
  CHECK(log.error().code == Errc::corruption);
  CHECK(log.error().message.find("position 9") != std::string::npos);
}

}  // namespace
}  // namespace ledger
