#include "projections/email_projection.h"

#include <fmt/format.h>

#include "core/domain/email_preferences.h"
#include "core/domain/event_decoder.h"
#include "core/domain/keyspaces.h"
#include "events/event_types.h"
#include "events/outbox_state.pb.h"
#include "events/user_events.pb.h"
#include "projections/email_categories.h"
#include "projections/email_templates.h"

namespace ledger::projections {

namespace {

// What the projection keeps of the identity events: each user's address, and the categories
// each user turned off (the EmailPreferencesChanged payload, as the log has it).
Status fold_recipient(const events::Envelope& event, ProjectionState& state) {
  if (event.event_type() == events::event_type_of<events::UserRegistered>()) {
    auto registered = domain::decode_event<events::UserRegistered>(event);
    if (!registered) return std::move(registered).error();
    state.put("address/" + registered->user_id(), registered->email());
  }
  if (event.event_type() == events::event_type_of<events::EmailPreferencesChanged>()) {
    auto changed = domain::decode_event<events::EmailPreferencesChanged>(event);
    if (!changed) return std::move(changed).error();
    state.put("muted/" + changed->user_id(), changed->SerializeAsString());
  }
  return {};
}

// Whether the recipient wants emails of the template's category, as of this event.
Result<bool> wanted(ProjectionState& state, const std::string& user_id,
                    const EmailTemplate& email_template) {
  const EmailKind* kind = find_email_kind(email_template.name);
  LEDGER_ASSERT(kind != nullptr, "every email template has a category (email_categories.h)");
  auto stored = state.get("muted/" + user_id);
  if (!stored) return std::move(stored).error();
  if (!stored->has_value()) return true;
  events::EmailPreferencesChanged preferences;
  if (!preferences.ParseFromString(**stored)) {
    return make_error(Errc::corruption, "stored email preferences do not decode");
  }
  return domain::email_category_wanted(preferences.muted_categories(), kind->category);
}

}  // namespace

Status EmailProjection::apply(const events::Envelope& event, ProjectionState& state) {
  if (auto folded = fold_recipient(event, state); !folded) return folded;
  if (!state.side_effects_allowed()) return {};
  for (const auto& email_template : email_templates()) {
    if (email_template.event_type != event.event_type()) continue;
    auto made = email_template.make(event);
    if (!made) return std::move(made).error();
    auto& draft = *made;
    if (!draft) continue;
    auto address = state.get("address/" + draft->user_id);
    if (!address) return std::move(address).error();
    if (!address->has_value()) continue;  // nobody to write to
    auto send = wanted(state, draft->user_id, email_template);
    if (!send) return std::move(send).error();
    if (!*send) continue;  // the recipient turned this category off: not queued
    const std::string id = fmt::format("{:020}-{}", event.position(), email_template.name);
    events::OutboxEmail email;
    email.set_email_id(id);
    email.set_to(**address);
    email.set_template_name(email_template.name);
    email.set_subject(draft->subject);
    email.set_text_body(draft->text);
    email.set_created_at_us(event.recorded_at_us());
    email.set_status("queued");
    email.set_dedup_key(id);
    auto queued = state.put_once(domain::kOutboxKeyspace, domain::outbox_email_key(id),
                                 email.SerializeAsString());
    if (!queued) return std::move(queued).error();
    if (*queued) {  // new: the delivery worker finds it in the pending index
      auto pending = state.put_once(domain::kOutboxKeyspace, domain::outbox_pending_key(id), "");
      if (!pending) return std::move(pending).error();
    }
  }
  return {};
}

}  // namespace ledger::projections
