// ledgerd on a disk that fills up while clients pay, then gets space back.
//
// The disk: a 32 MiB tmpfs mounted on the data dir (the test runs as root in CI's container, where
// `mount -t tmpfs` is allowed), filled with a ballast file until the kernel answers ENOSPC, then
// freed by deleting the ballast: a real full disk, seen by RocksDB as "No space left on device".
// The size is kept below RocksDB's WAL preallocation (1.1 x the 64 MiB write buffer), so the WAL
// has no preallocated room left to write into once the ballast is in. Where mounting is not
// permitted, the test falls back to RLIMIT_FSIZE set on the ledgerd process (prlimit): every
// write then fails with EFBIG, which ledgerd (ignoring SIGXFSZ) sees as an I/O error; lifting the
// limit is "space returns".
//
// While full: payments answer 503 with a problem+json body naming the fault (code store_read_only
// or io_error, the reason in `detail`), /readyz answers 503, balances and history answer 200
// with what was acknowledged. When space returns the server takes payments again by itself
// (no restart), the projections are live, nothing acknowledged is lost and `ledger-audit verify`
// finds nothing.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fmt/format.h>
#include <filesystem>
#include <regex>
#include <thread>

#include "tests/support/http_client.h"
#include "tests/support/ledger_fixture.h"
#include "tests/support/ledgerd_process.h"
#include "tests/support/payment_load.h"
#include "tests/support/temp_directory.h"
#include "tests/support/tool_runner.h"

namespace ledger {
namespace {

using boost::beast::http::verb;
using testing::HttpAnswer;
using testing::HttpClient;
using testing::LedgerdProcess;
using testing::Payment;

// A disk that can be made full and given space again (see the header comment).
class FillableDisk {
 public:
  explicit FillableDisk(const std::string& path) : path_(path) {
    std::filesystem::create_directories(path_);
    mounted_ = ::mount("tmpfs", path_.c_str(), "tmpfs", 0, "size=32m,mode=0700") == 0;
  }
  ~FillableDisk() {
    if (mounted_) ::umount2(path_.c_str(), MNT_DETACH);
  }
  FillableDisk(const FillableDisk&) = delete;
  FillableDisk& operator=(const FillableDisk&) = delete;

  std::string kind() const { return mounted_ ? "tmpfs of 32 MiB" : "RLIMIT_FSIZE on ledgerd"; }

  // Fills the tmpfs to the last byte, or forbids `pid` to write any byte.
  void fill(pid_t pid) {
    if (!mounted_) return set_file_size_limit(pid, 0);
    const std::string ballast = path_ + "/ballast";
    const int fd = ::open(ballast.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    REQUIRE(fd >= 0);
    const std::string chunk(64 * 1024, 'b');
    std::size_t size = chunk.size();
    while (size > 0) {
      if (::write(fd, chunk.data(), size) < 0) size /= 2;  // ENOSPC: finish with smaller writes
    }
    ::close(fd);
  }

  void free(pid_t pid) {
    if (!mounted_) return set_file_size_limit(pid, RLIM_INFINITY);
    std::filesystem::remove(path_ + "/ballast");
  }

 private:
  static void set_file_size_limit(pid_t pid, rlim_t bytes) {
    rlimit limit{bytes, RLIM_INFINITY};
    REQUIRE(::prlimit(pid, RLIMIT_FSIZE, &limit, nullptr) == 0);
  }

  std::string path_;
  bool mounted_ = false;
};

HttpAnswer pay(HttpClient& client, const std::string& token) {
  return client.request(verb::post, "/api/wallet/pay/", R"({"amount":"0.01","service":"website"})",
                        {{"Authorization", token}});
}

void record(const HttpAnswer& paid, std::vector<Payment>& acknowledged) {
  acknowledged.push_back({std::stoull(paid.header("X-Ledger-Position")),
                          paid.json()["transaction"]["id"].get<std::string>()});
}

TEST_CASE(
    "a full disk makes ledgerd refuse writes with 503, keep answering reads, lose nothing, "
    "and write again when space returns") {
  ::signal(SIGXFSZ, SIG_IGN);  // inherited by ledgerd, should the fallback be used
  testing::TempDirectory dir;
  FillableDisk disk(dir.child("disk"));
  const std::string data_dir = dir.child("disk") + "/data";
  MESSAGE("disk: " << disk.kind());

  LedgerdProcess ledgerd(data_dir, {"--password-cost", "10", "--resume-interval-ms", "100",
                                    "--email-interval-ms", "50"});
  ledgerd.wait_for_line(std::regex("created admin admin@localhost; its password is in"));
  const auto port = static_cast<unsigned short>(
      std::stoi(ledgerd.wait_for_line(std::regex("listening on http://127\\.0\\.0\\.1:(\\d+)"))));
  HttpClient client("127.0.0.1", port);
  const std::string admin =
      testing::login(client, "admin@localhost", LedgerdProcess::admin_password(data_dir));
  testing::create_funded_clients(client, admin, {"full@x.com"});
  const std::string token = testing::login(client, "full@x.com", "password-full@x.com");

  std::vector<Payment> acknowledged;
  auto paid = pay(client, token);
  REQUIRE_MESSAGE(paid.status == 201, paid.body);
  record(paid, acknowledged);

  disk.fill(ledgerd.pid());
  // What is already buffered may still fit; the first write that needs a new page fails.
  for (int attempt = 0; attempt < 5'000; ++attempt) {
    paid = pay(client, token);
    if (paid.status != 201) break;
    record(paid, acknowledged);
  }
  REQUIRE_MESSAGE(paid.status == 503, paid.status << " " << paid.body);
  CHECK(paid.header("Content-Type") == "application/problem+json");
  const auto problem = paid.json();
  const std::string code = problem["code"].get<std::string>();
  CHECK((code == "store_read_only" || code == "io_error"));
  CHECK_FALSE(problem["detail"].get<std::string>().empty());
  MESSAGE("the first refused payment: " << paid.body);

  // Full: later writes get the same clear refusal; reads go on with what was acknowledged.
  auto refused = pay(client, token);
  CHECK(refused.status == 503);
  CHECK(refused.json()["code"] == "store_read_only");
  CHECK(client.get("/readyz").status == 503);
  CHECK(client.get("/healthz").status == 200);
  const auto wallet = client.request(verb::get, "/api/wallet/", "", {{"Authorization", token}});
  REQUIRE_MESSAGE(wallet.status == 200, wallet.body);
  const auto history =
      client.request(verb::get, "/api/wallet/transactions/", "", {{"Authorization", token}});
  REQUIRE_MESSAGE(history.status == 200, history.body);
  const auto expected_balance_minor = 100'000'00 - static_cast<long>(acknowledged.size());
  CHECK(wallet.json()["balance"] ==
        fmt::format("{}.{:02}", expected_balance_minor / 100, expected_balance_minor % 100));
  MESSAGE("while full: " << acknowledged.size() << " payments acknowledged, wallet "
                         << wallet.body);

  // Space returns: the server writes again by itself.
  disk.free(ledgerd.pid());
  ledgerd.wait_for_line(std::regex("the store takes writes again"));
  for (int payment = 0; payment < 20; ++payment) {
    paid = pay(client, token);
    REQUIRE_MESSAGE(paid.status == 201, paid.body);
    record(paid, acknowledged);
  }
  CHECK(client.get("/readyz").status == 200);
  const auto projections =
      client.request(verb::get, "/api/admin/projections/", "", {{"Authorization", admin}});
  REQUIRE(projections.status == 200);
  CHECK_MESSAGE(projections.body.find(R"("state":"failed")") == std::string::npos,
                projections.body);

  CHECK(ledgerd.terminate_and_wait(SIGTERM) == 0);
  {
    auto log = testing::LedgerFixture::open_log(data_dir + "/store");
    testing::check_payments_present(*log, acknowledged);
  }
  auto audit = testing::run_tool(LEDGER_AUDIT, "verify --quiet --data-dir " + data_dir);
  CHECK_MESSAGE(audit.exit_code == 0, audit.output);
  MESSAGE(acknowledged.size() << " payments acknowledged in all, all present after a restart");
}

}  // namespace
}  // namespace ledger
