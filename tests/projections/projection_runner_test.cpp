// The projector framework with the notification projection over a real log: feeds per user,
// exact resume after a restart, blue/green rebuild equal to the first build, a version change
// rebuilding on start, read marks, and a poison event stopping only its projection.
#include <doctest/doctest.h>

#include <functional>
#include <thread>

#include <fmt/format.h>
#include <atomic>

#include "core/domain/course.h"
#include "core/domain/invoice.h"
#include "core/domain/notification_commands.h"
#include "core/domain/users.h"
#include "events/notification_state.pb.h"
#include "projections/notification_projection.h"
#include "projections/projection_registry.h"
#include "tests/support/gated_event_log.h"
#include "tests/support/ledger_fixture.h"

namespace ledger {
namespace {

using domain::UnitOfWork;
using projections::NotificationProjection;
using projections::ProjectionRunner;
using testing::LedgerFixture;
using testing::usd;

void add_user(LedgerFixture& f, const std::string& id, const std::string& role,
              const std::string& department = "") {
  REQUIRE(f.run<events::UserState>([=](UnitOfWork& uow) {
             return domain::register_user(
                 uow, {domain::UserId{id}, id + "@x.com", "User " + id, role, department, 0, "h",
                       true, "test", "", "", ""});
           }).ok());
}

// A small history: an admin, a client with a website agent, a top-up, a payment, an invoice.
void history(LedgerFixture& f) {
  add_user(f, "admin", "admin");
  add_user(f, "alice", "client");
  add_user(f, "web", "agent", "website");
  REQUIRE(f.run<events::UserState>([](UnitOfWork& uow) {
             return domain::assign_agent(uow, {"alice", "website", "web", "admin"});
           }).ok());
  f.fund("alice", usd("50.00"));
  REQUIRE(f.run<events::WalletDebited>([&](UnitOfWork& uow) {
             return domain::pay_from_wallet(uow, {"alice", domain::TransactionId{f.id()},
                                                  usd("10.00"), "payment", "website", "", ""});
           }).ok());
  REQUIRE(f.run<events::InvoiceState>([](UnitOfWork& uow) {
             return domain::issue_invoice(
                 uow, {"inv1", "alice", "website", usd("20.00"), "2026-12-01", "", "admin"});
           }).ok());
}

std::vector<events::Notification> feed(const ProjectionRunner& runner, const std::string& user) {
  std::vector<events::Notification> items;
  REQUIRE(runner
              .scan(projections::notification_feed_prefix(user), store::ReadDirection::backward,
                    [&](std::string_view, std::string_view value) {
                      events::Notification notification;
                      REQUIRE(notification.ParseFromArray(value.data(),
                                                          static_cast<int>(value.size())));
                      items.push_back(notification);
                      return true;
                    })
              .ok());
  return items;
}

events::NotificationCounters counters(const ProjectionRunner& runner, const std::string& user) {
  auto row = runner.get(projections::notification_counters_key(user));
  REQUIRE(row.ok());
  events::NotificationCounters counters;
  if (row->has_value()) REQUIRE(counters.ParseFromString(**row));
  return counters;
}

std::vector<std::string> types(const std::vector<events::Notification>& items) {
  std::vector<std::string> names;
  names.reserve(items.size());
  for (const auto& item : items) names.push_back(item.type());
  return names;
}

TEST_CASE("notifications reach the client, the assigned agent and the admins") {
  LedgerFixture f;
  history(f);
  NotificationProjection projection;
  ProjectionRunner runner(*f.log, projection, f.clock);
  REQUIRE(runner.start().ok());
  REQUIRE(runner.catch_up().ok());
  CHECK(types(feed(runner, "alice")) == std::vector<std::string>{"invoice_created", "payment",
                                                                 "payment_received",
                                                                 "agent_assigned"});
  CHECK(types(feed(runner, "web")) ==
        std::vector<std::string>{"invoice_created", "agent_assigned"});
  CHECK(types(feed(runner, "admin")) == std::vector<std::string>{"client_registered"});
  const auto newest = feed(runner, "alice").front();
  CHECK(newest.message() == "Invoice of $20.00 for website, due 2026-12-01");
  CHECK(newest.link() == "/invoices/inv1");
  CHECK(counters(runner, "alice").unread() == 4);
  const auto status = runner.status();
  CHECK(status.state == "live");
  CHECK(status.checkpoint == f.log->head().position);
  CHECK(status.lag_events == 0);
}

TEST_CASE("read marks are events: one notification, then all") {
  LedgerFixture f;
  history(f);
  NotificationProjection projection;
  ProjectionRunner runner(*f.log, projection, f.clock);
  REQUIRE(runner.start().ok());
  REQUIRE(runner.catch_up().ok());
  const std::string id = feed(runner, "alice").front().id();
  auto mark = [&](std::string notification) {
    REQUIRE(f.run<events::NotificationRead>([&](UnitOfWork& uow) {
               return domain::mark_notification_read(
                   uow, {"alice", domain::NotificationId{notification}});
             }).ok());
    REQUIRE(runner.catch_up().ok());
  };
  mark(id);
  CHECK(counters(runner, "alice").unread() == 3);
  CHECK(feed(runner, "alice").front().is_read());
  mark(id);  // twice: nothing more
  CHECK(counters(runner, "alice").unread() == 3);
  REQUIRE(f.run<events::AllNotificationsRead>([](UnitOfWork& uow) {
             return domain::mark_all_notifications_read(uow, {"alice"});
           }).ok());
  REQUIRE(runner.catch_up().ok());
  CHECK(counters(runner, "alice").unread() == 0);
  CHECK(counters(runner, "alice").read_all_up_to() == f.log->head().position);
}

std::vector<std::pair<std::string, std::string>> all_rows(const ProjectionRunner& runner) {
  std::vector<std::pair<std::string, std::string>> rows;
  REQUIRE(runner
              .scan("", store::ReadDirection::forward,
                    [&](std::string_view key, std::string_view value) {
                      rows.emplace_back(key, value);
                      return true;
                    })
              .ok());
  return rows;
}

TEST_CASE("a restart resumes exactly, a rebuild gives the same rows in a new generation") {
  LedgerFixture f;
  history(f);
  NotificationProjection projection;
  std::vector<std::pair<std::string, std::string>> first;
  {
    ProjectionRunner runner(*f.log, projection, f.clock);
    REQUIRE(runner.start().ok());
    REQUIRE(runner.catch_up().ok());
    first = all_rows(runner);
  }
  // More events while it is stopped, then a new runner picks up from the checkpoint.
  f.fund("alice", usd("5.00"));
  ProjectionRunner runner(*f.log, projection, f.clock);
  REQUIRE(runner.start().ok());
  REQUIRE(runner.catch_up().ok());
  CHECK(counters(runner, "alice").unread() == 5);  // 4 + one top-up: none twice
  const auto before = all_rows(runner);
  CHECK(before.size() > first.size());

  const auto generation = runner.status().generation;
  REQUIRE(runner.rebuild().ok());
  REQUIRE(runner.catch_up().ok());
  CHECK(runner.status().generation == generation + 1);
  CHECK(all_rows(runner) == before);
  // The old generation's rows are gone.
  std::size_t rows = 0;
  REQUIRE(f.log
              ->scan_state(domain::kProjectionRowsKeyspace,
                           fmt::format("notifications/{:016x}/", generation),
                           store::ReadDirection::forward,
                           [&](std::string_view, std::string_view) {
                             ++rows;
                             return true;
                           })
              .ok());
  CHECK(rows == 0);
}

// The history, then 700 top-ups and payments by two clients: more than four live batches.
void payments(LedgerFixture& f) {
  history(f);
  add_user(f, "bob", "client");
  for (int i = 0; i < 700; ++i) {
    const std::string user = i % 3 == 0 ? "bob" : "alice";
    f.fund(user, usd("1.00"));
    const std::string transaction = f.id();
    REQUIRE(f.run<events::WalletDebited>([&](UnitOfWork& uow) {
               return domain::pay_from_wallet(
                   uow, {domain::UserId{user}, domain::TransactionId{transaction}, usd("0.50"),
                         "payment", "website", "", ""});
             }).ok());
  }
  REQUIRE(f.log->head().position > 4 * 512);
}

// Rebuilds `runner`'s projection and checks that the new generation holds exactly `live`, the
// rows its live runner wrote.
void rebuild_gives(ProjectionRunner& runner, const LedgerFixture& f,
                   const std::vector<std::pair<std::string, std::string>>& live) {
  REQUIRE(runner.rebuild().ok());
  REQUIRE(runner.catch_up().ok());
  CHECK(runner.status().generation == 2);
  CHECK(runner.status().checkpoint == f.log->head().position);
  const auto rebuilt = all_rows(runner);
  REQUIRE(rebuilt.size() == live.size());
  for (std::size_t i = 0; i < live.size(); ++i) {
    INFO("row " << live[i].first);
    CHECK(rebuilt[i] == live[i]);
  }
}

TEST_CASE("a rebuild folding large batches writes the rows the live runner wrote in small ones") {
  // The live runner folds 512 events a batch; a rebuild folds the same log in far larger batches,
  // so the rows a batch rewrites (each user's counters) are read back from the batch and written
  // once. Every row must come out byte for byte as the live runner left it.
  LedgerFixture f;
  payments(f);
  NotificationProjection projection;
  ProjectionRunner runner(*f.log, projection, f.clock);
  REQUIRE(runner.start().ok());
  REQUIRE(runner.catch_up().ok());
  const auto live = all_rows(runner);
  CHECK(live.size() > 1000);  // a feed row per top-up and payment, counters
  rebuild_gives(runner, f, live);
}

TEST_CASE("a rebuild folds each batch on the rows of the one before while those are written") {
  // Small build batches, each written slowly: every batch is folded while the store is still
  // writing the one before, so each user's counters must be read from that batch's writes (the
  // store does not have them yet), or from the rows read kept in memory. The rows must still come
  // out as the live runner left them.
  LedgerFixture f;
  payments(f);
  NotificationProjection projection;
  std::vector<std::pair<std::string, std::string>> live;
  {
    ProjectionRunner runner(*f.log, projection, f.clock);
    REQUIRE(runner.start().ok());
    REQUIRE(runner.catch_up().ok());
    live = all_rows(runner);
  }
  testing::GatedEventLog slow(*f.log);
  slow.delay_state_writes(std::chrono::milliseconds(20));
  // The rows read are kept across batches, and dropped whenever more than 40 are: both the rows
  // kept (updated by each batch's writes) and those read again after a drop must be exact.
  ProjectionRunner runner(slow, projection, f.clock,
                          {.build_batch_events = 97, .build_rows_read_max = 40});
  REQUIRE(runner.start().ok());
  rebuild_gives(runner, f, live);
}

// Counts the events it folds, and puts one outbox row per event under the key `key_of` gives it
// (once: a key already put is left as it is, and not counted as sent).
class OnceProjection final : public projections::Projection {
 public:
  explicit OnceProjection(std::function<std::string(std::uint64_t)> key_of)
      : key_of_(std::move(key_of)) {}
  std::string_view name() const override { return "once-test"; }
  std::uint32_t version() const override { return 1; }
  Status apply(const events::Envelope& event, projections::ProjectionState& state) override {
    // A counter every event adds to, and one per group of 20 positions out of 3 groups: each
    // group's row rests for 40 positions (several batches) between its runs.
    for (const std::string& key :
         {std::string("count"), fmt::format("group/{}", (event.position() - 1) / 20 % 3)}) {
      auto count = state.get(key);
      if (!count) return std::move(count).error();
      const int folded = count->has_value() ? std::stoi(**count) : 0;
      state.put(key, std::to_string(folded + 1));
    }
    if (!state.side_effects_allowed()) return {};
    auto put = state.put_once(domain::kOutboxKeyspace, key_of_(event.position()),
                              std::to_string(event.position()));
    if (!put) return std::move(put).error();
    if (*put) {
      auto sent = state.get("sent");
      if (!sent) return std::move(sent).error();
      state.put("sent", std::to_string((sent->has_value() ? std::stoi(**sent) : 0) + 1));
    }
    return {};
  }

 private:
  std::function<std::string(std::uint64_t)> key_of_;
};

TEST_CASE("a side effect put once is seen by the next batch while it is still being written") {
  // Also: a row read once is kept across batches, and each batch that rewrites it updates it.
  LedgerFixture f;
  payments(f);
  const std::uint64_t head = f.log->head().position;
  // Every event of a group of 10 consecutive positions shares a key: the groups straddle the
  // batches of 7, so a key put by one batch comes up again in the next, before it is written.
  OnceProjection projection(
      [](std::uint64_t position) { return fmt::format("once-test/{}", (position - 1) / 10); });
  testing::GatedEventLog slow(*f.log);
  slow.delay_state_writes(std::chrono::milliseconds(5));
  ProjectionRunner runner(slow, projection, f.clock, {.build_batch_events = 7});
  // A build from position 0 of a projection that never ran: every event's side effects are due.
  REQUIRE(runner.load().ok());
  REQUIRE(runner.rebuild().ok());
  REQUIRE(runner.start().ok());
  REQUIRE(runner.catch_up(std::chrono::seconds(120)).ok());
  CHECK(runner.get("count").value() == std::to_string(head));
  std::uint64_t groups[3] = {0, 0, 0};
  for (std::uint64_t position = 1; position <= head; ++position) ++groups[(position - 1) / 20 % 3];
  for (int group = 0; group < 3; ++group) {
    CHECK(runner.get(fmt::format("group/{}", group)).value() == std::to_string(groups[group]));
  }
  CHECK(runner.get("sent").value() == std::to_string((head + 9) / 10));
  // Each key holds the first position of its group: none was written twice.
  for (std::uint64_t group = 0; group < (head + 9) / 10; ++group) {
    INFO("group " << group);
    CHECK(f.log->read_state(domain::kOutboxKeyspace, fmt::format("once-test/{}", group)).value() ==
          std::to_string(group * 10 + 1));
  }
}

TEST_CASE("reads during repeated switch-overs always see a whole generation") {
  LedgerFixture f;
  history(f);
  for (int i = 0; i < 300; ++i) f.fund("alice", usd("1.00"));  // long feeds: long scans
  NotificationProjection projection;
  ProjectionRunner runner(*f.log, projection, f.clock);
  REQUIRE(runner.start().ok());
  REQUIRE(runner.catch_up().ok());
  const auto expected = counters(runner, "alice").unread();
  const auto expected_feed = feed(runner, "alice").size();
  REQUIRE(expected > 0);
  std::atomic<bool> switching{true};
  std::atomic<std::size_t> reads{0};
  std::atomic<std::size_t> wrong{0};
  std::thread reader([&] {
    while (switching) {
      if (counters(runner, "alice").unread() != expected) ++wrong;
      if (feed(runner, "alice").size() != expected_feed) ++wrong;
      ++reads;
    }
  });
  for (int i = 0; i < 20; ++i) {
    REQUIRE(runner.rebuild().ok());
    REQUIRE(runner.catch_up().ok());
  }
  switching = false;
  reader.join();
  MESSAGE(reads.load() << " reads across 20 switch-overs");
  CHECK(reads.load() > 0);
  CHECK(wrong.load() == 0);
}

// The next version of a projection: the stored version differs, so it rebuilds on start.
class NotificationsNextVersion final : public projections::Projection {
 public:
  std::string_view name() const override { return projections::kNotificationsProjection; }
  std::uint32_t version() const override { return inner_.version() + 1; }
  Status apply(const events::Envelope& event, projections::ProjectionState& state) override {
    return inner_.apply(event, state);
  }

 private:
  NotificationProjection inner_;
};

// Fails on the first WalletDebited: a poison event.
class Poisoned final : public projections::Projection {
 public:
  std::string_view name() const override { return "poisoned"; }
  std::uint32_t version() const override { return 1; }
  Status apply(const events::Envelope& event, projections::ProjectionState& state) override {
    if (event.event_type() == "WalletDebited") {
      return make_error(Errc::internal, "cannot fold this debit");
    }
    state.put("seen", std::to_string(event.position()));
    return {};
  }
};

TEST_CASE("a new version rebuilds on start, a poison event stops only its projection") {
  LedgerFixture f;
  history(f);
  {
    NotificationProjection v1;
    ProjectionRunner runner(*f.log, v1, f.clock);
    REQUIRE(runner.start().ok());
    REQUIRE(runner.catch_up().ok());
  }
  projections::ProjectionRegistry registry(*f.log, f.clock);
  registry.add(std::make_unique<NotificationsNextVersion>());
  registry.add(std::make_unique<Poisoned>());
  REQUIRE(registry.start().ok());
  auto* notifications = registry.find("notifications");
  REQUIRE(notifications != nullptr);
  REQUIRE(notifications->catch_up().ok());
  CHECK(notifications->status().version == NotificationProjection().version() + 1);
  CHECK(notifications->status().generation == 2);
  CHECK(counters(*notifications, "alice").unread() == 4);

  auto* poisoned = registry.find("poisoned");
  REQUIRE(poisoned != nullptr);
  CHECK_FALSE(poisoned->catch_up().ok());
  const auto status = poisoned->status();
  CHECK(status.state == "failed");
  CHECK(status.failed_error == "cannot fold this debit");
  auto debit = f.log->read_all(status.failed_position - 1, 1);
  REQUIRE(debit.ok());
  CHECK(debit->front().event_type() == "WalletDebited");
  CHECK(registry.find("nope") == nullptr);
  // The healthy projection goes on with new events.
  f.fund("alice", usd("1.00"));
  REQUIRE(notifications->catch_up().ok());
  CHECK(counters(*notifications, "alice").unread() == 5);
}

}  // namespace
}  // namespace ledger
