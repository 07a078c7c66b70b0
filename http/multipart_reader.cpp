#include "http/multipart_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <utility>
#include <vector>

#include "core/text_validation.h"

namespace ledger::http {
namespace {

constexpr std::size_t kBoundaryMax = 70;  // RFC 2046
constexpr std::size_t kPaddingMax = 256;  // spaces after a delimiter

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

Error malformed(std::string message) {
  return make_error(Errc::invalid_argument, std::move(message));
}

// "type; a=b; c="d"" -> the type, then the parameters in order (names lower-cased).
struct HeaderValue {
  std::string type;
  std::vector<std::pair<std::string, std::string>> parameters;

  std::string_view parameter(std::string_view name) const {
    for (const auto& [key, value] : parameters) {
      if (key == name) return value;
    }
    return {};
  }
  bool has(std::string_view name) const {
    return std::any_of(parameters.begin(), parameters.end(),
                       [&](const auto& entry) { return entry.first == name; });
  }
};

Result<HeaderValue> parse_header_value(std::string_view text) {
  HeaderValue value;
  const std::size_t semicolon = text.find(';');
  value.type = std::string(trim(text.substr(0, semicolon)));
  std::transform(value.type.begin(), value.type.end(), value.type.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::size_t at = semicolon == std::string_view::npos ? text.size() : semicolon + 1;
  while (at < text.size()) {
    while (at < text.size() && (text[at] == ' ' || text[at] == '\t' || text[at] == ';')) ++at;
    if (at == text.size()) break;
    const std::size_t equals = text.find('=', at);
    if (equals == std::string_view::npos) return malformed("a header parameter has no value");
    std::string name(trim(text.substr(at, equals - at)));
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    at = equals + 1;
    std::string parameter;
    if (at < text.size() && text[at] == '"') {
      ++at;
      bool closed = false;
      while (at < text.size()) {
        const char c = text[at++];
        if (c == '\\' && at < text.size()) {
          parameter.push_back(text[at++]);
        } else if (c == '"') {
          closed = true;
          break;
        } else {
          parameter.push_back(c);
        }
      }
      if (!closed) return malformed("a quoted header parameter is not closed");
    } else {
      const std::size_t end = std::min(text.find(';', at), text.size());
      parameter = std::string(trim(text.substr(at, end - at)));
      at = end;
    }
    value.parameters.emplace_back(std::move(name), std::move(parameter));
  }
  return value;
}

bool valid_boundary(std::string_view boundary) {
  if (boundary.empty() || boundary.size() > kBoundaryMax || boundary.back() == ' ') return false;
  return std::all_of(boundary.begin(), boundary.end(), [](unsigned char c) {
    return std::isalnum(c) ||
           std::string_view("'()+_,-./:=? ").find(static_cast<char>(c)) != std::string_view::npos;
  });
}

// A part's name and file name become text the server stores and answers: UTF-8 only.
Status check_part_names(const MultipartPart& part) {
  if (!is_valid_utf8(part.name))
    return malformed("the name of a multipart part is not valid UTF-8");
  if (!is_valid_utf8(part.filename)) {
    return make_error(Errc::invalid_argument,
                      fmt::format("the file name of {} is not valid UTF-8", part.name), part.name);
  }
  return {};
}

}  // namespace

Result<std::string> multipart_boundary(std::string_view content_type) {
  auto value = parse_header_value(content_type);
  if (!value) {
    return make_error(Errc::invalid_argument,
                      "the Content-Type is malformed: " + value.error().message, "Content-Type");
  }
  if (value->type != "multipart/form-data") {
    return make_error(Errc::invalid_argument, "the body must be multipart/form-data (Content-Type)",
                      "Content-Type");
  }
  const std::string boundary(value->parameter("boundary"));
  if (!valid_boundary(boundary)) {
    return make_error(Errc::invalid_argument,
                      "the multipart/form-data Content-Type has no valid boundary (1-70 "
                      "characters)",
                      "Content-Type");
  }
  return boundary;
}

MultipartReader::MultipartReader(std::string_view boundary, MultipartHandler& handler)
    : delimiter_("\r\n--" + std::string(boundary)), handler_(handler), pending_("\r\n") {}

Status MultipartReader::fail(Error error) {
  state_ = State::failed;
  pending_.clear();
  pending_.shrink_to_fit();
  error_ = std::move(error);
  return error_;
}

Status MultipartReader::feed(std::string_view bytes) {
  if (state_ == State::failed) return error_;
  if (state_ == State::epilogue) return {};  // an epilogue is allowed and ignored
  pending_.append(bytes);
  bool progressed = true;
  while (progressed && state_ != State::failed && state_ != State::epilogue) {
    progressed = false;
    if (auto stepped = step(progressed); !stepped) {
      if (state_ != State::failed) return fail(std::move(stepped).error());
      return error_;
    }
  }
  if (state_ == State::epilogue) pending_.clear();
  return {};
}

Status MultipartReader::finish() {
  if (state_ == State::failed) return error_;
  if (state_ != State::epilogue) {
    return fail(
        malformed("the multipart body ends before its closing boundary: the upload is truncated"));
  }
  return {};
}

Status MultipartReader::step(bool& progressed) {
  const std::size_t keep = delimiter_.size() - 1;  // a delimiter may straddle two pieces
  switch (state_) {
    case State::preamble: {
      const std::size_t at = pending_.find(delimiter_);
      if (at == std::string::npos) {
        if (pending_.size() > keep) {
          preamble_bytes_ += pending_.size() - keep;
          pending_.erase(0, pending_.size() - keep);
        }
        if (preamble_bytes_ > kPreambleBytesMax) {
          return malformed("no multipart boundary in the first 16 KiB of the body");
        }
        return {};
      }
      // Checked here too: a long preamble that arrives in one piece with the delimiter is over
      // the limit as much as one that arrives in many.
      preamble_bytes_ += at;
      if (preamble_bytes_ > kPreambleBytesMax) {
        return malformed("no multipart boundary in the first 16 KiB of the body");
      }
      pending_.erase(0, at + delimiter_.size());
      state_ = State::after_delimiter;
      progressed = true;
      return {};
    }
    case State::after_delimiter: {
      if (pending_.size() < 2) return {};
      if (pending_.compare(0, 2, "--") == 0) {
        state_ = State::epilogue;
        progressed = true;
        return {};
      }
      std::size_t at = 0;
      while (at < pending_.size() && (pending_[at] == ' ' || pending_[at] == '\t')) ++at;
      if (at > kPaddingMax) return malformed("a multipart delimiter line is malformed");
      if (at + 2 > pending_.size()) return {};
      if (pending_.compare(at, 2, "\r\n") != 0) {
        return malformed("a multipart delimiter line is malformed");
      }
      pending_.erase(0, at + 2);
      state_ = State::headers;
      progressed = true;
      return {};
    }
    case State::headers: {
      std::string_view block;
      std::size_t consumed = 0;
      if (pending_.size() >= 2 && pending_.compare(0, 2, "\r\n") == 0) {
        consumed = 2;  // a part without headers
      } else {
        const std::size_t end = pending_.find("\r\n\r\n");
        if (end == std::string::npos) {
          if (pending_.size() > kHeaderBytesMax) {
            return make_error(Errc::too_large, "the headers of a multipart part are over 8 KiB");
          }
          return {};
        }
        if (end + 4 > kHeaderBytesMax) {
          return make_error(Errc::too_large, "the headers of a multipart part are over 8 KiB");
        }
        block = std::string_view(pending_).substr(0, end + 2);
        consumed = end + 4;
      }
      if (++parts_ > kPartsMax) {
        return make_error(Errc::too_large, "the multipart body has more than 64 parts");
      }
      if (auto parsed = parse_headers(block); !parsed) return parsed;
      pending_.erase(0, consumed);
      state_ = State::body;
      progressed = true;
      return {};
    }
    case State::body: {
      const std::size_t at = pending_.find(delimiter_);
      if (at == std::string::npos) {
        if (pending_.size() > keep) {
          const std::size_t ready = pending_.size() - keep;
          if (auto taken = handler_.on_part_data(std::string_view(pending_).substr(0, ready));
              !taken) {
            return taken;
          }
          pending_.erase(0, ready);
        }
        return {};
      }
      if (at > 0) {
        if (auto taken = handler_.on_part_data(std::string_view(pending_).substr(0, at)); !taken) {
          return taken;
        }
      }
      if (auto ended = handler_.on_part_end(); !ended) return ended;
      pending_.erase(0, at + delimiter_.size());
      state_ = State::after_delimiter;
      progressed = true;
      return {};
    }
    case State::epilogue:
    case State::failed:
      return {};
  }
  return {};
}

Status MultipartReader::parse_headers(std::string_view block) {
  MultipartPart part;
  bool disposition = false;
  while (!block.empty()) {
    const std::size_t end = block.find("\r\n");
    const std::string_view line = block.substr(0, end);
    block.remove_prefix(end == std::string_view::npos ? block.size() : end + 2);
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) return malformed("a multipart part header has no ':'");
    const std::string_view name = trim(line.substr(0, colon));
    const std::string_view value = trim(line.substr(colon + 1));
    if (iequals(name, "Content-Disposition")) {
      auto parsed = parse_header_value(value);
      if (!parsed) return std::move(parsed).error();
      if (parsed->type != "form-data" || !parsed->has("name")) {
        return malformed("a multipart part is not form-data with a name");
      }
      part.name = std::string(parsed->parameter("name"));
      part.filename = std::string(parsed->parameter("filename"));
      if (auto text = check_part_names(part); !text) return text;
      disposition = true;
    } else if (iequals(name, "Content-Type")) {
      part.content_type = std::string(value);
    }
  }
  if (!disposition) return malformed("a multipart part has no Content-Disposition");
  return handler_.on_part_begin(part);
}

}  // namespace ledger::http
