#include "tools/load/http_open_loop.h"

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cassert>
#include <memory>
#include <optional>
#include <stdexcept>
#include <thread>

#include "tools/load/arrival_schedule.h"

namespace ledger::load {

namespace {

namespace asio = boost::asio;
namespace beast_http = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

// What the connections of one thread share: read-only inputs and this thread's tallies.
struct ThreadState {
  const OpenLoopOptions* options = nullptr;
  const ArrivalSchedule* schedule = nullptr;
  const std::vector<std::string>* requests = nullptr;
  tcp::resolver::results_type endpoints;
  Clock::time_point start;
  bool stopping = false;                // past the drain deadline: give up, do not reconnect
  asio::steady_timer* drain = nullptr;  // fires at the drain deadline
  std::uint64_t connections_running = 0;
  OpenLoopResult result;
  Clock::time_point last_answer;
};

// One keep-alive connection walking its share of the schedule. Lives in a vector owned by the
// thread that runs its io_context, for longer than its handlers.
class Connection {
 public:
  Connection(asio::io_context& io, ThreadState& state, std::uint64_t connection_index)
      : state_(state), socket_(io), timer_(io), connection_index_(connection_index) {
    due_ = state_.schedule->requests_due_before(connection_index_, state_.options->duration_ms);
    state_.result.due += due_;
  }

  // Blocking connect, before the clock starts.
  void connect() { asio::connect(socket_, state_.endpoints); }

  void start() { schedule_next(); }

  // At the drain deadline: abandons the request in flight.
  void stop() {
    boost::system::error_code ignored;
    timer_.cancel();
    socket_.close(ignored);
  }

 private:
  void schedule_next() {
    if (state_.stopping) return;
    if (next_index_ >= due_) return finish();
    intended_ = state_.start + state_.schedule->intended_offset(connection_index_, next_index_);
    ++next_index_;
    timer_.expires_at(intended_);
    timer_.async_wait([this](boost::system::error_code error) {
      if (error) return;  // stopped
      send();
    });
  }

  void send() {
    const auto& requests = *state_.requests;
    const std::string& request = requests[(connection_index_ + next_index_) % requests.size()];
    asio::async_write(socket_, asio::buffer(request),
                      [this](boost::system::error_code error, std::size_t) {
                        if (error) return fail();
                        receive();
                      });
  }

  void receive() {
    parser_.emplace();
    parser_->body_limit(state_.options->response_bytes_max);
    beast_http::async_read(socket_, buffer_, *parser_,
                           [this](boost::system::error_code error, std::size_t) {
                             if (error) return fail();
                             answered();
                           });
  }

  void answered() {
    const auto now = Clock::now();
    const auto latency = std::chrono::duration_cast<std::chrono::microseconds>(now - intended_);
    state_.result.latencies.record(
        static_cast<std::uint64_t>(std::max<std::int64_t>(0, latency.count())));
    ++state_.result.answered;
    state_.last_answer = std::max(state_.last_answer, now);
    const auto& response = parser_->get();
    if (response.result_int() < 200 || response.result_int() >= 300) ++state_.result.errors;
    if (!response.keep_alive() && !reconnect()) return finish();
    schedule_next();
  }

  void fail() {
    if (state_.stopping) return;
    ++state_.result.errors;
    if (!reconnect()) return finish();
    schedule_next();
  }

  // The schedule is done (or the server is gone): the last connection of the thread to finish
  // cancels the drain timer, so that the thread's io_context runs out of work.
  void finish() {
    stop();
    assert(state_.connections_running > 0);
    if (--state_.connections_running == 0) state_.drain->cancel();
  }

  bool reconnect() {
    boost::system::error_code error;
    socket_.close(error);
    buffer_.clear();
    asio::connect(socket_, state_.endpoints, error);
    return !error;
  }

  ThreadState& state_;
  tcp::socket socket_;
  asio::steady_timer timer_;
  boost::beast::flat_buffer buffer_;
  std::optional<beast_http::response_parser<beast_http::string_body>> parser_;
  std::uint64_t connection_index_;
  std::uint64_t due_ = 0;
  std::uint64_t next_index_ = 0;  // of the next request to schedule
  Clock::time_point intended_;
};

}  // namespace

std::string serialize_request(const OpenLoopOptions& options, const std::string& bearer_token) {
  std::string request = options.method + " " + options.target +
                        " HTTP/1.1\r\nHost: " + options.host + ":" + options.port + "\r\n";
  if (!bearer_token.empty()) request += "Authorization: Bearer " + bearer_token + "\r\n";
  if (!options.body.empty()) request += "Content-Type: application/json\r\n";
  if (!options.body.empty() || options.method == "POST" || options.method == "PUT") {
    request += "Content-Length: " + std::to_string(options.body.size()) + "\r\n";
  }
  request += "\r\n" + options.body;
  return request;
}

OpenLoopResult run_open_loop(const OpenLoopOptions& options) {
  if (options.rate_per_second == 0 || options.connections == 0 || options.threads == 0) {
    throw std::runtime_error("rate, connections and threads must be positive");
  }
  const ArrivalSchedule schedule(options.rate_per_second, options.connections);
  std::vector<std::string> requests;
  if (options.bearer_tokens.empty()) requests.push_back(serialize_request(options, ""));
  for (const auto& token : options.bearer_tokens) {
    requests.push_back(serialize_request(options, token));
  }

  const std::uint64_t threads = std::min(options.threads, options.connections);
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::vector<std::unique_ptr<ThreadState>> states;
  std::vector<std::vector<std::unique_ptr<Connection>>> connections(threads);
  for (std::uint64_t t = 0; t < threads; ++t) {
    contexts.push_back(std::make_unique<asio::io_context>(1));
    auto state = std::make_unique<ThreadState>();
    state->options = &options;
    state->schedule = &schedule;
    state->requests = &requests;
    state->endpoints = tcp::resolver(*contexts.back()).resolve(options.host, options.port);
    states.push_back(std::move(state));
  }
  for (std::uint64_t c = 0; c < options.connections; ++c) {
    const std::uint64_t t = c % threads;
    connections[t].push_back(std::make_unique<Connection>(*contexts[t], *states[t], c));
    try {
      connections[t].back()->connect();
    } catch (const boost::system::system_error& error) {
      throw std::runtime_error("cannot connect to " + options.host + ":" + options.port + ": " +
                               error.what());
    }
  }

  // Every connection is open: start the clock a little ahead so that all threads are running.
  const auto start = Clock::now() + std::chrono::milliseconds(50);
  const auto deadline = start + options.duration_ms + options.drain_timeout_ms;
  std::vector<std::thread> workers;
  for (std::uint64_t t = 0; t < threads; ++t) {
    states[t]->start = start;
    states[t]->last_answer = start;
    workers.emplace_back([&, t] {
      auto& io = *contexts[t];
      asio::steady_timer drain(io, deadline);
      drain.async_wait([&](boost::system::error_code error) {
        if (error) return;
        states[t]->stopping = true;
        for (auto& connection : connections[t]) connection->stop();
      });
      states[t]->drain = &drain;
      states[t]->connections_running = connections[t].size();
      for (auto& connection : connections[t]) connection->start();
      // Returns when every connection has walked its schedule, or soon after the drain deadline.
      io.run();
    });
  }
  for (auto& worker : workers) worker.join();

  OpenLoopResult total;
  auto last_answer = start;
  for (std::uint64_t t = 0; t < threads; ++t) {
    const auto& result = states[t]->result;
    total.latencies.merge(result.latencies);
    total.due += result.due;
    total.answered += result.answered;
    total.errors += result.errors;
    last_answer = std::max(last_answer, states[t]->last_answer);
  }
  total.unanswered = total.due - total.answered;
  total.seconds = std::chrono::duration<double>(last_answer - start).count();
  return total;
}

}  // namespace ledger::load
