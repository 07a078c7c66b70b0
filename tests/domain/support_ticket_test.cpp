// Support ticket rules through the real sequencer and store: the status workflow (every pair of
// statuses, for staff and for the client), who is party to a ticket (client, admins, the agents
// serving the client for its service), the thread (numbered replies, none on a closed ticket, at
// most 500), the first staff reply remembered, validation; the "support" fold replayed, rebuilt
// and total.
#include <doctest/doctest.h>

#include <array>
#include <set>

#include "core/domain/inline_folds.h"
#include "core/domain/keyspaces.h"
#include "core/domain/support_ticket.h"
#include "core/domain/text_limits.h"
#include "events/enum_names.h"
#include "replay/inline_rebuild.h"
#include "tests/support/fold_replay.h"
#include "tests/support/identity_steps.h"
#include "tests/support/ledger_fixture.h"

namespace ledger {
namespace {

using domain::UnitOfWork;
using testing::LedgerFixture;

constexpr std::array<const char*, 4> kStatuses = {"open", "in_progress", "resolved", "closed"};

// The status the API names `name` ("in_progress").
events::TicketStatus named(std::string_view name) {
  const auto status = events::parse_enum<events::TicketStatus>(name);
  REQUIRE_MESSAGE(status.has_value(), name);
  return *status;
}

// alice and bob are clients; mia serves alice for marketing, web for website; max serves bob
// for marketing; root is an admin.
struct Agency {
  LedgerFixture f;
  Agency() {
    for (const auto& [id, role, department] : {std::tuple{"alice", "client", ""},
                                               {"bob", "client", ""},
                                               {"mia", "agent", "marketing"},
                                               {"web", "agent", "website"},
                                               {"max", "agent", "marketing"},
                                               {"root", "admin", ""}}) {
      REQUIRE(testing::add_user(f, id, role, department).ok());
    }
    REQUIRE(testing::assign(f, "alice", "marketing", "mia").ok());
    REQUIRE(testing::assign(f, "alice", "website", "web").ok());
    REQUIRE(testing::assign(f, "bob", "marketing", "max").ok());
  }

  Result<domain::Executed<events::TicketState>> open(const std::string& id,
                                                     const std::string& service = "marketing",
                                                     const std::string& client = "alice") {
    return open_with({domain::TicketId{id}, domain::UserId{client}, "The site is down",
                      "Since this morning", service, std::nullopt});
  }
  Result<domain::Executed<events::TicketState>> open_with(const domain::OpenTicket& command) {
    return f.run<events::TicketState>(
        [=](UnitOfWork& uow) { return domain::open_ticket(uow, command); });
  }
  Result<domain::Executed<events::TicketReplyState>> reply(const std::string& id,
                                                           const std::string& by,
                                                           const std::string& message = "On it") {
    return f.run<events::TicketReplyState>([=](UnitOfWork& uow) {
      return domain::reply_to_ticket(uow, {domain::TicketId{id}, domain::ActorId{by}, message});
    });
  }
  Result<domain::Executed<events::TicketState>> move(const std::string& id,
                                                     const std::string& status,
                                                     const std::string& by = "mia") {
    return f.run<events::TicketState>([=](UnitOfWork& uow) {
      return domain::change_ticket_status(
          uow, {domain::TicketId{id}, named(status), domain::ActorId{by}});
    });
  }

  std::optional<events::TicketState> ticket(const std::string& id) {
    return f.row<events::TicketState>(domain::kSupportKeyspace, domain::ticket_key(id));
  }
  bool has_row(const std::string& key) {
    return f.log->read_state(domain::kSupportKeyspace, key)->has_value();
  }

  // A failing command writes nothing.
  template <class Run>
  Error refused(Run run) {
    const auto head = f.log->head().position;
    auto done = run();
    REQUIRE_FALSE(done.ok());
    CHECK(f.log->head().position == head);
    return done.error();
  }
};

// Drives a fresh ticket into `status` along allowed moves, as staff.
void reach_status(Agency& a, const std::string& id, const std::string& status) {
  REQUIRE(a.open(id).ok());
  if (status == "open") return;
  if (status == "in_progress") {
    REQUIRE(a.move(id, "in_progress").ok());
    return;
  }
  REQUIRE(a.move(id, "resolved").ok());
  if (status == "closed") REQUIRE(a.move(id, "closed").ok());
}

TEST_CASE(
    "the allowed moves are exactly open -> in_progress | resolved, in_progress -> resolved, "
    "resolved -> closed | open") {
  const std::set<std::pair<std::string, std::string>> allowed = {{"open", "in_progress"},
                                                                 {"open", "resolved"},
                                                                 {"in_progress", "resolved"},
                                                                 {"resolved", "closed"},
                                                                 {"resolved", "open"}};
  const std::set<std::pair<std::string, std::string>> by_client = {{"resolved", "closed"},
                                                                   {"resolved", "open"}};
  for (const char* from : kStatuses) {
    CHECK_FALSE(domain::ticket_transition_allowed(named(from), events::TICKET_STATUS_UNSPECIFIED));
    CHECK_FALSE(domain::ticket_transition_allowed(events::TICKET_STATUS_UNSPECIFIED, named(from)));
    CHECK(domain::ticket_takes_replies(named(from)) == (std::string_view(from) != "closed"));
    for (const char* to : kStatuses) {
      CAPTURE(from);
      CAPTURE(to);
      CHECK(domain::ticket_transition_allowed(named(from), named(to)) ==
            allowed.contains({from, to}));
      CHECK(domain::ticket_client_may_move(named(from), named(to)) ==
            by_client.contains({from, to}));
    }
  }
}

TEST_CASE(
    "every status pair, as staff: allowed moves succeed, the same status records nothing, "
    "every other move is invalid_transition") {
  Agency a;
  int case_number = 0;
  for (const char* from : kStatuses) {
    for (const char* to : kStatuses) {
      CAPTURE(from);
      CAPTURE(to);
      const std::string id = "t" + std::to_string(++case_number);
      reach_status(a, id, from);
      const auto head = a.f.log->head().position;
      if (std::string_view(from) == to) {
        auto same = a.move(id, to, "root");
        REQUIRE(same.ok());
        CHECK(same->answer.status() == named(to));
        CHECK(a.f.log->head().position == head);
      } else if (domain::ticket_transition_allowed(named(from), named(to))) {
        auto moved = a.move(id, to, case_number % 2 == 0 ? "mia" : "root");
        REQUIRE_MESSAGE(moved.ok(), moved.error().message);
        CHECK(moved->answer.status() == named(to));
        CHECK(a.ticket(id)->status() == named(to));
        CHECK(a.f.log->head().position == head + 1);
      } else {
        const Error error = a.refused([&] { return a.move(id, to); });
        CHECK(error.code == Errc::invalid_transition);
        CHECK(error.field == "status");
        CHECK(a.ticket(id)->status() == named(from));
      }
    }
  }
  // Nothing moves a ticket to no status.
  REQUIRE(a.open("none").ok());
  const Error error = a.refused([&] {
    return a.f.run<events::TicketState>([](UnitOfWork& uow) {
      return domain::change_ticket_status(uow, {domain::TicketId{"none"}, {}, "root"});
    });
  });
  CHECK(error.code == Errc::invalid_transition);
}

TEST_CASE("every status pair, as the client: only reopening or closing a resolved ticket") {
  Agency a;
  int case_number = 0;
  for (const char* from : kStatuses) {
    for (const char* to : kStatuses) {
      CAPTURE(from);
      CAPTURE(to);
      const std::string id = "c" + std::to_string(++case_number);
      reach_status(a, id, from);
      const auto head = a.f.log->head().position;
      if (std::string_view(from) == to) {
        REQUIRE(a.move(id, to, "alice").ok());
        CHECK(a.f.log->head().position == head);
      } else if (!domain::ticket_transition_allowed(named(from), named(to))) {
        CHECK(a.refused([&] { return a.move(id, to, "alice"); }).code == Errc::invalid_transition);
      } else if (std::string_view(from) == "resolved") {
        auto moved = a.move(id, to, "alice");
        REQUIRE(moved.ok());
        CHECK(moved->answer.status() == named(to));
      } else {
        CHECK(a.refused([&] { return a.move(id, to, "alice"); }).code == Errc::forbidden);
      }
    }
  }
  // A reopened ticket goes round again; a closed one is final for everyone.
  reach_status(a, "again", "resolved");
  REQUIRE(a.move("again", "open", "alice").ok());
  REQUIRE(a.move("again", "in_progress").ok());
  REQUIRE(a.move("again", "resolved").ok());
  REQUIRE(a.move("again", "closed", "alice").ok());
  for (const char* to : {"open", "in_progress", "resolved"}) {
    for (const char* by : {"alice", "mia", "root"}) {
      CAPTURE(to);
      CAPTURE(by);
      CHECK(a.refused([&] { return a.move("again", to, by); }).code == Errc::invalid_transition);
    }
  }
}

TEST_CASE("who is party to a ticket: its client, admins, the client's agents for its service") {
  auto user = [](const char* id, const char* role) {
    events::UserState row;
    row.set_user_id(id);
    row.set_role(role);
    return row;
  };
  events::UserState alice = user("alice", "client");
  (*alice.mutable_agents())["marketing"] = "mia";
  (*alice.mutable_agents())["website"] = "web";
  events::TicketState marketing;
  marketing.set_client_id("alice");
  marketing.set_service("marketing");
  events::TicketState general;
  general.set_client_id("alice");

  using domain::TicketParty;
  for (const auto* ticket : {&marketing, &general}) {
    CHECK(domain::ticket_party(alice, alice, *ticket) == TicketParty::client);
    CHECK(domain::ticket_party(user("root", "admin"), alice, *ticket) == TicketParty::staff);
    CHECK(domain::ticket_party(user("mia", "agent"), alice, *ticket) == TicketParty::staff);
    CHECK(domain::ticket_party(user("max", "agent"), alice, *ticket) == TicketParty::none);
    CHECK(domain::ticket_party(user("bob", "client"), alice, *ticket) == TicketParty::none);
    // A deactivated user is party to nothing.
    events::UserState gone = user("root", "admin");
    gone.set_deactivated(true);
    CHECK(domain::ticket_party(gone, alice, *ticket) == TicketParty::none);
  }
  // web serves alice for website: a marketing ticket is not theirs, one of no service is.
  CHECK(domain::ticket_party(user("web", "agent"), alice, marketing) == TicketParty::none);
  CHECK(domain::ticket_party(user("web", "agent"), alice, general) == TicketParty::staff);
  CHECK(domain::ticket_staff_role("agent"));
  CHECK(domain::ticket_staff_role("admin"));
  CHECK_FALSE(domain::ticket_staff_role("client"));

  // The same through the deciders: who may reply and move, on a marketing ticket.
  Agency a;
  REQUIRE(a.open("t1").ok());
  for (const char* by : {"alice", "mia", "root"}) {
    CAPTURE(by);
    CHECK(a.reply("t1", by).ok());
  }
  for (const char* by : {"bob", "max", "web", "nobody"}) {
    CAPTURE(by);
    CHECK(a.refused([&] { return a.reply("t1", by); }).code == Errc::forbidden);
    CHECK(a.refused([&] { return a.move("t1", "in_progress", by); }).code == Errc::forbidden);
  }
  REQUIRE(a.open("t2", "").ok());
  CHECK(a.reply("t2", "web").ok());
  CHECK(a.move("t2", "in_progress", "web").ok());
  CHECK(a.refused([&] { return a.reply("t2", "max"); }).code == Errc::forbidden);
}

TEST_CASE("a ticket opens for a client, open, medium priority unless given, indexed by client") {
  Agency a;
  auto opened = a.open("t1", "");
  REQUIRE(opened.ok());
  const events::TicketState& ticket = opened->answer;
  CHECK(ticket.ticket_id() == "t1");
  CHECK(ticket.client_id() == "alice");
  CHECK(ticket.subject() == "The site is down");
  CHECK(ticket.description() == "Since this morning");
  CHECK(ticket.service().empty());
  CHECK(ticket.priority() == events::TICKET_PRIORITY_MEDIUM);
  CHECK(ticket.status() == events::TICKET_STATUS_OPEN);
  CHECK(ticket.reply_count() == 0);
  CHECK(ticket.opened_at_us() == a.f.clock.now_us());
  CHECK(ticket.first_staff_reply_at_us() == 0);
  CHECK(a.has_row(domain::client_ticket_prefix("alice") + "t1"));

  auto high = a.open_with({domain::TicketId{"t2"}, domain::UserId{"bob"}, "Invoice", "Twice",
                           "courses", events::TICKET_PRIORITY_HIGH});
  REQUIRE(high.ok());
  CHECK(high->answer.priority() == events::TICKET_PRIORITY_HIGH);
  CHECK(high->answer.service() == "courses");
  // An id is used once.
  const Error reused = a.refused([&] { return a.open("t2"); });
  CHECK(reused.code == Errc::invalid_argument);
  CHECK(reused.field == "ticket_id");
}

TEST_CASE("bad ticket fields are refused, naming the field, and write nothing") {
  Agency a;
  const std::string long_subject(domain::text_limits::kName + 1, 's');
  const std::string long_description(domain::text_limits::kDescription + 1, 'd');
  const std::vector<std::pair<domain::OpenTicket, const char*>> table = {
      {{domain::TicketId{"t"}, domain::UserId{"alice"}, "", "x", "", std::nullopt}, "subject"},
      {{domain::TicketId{"t"}, domain::UserId{"alice"}, long_subject, "x", "", std::nullopt},
       "subject"},
      {{domain::TicketId{"t"}, domain::UserId{"alice"}, "x", "", "", std::nullopt}, "description"},
      {{domain::TicketId{"t"}, domain::UserId{"alice"}, "x", long_description, "", std::nullopt},
       "description"},
      {{domain::TicketId{"t"}, domain::UserId{"alice"}, "x", "y", "plumbing", std::nullopt},
       "service"},
      {{domain::TicketId{"t"}, domain::UserId{"alice"}, "x", "y", "", events::TicketPriority{}},
       "priority"},
      {{domain::TicketId{"t"}, domain::UserId{"mia"}, "x", "y", "", std::nullopt}, "client_id"},
      {{domain::TicketId{"t"}, domain::UserId{"nobody"}, "x", "y", "", std::nullopt}, "client_id"},
      {{domain::TicketId{""}, domain::UserId{"alice"}, "x", "y", "", std::nullopt}, "ticket_id"},
  };
  for (const auto& entry : table) {
    const std::string field = entry.second;
    CAPTURE(field);
    const Error error = a.refused([&] { return a.open_with(entry.first); });
    CHECK(error.code == Errc::invalid_argument);
    CHECK(error.field == field);
  }
  // Replies: 1 to 5000 bytes.
  REQUIRE(a.open("t1").ok());
  for (const std::string& message :
       {std::string(), std::string(domain::text_limits::kMessage + 1, 'm')}) {
    const Error error = a.refused([&] { return a.reply("t1", "alice", message); });
    CHECK(error.code == Errc::invalid_argument);
    CHECK(error.field == "message");
  }
  CHECK(a.reply("t1", "alice", std::string(domain::text_limits::kMessage, 'm')).ok());
  CHECK(a.refused([&] { return a.reply("missing", "alice"); }).code == Errc::not_found);
  CHECK(a.refused([&] { return a.move("missing", "resolved", "root"); }).code == Errc::not_found);
}

TEST_CASE("replies are numbered on the thread, the first staff reply is remembered, once") {
  Agency a;
  REQUIRE(a.open("t1").ok());
  a.f.clock.advance_us(5 * kMicrosPerMinute);
  auto first = a.reply("t1", "alice", "Any news?");
  REQUIRE(first.ok());
  CHECK(first->answer.reply_number() == 1);
  CHECK(first->answer.author_role() == "client");
  CHECK(a.ticket("t1")->first_staff_reply_at_us() == 0);  // the client is not staff
  a.f.clock.advance_us(10 * kMicrosPerMinute);
  const std::int64_t answered_at = a.f.clock.now_us();
  auto second = a.reply("t1", "mia", "Looking into it");
  REQUIRE(second.ok());
  CHECK(second->answer.reply_number() == 2);
  CHECK(second->answer.author_id() == "mia");
  CHECK(second->answer.author_role() == "agent");
  CHECK(second->answer.created_at_us() == answered_at);
  a.f.clock.advance_us(kMicrosPerMinute);
  REQUIRE(a.reply("t1", "root", "Fixed").ok());
  const auto ticket = a.ticket("t1");
  CHECK(ticket->reply_count() == 3);
  CHECK(ticket->first_staff_reply_at_us() == answered_at);
  CHECK(ticket->first_staff_reply_by() == "mia");
  CHECK(ticket->updated_at_us() == a.f.clock.now_us());
  for (std::uint32_t number = 1; number <= 3; ++number) {
    CHECK(a.has_row(domain::ticket_reply_key("t1", number)));
  }
  CHECK(domain::ticket_reply_key("t1", 3) == "reply/t1/000003");
}

TEST_CASE("a closed ticket takes no reply, a resolved or reopened one does") {
  Agency a;
  reach_status(a, "t1", "resolved");
  CHECK(a.reply("t1", "alice", "Still broken").ok());
  REQUIRE(a.move("t1", "open", "alice").ok());
  CHECK(a.reply("t1", "mia").ok());
  REQUIRE(a.move("t1", "resolved").ok());
  REQUIRE(a.move("t1", "closed").ok());
  for (const char* by : {"alice", "mia", "root"}) {
    CAPTURE(by);
    CHECK(a.refused([&] { return a.reply("t1", by); }).code == Errc::invalid_transition);
  }
  CHECK(a.ticket("t1")->reply_count() == 2);
}

TEST_CASE("a thread holds 500 replies: the 501st is thread_full and writes nothing") {
  Agency a;
  REQUIRE(a.open("t1").ok());
  for (std::uint32_t number = 1; number <= domain::kTicketRepliesMax; ++number) {
    auto replied = a.reply("t1", number % 2 == 0 ? "mia" : "alice", "#" + std::to_string(number));
    REQUIRE(replied.ok());
    REQUIRE(replied->answer.reply_number() == number);
  }
  CHECK(a.ticket("t1")->reply_count() == 500);
  for (const char* by : {"alice", "root"}) {
    CAPTURE(by);
    const Error error = a.refused([&] { return a.reply("t1", by); });
    CHECK(error.code == Errc::thread_full);
  }
  CHECK(a.f.count_rows(domain::kSupportKeyspace, domain::ticket_reply_prefix("t1")) == 500);
  // The ticket still moves.
  CHECK(a.move("t1", "resolved").ok());
}

TEST_CASE(
    "the support fold, replayed from position 0 or rebuilt, writes the rows the writer stored") {
  Agency a;
  auto tick = [&] { a.f.clock.advance_us(kMicrosPerMinute); };
  REQUIRE(a.open("t1").ok());
  tick();
  REQUIRE(a.open("t2", "", "bob").ok());
  REQUIRE(a.reply("t1", "alice", "Hello").ok());
  tick();
  REQUIRE(a.reply("t1", "mia", "Hi").ok());
  REQUIRE(a.move("t1", "in_progress").ok());
  tick();
  REQUIRE(a.move("t1", "resolved", "root").ok());
  REQUIRE(a.move("t1", "open", "alice").ok());
  REQUIRE(a.reply("t2", "root", "Seen").ok());
  REQUIRE(a.move("t2", "resolved", "max").ok());
  REQUIRE(a.move("t2", "closed", "bob").ok());

  const auto stored = testing::stored_rows(*a.f.log, domain::kSupportKeyspace);
  CHECK(stored.size() == 2 + 2 + 3);  // tickets, index rows, replies
  CHECK(stored.count(domain::client_ticket_prefix("bob") + "t2") == 1);
  CHECK(stored.count(domain::ticket_reply_key("t1", 2)) == 1);
  CHECK(testing::replayed_rows(*a.f.log, domain::kSupportKeyspace) == stored);

  const domain::InlineFold* const folds[] = {domain::find_inline_fold(domain::kSupportKeyspace)};
  REQUIRE(folds[0] != nullptr);
  auto rebuilt = replay::rebuild_inline(*a.f.log, folds);
  REQUIRE(rebuilt.ok());
  REQUIRE(rebuilt->keyspaces.size() == 1);
  CHECK(rebuilt->keyspaces[0].rows == stored.size());
  CHECK(testing::stored_rows(*a.f.log, domain::kSupportKeyspace) == stored);
}

TEST_CASE("the support fold is total: an event whose ticket row is missing writes nothing") {
  events::TicketReplied replied;
  replied.set_ticket_id("ghost");
  replied.set_reply_number(1);
  replied.set_message("Hello");
  replied.set_author_role("agent");
  events::TicketStatusChanged changed;
  changed.set_ticket_id("ghost");
  changed.set_to_status(events::TICKET_STATUS_RESOLVED);
  testing::check_folds_to_nothing(domain::kSupportKeyspace, {&replied, &changed});

  // Only a row that does not decode is an error.
  testing::MemoryFoldRows rows;
  rows.set(domain::kSupportKeyspace, domain::ticket_key("ghost"), std::string("\xff\xff"));
  auto undecodable = testing::fold_one(rows, domain::kSupportKeyspace, changed, "ticket:ghost");
  REQUIRE_FALSE(undecodable.ok());
  CHECK(undecodable.error().code == Errc::corruption);
}

}  // namespace
}  // namespace ledger
