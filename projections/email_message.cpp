#include "projections/email_message.h"

#include <openssl/evp.h>

#include <array>
#include <chrono>
#include <optional>

#include <fmt/format.h>

#include "core/secure_random.h"
#include "projections/email_templates.h"

namespace ledger::projections {
namespace {

constexpr char32_t kReplacement = 0xFFFD;
constexpr std::size_t kHeaderLineMax = 78;
constexpr std::size_t kQuotedPrintableLineMax = 76;  // with the soft break's '='
constexpr std::size_t kEncodedWordBytesMax = 36;     // 48 base64 characters: a 60-character word
constexpr std::size_t kHeaderNameMax = 16;
constexpr int kBoundaryTriesMax = 16;

std::size_t utf8_sequence_length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  return 0;
}

// The code point at `text[at]` and its length in bytes; an invalid sequence is U+FFFD of length 1.
std::pair<char32_t, std::size_t> decode_utf8(std::string_view text, std::size_t at) {
  const auto lead = static_cast<unsigned char>(text[at]);
  const std::size_t length = utf8_sequence_length(lead);
  if (length == 1) return {lead, 1};
  if (length == 0 || at + length > text.size()) return {kReplacement, 1};
  char32_t code = lead & (0x7F >> length);
  for (std::size_t i = 1; i < length; ++i) {
    const auto next = static_cast<unsigned char>(text[at + i]);
    if ((next & 0xC0) != 0x80) return {kReplacement, 1};
    code = (code << 6) | (next & 0x3F);
  }
  constexpr std::array<char32_t, 5> kSmallest = {0, 0, 0x80, 0x800, 0x10000};
  const bool overlong = code < kSmallest[length];
  const bool surrogate = code >= 0xD800 && code <= 0xDFFF;
  if (overlong || surrogate || code > 0x10FFFF) return {kReplacement, 1};
  return {code, length};
}

void append_utf8(std::string& out, char32_t code) {
  if (code < 0x80) {
    out.push_back(static_cast<char>(code));
  } else if (code < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (code >> 6)));
    out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
  } else if (code < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (code >> 12)));
    out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (code >> 18)));
    out.push_back(static_cast<char>(0x80 | ((code >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
  }
}

// Marks and overrides that reorder what a reader sees (a name showing "moc.evil" as "live.com").
bool is_bidi_control(char32_t code) {
  return code == 0x061C || code == 0x200E || code == 0x200F || (code >= 0x202A && code <= 0x202E) ||
         (code >= 0x2066 && code <= 0x2069);
}

bool is_control(char32_t code) { return code < 0x20 || (code >= 0x7F && code <= 0x9F); }

// The cleaned header text: one line, runs of white space as one space, no space at the ends.
std::string header_text(std::string_view value) {
  std::string line;
  for (char c : clean_email_text(value)) {
    const bool space = c == ' ' || c == '\n' || c == '\t';
    if (!space) {
      line.push_back(c);
    } else if (!line.empty() && line.back() != ' ') {
      line.push_back(' ');
    }
  }
  if (!line.empty() && line.back() == ' ') line.pop_back();
  return line;
}

bool is_plain_ascii(std::string_view text) {
  for (char c : text) {
    if (c < 0x20 || c > 0x7E) return false;
  }
  return text.find("=?") == std::string_view::npos;
}

// "Name: value" folded before spaces; nullopt when a word does not fit on a line.
std::optional<std::string> fold_plain(std::string_view name, std::string_view value) {
  std::string field = fmt::format("{}:", name);
  std::size_t column = field.size();
  std::size_t at = 0;
  while (at < value.size()) {
    std::size_t next = value.find(' ', at + 1);
    if (next == std::string_view::npos) next = value.size();
    const std::string word = (at == 0 ? " " : "") + std::string(value.substr(at, next - at));
    if (column + word.size() > kHeaderLineMax && at != 0) {
      field += "\r\n";
      column = 0;
    }
    if (column + word.size() > kHeaderLineMax) return std::nullopt;
    field += word;
    column += word.size();
    at = next;
  }
  return field + "\r\n";
}

std::string base64(std::string_view bytes) {
  std::string encoded(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                                     reinterpret_cast<const unsigned char*>(bytes.data()),
                                     static_cast<int>(bytes.size()));
  encoded.resize(static_cast<std::size_t>(length));
  return encoded;
}

// RFC 2047 encoded words, each at most kEncodedWordBytesMax bytes of whole UTF-8 characters.
std::string fold_encoded(std::string_view name, std::string_view value) {
  std::string field = fmt::format("{}:", name);
  std::size_t at = 0;
  while (at < value.size()) {
    std::size_t end = at;
    while (end < value.size()) {
      const std::size_t length = decode_utf8(value, end).second;
      if (end + length - at > kEncodedWordBytesMax) break;
      end += length;
    }
    field +=
        fmt::format("{} =?UTF-8?B?{}?=", at == 0 ? "" : "\r\n", base64(value.substr(at, end - at)));
    at = end;
  }
  return field + "\r\n";
}

bool is_plain_address(std::string_view address) {
  constexpr std::string_view kSpecials = "<>()[]\\,;:\"";
  const auto at = address.find('@');
  if (address.empty() || address.size() > 254 || at == 0 || at == std::string_view::npos ||
      at + 1 == address.size() || address.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  for (char c : address) {
    if (c <= 0x20 || c >= 0x7F || kSpecials.find(c) != std::string_view::npos) return false;
  }
  return true;
}

// A Message-ID's left part from the email id: only letters, digits, '.', '-' and '_'.
std::string message_id_part(std::string_view email_id) {
  std::string part;
  for (char c : email_id) {
    const bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '.' || c == '-' || c == '_';
    part.push_back(safe ? c : '_');
  }
  return part.empty() ? "email" : part;
}

Result<std::string> boundary_absent_from(const std::function<std::string()>& new_boundary,
                                         std::string_view text_part, std::string_view html_part) {
  for (int attempt = 0; attempt < kBoundaryTriesMax; ++attempt) {
    std::string boundary = new_boundary();
    LEDGER_ASSERT(!boundary.empty() && boundary.size() <= 70, "a MIME boundary is 1-70 characters");
    if (text_part.find(boundary) == std::string_view::npos &&
        html_part.find(boundary) == std::string_view::npos) {
      return boundary;
    }
  }
  return make_error(Errc::internal, "no MIME boundary absent from the email's parts");
}

std::string mime_part(std::string_view boundary, std::string_view type, std::string_view body) {
  return fmt::format(
      "--{}\r\nContent-Type: {}; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable"
      "\r\n\r\n{}\r\n",
      boundary, type, body);
}

}  // namespace

std::string clean_email_text(std::string_view text) {
  std::string clean;
  clean.reserve(text.size());
  for (std::size_t at = 0; at < text.size();) {
    const auto [code, length] = decode_utf8(text, at);
    at += length;
    if (code == '\r') {
      if (at < text.size() && text[at] == '\n') ++at;
      clean.push_back('\n');
    } else if (code == '\n' || code == '\t') {
      clean.push_back(static_cast<char>(code));
    } else if (!is_bidi_control(code)) {
      append_utf8(clean, is_control(code) ? kReplacement : code);
    }
  }
  return clean;
}

std::string encode_header_field(std::string_view name, std::string_view value) {
  LEDGER_ASSERT(!name.empty() && name.size() <= kHeaderNameMax, "a short header name");
  const std::string text = header_text(value);
  if (is_plain_ascii(text)) {
    if (auto folded = fold_plain(name, text)) return *folded;
  }
  return fold_encoded(name, text);
}

std::string quoted_printable(std::string_view text) {
  std::string encoded;
  std::size_t column = 0;
  for (std::size_t at = 0; at < text.size(); ++at) {
    const char c = text[at];
    if (c == '\n') {
      encoded += "\r\n";
      column = 0;
      continue;
    }
    const bool line_end = at + 1 == text.size() || text[at + 1] == '\n';
    const bool literal = (c > ' ' && c <= '~' && c != '=') || (c == ' ' && !line_end);
    const std::string token =
        literal ? std::string(1, c) : fmt::format("={:02X}", static_cast<unsigned char>(c));
    if (column + token.size() > kQuotedPrintableLineMax - 1) {
      encoded += "=\r\n";
      column = 0;
    }
    encoded += token;
    column += token.size();
  }
  return encoded;
}

std::string format_rfc5322_date(std::int64_t microseconds_since_epoch) {
  using namespace std::chrono;
  constexpr std::array<const char*, 7> kWeekdays = {"Sun", "Mon", "Tue", "Wed",
                                                    "Thu", "Fri", "Sat"};
  constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const sys_time<microseconds> instant{microseconds(microseconds_since_epoch)};
  const auto day = floor<days>(instant);
  const year_month_day date{day};
  const hh_mm_ss time{floor<seconds>(instant - day)};
  return fmt::format("{}, {:02} {} {:04} {:02}:{:02}:{:02} +0000",
                     kWeekdays[weekday{day}.c_encoding()], static_cast<unsigned>(date.day()),
                     kMonths[static_cast<unsigned>(date.month()) - 1],
                     static_cast<int>(date.year()), time.hours().count(), time.minutes().count(),
                     time.seconds().count());
}

std::string new_mime_boundary() {
  std::string boundary = "=_ledger_";
  for (unsigned char byte : secure_random_bytes(16)) boundary += fmt::format("{:02x}", byte);
  return boundary;
}

Result<std::string> render_eml(const events::OutboxEmail& email, std::string_view from,
                               const std::function<std::string()>& new_boundary) {
  if (!is_plain_address(from)) {
    return make_error(Errc::invalid_argument, "the sender address cannot be written in a header");
  }
  if (!is_plain_address(email.to())) {
    return make_error(Errc::invalid_argument,
                      "the recipient address cannot be written in a header");
  }
  const std::string text = clean_email_text(email.text_body());
  const std::string text_part = quoted_printable(text);
  const std::string html_part = quoted_printable(render_html(text));
  auto boundary = boundary_absent_from(new_boundary, text_part, html_part);
  if (!boundary) return std::move(boundary).error();
  return fmt::format(
      "From: {}\r\nTo: {}\r\n{}Date: {}\r\nMessage-ID: <{}@ledger>\r\nMIME-Version: 1.0\r\n"
      "Content-Type: multipart/alternative;\r\n boundary=\"{}\"\r\n\r\n{}{}--{}--\r\n",
      from, email.to(), encode_header_field("Subject", email.subject()),
      format_rfc5322_date(email.created_at_us()), message_id_part(email.email_id()), *boundary,
      mime_part(*boundary, "text/plain", text_part), mime_part(*boundary, "text/html", html_part),
      *boundary);
}

}  // namespace ledger::projections
