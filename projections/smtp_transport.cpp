#include "projections/smtp_transport.h"

#include <openssl/ssl.h>

#include <charconv>
#include <optional>
#include <vector>

#include <fmt/format.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/detail/base64.hpp>

namespace ledger::projections {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

constexpr std::size_t kMaxReplyLine = 4096;
constexpr int kMaxReplyLines = 100;

struct Reply {
  int code = 0;
  std::string text;  // every line, joined with " | "
};

// What an asynchronous step reported; handlers of every signature fill it.
struct Outcome {
  error_code error = asio::error::would_block;
  std::size_t bytes = 0;
};

struct OutcomeHandler {
  Outcome* outcome;
  void operator()(error_code error) const { outcome->error = error; }
  void operator()(error_code error, std::size_t bytes) const {
    outcome->error = error;
    outcome->bytes = bytes;
  }
  void operator()(error_code error, const tcp::endpoint&) const { outcome->error = error; }
};

bool has_line_break(std::string_view text) {
  return text.find_first_of("\r\n") != std::string_view::npos;
}

bool valid_address(std::string_view address) {
  return !address.empty() && address.size() <= 254 && !has_line_break(address) &&
         address.find_first_of("<> ") == std::string_view::npos &&
         address.find('@') != std::string_view::npos;
}

// One SMTP conversation over a socket that may be upgraded to TLS.
class Conversation {
 public:
  explicit Conversation(const SmtpSettings& settings) : settings_(settings), socket_(io_) {}

  Status connect() {
    tcp::resolver resolver(io_);
    error_code error;
    auto endpoints = resolver.resolve(settings_.host, std::to_string(settings_.port), error);
    if (error) {
      return make_error(Errc::io_error, fmt::format("smtp: cannot resolve {}: {}", settings_.host,
                                                    error.message()));
    }
    auto outcome =
        run([&](OutcomeHandler handler) { asio::async_connect(socket_, endpoints, handler); });
    if (outcome.error) {
      return make_error(Errc::io_error,
                        fmt::format("smtp: cannot connect to {}:{}: {}", settings_.host,
                                    settings_.port, outcome.error.message()));
    }
    return {};
  }

  Status start_tls() {
    tls_context_.emplace(asio::ssl::context::tls_client);
    error_code error;
    tls_context_->set_options(asio::ssl::context::no_sslv2 | asio::ssl::context::no_sslv3 |
                              asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
    if (settings_.ca_file.empty()) {
      tls_context_->set_default_verify_paths(error);
    } else {
      tls_context_->load_verify_file(settings_.ca_file, error);
    }
    if (error) {
      return make_error(Errc::io_error,
                        fmt::format("smtp: cannot load trusted certificates: {}", error.message()));
    }
    tls_context_->set_verify_mode(asio::ssl::verify_peer);
    tls_.emplace(socket_, *tls_context_);
    tls_->set_verify_callback(asio::ssl::host_name_verification(settings_.host));
    SSL_set_tlsext_host_name(tls_->native_handle(), settings_.host.c_str());
    auto outcome = run([&](OutcomeHandler handler) {
      tls_->async_handshake(asio::ssl::stream_base::client, handler);
    });
    if (outcome.error) {
      return make_error(Errc::io_error,
                        fmt::format("smtp: TLS handshake failed: {}", outcome.error.message()));
    }
    return {};
  }

  bool secure() const { return tls_.has_value(); }

  Status write(std::string_view data) {
    auto outcome = run([&](OutcomeHandler handler) {
      if (tls_) {
        asio::async_write(*tls_, asio::buffer(data.data(), data.size()), handler);
      } else {
        asio::async_write(socket_, asio::buffer(data.data(), data.size()), handler);
      }
    });
    if (outcome.error) {
      return make_error(Errc::io_error, fmt::format("smtp: cannot write to the relay: {}",
                                                    outcome.error.message()));
    }
    return {};
  }

  Result<Reply> read_reply() {
    Reply reply;
    for (int lines = 0; lines < kMaxReplyLines; ++lines) {
      auto outcome = run([&](OutcomeHandler handler) {
        auto buffer = asio::dynamic_buffer(buffer_, kMaxReplyLine);
        if (tls_) {
          asio::async_read_until(*tls_, buffer, "\r\n", handler);
        } else {
          asio::async_read_until(socket_, buffer, "\r\n", handler);
        }
      });
      if (outcome.error) {
        return make_error(Errc::io_error, fmt::format("smtp: no reply from the relay: {}",
                                                      outcome.error.message()));
      }
      std::string line = buffer_.substr(0, outcome.bytes - 2);
      buffer_.erase(0, outcome.bytes);
      int code = 0;
      const auto [end, error] =
          std::from_chars(line.data(), line.data() + std::min<std::size_t>(3, line.size()), code);
      if (line.size() < 3 || error != std::errc() || end != line.data() + 3 ||
          (line.size() > 3 && line[3] != ' ' && line[3] != '-') ||
          (reply.code != 0 && code != reply.code)) {
        return make_error(Errc::io_error, fmt::format("smtp: malformed reply line: {}", line));
      }
      reply.code = code;
      if (!reply.text.empty()) reply.text += " | ";
      reply.text += line;
      if (line.size() == 3 || line[3] == ' ') return reply;
    }
    return make_error(Errc::io_error, "smtp: the relay's reply is too long");
  }

  // Sends `command` (without CRLF; empty: only reads) and expects a reply code in [low, high].
  Result<Reply> exchange(std::string_view command, int low, int high, std::string_view step) {
    if (!command.empty()) {
      if (auto written = write(std::string(command) + "\r\n"); !written) {
        return std::move(written).error();
      }
    }
    auto reply = read_reply();
    if (!reply) return reply;
    if (reply->code < low || reply->code > high) {
      return make_error(Errc::io_error,
                        fmt::format("smtp: the relay refused {}: {}", step, reply->text));
    }
    return reply;
  }

  void close() {
    error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

 private:
  // Starts one asynchronous step and runs it to completion or to the deadline (then the socket
  // is closed, which cancels the step).
  template <class Start>
  Outcome run(Start start) {
    Outcome outcome;
    start(OutcomeHandler{&outcome});
    io_.restart();
    io_.run_for(settings_.timeout);
    if (outcome.error == asio::error::would_block) {
      close();
      io_.restart();
      io_.run();
      outcome.error = asio::error::timed_out;
    }
    return outcome;
  }

  const SmtpSettings& settings_;
  asio::io_context io_;
  tcp::socket socket_;
  std::optional<asio::ssl::context> tls_context_;
  std::optional<asio::ssl::stream<tcp::socket&>> tls_;
  std::string buffer_;
};

bool offers(const Reply& ehlo, std::string_view extension) {
  std::string_view text = ehlo.text;
  std::size_t at = 0;
  while ((at = text.find(extension, at)) != std::string_view::npos) {
    const bool starts = at >= 4 && (text[at - 1] == '-' || text[at - 1] == ' ');
    const std::size_t end = at + extension.size();
    const bool ends = end == text.size() || text[end] == ' ' || text[end] == '|';
    if (starts && ends) return true;
    at = end;
  }
  return false;
}

std::string base64(std::string_view bytes) {
  std::string out(boost::beast::detail::base64::encoded_size(bytes.size()), '\0');
  out.resize(boost::beast::detail::base64::encode(out.data(), bytes.data(), bytes.size()));
  return out;
}

}  // namespace

Status parse_smtp_relay(std::string_view relay, SmtpSettings& settings) {
  const auto colon = relay.rfind(':');
  unsigned port = 0;
  if (colon == std::string_view::npos || colon == 0) {
    return make_error(Errc::invalid_argument, "the SMTP relay must be HOST:PORT", "smtp-relay");
  }
  const auto digits = relay.substr(colon + 1);
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
  if (error != std::errc() || end != digits.data() + digits.size() || port == 0 || port > 65535) {
    return make_error(Errc::invalid_argument, "the SMTP relay's port must be 1-65535",
                      "smtp-relay");
  }
  settings.host = std::string(relay.substr(0, colon));
  settings.port = static_cast<std::uint16_t>(port);
  return {};
}

std::string smtp_data(std::string_view message) {
  std::string data;
  data.reserve(message.size() + 16);
  bool line_start = true;
  for (char c : message) {
    if (line_start && c == '.') data.push_back('.');
    data.push_back(c);
    line_start = c == '\n';
  }
  if (!data.ends_with("\r\n")) data += "\r\n";
  data += ".\r\n";
  return data;
}

Status SmtpTransport::send(const events::OutboxEmail& email, std::string_view from,
                           std::string_view message) {
  if (!valid_address(from)) {
    return make_error(Errc::invalid_argument, "smtp: the sender address is not valid");
  }
  if (!valid_address(email.to())) {
    return make_error(Errc::invalid_argument, "smtp: the recipient address is not valid");
  }
  Conversation smtp(settings_);
  if (auto connected = smtp.connect(); !connected) return connected;
  auto step = [&](std::string_view command, int low, int high, std::string_view name) -> Status {
    auto reply = smtp.exchange(command, low, high, name);
    if (!reply) return std::move(reply).error();
    return {};
  };
  auto done = [&]() -> Status {
    if (auto greeted = step("", 220, 220, "the connection"); !greeted) return greeted;
    const std::string ehlo = "EHLO " + settings_.helo_name;
    auto hello = smtp.exchange(ehlo, 250, 250, "EHLO");
    if (!hello) return std::move(hello).error();
    if (settings_.starttls) {
      if (!offers(*hello, "STARTTLS")) {
        return make_error(Errc::io_error, "smtp: the relay does not offer STARTTLS");
      }
      if (auto ready = step("STARTTLS", 220, 220, "STARTTLS"); !ready) return ready;
      if (auto secured = smtp.start_tls(); !secured) return secured;
      hello = smtp.exchange(ehlo, 250, 250, "EHLO");
      if (!hello) return std::move(hello).error();
    }
    if (!settings_.username.empty()) {
      if (!smtp.secure()) {
        return make_error(Errc::invalid_argument, "smtp: credentials are only sent over STARTTLS");
      }
      const std::string plain =
          std::string(1, '\0') + settings_.username + '\0' + settings_.password;
      if (auto authed = step("AUTH PLAIN " + base64(plain), 235, 235, "AUTH"); !authed) {
        return authed;
      }
    }
    if (auto sender = step(fmt::format("MAIL FROM:<{}>", from), 250, 250, "MAIL FROM"); !sender) {
      return sender;
    }
    if (auto recipient = step(fmt::format("RCPT TO:<{}>", email.to()), 250, 251, "RCPT TO");
        !recipient) {
      return recipient;
    }
    if (auto data = step("DATA", 354, 354, "DATA"); !data) return data;
    if (auto written = smtp.write(smtp_data(message)); !written) return written;
    if (auto accepted = step("", 250, 250, "the message"); !accepted) return accepted;
    (void)smtp.exchange("QUIT", 221, 221, "QUIT");  // the message is accepted either way
    return {};
  }();
  smtp.close();
  return done;
}

}  // namespace ledger::projections
