// A small SMTP relay for tests: a real TCP server on 127.0.0.1 (its own thread) that speaks
// enough RFC 5321 for the delivery worker — EHLO, optional STARTTLS (with a given certificate),
// AUTH PLAIN, MAIL, RCPT, DATA, QUIT — and records what it was told. `rcpt_reply` lets a test
// make the relay refuse recipients.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>

#include "tests/support/self_signed_certificate.h"

namespace ledger::testing {

class SmtpTestServer {
 public:
  struct Options {
    bool offer_starttls = false;
    std::optional<SelfSignedCertificate> certificate;  // required with offer_starttls
    std::string rcpt_reply = "250 2.1.5 ok";
  };

  struct Session {
    std::vector<std::string> commands;  // every command line, in order
    std::vector<bool> command_secure;   // whether each arrived over TLS
    std::string data;                   // the DATA payload as received (dot-stuffed)
    bool tls = false;
  };

  explicit SmtpTestServer(Options options)
      : options_(std::move(options)),
        acceptor_(io_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    if (options_.certificate) {
      tls_.use_certificate_chain(boost::asio::buffer(options_.certificate->certificate_pem));
      tls_.use_private_key(boost::asio::buffer(options_.certificate->private_key_pem),
                           boost::asio::ssl::context::pem);
    }
    thread_ = std::thread([this] { serve(); });
  }

  ~SmtpTestServer() {
    stopping_ = true;
    boost::system::error_code ignored;
    // Wake the blocking accept with a connection of our own.
    boost::asio::ip::tcp::socket poke(io_);
    poke.connect(acceptor_.local_endpoint(), ignored);
    thread_.join();
  }

  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

  // The finished sessions, once there are at least `at_least` (or 10 s have passed): the
  // relay records a session after the client hung up, which may be just after it returned.
  std::vector<Session> sessions(std::size_t at_least = 1) const {
    std::unique_lock lock(mutex_);
    recorded_.wait_for(lock, std::chrono::seconds(10),
                       [&] { return sessions_.size() >= at_least; });
    return sessions_;
  }

 private:
  void serve() {
    while (!stopping_) {
      boost::asio::ip::tcp::socket socket(io_);
      boost::system::error_code error;
      acceptor_.accept(socket, error);
      if (error || stopping_) return;
      Session session;
      try {
        converse(socket, session);
      } catch (const std::exception&) {
        // The client went away or the handshake failed: keep what was recorded.
      }
      {
        std::lock_guard lock(mutex_);
        sessions_.push_back(std::move(session));
      }
      recorded_.notify_all();
    }
  }

  template <class Stream>
  static std::string read_line(Stream& stream, std::string& buffer) {
    const std::size_t size =
        boost::asio::read_until(stream, boost::asio::dynamic_buffer(buffer), "\r\n");
    std::string line = buffer.substr(0, size - 2);
    buffer.erase(0, size);
    return line;
  }

  void converse(boost::asio::ip::tcp::socket& socket, Session& session) {
    std::string buffer;
    boost::asio::write(socket, boost::asio::buffer(std::string("220 test relay ready\r\n")));
    std::optional<boost::asio::ssl::stream<boost::asio::ip::tcp::socket&>> tls;
    auto send = [&](const std::string& text) {
      if (tls)
        boost::asio::write(*tls, boost::asio::buffer(text));
      else
        boost::asio::write(socket, boost::asio::buffer(text));
    };
    auto line = [&] { return tls ? read_line(*tls, buffer) : read_line(socket, buffer); };
    for (;;) {
      const std::string command = line();
      {
        std::lock_guard lock(mutex_);
        session.commands.push_back(command);
        session.command_secure.push_back(tls.has_value());
      }
      if (command.starts_with("EHLO")) {
        send(options_.offer_starttls && !tls ? "250-test relay\r\n250-8BITMIME\r\n250 STARTTLS\r\n"
                                             : "250-test relay\r\n250 8BITMIME\r\n");
      } else if (command == "STARTTLS" && options_.offer_starttls && !tls) {
        send("220 2.0.0 go ahead\r\n");
        tls.emplace(socket, tls_);
        tls->handshake(boost::asio::ssl::stream_base::server);
        session.tls = true;
        buffer.clear();
      } else if (command.starts_with("AUTH PLAIN")) {
        send("235 2.7.0 authenticated\r\n");
      } else if (command.starts_with("MAIL FROM:")) {
        send("250 2.1.0 ok\r\n");
      } else if (command.starts_with("RCPT TO:")) {
        send(options_.rcpt_reply + "\r\n");
      } else if (command == "DATA") {
        send("354 end with <CRLF>.<CRLF>\r\n");
        for (;;) {
          const std::string data_line = line();
          if (data_line == ".") break;
          session.data += data_line + "\r\n";
        }
        send("250 2.0.0 queued\r\n");
      } else if (command == "QUIT") {
        send("221 2.0.0 bye\r\n");
        return;
      } else {
        send("502 5.5.2 not implemented\r\n");
      }
    }
  }

  Options options_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::ssl::context tls_{boost::asio::ssl::context::tls_server};
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  mutable std::condition_variable recorded_;
  std::vector<Session> sessions_;
  std::thread thread_;
};

}  // namespace ledger::testing
