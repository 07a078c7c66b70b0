// Message rules through the real sequencer and store: who may write to whom (every pair of the
// agency's people), validation, the service between a client and an agent, reading (only the
// recipient, once), the conversations with their unread counts and order, and the "messages"
// fold replayed, rebuilt and total.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "core/domain/inline_folds.h"
#include "core/domain/keyspaces.h"
#include "core/domain/message.h"
#include "core/domain/read_model.h"
#include "core/domain/user_profile.h"
#include "core/domain/users.h"
#include "replay/inline_rebuild.h"
#include "tests/support/fold_replay.h"
#include "tests/support/identity_steps.h"
#include "tests/support/ledger_fixture.h"

namespace ledger {
namespace {

using domain::UnitOfWork;
using testing::LedgerFixture;

void require_user(LedgerFixture& f, const std::string& id, const std::string& role,
                  const std::string& department = "") {
  REQUIRE(testing::add_user(f, id, role, department).ok());
}

void require_assigned(LedgerFixture& f, const std::string& client, const std::string& service,
                      const std::string& agent) {
  REQUIRE(testing::assign(f, client, service, agent).ok());
}

// alice and bob are clients; mia serves alice for marketing, web serves alice for website, max
// serves bob; root is an admin.
struct Agency {
  LedgerFixture f;
  int next_id = 0;
  Agency() {
    require_user(f, "alice", "client");
    require_user(f, "bob", "client");
    require_user(f, "mia", "agent", "marketing");
    require_user(f, "web", "agent", "website");
    require_user(f, "max", "agent", "marketing");
    require_user(f, "root", "admin");
    require_assigned(f, "alice", "marketing", "mia");
    require_assigned(f, "alice", "website", "web");
    require_assigned(f, "bob", "marketing", "max");
  }

  Result<domain::Executed<events::MessageState>> send(const std::string& from,
                                                      const std::string& to,
                                                      const std::string& content = "Hello",
                                                      const std::string& service = "") {
    const std::string id = "m" + std::to_string(++next_id);
    return f.run<events::MessageState>([=](UnitOfWork& uow) {
      return domain::send_message(
          uow, {domain::MessageId{id}, domain::UserId{from}, domain::UserId{to}, content, service});
    });
  }
  Result<domain::Executed<events::MessageState>> read(const std::string& id,
                                                      const std::string& by) {
    return f.run<events::MessageState>([=](UnitOfWork& uow) {
      return domain::mark_message_read(uow, {domain::MessageId{id}, domain::UserId{by}});
    });
  }
  events::ConversationState conversation(const std::string& user, const std::string& with) {
    auto row = domain::read_row<events::ConversationState>(*f.log, domain::kMessagesKeyspace,
                                                           domain::conversation_key(user, with));
    REQUIRE(row.ok());
    REQUIRE(row->has_value());
    return **row;
  }
  // The user's counterparts, the latest conversation first.
  std::vector<std::string> recent(const std::string& user) {
    std::vector<std::string> counterparts;
    const auto rows = testing::stored_rows(*f.log, domain::kMessagesKeyspace);
    const std::string prefix = domain::recent_conversations_prefix(user);
    for (auto it = rows.rbegin(); it != rows.rend(); ++it) {
      if (it->first.rfind(prefix, 0) != 0) continue;
      events::RecentConversation row;
      REQUIRE(row.ParseFromString(it->second));
      counterparts.push_back(row.counterpart_id());
    }
    return counterparts;
  }
};

TEST_CASE("who may write to whom: every pair of the agency's people") {
  Agency a;
  const std::vector<std::string> people = {"alice", "bob", "mia", "web", "max", "root"};
  // sender -> the recipients they may write to
  const std::map<std::string, std::vector<std::string>> allowed = {
      {"alice", {"mia", "web", "root"}}, {"bob", {"max", "root"}},
      {"mia", {"alice", "root"}},        {"web", {"alice", "root"}},
      {"max", {"bob", "root"}},          {"root", {"alice", "bob", "mia", "web", "max"}},
  };
  for (const auto& from : people) {
    for (const auto& to : people) {
      CAPTURE(from);
      CAPTURE(to);
      const auto& may = allowed.at(from);
      const bool expected = std::find(may.begin(), may.end(), to) != may.end();
      auto sent = a.send(from, to);
      if (expected) {
        REQUIRE(sent.ok());
        CHECK(sent->answer.sender_id() == from);
        CHECK(sent->answer.recipient_id() == to);
        continue;
      }
      REQUIRE_FALSE(sent.ok());
      if (from == to) {
        CHECK(sent.error().code == Errc::invalid_argument);
        CHECK(sent.error().field == "recipient");
      } else {
        CHECK(sent.error().code == Errc::not_found);  // the same answer as an unknown user
      }
    }
  }
  auto unknown = a.send("alice", "ghost");
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.error().code == Errc::not_found);
}

TEST_CASE("the service between a client and an agent is one the agent serves them for") {
  Agency a;
  auto defaulted = a.send("alice", "web");
  REQUIRE(defaulted.ok());
  CHECK(defaulted->answer.service() == "website");  // web's only service for alice
  auto named = a.send("mia", "alice", "Hi", "marketing");
  REQUIRE(named.ok());
  CHECK(named->answer.service() == "marketing");
  auto other = a.send("mia", "alice", "Hi", "website");  // mia serves alice for marketing only
  REQUIRE_FALSE(other.ok());
  CHECK(other.error().code == Errc::not_found);
  auto admin = a.send("root", "alice", "Hi", "courses");  // admins write about any service
  REQUIRE(admin.ok());
  CHECK(admin->answer.service() == "courses");
  auto none = a.send("root", "alice");
  REQUIRE(none.ok());
  CHECK(none->answer.service().empty());
}

TEST_CASE("bad messages are refused, naming the field, and write nothing") {
  Agency a;
  const auto head = a.f.log->head().position;
  struct Case {
    std::string to;
    std::string content;
    std::string service;
    std::string field;
  };
  const std::vector<Case> cases = {
      {"mia", "", "", "content"},
      {"mia", std::string(5001, 'x'), "", "content"},
      {"mia", "Hi", "gardening", "service"},
      {"", "Hi", "", "recipient"},
      {"alice", "Hi", "", "recipient"},  // oneself
  };
  for (const auto& c : cases) {
    CAPTURE(c.field);
    auto sent = a.send("alice", c.to, c.content, c.service);
    REQUIRE_FALSE(sent.ok());
    CHECK(sent.error().code == Errc::invalid_argument);
    CHECK(sent.error().field == c.field);
  }
  CHECK(a.send("alice", "mia", std::string(5000, 'x')).ok());  // the limit itself is fine
  CHECK(a.f.log->head().position == head + 1);
}

TEST_CASE("a deactivated user receives no message, their history stays") {
  Agency a;
  REQUIRE(a.send("alice", "root").ok());
  require_user(a.f, "old", "admin");
  REQUIRE(a.send("alice", "old").ok());
  REQUIRE(a.f.run<events::UserState>([](UnitOfWork& uow) {
               return domain::update_user(
                   uow, {.user_id = domain::UserId{"old"}, .active = false, .updated_by = "root"});
             })
              .ok());
  auto refused = a.send("alice", "old");
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == Errc::not_found);
  CHECK(a.conversation("alice", "old").messages() == 1);
}

TEST_CASE("only the recipient reads a message, once, unread counts follow") {
  Agency a;
  REQUIRE(a.send("alice", "mia", "one").ok());  // m1
  REQUIRE(a.send("alice", "mia", "two").ok());  // m2
  CHECK(a.conversation("mia", "alice").unread() == 2);
  CHECK(a.conversation("alice", "mia").unread() == 0);  // sent, not received

  auto by_sender = a.read("m1", "alice");
  REQUIRE_FALSE(by_sender.ok());
  CHECK(by_sender.error().code == Errc::forbidden);
  auto by_stranger = a.read("m1", "web");
  REQUIRE_FALSE(by_stranger.ok());
  CHECK(by_stranger.error().code == Errc::not_found);
  auto missing = a.read("m9", "mia");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == Errc::not_found);

  auto read = a.read("m1", "mia");
  REQUIRE(read.ok());
  CHECK(read->answer.read_at_us() != 0);
  CHECK(a.conversation("mia", "alice").unread() == 1);
  const auto head = a.f.log->head().position;
  auto again = a.read("m1", "mia");
  REQUIRE(again.ok());
  CHECK(again->answer.read_at_us() == read->answer.read_at_us());
  CHECK(a.f.log->head().position == head);  // nothing recorded
  CHECK(a.conversation("mia", "alice").unread() == 1);
}

TEST_CASE("conversations: counted both ways, in thread order, the latest first") {
  Agency a;
  REQUIRE(a.send("alice", "mia", "first").ok());
  REQUIRE(a.send("mia", "alice", "second").ok());
  REQUIRE(a.send("alice", "web", "third").ok());
  CHECK(a.recent("alice") == std::vector<std::string>{"web", "mia"});
  REQUIRE(a.send("mia", "alice", "fourth").ok());  // m4
  CHECK(a.recent("alice") == std::vector<std::string>{"mia", "web"});
  CHECK(a.recent("mia") == std::vector<std::string>{"alice"});
  const auto alice_mia = a.conversation("alice", "mia");
  CHECK(alice_mia.messages() == 3);
  CHECK(alice_mia.unread() == 2);
  CHECK(alice_mia.last_message_id() == "m4");
  CHECK(a.conversation("mia", "alice").messages() == 3);

  // The thread of the two, oldest first, whichever of them asks.
  CHECK(domain::thread_prefix("alice", "mia") == domain::thread_prefix("mia", "alice"));
  std::vector<std::string> thread;
  for (const auto& [key, value] : testing::stored_rows(*a.f.log, domain::kMessagesKeyspace)) {
    if (key.rfind(domain::thread_prefix("mia", "alice"), 0) != 0) continue;
    events::MessageState index;
    REQUIRE(index.ParseFromString(value));
    thread.push_back(index.message_id());
  }
  CHECK(thread == std::vector<std::string>{"m1", "m2", "m4"});
}

TEST_CASE(
    "the messages fold, replayed from position 0 or rebuilt, writes the rows the writer stored") {
  Agency a;
  REQUIRE(a.send("alice", "mia", "first").ok());
  a.f.clock.advance_us(1'000'000);
  REQUIRE(a.send("mia", "alice", "second").ok());
  REQUIRE(a.send("root", "bob", "third").ok());
  REQUIRE(a.read("m2", "alice").ok());
  REQUIRE(a.send("bob", "max", "fourth").ok());

  const auto stored = testing::stored_rows(*a.f.log, domain::kMessagesKeyspace);
  CHECK(stored.count(domain::message_key("m4")) == 1);
  CHECK(testing::replayed_rows(*a.f.log, domain::kMessagesKeyspace) == stored);

  const domain::InlineFold* const folds[] = {domain::find_inline_fold(domain::kMessagesKeyspace)};
  REQUIRE(folds[0] != nullptr);
  auto rebuilt = replay::rebuild_inline(*a.f.log, folds);
  REQUIRE(rebuilt.ok());
  REQUIRE(rebuilt->keyspaces.size() == 1);
  CHECK(rebuilt->keyspaces[0].rows == stored.size());
  CHECK(testing::stored_rows(*a.f.log, domain::kMessagesKeyspace) == stored);
}

TEST_CASE("the messages fold is total: a read of a message it never saw writes nothing") {
  events::MessageRead read;
  read.set_message_id("ghost");
  read.set_sender_id("a");
  read.set_recipient_id("b");
  testing::check_folds_to_nothing(domain::kMessagesKeyspace, {&read});

  testing::MemoryFoldRows rows;
  rows.set(domain::kMessagesKeyspace, domain::message_key("ghost"), std::string("\xff\xff"));
  auto undecodable = testing::fold_one(rows, domain::kMessagesKeyspace, read, "message:ghost");
  REQUIRE_FALSE(undecodable.ok());
  CHECK(undecodable.error().code == Errc::corruption);
}

}  // namespace
}  // namespace ledger
