// Delivery through an SMTP relay: the conversation, dot-stuffing, refusals retried with backoff,
// STARTTLS with certificate verification, credentials only over TLS, no downgrade.
#include <doctest/doctest.h>

#include <fstream>

#include "core/domain/keyspaces.h"
#include "core/domain/users.h"
#include "projections/email_delivery.h"
#include "projections/smtp_transport.h"
#include "tests/support/ledger_fixture.h"
#include "tests/support/smtp_test_server.h"

namespace ledger {
namespace {

using domain::UnitOfWork;
using testing::LedgerFixture;
using testing::SmtpTestServer;

// Queues one verification email (its body holds the code) for `email`.
void queue_email(LedgerFixture& f, const std::string& id, const std::string& email) {
  REQUIRE(f.run<events::UserState>([&](UnitOfWork& uow) {
             return domain::register_user(
                 uow, {domain::UserId{id}, email, "Name", "client", "", 0, "h", false, "self",
                       "digest", "123456", domain::EmailId{"mail-" + id}});
           }).ok());
}

events::OutboxEmail row(LedgerFixture& f, const std::string& id) {
  auto bytes = f.log->read_state(domain::kOutboxKeyspace, "email/mail-" + id);
  REQUIRE(bytes.ok());
  REQUIRE(bytes->has_value());
  events::OutboxEmail email;
  REQUIRE(email.ParseFromString(**bytes));
  return email;
}

projections::SmtpSettings relay(const SmtpTestServer& server) {
  projections::SmtpSettings settings;
  settings.host = "127.0.0.1";
  settings.port = server.port();
  settings.timeout = std::chrono::seconds(10);
  return settings;
}

std::string write_file(const LedgerFixture& f, const std::string& name, const std::string& text) {
  std::string path = f.dir.string() + "/" + name;
  std::ofstream(path) << text;
  return path;
}

TEST_CASE("an email goes through a plain relay, dot-stuffed, and is marked sent") {
  LedgerFixture f;
  SmtpTestServer server({});
  queue_email(f, "bob", "bob@x.com");
  projections::EmailDelivery delivery(*f.log, f.clock,
                                      std::make_unique<projections::SmtpTransport>(relay(server)),
                                      "billing@agency.test");
  auto report = delivery.deliver_once();
  REQUIRE(report.ok());
  CHECK(report->sent == 1);
  const auto sessions = server.sessions();
  REQUIRE(sessions.size() == 1);
  const auto& commands = sessions[0].commands;
  REQUIRE(commands.size() == 5);
  CHECK(commands[0] == "EHLO localhost");
  CHECK(commands[1] == "MAIL FROM:<billing@agency.test>");
  CHECK(commands[2] == "RCPT TO:<bob@x.com>");
  CHECK(commands[3] == "DATA");
  CHECK(commands[4] == "QUIT");
  CHECK(sessions[0].data.find("To: bob@x.com\r\n") != std::string::npos);
  CHECK(sessions[0].data.find("From: billing@agency.test\r\n") != std::string::npos);
  CHECK(sessions[0].data.find("123456") != std::string::npos);
  CHECK(row(f, "bob").status() == "sent");
}

TEST_CASE("a refusing relay fails the attempt with its words, the retry after backoff succeeds") {
  LedgerFixture f;
  queue_email(f, "bob", "bob@x.com");
  {
    SmtpTestServer busy({.rcpt_reply = "450 4.2.1 mailbox busy"});
    projections::EmailDelivery delivery(*f.log, f.clock,
                                        std::make_unique<projections::SmtpTransport>(relay(busy)));
    CHECK(delivery.deliver_once()->failed == 1);
    const auto failed = row(f, "bob");
    CHECK(failed.status() == "failed");
    CHECK(failed.attempts() == 1);
    CHECK(failed.last_error().find("450 4.2.1 mailbox busy") != std::string::npos);
    CHECK(failed.next_attempt_at_us() == f.clock.now_us() + kMicrosPerMinute);
    CHECK(delivery.deliver_once()->failed == 0);  // waiting for the backoff
    // No DATA was sent to a relay that refused the recipient.
    const auto sessions = busy.sessions();
    REQUIRE(sessions.size() == 1);
    for (const auto& command : sessions[0].commands) CHECK(command != "DATA");
  }
  SmtpTestServer server({});
  projections::EmailDelivery delivery(*f.log, f.clock,
                                      std::make_unique<projections::SmtpTransport>(relay(server)));
  f.clock.advance_us(kMicrosPerMinute);
  CHECK(delivery.deliver_once()->sent == 1);
  CHECK(row(f, "bob").attempts() == 2);
  CHECK(row(f, "bob").status() == "sent");
}

TEST_CASE("an unreachable relay fails the attempt") {
  LedgerFixture f;
  queue_email(f, "bob", "bob@x.com");
  std::uint16_t closed_port = 0;
  {
    SmtpTestServer gone({});
    closed_port = gone.port();
  }
  projections::SmtpSettings settings;
  settings.host = "127.0.0.1";
  settings.port = closed_port;
  settings.timeout = std::chrono::seconds(5);
  projections::EmailDelivery delivery(*f.log, f.clock,
                                      std::make_unique<projections::SmtpTransport>(settings));
  CHECK(delivery.deliver_once()->failed == 1);
  CHECK(row(f, "bob").last_error().find("cannot connect") != std::string::npos);
}

TEST_CASE("STARTTLS: the certificate is verified, credentials go only inside TLS") {
  LedgerFixture f;
  const auto certificate = testing::make_self_signed_certificate();
  SmtpTestServer server({.offer_starttls = true, .certificate = certificate});
  queue_email(f, "bob", "bob@x.com");
  auto settings = relay(server);
  settings.starttls = true;
  settings.ca_file = write_file(f, "relay-ca.pem", certificate.certificate_pem);
  settings.username = "mailer";
  settings.password = "s3cret";
  projections::EmailDelivery delivery(*f.log, f.clock,
                                      std::make_unique<projections::SmtpTransport>(settings));
  auto report = delivery.deliver_once();
  REQUIRE(report.ok());
  CHECK(report->sent == 1);
  const auto sessions = server.sessions();
  REQUIRE(sessions.size() == 1);
  CHECK(sessions[0].tls);
  const auto& commands = sessions[0].commands;
  REQUIRE(commands.size() == 8);
  CHECK(commands[0] == "EHLO localhost");
  CHECK(commands[1] == "STARTTLS");
  CHECK(commands[2] == "EHLO localhost");
  CHECK(commands[3] == "AUTH PLAIN AG1haWxlcgBzM2NyZXQ=");  // "\0mailer\0s3cret"
  CHECK(sessions[0].command_secure[3]);
  CHECK(commands[4] == "MAIL FROM:<no-reply@localhost>");
  CHECK(sessions[0].data.find("123456") != std::string::npos);
}

TEST_CASE("STARTTLS refuses an untrusted certificate and a relay that does not offer it") {
  LedgerFixture f;
  queue_email(f, "bob", "bob@x.com");
  const auto certificate = testing::make_self_signed_certificate();
  const auto other = testing::make_self_signed_certificate();
  SUBCASE("untrusted certificate") {
    SmtpTestServer server({.offer_starttls = true, .certificate = certificate});
    auto settings = relay(server);
    settings.starttls = true;
    settings.ca_file = write_file(f, "other-ca.pem", other.certificate_pem);
    settings.username = "mailer";
    settings.password = "s3cret";
    projections::EmailDelivery delivery(*f.log, f.clock,
                                        std::make_unique<projections::SmtpTransport>(settings));
    CHECK(delivery.deliver_once()->failed == 1);
    CHECK(row(f, "bob").last_error().find("TLS handshake failed") != std::string::npos);
    for (const auto& session : server.sessions()) {
      for (const auto& command : session.commands) CHECK(command.find("AUTH") == std::string::npos);
    }
  }
  SUBCASE("no STARTTLS offered: no downgrade") {
    SmtpTestServer server({});
    auto settings = relay(server);
    settings.starttls = true;
    projections::EmailDelivery delivery(*f.log, f.clock,
                                        std::make_unique<projections::SmtpTransport>(settings));
    CHECK(delivery.deliver_once()->failed == 1);
    CHECK(row(f, "bob").last_error().find("does not offer STARTTLS") != std::string::npos);
    REQUIRE(server.sessions().size() == 1);
    CHECK(server.sessions()[0].commands.size() == 1);  // EHLO, then the worker hung up
  }
  SUBCASE("credentials without TLS are never sent") {
    SmtpTestServer server({});
    auto settings = relay(server);
    settings.username = "mailer";
    settings.password = "s3cret";
    projections::EmailDelivery delivery(*f.log, f.clock,
                                        std::make_unique<projections::SmtpTransport>(settings));
    CHECK(delivery.deliver_once()->failed == 1);
    const auto sessions = server.sessions();
    REQUIRE(sessions.size() == 1);
    for (const auto& command : sessions[0].commands) {
      CHECK(command.find("AUTH") == std::string::npos);
    }
  }
}

TEST_CASE("DATA is dot-stuffed and terminated, relay addresses are checked") {
  CHECK(projections::smtp_data("a\r\n.b\r\n..c\r\n") == "a\r\n..b\r\n...c\r\n.\r\n");
  CHECK(projections::smtp_data(".start") == "..start\r\n.\r\n");
  projections::SmtpSettings settings;
  CHECK(projections::parse_smtp_relay("mail.example.com:587", settings).ok());
  CHECK(settings.host == "mail.example.com");
  CHECK(settings.port == 587);
  for (const char* bad : {"mail.example.com", ":25", "host:0", "host:65536", "host:2x", "host:"}) {
    CHECK_MESSAGE(!projections::parse_smtp_relay(bad, settings).ok(), bad);
  }
}

TEST_CASE("header values cannot smuggle headers") {
  events::OutboxEmail email;
  email.set_email_id("e1");
  email.set_to("bob@x.com");
  email.set_subject("Hello\r\nBcc: everyone@x.com");
  email.set_text_body("body");
  const std::string eml = projections::render_eml(email, "a@b.c").value();
  CHECK(eml.find("Subject: Hello Bcc: everyone@x.com\r\n") != std::string::npos);
  CHECK(eml.find("\r\nBcc:") == std::string::npos);
}

}  // namespace
}  // namespace ledger
