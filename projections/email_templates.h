// The emails the platform sends, one template per kind, rendered from the event that asks for
// it: a subject and a plain text body, nothing else. Templates never write HTML: the HTML part
// is rendered from the text, all of it escaped, by `render_html` when the message is built
// (email_message.h), so every value a template interpolates is escaped there, in one place.
// Table-driven like the notification rules: `email_templates()` is the whole list.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "events/envelope.pb.h"

namespace ledger::projections {

struct EmailDraft {
  std::string user_id;  // the recipient (its address comes from the identity events)
  std::string subject;
  std::string text;  // plain text
};

struct EmailTemplate {
  std::string name;  // "welcome", "payment_confirmation", ... (part of the dedup key)
  std::string event_type;
  // nullopt when this particular event sends nothing; corruption when it does not decode
  // (core/domain/event_decoder.h).
  std::function<Result<std::optional<EmailDraft>>(const events::Envelope&)> make;
};

const std::vector<EmailTemplate>& email_templates();

std::string html_escape(std::string_view text);

// The HTML body of a text: all of it escaped, one paragraph per blank-line-separated block. The
// only markup is the renderer's own (<!doctype html>, html, body, p).
std::string render_html(std::string_view text);

}  // namespace ledger::projections
