// An independent reader of the messages projections::render_eml writes, for tests and the email
// fuzzer: `eml_problem` names the first rule a message breaks (empty: none). Rules: only
// printable ASCII and CRLF; header lines at most 78 characters, every header one of the
// expected ones exactly once, continuation lines not blank; RFC 2047 words well-formed; a
// multipart/alternative body of exactly a text/plain and a text/html part, quoted-printable,
// with the boundary in neither part; the decoded HTML holding no markup but the renderer's own
// and only the renderer's entities; the decoded text clean (valid UTF-8, no bidi controls).
#pragma once

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "projections/email_message.h"

namespace ledger::testing {

struct EmlHeader {
  std::string name;
  std::string value;  // unfolded (CRLF removed)
};

struct EmlPart {
  std::string content_type;
  std::string body;  // decoded
};

struct ParsedEml {
  std::vector<EmlHeader> headers;
  std::string boundary;
  std::vector<EmlPart> parts;

  std::string header(std::string_view name) const {
    for (const auto& h : headers) {
      if (h.name == name) return h.value;
    }
    return {};
  }
};

inline std::vector<std::string> crlf_lines(std::string_view text) {
  std::vector<std::string> lines;
  while (!text.empty()) {
    const auto end = text.find("\r\n");
    lines.emplace_back(text.substr(0, end));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 2);
  }
  return lines;
}

inline std::string ascii_problem(std::string_view eml) {
  for (std::size_t i = 0; i < eml.size(); ++i) {
    const char c = eml[i];
    if (c == '\r' && i + 1 < eml.size() && eml[i + 1] == '\n') continue;
    if (c == '\n' && i > 0 && eml[i - 1] == '\r') continue;
    if (c < 0x20 || c > 0x7E)
      return "a byte that is not printable ASCII or CRLF at " + std::to_string(i);
  }
  return {};
}

inline bool is_hex_upper(char c) { return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'); }

// Decodes quoted-printable; nullopt when malformed or a line is over 76 characters.
inline std::optional<std::string> decode_quoted_printable(const std::vector<std::string>& lines) {
  std::string decoded;
  for (std::size_t n = 0; n < lines.size(); ++n) {
    const std::string& line = lines[n];
    if (line.size() > 76) return std::nullopt;
    bool soft_break = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
      if (line[i] != '=') {
        decoded.push_back(line[i]);
      } else if (i + 1 == line.size()) {
        soft_break = true;
      } else if (i + 2 < line.size() && is_hex_upper(line[i + 1]) && is_hex_upper(line[i + 2])) {
        decoded.push_back(static_cast<char>(std::stoi(line.substr(i + 1, 2), nullptr, 16)));
        i += 2;
      } else {
        return std::nullopt;
      }
    }
    if (!line.empty() && (line.back() == ' ' || line.back() == '\t')) return std::nullopt;
    if (!soft_break && n + 1 < lines.size()) decoded.push_back('\n');
  }
  return decoded;
}

// Markup only the renderer writes; everything else must be escaped text.
inline std::string html_problem(std::string html) {
  constexpr std::array<std::string_view, 7> kOwnMarkup = {
      "<!doctype html>", "<html>", "<body>", "<p>", "</p>", "</body>", "</html>"};
  for (std::string_view tag : kOwnMarkup) {
    for (auto at = html.find(tag); at != std::string::npos; at = html.find(tag, at)) {
      html.erase(at, tag.size());
    }
  }
  if (html.find_first_of("<>\"'") != std::string::npos) {
    return "raw markup in the HTML part: " + html.substr(html.find_first_of("<>\"'"), 40);
  }
  constexpr std::array<std::string_view, 5> kEntities = {"&amp;", "&lt;", "&gt;", "&quot;",
                                                         "&#39;"};
  for (auto at = html.find('&'); at != std::string::npos; at = html.find('&', at + 1)) {
    const std::string_view rest = std::string_view(html).substr(at);
    if (std::none_of(kEntities.begin(), kEntities.end(),
                     [&](std::string_view entity) { return rest.starts_with(entity); })) {
      return "an unescaped '&' in the HTML part";
    }
  }
  return {};
}

inline std::string encoded_words_problem(std::string_view value) {
  for (auto at = value.find("=?"); at != std::string_view::npos; at = value.find("=?", at + 2)) {
    const auto end = value.find("?=", at + 10);
    if (!value.substr(at).starts_with("=?UTF-8?B?") || end == std::string_view::npos) {
      return "a malformed encoded word";
    }
    const auto payload = value.substr(at + 10, end - at - 10);
    if (payload.find_first_not_of(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") !=
            std::string_view::npos ||
        payload.size() % 4 != 0) {
      return "an encoded word that is not base64";
    }
    at = end;
  }
  return {};
}

// Reads the header lines (up to the blank line) into `parsed`; answers the blank line's index.
inline std::string headers_problem(const std::vector<std::string>& lines, ParsedEml& parsed,
                                   std::size_t& blank) {
  constexpr std::array<std::string_view, 7> kExpected = {
      "From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type"};
  for (blank = 0; blank < lines.size() && !lines[blank].empty(); ++blank) {
    const std::string& line = lines[blank];
    if (line.size() > 78) return "a header line over 78 characters: " + line;
    if (line[0] == ' ' || line[0] == '\t') {
      if (parsed.headers.empty() || line.find_first_not_of(" \t") == std::string::npos) {
        return "a stray or blank continuation line";
      }
      parsed.headers.back().value += line;
      continue;
    }
    const auto colon = line.find(": ");
    const auto bare = line.find(':');
    const std::string name = line.substr(0, std::min(colon, bare));
    if (std::find(kExpected.begin(), kExpected.end(), name) == kExpected.end()) {
      return "an unexpected header line: " + line;
    }
    if (std::any_of(parsed.headers.begin(), parsed.headers.end(),
                    [&](const EmlHeader& h) { return h.name == name; })) {
      return "a header given twice: " + name;
    }
    parsed.headers.push_back({name, bare + 1 < line.size() ? line.substr(bare + 1) : ""});
  }
  if (blank == lines.size()) return "no blank line after the headers";
  if (parsed.headers.size() != kExpected.size()) return "a header is missing";
  return encoded_words_problem(parsed.header("Subject"));
}

inline std::string part_problem(const std::vector<std::string>& lines, EmlPart& part) {
  if (lines.size() < 3 || !lines[0].starts_with("Content-Type: ") ||
      lines[1] != "Content-Transfer-Encoding: quoted-printable" || !lines[2].empty()) {
    return "a part without its two headers";
  }
  part.content_type = lines[0].substr(14);
  auto body = decode_quoted_printable({lines.begin() + 3, lines.end()});
  if (!body) return "a part that is not quoted-printable";
  part.body = std::move(*body);
  return {};
}

inline std::string body_problem(const std::vector<std::string>& lines, std::size_t from,
                                ParsedEml& parsed) {
  const std::string delimiter = "--" + parsed.boundary;
  if (from >= lines.size() || lines[from] != delimiter) return "the body does not open a part";
  std::vector<std::string> part_lines;
  for (std::size_t i = from + 1; i < lines.size(); ++i) {
    if (lines[i] == delimiter || lines[i] == delimiter + "--") {
      parsed.parts.emplace_back();
      if (auto problem = part_problem(part_lines, parsed.parts.back()); !problem.empty()) {
        return problem;
      }
      part_lines.clear();
      if (lines[i] == delimiter + "--") {
        return i + 1 == lines.size() ? "" : "lines after the closing delimiter";
      }
    } else if (lines[i].find(parsed.boundary) != std::string::npos) {
      return "the boundary inside a part: " + lines[i];
    } else {
      part_lines.push_back(lines[i]);
    }
  }
  return "no closing delimiter";
}

inline std::string eml_problem(std::string_view eml, ParsedEml& parsed) {
  if (auto problem = ascii_problem(eml); !problem.empty()) return problem;
  if (!eml.ends_with("\r\n")) return "the message does not end with CRLF";
  const auto lines = crlf_lines(eml.substr(0, eml.size() - 2));
  std::size_t blank = 0;
  if (auto problem = headers_problem(lines, parsed, blank); !problem.empty()) return problem;
  constexpr std::string_view kType = " multipart/alternative; boundary=\"";
  const std::string type = parsed.header("Content-Type");
  if (!type.starts_with(kType) || !type.ends_with("\"")) return "not multipart/alternative";
  parsed.boundary = type.substr(kType.size(), type.size() - kType.size() - 1);
  if (parsed.boundary.size() < 32 || parsed.boundary.size() > 70) return "a short boundary";
  if (auto problem = body_problem(lines, blank + 1, parsed); !problem.empty()) return problem;
  if (parsed.parts.size() != 2 || parsed.parts[0].content_type != "text/plain; charset=utf-8" ||
      parsed.parts[1].content_type != "text/html; charset=utf-8") {
    return "not exactly a text part and an HTML part";
  }
  if (parsed.parts[0].body != projections::clean_email_text(parsed.parts[0].body)) {
    return "the text part is not clean text";
  }
  return html_problem(parsed.parts[1].body);
}

}  // namespace ledger::testing
