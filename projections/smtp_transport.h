// Delivery through an SMTP relay (RFC 5321), one connection per email:
//   greeting 220, EHLO, [STARTTLS, TLS handshake, EHLO again], [AUTH PLAIN], MAIL FROM,
//   RCPT TO, DATA (dot-stuffed), QUIT.
// With STARTTLS the relay's certificate is verified against the system's CAs (or `ca_file`) and
// the relay's host name; a relay that does not offer STARTTLS is refused, never downgraded.
// Credentials are only sent over TLS. Every step has a deadline (`timeout`); replies are read
// with a bounded buffer. A 4xx or 5xx reply fails the attempt with the relay's words, and the
// delivery worker retries with backoff.
#pragma once

#include <chrono>
#include <string>

#include "projections/email_transport.h"

namespace ledger::projections {

struct SmtpSettings {
  std::string host;
  std::uint16_t port = 25;
  bool starttls = false;
  std::string ca_file;   // empty: the system's trusted CAs
  std::string username;  // empty: no AUTH
  std::string password;
  std::string helo_name = "localhost";
  std::chrono::milliseconds timeout{30'000};
};

// Parses "host:port" (port 1-65535) into `settings` (host and port only).
Status parse_smtp_relay(std::string_view relay, SmtpSettings& settings);

class SmtpTransport final : public EmailTransport {
 public:
  explicit SmtpTransport(SmtpSettings settings) : settings_(std::move(settings)) {}
  Status send(const events::OutboxEmail& email, std::string_view from,
              std::string_view message) override;

 private:
  SmtpSettings settings_;
};

// The DATA payload of `message`: lines starting with '.' get one more, ends with CRLF.CRLF.
std::string smtp_data(std::string_view message);

}  // namespace ledger::projections
