// The content schedule: social posts a marketing agent schedules for a client.
//
// Rules (each refused command writes nothing):
// - A post has a platform (instagram, youtube, tiktok, facebook, linkedin, x), a social account
//   (1-100), a time in the future, an optional title (<= 200), a caption (<= 2200), hashtags
//   (<= 30, each "#word" of <= 100; a word sent without its "#" is given one),
//   mentions (<= 50, each "@name" of <= 100) and media URLs (<= 10, each an http(s) URL of
//   <= 2000 with a host), and optionally the campaign it belongs to (same client).
// - Statuses: draft | scheduled (on creation) ; draft -> scheduled (submitted: its time must then
//   be set and in the future) | cancelled; scheduled -> published | failed | cancelled | rejected;
//   failed -> published | failed (again, counting retries) | cancelled | rejected; rejected ->
//   scheduled (the agent's next change of the post) | cancelled; published and cancelled are
//   final (invalid_transition). A draft may leave its time out; it is never approved, published,
//   failed, rejected, overdue or upcoming, and its client hears of it only once it is submitted.
// - Rejection (the client or an admin): with feedback (1-2000), while scheduled or failed; it
//   withdraws an approval. A rejected post is not approved, published or failed until the agent
//   changes it.
// - Approval (the client or an admin): once, while scheduled or failed. Publishing (the agent)
//   needs the approval (invalid_transition "not approved"). Changing the content, the platform,
//   the account or the time withdraws an approval.
// - Overdue: scheduled or failed, with its time in the past; upcoming: scheduled within the
//   next 7 days. Both are computed from the injected clock.
// - Soft delete of posts not published; a deleted post is not found.
//
// Every function here decides one command against a UnitOfWork: it reads state, checks the rules
// and emits events; the rows those events fold into are written by the "marketing" fold
// (marketing_fold.h, which also lists the row keys). Times come from uow.now_us().
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/domain/marketing_fold.h"
#include "core/domain/unit_of_work.h"
#include "events/content_events.pb.h"
#include "events/content_state.pb.h"

namespace ledger::domain {

inline constexpr std::int64_t kUpcomingWindowUs = 7LL * 24 * 3600 * 1'000'000;

std::string content_stream(std::string_view content_id);

struct ContentFields {
  std::optional<std::string> title;
  std::optional<std::string> platform;
  std::optional<std::string> social_account;
  std::optional<std::int64_t> scheduled_at_us;
  std::optional<std::string> caption;
  std::optional<std::vector<std::string>> hashtags;
  std::optional<std::vector<std::string>> mentions;
  std::optional<std::vector<std::string>> media_urls;
};

struct ScheduleContent {
  ContentId content_id;
  UserId client_id;
  UserId agent_id;
  CampaignId campaign_id;  // optional
  ContentFields fields;    // platform, social_account and (unless a draft) scheduled_at required
  bool draft = false;
};
Result<events::ContentState> schedule_content(UnitOfWork& uow, const ScheduleContent& command);

struct UpdateContent {
  ContentId content_id;
  ContentFields fields;
  ActorId updated_by;
  bool submit = false;  // a draft put up for approval
};
Result<events::ContentState> update_content(UnitOfWork& uow, const UpdateContent& command);

struct ContentAction {
  ContentId content_id;
  std::string actor;
  std::string error;     // fail only
  std::string feedback;  // reject only
};
Result<events::ContentState> approve_content(UnitOfWork& uow, const ContentAction& command);
Result<events::ContentState> publish_content(UnitOfWork& uow, const ContentAction& command);
Result<events::ContentState> fail_content(UnitOfWork& uow, const ContentAction& command);
Result<events::ContentState> cancel_content(UnitOfWork& uow, const ContentAction& command);
Result<events::ContentState> reject_content(UnitOfWork& uow, const ContentAction& command);
Result<events::ContentState> delete_content(UnitOfWork& uow, const ContentAction& command);

// Pure rules.
bool content_is_overdue(const events::ContentState& content, std::int64_t now_us);
bool content_is_upcoming(const events::ContentState& content, std::int64_t now_us);

}  // namespace ledger::domain
