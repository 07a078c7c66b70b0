// The "marketing" fold: each campaign and each scheduled post, with their per-client (and
// per-agent) index rows, from the campaign and content events.
//
//   campaign/<campaign_id>                       CampaignState (a deleted one stays, `deleted`)
//   of-client/<client_id>/<campaign_id>          CampaignState holding only campaign_id
//   of-agent/<agent_id>/<campaign_id>            CampaignState holding only campaign_id (when
//                                                the campaign has an agent)
//   content/<content_id>                         ContentState (a deleted one stays, `deleted`)
//   content-of-client/<client_id>/<content_id>   ContentState holding only content_id
//
// Index rows go when their campaign or post is deleted.
#pragma once

#include <string>
#include <string_view>

#include "core/domain/fold.h"

namespace ledger::domain {

inline constexpr std::string_view kCampaignKeyPrefix = "campaign/";
std::string campaign_key(std::string_view campaign_id);
std::string client_campaign_prefix(std::string_view client_id);
std::string agent_campaign_prefix(std::string_view agent_id);

inline constexpr std::string_view kContentKeyPrefix = "content/";
std::string content_key(std::string_view content_id);
std::string client_content_prefix(std::string_view client_id);

InlineFold marketing_fold();

}  // namespace ledger::domain
