#include "core/domain/content_schedule.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "core/domain/campaign.h"
#include "core/domain/emit_and_read.h"
#include "core/domain/keyspaces.h"
#include "core/domain/text_limits.h"
#include "core/domain/validation.h"
#include "events/enum_names.h"

namespace ledger::domain {
namespace {

constexpr std::array<std::string_view, 6> kPlatforms = {"instagram", "youtube",  "tiktok",
                                                        "facebook",  "linkedin", "x"};

Status validate_tags(const std::vector<std::string>& tags, char sigil, std::size_t max_count,
                     std::string_view field) {
  if (tags.size() > max_count) {
    return make_error(Errc::invalid_argument, fmt::format("at most {} {}", max_count, field),
                      std::string(field));
  }
  for (const auto& tag : tags) {
    const bool word = tag.size() >= 2 && tag.size() <= text_limits::kTag && tag[0] == sigil &&
                      std::all_of(tag.begin() + 1, tag.end(), [](char c) {
                        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' ||
                               c == '.' || static_cast<unsigned char>(c) >= 0x80;
                      });
    if (!word) {
      return make_error(Errc::invalid_argument,
                        fmt::format("each of {} is {}word (letters, digits, _ or .)", field, sigil),
                        std::string(field));
    }
  }
  return {};
}

// The fields with each hashtag sent without its "#" given one ("Sale" is "#Sale").
ContentFields with_hash_signs(ContentFields fields) {
  if (fields.hashtags) {
    for (auto& tag : *fields.hashtags) {
      if (!tag.empty() && tag.front() != '#') tag.insert(tag.begin(), '#');
    }
  }
  return fields;
}

Status validate_fields(const ContentFields& fields, std::int64_t now_us) {
  if (fields.title) {
    if (auto valid = limit_text(*fields.title, "title", text_limits::kName); !valid) return valid;
  }
  if (fields.platform &&
      std::find(kPlatforms.begin(), kPlatforms.end(), *fields.platform) == kPlatforms.end()) {
    return make_error(Errc::invalid_argument,
                      "platform must be instagram, youtube, tiktok, facebook, linkedin or x",
                      "platform");
  }
  if (fields.social_account) {
    if (auto valid = require_text(*fields.social_account, "social_account", text_limits::kHandle);
        !valid) {
      return valid;
    }
  }
  if (fields.scheduled_at_us && *fields.scheduled_at_us <= now_us) {
    return make_error(Errc::invalid_argument, "scheduled_at must be in the future", "scheduled_at");
  }
  if (fields.caption) {
    if (auto valid = limit_text(*fields.caption, "caption", text_limits::kCaption); !valid)
      return valid;
  }
  if (fields.hashtags) {
    if (auto valid = validate_tags(*fields.hashtags, '#', 30, "hashtags"); !valid) return valid;
  }
  if (fields.mentions) {
    if (auto valid = validate_tags(*fields.mentions, '@', 50, "mentions"); !valid) return valid;
  }
  if (fields.media_urls) {
    if (fields.media_urls->size() > 10) {
      return make_error(Errc::invalid_argument, "at most 10 media_urls", "media_urls");
    }
    for (const auto& url : *fields.media_urls) {
      if (!valid_web_url(url)) {
        return make_error(Errc::invalid_argument,
                          "each of media_urls is an http(s) URL with a host", "media_urls");
      }
    }
  }
  return {};
}

std::vector<std::string> apply_fields(const ContentFields& fields, events::ContentState& post) {
  std::vector<std::string> changed;
  auto list = [](const auto& repeated) {
    return std::vector<std::string>(repeated.begin(), repeated.end());
  };
  if (fields.title && *fields.title != post.title()) {
    post.set_title(*fields.title);
    changed.push_back("title");
  }
  if (fields.platform && *fields.platform != post.platform()) {
    post.set_platform(*fields.platform);
    changed.push_back("platform");
  }
  if (fields.social_account && *fields.social_account != post.social_account()) {
    post.set_social_account(*fields.social_account);
    changed.push_back("social_account");
  }
  if (fields.scheduled_at_us && *fields.scheduled_at_us != post.scheduled_at_us()) {
    post.set_scheduled_at_us(*fields.scheduled_at_us);
    changed.push_back("scheduled_at");
  }
  if (fields.caption && *fields.caption != post.caption()) {
    post.set_caption(*fields.caption);
    changed.push_back("caption");
  }
  if (fields.hashtags && *fields.hashtags != list(post.hashtags())) {
    post.clear_hashtags();
    for (const auto& tag : *fields.hashtags) post.add_hashtags(tag);
    changed.push_back("hashtags");
  }
  if (fields.mentions && *fields.mentions != list(post.mentions())) {
    post.clear_mentions();
    for (const auto& tag : *fields.mentions) post.add_mentions(tag);
    changed.push_back("mentions");
  }
  if (fields.media_urls && *fields.media_urls != list(post.media_urls())) {
    post.clear_media_urls();
    for (const auto& url : *fields.media_urls) post.add_media_urls(url);
    changed.push_back("media_urls");
  }
  return changed;
}

Result<events::ContentState> load_content(UnitOfWork& uow, std::string_view content_id) {
  if (auto valid = require_id(content_id, "content_id"); !valid) return std::move(valid).error();
  auto row = uow.load<events::ContentState>(kMarketingKeyspace, content_key(content_id));
  if (!row) return std::move(row).error();
  if (!row->has_value() || (*row)->deleted()) {
    return make_error(Errc::not_found, fmt::format("there is no scheduled post {}", content_id));
  }
  return std::move(**row);
}

// Scheduled or failed (and so to be retried): the post has not gone out and still changes.
bool content_is_open(const events::ContentState& post) {
  return post.status() == events::CONTENT_STATUS_SCHEDULED ||
         post.status() == events::CONTENT_STATUS_FAILED;
}

Status require_open(const events::ContentState& post, std::string_view action) {
  if (content_is_open(post)) return {};
  return make_error(
      Errc::invalid_transition,
      fmt::format("a {} post cannot be {}", events::enum_name(post.status()), action));
}

// Changing and cancelling: a post that has not gone out, rejected and draft ones too.
Status require_changeable(const events::ContentState& post, std::string_view action) {
  if (post.status() == events::CONTENT_STATUS_REJECTED ||
      post.status() == events::CONTENT_STATUS_DRAFT) {
    return {};
  }
  return require_open(post, action);
}

// Emits `event` on the post's stream; answers the post's row as the fold left it.
template <class E>
Result<events::ContentState> record(UnitOfWork& uow, const std::string& content_id,
                                    const E& event) {
  return emit_and_read<events::ContentState>(uow, content_stream(content_id), event,
                                             kMarketingKeyspace, content_key(content_id));
}

}  // namespace

std::string content_stream(std::string_view content_id) {
  return "content:" + std::string(content_id);
}

bool content_is_overdue(const events::ContentState& content, std::int64_t now_us) {
  return content_is_open(content) && content.scheduled_at_us() < now_us;
}

bool content_is_upcoming(const events::ContentState& content, std::int64_t now_us) {
  return content.status() == events::CONTENT_STATUS_SCHEDULED &&
         content.scheduled_at_us() >= now_us &&
         content.scheduled_at_us() <= now_us + kUpcomingWindowUs;
}

Result<events::ContentState> schedule_content(UnitOfWork& uow, const ScheduleContent& command) {
  if (auto valid = require_id(command.content_id.str(), "content_id"); !valid) {
    return std::move(valid).error();
  }
  if (auto valid = require_id(command.client_id.str(), "client_id"); !valid) {
    return std::move(valid).error();
  }
  for (const auto& [given, field] :
       {std::pair{command.fields.platform.has_value(), "platform"},
        std::pair{command.fields.social_account.has_value(), "social_account"},
        std::pair{command.draft || command.fields.scheduled_at_us.has_value(), "scheduled_at"}}) {
    if (!given) {
      return make_error(Errc::invalid_argument, fmt::format("{} is required", field), field);
    }
  }
  const ContentFields fields = with_hash_signs(command.fields);
  if (auto valid = validate_fields(fields, uow.now_us()); !valid) {
    return std::move(valid).error();
  }
  if (!command.campaign_id.empty()) {
    auto campaign = uow.load<events::CampaignState>(kMarketingKeyspace,
                                                    campaign_key(command.campaign_id.str()));
    if (!campaign) return std::move(campaign).error();
    if (!campaign->has_value() || (*campaign)->deleted() ||
        (*campaign)->client_id() != command.client_id.str()) {
      return make_error(Errc::invalid_argument, "campaign_id must name a campaign of the client",
                        "campaign_id");
    }
  }
  if (auto unused = uow.require_unused(command.content_id, kMarketingKeyspace,
                                       content_key(command.content_id.str()));
      !unused) {
    return std::move(unused).error();
  }
  events::ContentState post;
  post.set_content_id(command.content_id.str());
  post.set_client_id(command.client_id.str());
  post.set_agent_id(command.agent_id.str());
  post.set_campaign_id(command.campaign_id.str());
  apply_fields(fields, post);

  events::ContentScheduled scheduled;
  scheduled.set_content_id(post.content_id());
  scheduled.set_client_id(post.client_id());
  scheduled.set_agent_id(post.agent_id());
  scheduled.set_campaign_id(post.campaign_id());
  scheduled.set_title(post.title());
  scheduled.set_draft(command.draft);
  scheduled.set_platform(post.platform());
  scheduled.set_social_account(post.social_account());
  scheduled.set_scheduled_at_us(post.scheduled_at_us());
  scheduled.set_caption(post.caption());
  *scheduled.mutable_hashtags() = post.hashtags();
  *scheduled.mutable_mentions() = post.mentions();
  *scheduled.mutable_media_urls() = post.media_urls();
  return record(uow, post.content_id(), scheduled);
}

Result<events::ContentState> update_content(UnitOfWork& uow, const UpdateContent& command) {
  auto post = load_content(uow, command.content_id.str());
  if (!post) return std::move(post).error();
  if (auto allowed = require_changeable(*post, "changed"); !allowed) {
    return std::move(allowed).error();
  }
  const bool draft = post->status() == events::CONTENT_STATUS_DRAFT;
  if (command.submit && !draft) {
    return make_error(
        Errc::invalid_transition,
        fmt::format("a {} post is not a draft to submit", events::enum_name(post->status())),
        "status");
  }
  const ContentFields fields = with_hash_signs(command.fields);
  if (auto valid = validate_fields(fields, uow.now_us()); !valid) {
    return std::move(valid).error();
  }
  const auto changed = apply_fields(fields, *post);
  if (command.submit && post->scheduled_at_us() <= uow.now_us()) {
    return make_error(Errc::invalid_argument,
                      "scheduled_at must be in the future when a draft is submitted",
                      "scheduled_at");
  }
  if (changed.empty() && !command.submit) return post;
  events::ContentUpdated updated;
  updated.set_content_id(post->content_id());
  updated.set_client_id(post->client_id());
  for (const auto& name : changed) updated.add_changed(name);
  updated.set_title(post->title());
  updated.set_platform(post->platform());
  updated.set_social_account(post->social_account());
  updated.set_scheduled_at_us(post->scheduled_at_us());
  updated.set_caption(post->caption());
  *updated.mutable_hashtags() = post->hashtags();
  *updated.mutable_mentions() = post->mentions();
  *updated.mutable_media_urls() = post->media_urls();
  updated.set_approval_withdrawn(post->approved());
  updated.set_updated_by(command.updated_by.str());
  updated.set_submitted(command.submit);
  return record(uow, post->content_id(), updated);
}

Result<events::ContentState> approve_content(UnitOfWork& uow, const ContentAction& command) {
  auto post = load_content(uow, command.content_id.str());
  if (!post) return std::move(post).error();
  if (auto allowed = require_open(*post, "approved"); !allowed) {
    return std::move(allowed).error();
  }
  if (post->approved()) {
    return make_error(Errc::invalid_transition, "the post is approved already");
  }
  events::ContentApproved approved;
  approved.set_content_id(post->content_id());
  approved.set_client_id(post->client_id());
  approved.set_agent_id(post->agent_id());
  approved.set_approved_by(command.actor);
  return record(uow, post->content_id(), approved);
}

Result<events::ContentState> publish_content(UnitOfWork& uow, const ContentAction& command) {
  auto post = load_content(uow, command.content_id.str());
  if (!post) return std::move(post).error();
  if (auto allowed = require_open(*post, "published"); !allowed) {
    return std::move(allowed).error();
  }
  if (!post->approved()) {
    return make_error(Errc::invalid_transition,
                      "the post is not approved: the client or an admin approves it first");
  }
  events::ContentPublished published;
  published.set_content_id(post->content_id());
  published.set_client_id(post->client_id());
  published.set_agent_id(post->agent_id());
  published.set_platform(post->platform());
  published.set_published_by(command.actor);
  return record(uow, post->content_id(), published);
}

Result<events::ContentState> fail_content(UnitOfWork& uow, const ContentAction& command) {
  auto post = load_content(uow, command.content_id.str());
  if (!post) return std::move(post).error();
  if (auto allowed = require_open(*post, "marked failed"); !allowed) {
    return std::move(allowed).error();
  }
  if (auto valid = require_text(command.error, "error", text_limits::kNote); !valid) {
    return std::move(valid).error();
  }
  events::ContentFailed failed;
  failed.set_content_id(post->content_id());
  failed.set_client_id(post->client_id());
  failed.set_agent_id(post->agent_id());
  failed.set_error(command.error);
  failed.set_retry_count(post->retry_count() + 1);
  return record(uow, post->content_id(), failed);
}

Result<events::ContentState> cancel_content(UnitOfWork& uow, const ContentAction& command) {
  auto post = load_content(uow, command.content_id.str());
  if (!post) return std::move(post).error();
  if (auto allowed = require_changeable(*post, "cancelled"); !allowed) {
    return std::move(allowed).error();
  }
  events::ContentCancelled cancelled;
  cancelled.set_content_id(post->content_id());
  cancelled.set_client_id(post->client_id());
  cancelled.set_agent_id(post->agent_id());
  cancelled.set_cancelled_by(command.actor);
  return record(uow, post->content_id(), cancelled);
}

Result<events::ContentState> reject_content(UnitOfWork& uow, const ContentAction& command) {
  auto post = load_content(uow, command.content_id.str());
  if (!post) return std::move(post).error();
  if (auto allowed = require_open(*post, "rejected"); !allowed) {
    return std::move(allowed).error();
  }
  if (auto valid = require_text(command.feedback, "feedback", text_limits::kNote); !valid) {
    return std::move(valid).error();
  }
  events::ContentRejected rejected;
  rejected.set_content_id(post->content_id());
  rejected.set_client_id(post->client_id());
  rejected.set_agent_id(post->agent_id());
  rejected.set_rejected_by(command.actor);
  rejected.set_feedback(command.feedback);
  return record(uow, post->content_id(), rejected);
}

Result<events::ContentState> delete_content(UnitOfWork& uow, const ContentAction& command) {
  auto post = load_content(uow, command.content_id.str());
  if (!post) return std::move(post).error();
  if (post->status() == events::CONTENT_STATUS_PUBLISHED) {
    return make_error(Errc::invalid_transition, "a published post stays on the record");
  }
  events::ContentDeleted deleted;
  deleted.set_content_id(post->content_id());
  deleted.set_client_id(post->client_id());
  deleted.set_deleted_by(command.actor);
  return record(uow, post->content_id(), deleted);
}

}  // namespace ledger::domain
