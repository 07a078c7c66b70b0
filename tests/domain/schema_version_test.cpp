// Events written under an older schema read as the current one (core/domain/upcasters.h): the
// fixtures below are the bytes version 1 writers stored, spelled out here, not made by this
// build's writer. Each decodes through the decoder every reader uses and folds to the same row as
// the event this build writes.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/domain/course.h"
#include "core/domain/courses_fold.h"
#include "core/domain/event_decoder.h"
#include "core/domain/keyspaces.h"
#include "core/domain/marketing_fold.h"
#include "core/domain/upcasters.h"
#include "events/billing_state.pb.h"
#include "events/campaign_events.pb.h"
#include "events/campaign_state.pb.h"
#include "events/content_state.pb.h"
#include "events/course_events.pb.h"
#include "events/course_state.pb.h"
#include "events/enum_names.h"
#include "events/event_json.h"
#include "events/hex.h"
#include "events/wallet_state.pb.h"
#include "events/website_state.pb.h"
#include "tests/support/fold_replay.h"

namespace ledger {
namespace {

// CampaignStatusChanged, version 1: campaign_id "k1", client_id "alice", from_status "draft" and
// to_status "scheduled" as text (fields 3 and 4), changed_by "mia", hold_id "h1", held_minor 6000,
// name "Winter", agent_id "mia".
constexpr std::string_view kCampaignStatusChangedV1 =
    "0a026b311205616c6963651a05647261667422097363686564756c65642a036d69613202683138f02e42065769"
    "6e7465724a036d6961";

// CoursePurchased, version 1: purchase_id "p1", course_id "seo", user_id "alice", amount_minor
// 4900, payment_method "wallet", status "completed" as text (field 6), course_title "SEO basics".
constexpr std::string_view kCoursePurchasedV1 =
    "0a027031120373656f1a05616c69636520a4262a0677616c6c65743209636f6d706c65746564420a53454f2062"
    "6173696373";

events::Envelope stored_event(std::string_view type, std::string_view hex,
                              std::uint32_t schema_version) {
  const auto payload = from_hex(hex);
  REQUIRE(payload.has_value());
  events::Envelope envelope;
  envelope.set_position(7);
  envelope.set_event_type(std::string(type));
  envelope.set_schema_version(schema_version);
  envelope.set_payload(*payload);
  return envelope;
}

// The campaign "k1" as its fold has it once created, in `rows`.
void create_campaign(testing::MemoryFoldRows& rows) {
  events::CampaignCreated created;
  created.set_campaign_id("k1");
  created.set_client_id("alice");
  created.set_agent_id("mia");
  created.set_name("Winter");
  created.set_budget_minor(6000);
  REQUIRE(testing::fold_one(rows, domain::kMarketingKeyspace, created).ok());
}

TEST_CASE("this build writes CampaignStatusChanged and CoursePurchased at schema version 2") {
  CHECK(domain::current_schema_version("CampaignStatusChanged") == 2);
  CHECK(domain::current_schema_version("CoursePurchased") == 2);
  CHECK(domain::current_schema_version("CampaignCreated") == 1);
}

TEST_CASE("a version 1 CampaignStatusChanged reads with its statuses as enums") {
  domain::EventDecoder decoder;
  auto decoded = decoder.decode(stored_event("CampaignStatusChanged", kCampaignStatusChangedV1, 1));
  REQUIRE(decoded.ok());
  const auto& changed = static_cast<const events::CampaignStatusChanged&>(**decoded);
  CHECK(changed.from_status() == events::CAMPAIGN_STATUS_DRAFT);
  CHECK(changed.to_status() == events::CAMPAIGN_STATUS_SCHEDULED);
  CHECK(changed.legacy_from_status().empty());
  CHECK(changed.legacy_to_status().empty());
  CHECK(changed.held_minor() == 6000);
  CHECK(changed.name() == "Winter");
}

TEST_CASE("a version 1 CampaignStatusChanged folds to the row of the version 2 event") {
  auto old = domain::decode_event<events::CampaignStatusChanged>(
      stored_event("CampaignStatusChanged", kCampaignStatusChangedV1, 1));
  REQUIRE(old.ok());
  events::CampaignStatusChanged current;
  current.set_campaign_id("k1");
  current.set_client_id("alice");
  current.set_from_status(events::CAMPAIGN_STATUS_DRAFT);
  current.set_to_status(events::CAMPAIGN_STATUS_SCHEDULED);
  current.set_changed_by("mia");
  current.set_hold_id("h1");
  current.set_held_minor(6000);
  current.set_name("Winter");
  current.set_agent_id("mia");
  CHECK(old->SerializeAsString() == current.SerializeAsString());

  testing::MemoryFoldRows from_old, from_current;
  create_campaign(from_old);
  create_campaign(from_current);
  REQUIRE(testing::fold_one(from_old, domain::kMarketingKeyspace, *old).ok());
  REQUIRE(testing::fold_one(from_current, domain::kMarketingKeyspace, current).ok());
  const auto rows = from_old.rows_of(domain::kMarketingKeyspace);
  CHECK(rows == from_current.rows_of(domain::kMarketingKeyspace));
  events::CampaignState campaign;
  REQUIRE(campaign.ParseFromString(rows.at(domain::campaign_key("k1"))));
  CHECK(campaign.status() == events::CAMPAIGN_STATUS_SCHEDULED);
  CHECK(campaign.hold_id() == "h1");
}

TEST_CASE("a version 1 CoursePurchased folds to the row of the version 2 event") {
  auto old = domain::decode_event<events::CoursePurchased>(
      stored_event("CoursePurchased", kCoursePurchasedV1, 1));
  REQUIRE(old.ok());
  CHECK(old->status() == events::COURSE_PURCHASE_STATUS_COMPLETED);
  CHECK(old->legacy_status().empty());
  events::CoursePurchased current;
  current.set_purchase_id("p1");
  current.set_course_id("seo");
  current.set_user_id("alice");
  current.set_amount_minor(4900);
  current.set_payment_method("wallet");
  current.set_status(events::COURSE_PURCHASE_STATUS_COMPLETED);
  current.set_course_title("SEO basics");
  CHECK(old->SerializeAsString() == current.SerializeAsString());

  testing::MemoryFoldRows from_old, from_current;
  REQUIRE(testing::fold_one(from_old, domain::kCoursesKeyspace, *old).ok());
  REQUIRE(testing::fold_one(from_current, domain::kCoursesKeyspace, current).ok());
  const auto rows = from_old.rows_of(domain::kCoursesKeyspace);
  CHECK(rows == from_current.rows_of(domain::kCoursesKeyspace));
  events::CoursePurchaseState purchase;
  REQUIRE(purchase.ParseFromString(rows.at(domain::course_purchase_key("p1"))));
  CHECK(purchase.status() == events::COURSE_PURCHASE_STATUS_COMPLETED);
}

TEST_CASE("an event of a schema version newer than this build's is refused as corruption") {
  auto newer = domain::decode_event<events::CampaignStatusChanged>(
      stored_event("CampaignStatusChanged", kCampaignStatusChangedV1, 3));
  REQUIRE_FALSE(newer.ok());
  CHECK(newer.error().code == Errc::corruption);
  CHECK(newer.error().message.find("schema version 3") != std::string::npos);
  domain::EventDecoder decoder;
  auto also = decoder.decode(stored_event("CoursePurchased", kCoursePurchasedV1, 3));
  REQUIRE_FALSE(also.ok());
  CHECK(also.error().code == Errc::corruption);
}

TEST_CASE("a version 1 status that names no status is refused as corruption") {
  events::CampaignStatusChanged changed;
  changed.set_legacy_from_status("draft");
  changed.set_legacy_to_status("launched");  // a website's status, never a campaign's
  events::Envelope envelope;
  envelope.set_event_type("CampaignStatusChanged");
  envelope.set_schema_version(1);
  envelope.set_payload(changed.SerializeAsString());
  auto decoded = domain::decode_event<events::CampaignStatusChanged>(envelope);
  REQUIRE_FALSE(decoded.ok());
  CHECK(decoded.error().code == Errc::corruption);
  CHECK(decoded.error().message.find("launched") != std::string::npos);

  events::CoursePurchased purchased;  // no status at all
  envelope.set_event_type("CoursePurchased");
  envelope.set_payload(purchased.SerializeAsString());
  auto empty = domain::decode_event<events::CoursePurchased>(envelope);
  REQUIRE_FALSE(empty.ok());
  CHECK(empty.error().code == Errc::corruption);
}

TEST_CASE("an envelope of another type than the one asked for is refused as corruption") {
  auto other = domain::decode_event<events::CoursePurchased>(
      stored_event("CampaignStatusChanged", kCampaignStatusChangedV1, 1));
  REQUIRE_FALSE(other.ok());
  CHECK(other.error().code == Errc::corruption);
}

TEST_CASE("the JSON of an event names its statuses as the API does, and reads back") {
  events::CampaignStatusChanged changed;
  changed.set_campaign_id("k1");
  changed.set_from_status(events::CAMPAIGN_STATUS_PAUSED);
  changed.set_to_status(events::CAMPAIGN_STATUS_ACTIVE);
  std::string error;
  const auto json =
      events::payload_to_json("CampaignStatusChanged", changed.SerializeAsString(), &error);
  REQUIRE_MESSAGE(json.has_value(), error);
  CHECK((*json)["from_status"] == "paused");
  CHECK((*json)["to_status"] == "active");
  CHECK((*json)["legacy_from_status"] == "");
  const auto back = events::payload_from_json("CampaignStatusChanged", *json, &error);
  REQUIRE_MESSAGE(back.has_value(), error);
  CHECK(*back == changed.SerializeAsString());

  // A version 1 event shows what it stored: its text, and no enum yet.
  const auto old =
      events::payload_to_json("CampaignStatusChanged", *from_hex(kCampaignStatusChangedV1), &error);
  REQUIRE_MESSAGE(old.has_value(), error);
  CHECK((*old)["legacy_to_status"] == "scheduled");
  CHECK((*old)["to_status"] == "");
  const auto old_back = events::payload_from_json("CampaignStatusChanged", *old, &error);
  REQUIRE_MESSAGE(old_back.has_value(), error);
  CHECK(*old_back == *from_hex(kCampaignStatusChangedV1));

  nlohmann::json unknown = *json;
  unknown["to_status"] = "launched";
  CHECK_FALSE(events::payload_from_json("CampaignStatusChanged", unknown, &error).has_value());
}

TEST_CASE("every status reads as the API has always spelled it") {
  using Names = std::vector<std::string>;
  CHECK(events::enum_names<events::CampaignStatus>() ==
        Names{"draft", "scheduled", "active", "paused", "completed", "cancelled"});
  CHECK(events::enum_names<events::CoursePurchaseStatus>() ==
        Names{"pending", "completed", "failed", "refunded", "cancelled"});
  CHECK(events::enum_names<events::InvoiceStatus>() == Names{"issued", "paid", "void"});
  CHECK(events::enum_names<events::SubscriptionStatus>() ==
        Names{"active", "past_due", "cancelled"});
  CHECK(events::enum_names<events::ContentStatus>() ==
        Names{"scheduled", "published", "failed", "cancelled", "rejected", "draft"});
  CHECK(events::enum_names<events::TopUpStatus>() == Names{"pending", "confirmed", "failed"});
  CHECK(events::enum_names<events::HoldStatus>() == Names{"open", "posted", "voided", "expired"});
  CHECK(events::enum_names<events::WebsiteProjectStatus>() == Names{"in_progress", "launched"});
  CHECK(events::enum_names<events::WebsiteVersionStatus>() ==
        Names{"uploaded", "testing", "approved", "deployed"});

  CHECK(events::enum_name(events::SUBSCRIPTION_STATUS_PAST_DUE) == "past_due");
  CHECK(events::enum_name(events::CAMPAIGN_STATUS_UNSPECIFIED).empty());
  CHECK(events::parse_enum<events::SubscriptionStatus>("past_due") ==
        events::SUBSCRIPTION_STATUS_PAST_DUE);
  CHECK_FALSE(events::parse_enum<events::SubscriptionStatus>("").has_value());
  CHECK_FALSE(events::parse_enum<events::SubscriptionStatus>("unspecified").has_value());
  CHECK_FALSE(events::parse_enum<events::SubscriptionStatus>("PAST_DUE").has_value());
  CHECK_FALSE(events::parse_enum<events::SubscriptionStatus>("SUBSCRIPTION_STATUS_PAST_DUE"));
}

}  // namespace
}  // namespace ledger
