// Messages over HTTP as the dashboards use them: a client writes to their agent, the agent sees
// the conversation and its unread count, answers, marks read; scope answers 404 like an unknown
// user; the recipient's notification and email carry an escaped preview cut at a word; the list
// pages oldest first.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>

#include "tests/support/api_agency.h"
#include "tests/support/delivered_emails.h"
#include "tests/support/event_stream.h"

namespace ledger {
namespace {

using boost::beast::http::verb;
using testing::ApiAgency;
using testing::position_of;

nlohmann::json send(ApiAgency& a, const std::string& token, const std::string& to,
                    const std::string& content, int status = 201) {
  auto sent = a.f.post(token, "/api/messages/",
                       nlohmann::json{{"recipient", to}, {"content", content}}.dump());
  REQUIRE_MESSAGE(sent.status == status, sent.body);
  return sent.json();
}

TEST_CASE("a client writes to their agent, the agent reads, answers and marks it read") {
  ApiAgency a;
  const auto first = send(a, a.alice, a.mia_id, "Can we move the launch to Friday?");
  CHECK(first["sender"] == a.alice_id);
  CHECK(first["recipient"] == a.mia_id);
  CHECK(first["service"] == "marketing");  // the one mia serves alice for
  CHECK(first["is_read"] == false);
  CHECK(first["read_at"].is_null());
  CHECK(first["position"].is_number());
  const std::string first_id = first["id"];

  auto mias = a.f.get(a.mia, "/api/messages/conversations/");
  REQUIRE(mias.status == 200);
  REQUIRE(mias.json()["count"] == 1);
  const auto conversation = mias.json()["results"][0];
  CHECK(conversation["counterpart"] == a.alice_id);
  CHECK(conversation["counterpart_role"] == "client");
  CHECK(conversation["unread_count"] == 1);
  CHECK(conversation["message_count"] == 1);
  CHECK(conversation["last_message"]["id"] == first_id);
  CHECK(a.f.get(a.alice, "/api/messages/conversations/").json()["results"][0]["unread_count"] == 0);

  const auto reply = send(a, a.mia, a.alice_id, "Friday works.");
  auto thread = a.f.get(a.alice, "/api/messages/?with=" + a.mia_id);
  REQUIRE(thread.status == 200);
  REQUIRE(thread.json()["count"] == 2);
  CHECK(thread.json()["results"][0]["id"] == first_id);  // oldest first
  CHECK(thread.json()["results"][1]["id"] == reply["id"]);
  // The same conversation, seen from the other side.
  CHECK(a.f.get(a.mia, "/api/messages/?with=" + a.alice_id).json() == thread.json());

  const std::string mark = "/api/messages/" + first_id + "/mark_read/";
  auto by_sender = a.f.post(a.alice, mark, "");
  CHECK(by_sender.status == 403);
  auto by_stranger = a.f.post(a.max, mark, "");
  CHECK(by_stranger.status == 404);
  auto read = a.f.post(a.mia, mark, "");
  REQUIRE_MESSAGE(read.status == 200, read.body);
  CHECK(read.json()["is_read"] == true);
  CHECK(read.json()["read_at"].is_string());
  auto again = a.f.post(a.mia, mark, "");
  REQUIRE(again.status == 200);
  CHECK(again.json()["read_at"] == read.json()["read_at"]);
  CHECK(a.f.get(a.mia, "/api/messages/conversations/").json()["results"][0]["unread_count"] == 0);
}

TEST_CASE("scope: nobody writes outside it, and the answer is the unknown user's 404") {
  ApiAgency a;
  const auto unknown = a.f.post(a.alice, "/api/messages/",
                                R"({"recipient":"01JDOESNOTEXIST0000000000","content":"Hi"})");
  CHECK(unknown.status == 404);
  const auto head = a.f.get(a.admin, "/api/ledger/head/").json();
  struct Case {
    std::string from;
    std::string to;
  };
  for (const auto& c : {Case{a.alice, a.max_id},   // bob's agent
                        Case{a.alice, a.bob_id},   // another client
                        Case{a.max, a.alice_id},   // not max's client
                        Case{a.mia, a.web_id}}) {  // agents do not write to each other
    auto refused = a.f.post(c.from, "/api/messages/",
                            nlohmann::json{{"recipient", c.to}, {"content", "Hi"}}.dump());
    CHECK(refused.status == 404);
    CHECK(refused.body.find("recipient") != std::string::npos);
    CHECK(refused.json()["code"] == unknown.json()["code"]);
  }
  // Nothing was written.
  CHECK(a.f.get(a.admin, "/api/ledger/head/").json() == head);
  // Admins write to anyone, and anyone to admins.
  const std::string admin_id = a.f.get(a.admin, "/api/auth/me/").json()["id"];
  send(a, a.admin, a.bob_id, "Welcome aboard");
  send(a, a.max, admin_id, "Bob asked for a discount");
  send(a, a.alice, a.alice_id, "Me", 400);  // oneself
  // A conversation with an unknown user is a 404; with a known one never written to, empty.
  CHECK(a.f.get(a.alice, "/api/messages/?with=nobody").status == 404);
  CHECK(a.f.get(a.alice, "/api/messages/?with=" + a.bob_id).json()["count"] == 0);
  CHECK(a.f.get(a.alice, "/api/messages/").status == 400);  // with is required
}

TEST_CASE("the recipient is notified with an escaped preview cut at a word, and emailed") {
  ApiAgency a;
  std::string long_text = "Hello <b>Mia</b> & team,\n\nhere is the plan:";
  while (long_text.size() < 400) long_text += " wordy";
  const auto sent = send(a, a.alice, a.mia_id, long_text);
  const std::string at = std::to_string(sent["position"].get<std::uint64_t>());
  const auto notes = a.notifications(a.mia, "message_received", at);
  REQUIRE(notes.size() == 1);
  const std::string message = notes[0]["message"];
  // The sender's name, then the text on one line (JSON escapes it where it lands).
  CHECK(message.find(": Hello <b>Mia</b> & team, here is the plan: wordy") != std::string::npos);
  CHECK(message.size() <= 100 + 200 + 3);  // the preview is at most 100 bytes and an ellipsis
  CHECK(message.ends_with("wordy\xE2\x80\xA6"));   // whole words, then an ellipsis
  CHECK(message.find('\n') == std::string::npos);  // one line
  CHECK(notes[0]["link"] == "/messages?with=" + a.alice_id);
  CHECK(a.notifications(a.alice, "message_received", at).empty());  // not the sender

  const auto emails = testing::delivered_emails(a.f, sent["position"].get<std::uint64_t>());
  bool seen = false;
  auto [begin, end] = emails.equal_range("mia@x.com");
  for (auto it = begin; it != end; ++it) {
    const auto& eml = it->second;
    if (eml.header("Subject").find("New message from") == std::string::npos) continue;
    seen = true;
    REQUIRE(eml.parts.size() == 2);
    CHECK(eml.parts[0].body.find("Hello <b>Mia</b> & team, here is the plan:") !=
          std::string::npos);
    CHECK(eml.parts[0].body.find("wordy\xE2\x80\xA6\n\nRead and answer it") != std::string::npos);
    CHECK(eml.parts[1].body.find("Hello &lt;b&gt;Mia&lt;/b&gt; &amp; team") != std::string::npos);
    CHECK(eml.parts[1].body.find("<b>Mia") == std::string::npos);
  }
  CHECK(seen);
  CHECK(emails.count("alice@x.com") == 1);  // her welcome, nothing for what she sent
}

TEST_CASE("a new message arrives live on the recipient's notification stream") {
  ApiAgency a;
  boost::asio::io_context io;
  auto stream = testing::open_notification_stream(io, a.f.server->port(), a.mia);
  std::string seen;
  testing::read_stream_until(*stream, seen, "\r\n\r\n");
  REQUIRE(seen.find("HTTP/1.1 200") == 0);
  send(a, a.alice, a.mia_id, "Are the visuals ready?");
  testing::read_stream_until(*stream, seen, "Are the visuals ready?");
  CHECK(seen.find("message_received") != std::string::npos);
  CHECK(seen.find("Are the visuals ready?") != std::string::npos);
}

TEST_CASE("message emails follow the recipient's preferences, the notification still arrives") {
  ApiAgency a;
  auto muted =
      a.f.call(a.mia, verb::patch, "/api/auth/me/email-preferences/", R"({"messages":false})");
  REQUIRE_MESSAGE(muted.status == 200, muted.body);
  const auto sent = send(a, a.alice, a.mia_id, "Quiet please");
  const std::string at = std::to_string(sent["position"].get<std::uint64_t>());
  CHECK(a.notifications(a.mia, "message_received", at).size() == 1);
  const auto emails = testing::delivered_emails(a.f, sent["position"].get<std::uint64_t>());
  auto [begin, end] = emails.equal_range("mia@x.com");
  for (auto it = begin; it != end; ++it) {
    CHECK(it->second.header("Subject").find("New message") == std::string::npos);
  }
}

TEST_CASE("a long conversation pages oldest first, conversations list the latest first") {
  ApiAgency a;
  for (int i = 0; i < 7; ++i)
    send(a, i % 2 == 0 ? a.alice : a.mia, i % 2 == 0 ? a.mia_id : a.alice_id,
         "message " + std::to_string(i));
  send(a, a.alice, a.web_id, "to web");
  std::vector<std::string> contents;
  std::string next = "/api/messages/?with=" + a.mia_id + "&limit=3";
  while (!next.empty()) {
    auto page = a.f.get(a.alice, next);
    REQUIRE_MESSAGE(page.status == 200, page.body);
    const auto json = page.json();
    CHECK(json["count"] == 7);
    for (const auto& item : json["results"]) contents.push_back(item["content"]);
    const auto& link = json["next"];
    next =
        link.is_null() ? "" : link.get<std::string>().substr(link.get<std::string>().find("/api/"));
  }
  REQUIRE(contents.size() == 7);
  for (int i = 0; i < 7; ++i) CHECK(contents[i] == "message " + std::to_string(i));
  auto conversations = a.f.get(a.alice, "/api/messages/conversations/").json()["results"];
  REQUIRE(conversations.size() == 2);
  CHECK(conversations[0]["counterpart"] == a.web_id);  // the latest
  CHECK(conversations[1]["counterpart"] == a.mia_id);
  CHECK(conversations[1]["unread_count"] == 3);  // mia wrote 3 of the 7
  // One conversation, filtered by service: alice and mia only ever wrote about marketing.
  CHECK(
      a.f.get(a.alice, "/api/messages/?with=" + a.mia_id + "&service=marketing").json()["count"] ==
      7);
  CHECK(a.f.get(a.alice, "/api/messages/?with=" + a.mia_id + "&service=website").json()["count"] ==
        0);
  CHECK(a.f.get(a.alice, "/api/messages/?with=" + a.mia_id + "&service=gardening").status == 400);
}

}  // namespace
}  // namespace ledger
