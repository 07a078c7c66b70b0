// The emails the platform sends, one template per kind, rendered from the event that asks for
// it: subject, text body and HTML body (every value HTML-escaped). Table-driven like the
// notification rules: `email_templates()` is the whole list.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "events/envelope.pb.h"

namespace ledger::projections {

struct EmailDraft {
  std::string user_id;  // the recipient (its address comes from the identity events)
  std::string subject;
  std::string text;     // plain text
};

struct EmailTemplate {
  std::string name;        // "welcome", "payment_confirmation", ... (part of the dedup key)
  std::string event_type;
  std::function<std::optional<EmailDraft>(const events::Envelope&)> make;
};

const std::vector<EmailTemplate>& email_templates();

std::string html_escape(std::string_view text);

// The HTML body of a draft: its text, escaped, one paragraph per blank-line-separated block.
std::string render_html(const EmailDraft& draft);

}  // namespace ledger::projections
