#include "projections/email_projection.h"

#include <fmt/format.h>

#include "core/domain/event_decoder.h"
#include "core/domain/keyspaces.h"
#include "events/outbox_state.pb.h"
#include "events/user_events.pb.h"
#include "projections/email_templates.h"

namespace ledger::projections {

Status EmailProjection::apply(const events::Envelope& event, ProjectionState& state) {
  if (event.event_type() == "UserRegistered") {
    auto registered = domain::decode_event<events::UserRegistered>(event);
    if (!registered) return std::move(registered).error();
    state.put("address/" + registered->user_id(), registered->email());
  }
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
