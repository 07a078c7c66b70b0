// The email outbox: templates rendered from events (HTML-escaped), each email queued once, none
// again on a rebuild, and delivery writing .eml files, erasing sent verification codes, and
// backing off on failure.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>
#include <thread>

#include "core/domain/keyspaces.h"
#include "core/domain/users.h"
#include "core/domain/wallet.h"
#include "events/outbox_state.pb.h"
#include "projections/email_delivery.h"
#include "projections/email_projection.h"
#include "projections/email_templates.h"
#include "projections/projection_runner.h"
#include "tests/support/ledger_fixture.h"
#include "tests/support/outbox_emails.h"

namespace ledger {
namespace {

using domain::UnitOfWork;
using testing::LedgerFixture;
using testing::usd;

std::vector<events::OutboxEmail> outbox(LedgerFixture& f) { return testing::outbox_emails(*f.log); }

void register_client(LedgerFixture& f, const std::string& id, const std::string& name) {
  REQUIRE(f.run<events::UserState>([=](UnitOfWork& uow) {
             return domain::register_user(uow, {domain::UserId{id}, id + "@x.com", name, "client",
                                                "", 0, "h", true, "admin", "", "", ""});
           }).ok());
}

TEST_CASE("html bodies escape what users typed") {
  CHECK(projections::html_escape("<b>&\"'") == "&lt;b&gt;&amp;&quot;&#39;");
  CHECK(projections::render_html("Hello <script>\n\nbye") ==
        "<!doctype html><html><body><p>Hello &lt;script&gt;</p><p>bye</p></body></html>");
}

TEST_CASE("each email is queued once with its template, and a rebuild queues none again") {
  LedgerFixture f;
  register_client(f, "alice", "Alice <Admin>");
  f.fund("alice", usd("20.00"));
  REQUIRE(f.run<events::WalletDebited>([&](UnitOfWork& uow) {
             return domain::pay_from_wallet(uow, {"alice", domain::TransactionId{f.id()},
                                                  usd("5.00"), "payment", "website", "", ""});
           }).ok());
  projections::EmailProjection projection;
  projections::ProjectionRunner runner(*f.log, projection, f.clock);
  REQUIRE(runner.start().ok());
  REQUIRE(runner.catch_up().ok());
  auto emails = outbox(f);
  REQUIRE(emails.size() == 3);
  CHECK(emails[0].template_name() == "welcome");
  CHECK(emails[0].to() == "alice@x.com");
  CHECK(emails[0].text_body().find("Hello Alice <Admin>,") == 0);
  CHECK(emails[0].html_body().empty());  // rendered, escaped, when the message is built
  CHECK(emails[1].template_name() == "payment_confirmation");
  CHECK(emails[1].text_body().find("$20.00") != std::string::npos);
  CHECK(emails[2].template_name() == "payment_receipt");
  CHECK(emails[2].text_body().find("Balance after: $15.00") != std::string::npos);
  for (const auto& email : emails) CHECK(email.status() == "queued");

  // Mark them sent, rebuild: nothing is queued again, nothing is reset.
  for (auto email : emails) {
    email.set_status("sent");
    const store::StateWrite write{domain::kOutboxKeyspace, "email/" + email.email_id(),
                                  email.SerializeAsString()};
    REQUIRE(f.log->write_state({&write, 1}).ok());
  }
  REQUIRE(runner.rebuild().ok());
  REQUIRE(runner.catch_up().ok());
  emails = outbox(f);
  CHECK(emails.size() == 3);
  for (const auto& email : emails) CHECK(email.status() == "sent");
  // A new event after the rebuild does queue its email.
  f.fund("alice", usd("1.00"));
  REQUIRE(runner.catch_up().ok());
  CHECK(outbox(f).size() == 4);
}

TEST_CASE("delivery writes .eml files, marks rows sent, erases codes, backs off on failure") {
  LedgerFixture f;
  REQUIRE(f.run<events::UserState>([](UnitOfWork& uow) {
             return domain::register_user(uow, {"bob", "bob@x.com", "Bob", "client", "", 0, "h",
                                                false, "self", "digest", "123456", "mail-1"});
           }).ok());
  const std::string dir = f.dir.string() + "/outbox";
  projections::EmailDelivery delivery(*f.log, f.clock, dir);
  auto report = delivery.deliver_once();
  REQUIRE(report.ok());
  CHECK(report->sent == 1);
  std::ifstream file(dir + "/mail-1.eml");
  std::stringstream eml;
  eml << file.rdbuf();
  CHECK(eml.str().find("To: bob@x.com\r\n") != std::string::npos);
  CHECK(eml.str().find("Your verification code is 123456") != std::string::npos);
  auto sent = outbox(f);
  REQUIRE(sent.size() == 1);
  CHECK(sent[0].status() == "sent");
  CHECK(sent[0].attempts() == 1);
  CHECK(sent[0].text_body().empty());         // the code is gone from the store
  CHECK(delivery.deliver_once()->sent == 0);  // sent once only

  // A directory that cannot be written: failed, with a backoff before the next attempt.
  REQUIRE(f.run<events::UserState>([](UnitOfWork& uow) {
             return domain::register_user(uow, {"carol", "carol@x.com", "Carol", "client", "", 0,
                                                "h", false, "self", "d", "654321", "mail-2"});
           }).ok());
  const std::string blocked = f.dir.string() + "/blocked";
  { std::ofstream(blocked) << "a file, not a directory"; }
  projections::EmailDelivery failing(*f.log, f.clock, blocked);
  CHECK(failing.deliver_once()->failed == 1);
  auto failed = outbox(f);
  REQUIRE(failed.size() == 2);
  CHECK(failed[1].status() == "failed");
  CHECK(failed[1].next_attempt_at_us() == f.clock.now_us() + kMicrosPerMinute);
  CHECK(failing.deliver_once()->failed == 0);  // waiting for the backoff
  f.clock.advance_us(kMicrosPerMinute);
  CHECK(delivery.deliver_once()->sent == 1);  // retried, now with a working directory
}

// Counts what it is given; the first send is announced so the test can stop delivery mid-queue.
class CountingTransport final : public projections::EmailTransport {
 public:
  Status send(const events::OutboxEmail&, std::string_view, std::string_view) override {
    if (sent_.fetch_add(1) == 0) first_.set_value();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return {};
  }
  std::future<void> first_send() { return first_.get_future(); }
  std::size_t sent() const { return sent_.load(); }

 private:
  std::atomic<std::size_t> sent_{0};
  std::promise<void> first_;
};

TEST_CASE("stopping delivery does not wait for the rest of a long queue, the rest stays queued") {
  LedgerFixture f;
  constexpr int kQueued = 300;
  for (int i = 0; i < kQueued; ++i) {
    const std::string id = "u" + std::to_string(i);
    REQUIRE(f.run<events::UserState>([id](UnitOfWork& uow) {
               return domain::register_user(
                   uow, {domain::UserId{id}, id + "@x.com", "U", "client", "", 0, "h", false,
                         "self", "d-" + id, "123456", domain::EmailId{"mail-" + id}});
             }).ok());
  }
  auto transport = std::make_unique<CountingTransport>();
  CountingTransport& counting = *transport;
  auto first = counting.first_send();
  projections::EmailDelivery delivery(*f.log, f.clock, std::move(transport), "from@x.com");
  delivery.start(std::chrono::milliseconds(10));
  first.wait();
  delivery.stop();
  const std::size_t sent = counting.sent();
  CHECK(sent < static_cast<std::size_t>(kQueued));
  std::size_t queued = 0;
  for (const auto& email : outbox(f)) queued += email.status() == "queued" ? 1 : 0;
  CHECK(queued == kQueued - sent);
}

std::size_t pending_count(LedgerFixture& f) {
  std::size_t pending = 0;
  REQUIRE(f.log
              ->scan_state(domain::kOutboxKeyspace, domain::kOutboxPendingPrefix,
                           store::ReadDirection::forward,
                           [&](std::string_view, std::string_view) {
                             ++pending;
                             return true;
                           })
              .ok());
  return pending;
}

TEST_CASE(
    "a pass reads the pending index in batches, sent emails leave it, old outboxes are "
    "indexed once") {
  LedgerFixture f;
  const int queued = static_cast<int>(projections::kDeliveryBatchMax) + 100;
  for (int i = 0; i < queued; ++i) {
    const std::string id = "u" + std::to_string(i);
    REQUIRE(f.run<events::UserState>([id](UnitOfWork& uow) {
               return domain::register_user(
                   uow, {domain::UserId{id}, id + "@x.com", "U", "client", "", 0, "h", false,
                         "self", "d-" + id, "123456", domain::EmailId{"mail-" + id}});
             }).ok());
  }
  CHECK(pending_count(f) == static_cast<std::size_t>(queued));
  auto transport = std::make_unique<CountingTransport>();
  CountingTransport& counting = *transport;
  projections::EmailDelivery delivery(*f.log, f.clock, std::move(transport), "from@x.com");
  CHECK(delivery.deliver_once()->sent == projections::kDeliveryBatchMax);
  CHECK(pending_count(f) == 100);
  CHECK(delivery.deliver_once()->sent == 100);
  CHECK(pending_count(f) == 0);
  CHECK(delivery.deliver_once()->sent == 0);
  CHECK(counting.sent() == static_cast<std::size_t>(queued));

  // An outbox written before the index (a row, no pending mark, no index marker): the first
  // pass of a new worker indexes it once and delivers it.
  events::OutboxEmail legacy;
  legacy.set_email_id("legacy-1");
  legacy.set_to("old@x.com");
  legacy.set_status("queued");
  const store::StateWrite writes[] = {
      {domain::kOutboxKeyspace, domain::outbox_email_key("legacy-1"), legacy.SerializeAsString()},
      {domain::kOutboxKeyspace, "meta/pending-index", std::nullopt}};
  REQUIRE(f.log->write_state(writes).ok());
  projections::EmailDelivery restarted(*f.log, f.clock, std::make_unique<CountingTransport>(),
                                       "from@x.com");
  CHECK(restarted.deliver_once()->sent == 1);
  CHECK(pending_count(f) == 0);
  for (const auto& email : outbox(f)) CHECK(email.status() == "sent");
}

}  // namespace
}  // namespace ledger
