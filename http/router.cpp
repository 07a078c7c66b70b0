#include "http/router.h"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <iterator>

#include "core/assert.h"
#include "core/text_validation.h"
#include "http/error_response.h"
#include "http/query_string.h"

namespace ledger::http {
namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> segments;
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t slash = path.find('/', start);
    const std::size_t end = slash == std::string_view::npos ? path.size() : slash;
    segments.push_back(path.substr(start, end - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return segments;
}

bool is_parameter(std::string_view segment) {
  return segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
}

// The segments of a path one by one, without allocating (the router matches every request):
// the same segments split_path gives, "/a/" being "", "a", "".
class PathSegments {
 public:
  explicit PathSegments(std::string_view path) : path_(path) {}
  // The next segment; false when there is none left.
  bool next(std::string_view* segment) {
    if (start_ > path_.size()) return false;
    const std::size_t slash = path_.find('/', start_);
    const std::size_t end = slash == std::string_view::npos ? path_.size() : slash;
    *segment = path_.substr(start_, end - start_);
    start_ = slash == std::string_view::npos ? path_.size() + 1 : slash + 1;
    return true;
  }

 private:
  std::string_view path_;
  std::size_t start_ = 0;
};

bool segments_match(const Route& route, std::string_view path, PathParams* params) {
  // Compared in full before any parameter is noted, so a route that fails late adds nothing.
  PathSegments compared(path);
  std::string_view segment;
  for (const std::string& pattern : route.segments) {
    if (!compared.next(&segment)) return false;
    if (is_parameter(pattern)) {
      if (segment.empty()) return false;
    } else if (pattern != segment) {
      return false;
    }
  }
  if (compared.next(&segment)) return false;
  if (params != nullptr) {
    PathSegments noted(path);
    for (const std::string& pattern : route.segments) {
      const bool present = noted.next(&segment);
      LEDGER_ASSERT(present, "a matched path has the pattern's segments");
      if (is_parameter(pattern)) {
        params->add(std::string_view(pattern).substr(1, pattern.size() - 2), segment);
      }
    }
  }
  return true;
}

}  // namespace

std::string methods_text(const std::vector<beast_http::verb>& methods) {
  std::string text;
  for (const auto method : methods) {
    if (!text.empty()) text += ", ";
    text += std::string(beast_http::to_string(method));
  }
  return text;
}

std::string_view target_path(std::string_view target) { return target.substr(0, target.find('?')); }

Status check_request_target(const Request& request, const PathParams& params) {
  for (const auto& [name, value] : params.entries()) {
    if (auto checked = check_text(name, value, TextKind::short_text); !checked) return checked;
  }
  return check_query(std::string_view(request.target().data(), request.target().size()));
}

void Router::add_streamed(beast_http::verb method, std::string pattern, StreamedHandler handler,
                          std::uint64_t body_bytes_max) {
  add(method, std::move(pattern), Handler());
  routes_.back().streamed = std::move(handler);
  routes_.back().body_bytes_max = body_bytes_max;
}

void Router::add(beast_http::verb method, std::string pattern, Handler handler) {
  LEDGER_ASSERT(!pattern.empty() && pattern.front() == '/', "route patterns start with /");
  Route route{method, std::move(pattern), {}, std::move(handler), {}, 0, nullptr};
  for (auto segment : split_path(route.pattern)) route.segments.emplace_back(segment);
  for (const auto& existing : routes_) {
    LEDGER_ASSERT(!(existing.method == method && existing.pattern == route.pattern),
                  "a route is registered twice");
  }
  routes_.push_back(std::move(route));
}

void Router::declare(beast_http::verb method, std::string_view pattern,
                     const RouteDeclaration* declaration) {
  for (auto& route : routes_) {
    if (route.method == method && route.pattern == pattern) {
      route.declaration = declaration;
      return;
    }
  }
  LEDGER_ASSERT(false, "a declaration is noted for a route that was added");
}

const Route* Router::match(beast_http::verb method, std::string_view target,
                           PathParams* params) const {
  const std::string_view path = target_path(target);
  for (const auto& route : routes_) {
    if (route.method == method && segments_match(route, path, params)) return &route;
  }
  return nullptr;
}

std::vector<beast_http::verb> Router::methods_of(std::string_view target) const {
  const std::string_view path = target_path(target);
  std::vector<beast_http::verb> methods;
  for (const auto& route : routes_) {
    const bool listed = std::find(methods.begin(), methods.end(), route.method) != methods.end();
    if (!listed && segments_match(route, path, nullptr)) methods.push_back(route.method);
  }
  return methods;
}

void Router::dispatch(const Request& request, Reply reply) const {
  const std::string_view target(request.target().data(), request.target().size());
  PathParams params;
  const Route* route = match(request.method(), target, &params);
  dispatch(request, route, params, std::move(reply));
}

void Router::dispatch(const Request& request, const Route* route, const PathParams& params,
                      Reply reply) const {
  const std::string_view target(request.target().data(), request.target().size());
  if (route != nullptr) {
    LEDGER_ASSERT(route->method == request.method(), "the route was matched for this request");
    if (auto checked = check_request_target(request, params); !checked) {
      return reply(error_response(request, checked.error()));
    }
    if (!route->streamed) return route->handler(request, params, std::move(reply));
    if (request.body().size() > route->body_bytes_max) {
      return reply(problem_response(
          request, beast_http::status::payload_too_large, "too_large",
          fmt::format("the body is over the limit of {} bytes", route->body_bytes_max)));
    }
    auto sink = route->streamed(request, params);
    if (!sink) return reply(error_response(request, sink.error()));
    if (auto written = (*sink)->write(request.body()); !written) {
      return reply(error_response(request, written.error()));
    }
    (*sink)->finish(std::move(reply));
    return;
  }
  const std::string allow = methods_text(methods_of(target));
  if (allow.empty()) {
    reply(
        problem_response(request, beast_http::status::not_found, "not_found", "no such endpoint"));
    return;
  }
  Response response =
      problem_response(request, beast_http::status::method_not_allowed, "method_not_allowed",
                       "this endpoint does not accept that method");
  response.set(beast_http::field::allow, allow);
  reply(std::move(response));
}

}  // namespace ledger::http

namespace ledger::http {
namespace {

// The target of a Reply made of functions (tests, the fuzzer): each one given answers its way;
// one not given leaves it to the Target default.
class FunctionTarget final : public Reply::Target {
 public:
  FunctionTarget(Reply::Send send, Reply::Stream stream, Reply::File file, Reply::Later later)
      : send_(std::move(send)),
        stream_(std::move(stream)),
        file_(std::move(file)),
        later_(std::move(later)) {}

  void send(Response response) override { send_(std::move(response)); }

  void stream(Response head, std::shared_ptr<StreamSource> source) override {
    if (!stream_) return Target::stream(std::move(head), std::move(source));
    stream_(std::move(head), std::move(source));
  }

  void file(Response head, std::filesystem::path path) override {
    if (!file_) return Target::file(std::move(head), std::move(path));
    file_(std::move(head), std::move(path));
  }

  void later(Reply::Work work) override {
    if (!later_) return Target::later(std::move(work));
    later_(std::move(work));
  }

 private:
  Reply::Send send_;
  Reply::Stream stream_;
  Reply::File file_;
  Reply::Later later_;
};

}  // namespace

Reply::Reply(Send send, Stream stream, File file, Later later)
    : target_(std::make_shared<FunctionTarget>(std::move(send), std::move(stream), std::move(file),
                                               std::move(later))) {}

void Reply::Target::stream(Response head, std::shared_ptr<StreamSource> source) {
  source.reset();  // nothing here can poll it
  head.result(beast_http::status::not_implemented);
  head.body() = "streaming is not supported here";
  head.prepare_payload();
  send(std::move(head));
}

// By value, as the overrides take it (they move it on): the defaults only read it.
// NOLINTNEXTLINE(performance-unnecessary-value-param)
void Reply::Target::later(Work work) { work(); }

// NOLINTNEXTLINE(performance-unnecessary-value-param): by value, as for later()
void Reply::Target::file(Response head, std::filesystem::path path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    head.result(beast_http::status::internal_server_error);
    head.body() = "the file cannot be read";
  } else {
    head.body().assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  head.prepare_payload();
  send(std::move(head));
}

}  // namespace ledger::http
