// Website version rules: fields checked, version numbers unique per project, and the status
// workflow uploaded -> testing -> approved -> deployed with every other move refused; feedback
// in any status; changes and deletion until deployment; the "websites" fold replayed and total.
// Also the zip recogniser the upload relies on.
#include <doctest/doctest.h>

#include <array>
#include <functional>

#include "core/domain/keyspaces.h"
#include "core/domain/website_project.h"
#include "core/domain/website_version.h"
#include "core/domain/websites_fold.h"
#include "core/domain/zip_archive.h"
#include "events/enum_names.h"
#include "tests/support/fold_replay.h"
#include "tests/support/ledger_fixture.h"

namespace ledger {
namespace {

using domain::UnitOfWork;
using testing::LedgerFixture;
using Answer = Result<domain::Executed<events::WebsiteVersionState>>;

const std::string kHash(64, 'a');

void create_project(LedgerFixture& f) {
  auto created = f.run<events::WebsiteProjectState>([](UnitOfWork& uow) {
    return domain::create_website_project(
        uow, {"w1", "alice", "web", "Shop site", {{"business_name", "Shop"}, {"goals", "Sell"}}});
  });
  REQUIRE(created.ok());
}

domain::UploadWebsiteVersion upload_of(std::string id, std::string number) {
  domain::UploadWebsiteVersion upload;
  upload.version_id = domain::WebsiteVersionId{std::move(id)};
  upload.project_id = "w1";
  upload.version_number = std::move(number);
  upload.notes = "first cut";
  upload.technologies = {"React", "Tailwind"};
  upload.changelog = "- home page";
  upload.file_sha256 = kHash;
  upload.file_size = 1234;
  upload.file_name = "site.zip";
  upload.uploaded_by = "web";
  return upload;
}

Answer upload(LedgerFixture& f, const domain::UploadWebsiteVersion& command) {
  return f.run<events::WebsiteVersionState>(
      [command](UnitOfWork& uow) { return domain::upload_website_version(uow, command); });
}

using Decider = Result<events::WebsiteVersionState> (*)(UnitOfWork&,
                                                        const domain::WebsiteVersionAction&);

Answer act(LedgerFixture& f, Decider decider, const std::string& id, const std::string& url = {},
           const std::string& message = {}) {
  return f.run<events::WebsiteVersionState>([=](UnitOfWork& uow) {
    return decider(uow, {domain::WebsiteVersionId{id}, "someone", url, message});
  });
}

TEST_CASE("an upload's fields are checked, a refused upload writes nothing") {
  LedgerFixture f;
  create_project(f);
  auto refused = [&](const domain::UploadWebsiteVersion& command, Errc code, const char* field) {
    const auto head = f.log->head().position;
    auto answer = upload(f, command);
    REQUIRE_FALSE(answer.ok());
    CHECK(answer.error().code == code);
    CHECK(answer.error().field == field);
    CHECK(f.log->head().position == head);
  };
  for (const char* number : {"", "1 0", "1/0", "v1.0.0-beta.1+build7", "ä"}) {
    CAPTURE(number);
    refused(upload_of("v1", number), Errc::invalid_argument, "version_number");
  }
  auto command = upload_of("v1", "1.0");
  command.notes = std::string(5001, 'n');
  refused(command, Errc::invalid_argument, "notes");
  command = upload_of("v1", "1.0");
  command.changelog = std::string(5001, 'c');
  refused(command, Errc::invalid_argument, "changelog");
  command = upload_of("v1", "1.0");
  command.technologies.assign(21, "x");
  refused(command, Errc::invalid_argument, "technologies_used");
  command.technologies = {""};
  refused(command, Errc::invalid_argument, "technologies_used");
  command = upload_of("v1", "1.0");
  command.file_sha256 = std::string(64, 'A');
  refused(command, Errc::invalid_argument, "file");
  command = upload_of("v1", "1.0");
  command.file_size = 0;
  refused(command, Errc::invalid_argument, "file");
  command = upload_of("v1", "1.0");
  command.project_id = "nope";
  refused(command, Errc::not_found, "project_id");

  auto first = upload(f, upload_of("v1", "1.0"));
  REQUIRE(first.ok());
  CHECK(events::enum_name(first->answer.status()) == "uploaded");
  CHECK(first->answer.client_id() == "alice");
  CHECK(first->answer.agent_id() == "web");
  CHECK(first->answer.project_name() == "Shop site");
  CHECK(first->answer.technologies_size() == 2);
  refused(upload_of("v2", "1.0"), Errc::version_number_taken, "version_number");
  CHECK(upload(f, upload_of("v2", "1.1")).ok());
}

TEST_CASE("uploading a version with an id already used is refused and changes nothing") {
  LedgerFixture f;
  create_project(f);
  REQUIRE(upload(f, upload_of("v1", "1.0")).ok());
  REQUIRE(act(f, domain::start_version_testing, "v1").ok());
  const auto head = f.log->head().position;
  auto again = upload(f, upload_of("v1", "2.0"));
  REQUIRE_FALSE(again.ok());
  CHECK(again.error().code == Errc::invalid_argument);
  CHECK(again.error().field == "version_id");
  CHECK(f.log->head().position == head);
  auto version = f.row<events::WebsiteVersionState>(domain::kWebsitesKeyspace,
                                                    domain::website_version_key("v1"));
  REQUIRE(version);
  CHECK(version->version_number() == "1.0");
  CHECK(events::enum_name(version->status()) == "testing");
  CHECK(f.count_rows(domain::kWebsitesKeyspace, domain::version_number_key("w1", "2.0")) == 0);
}

TEST_CASE("the workflow: every action from every status") {
  // Each action, the one status it is allowed from, and the status it leads to.
  struct Step {
    const char* name;
    Decider decider;
    const char* from;
    const char* to;
  };
  const std::array<Step, 3> steps = {{
      {"start_testing", domain::start_version_testing, "uploaded", "testing"},
      {"approve", domain::approve_website_version, "testing", "approved"},
      {"deploy", domain::deploy_website_version, "approved", "deployed"},
  }};
  const std::array<const char*, 4> statuses = {"uploaded", "testing", "approved", "deployed"};
  int versions = 0;
  for (std::size_t reached = 0; reached < statuses.size(); ++reached) {
    for (const auto& step : steps) {
      CAPTURE(statuses[reached]);
      CAPTURE(step.name);
      LedgerFixture f;
      create_project(f);
      const std::string id = "v" + std::to_string(++versions);
      REQUIRE(upload(f, upload_of(id, "1.0")).ok());
      for (std::size_t i = 0; i < reached; ++i) {
        REQUIRE(act(f, steps[i].decider, id, "https://shop.example.com").ok());
      }
      const auto head = f.log->head().position;
      auto answer = act(f, step.decider, id, "https://shop.example.com");
      if (std::string_view(step.from) == statuses[reached]) {
        REQUIRE(answer.ok());
        CHECK(events::enum_name(answer->answer.status()) == step.to);
      } else {
        REQUIRE_FALSE(answer.ok());
        CHECK(answer.error().code == Errc::invalid_transition);
        CHECK(answer.error().message.find(statuses[reached]) != std::string::npos);
        CHECK(f.log->head().position == head);
      }
    }
  }
}

TEST_CASE("URLs: the preview is optional, the deployment URL required, both http(s)") {
  LedgerFixture f;
  create_project(f);
  REQUIRE(upload(f, upload_of("v1", "1.0")).ok());
  auto bad_preview = act(f, domain::start_version_testing, "v1", "javascript:alert(1)");
  REQUIRE_FALSE(bad_preview.ok());
  CHECK(bad_preview.error().field == "preview_url");
  auto testing = act(f, domain::start_version_testing, "v1", "https://preview.example.com/v1");
  REQUIRE(testing.ok());
  CHECK(testing->answer.preview_url() == "https://preview.example.com/v1");
  REQUIRE(act(f, domain::approve_website_version, "v1").ok());
  for (const char* url : {"", "ftp://shop.example.com", "https://", "https://user@host/"}) {
    CAPTURE(url);
    auto refused = act(f, domain::deploy_website_version, "v1", url);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().field == "deployment_url");
  }
  auto deployed = act(f, domain::deploy_website_version, "v1", "https://shop.example.com");
  REQUIRE(deployed.ok());
  CHECK(deployed->answer.deployment_url() == "https://shop.example.com");
  CHECK(deployed->answer.deployed_at_us() > 0);
  CHECK(deployed->answer.approved_by() == "someone");
  CHECK(act(f, domain::start_version_testing, "nope").error().code == Errc::not_found);
}

TEST_CASE("feedback: in any status, bounded, counted") {
  LedgerFixture f;
  create_project(f);
  REQUIRE(upload(f, upload_of("v1", "1.0")).ok());
  CHECK(act(f, domain::add_version_feedback, "v1", {}, "").error().field == "message");
  CHECK(act(f, domain::add_version_feedback, "v1", {}, std::string(2001, 'm')).error().field ==
        "message");
  for (std::size_t i = 0; i < domain::kVersionFeedbackMax; ++i) {
    REQUIRE(act(f, domain::add_version_feedback, "v1", {}, "note " + std::to_string(i)).ok());
  }
  auto full = act(f, domain::add_version_feedback, "v1", {}, "one more");
  REQUIRE_FALSE(full.ok());
  CHECK(full.error().code == Errc::invalid_argument);
  auto row = f.row<events::WebsiteVersionState>(domain::kWebsitesKeyspace,
                                                domain::website_version_key("v1"));
  REQUIRE(row.has_value());
  CHECK(row->feedback_size() == static_cast<int>(domain::kVersionFeedbackMax));
  CHECK(row->feedback(0).message() == "note 0");
}

Answer update(LedgerFixture& f, const domain::UpdateWebsiteVersion& command) {
  return f.run<events::WebsiteVersionState>(
      [command](UnitOfWork& uow) { return domain::update_website_version(uow, command); });
}

TEST_CASE("a version changes and is deleted until it is deployed, its number is then free") {
  LedgerFixture f;
  create_project(f);
  REQUIRE(upload(f, upload_of("v1", "1.0")).ok());
  domain::UpdateWebsiteVersion change{"v1", "second cut", std::nullopt,
                                      std::vector<std::string>{"Astro"}, "web"};
  auto changed = update(f, change);
  REQUIRE(changed.ok());
  CHECK(changed->answer.notes() == "second cut");
  CHECK(changed->answer.changelog() == "- home page");  // not sent: kept
  CHECK(changed->answer.technologies_size() == 1);
  // The same again changes nothing and writes nothing.
  auto head = f.log->head().position;
  REQUIRE(update(f, change).ok());
  CHECK(f.log->head().position == head);
  // The upload's limits hold.
  for (const auto& bad :
       {domain::UpdateWebsiteVersion{"v1", std::string(5001, 'a'), {}, {}, "web"},
        domain::UpdateWebsiteVersion{"v1", {}, {}, std::vector<std::string>(21, "x"), "web"},
        domain::UpdateWebsiteVersion{"v1", {}, {}, std::vector<std::string>{""}, "web"}}) {
    auto refused = update(f, bad);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == Errc::invalid_argument);
  }
  CHECK(f.log->head().position == head);

  REQUIRE(act(f, domain::delete_website_version, "v1").ok());
  for (const auto& gone : {act(f, domain::delete_website_version, "v1"),
                           act(f, domain::start_version_testing, "v1"), update(f, change)}) {
    REQUIRE_FALSE(gone.ok());
    CHECK(gone.error().code == Errc::not_found);
  }
  CHECK(upload(f, upload_of("v2", "1.0")).ok());  // the number is free again

  REQUIRE(act(f, domain::start_version_testing, "v2").ok());
  REQUIRE(act(f, domain::approve_website_version, "v2").ok());
  REQUIRE(act(f, domain::deploy_website_version, "v2", "https://shop.example.com").ok());
  head = f.log->head().position;
  for (const auto& refused : {act(f, domain::delete_website_version, "v2"),
                              update(f, {"v2", "after the fact", {}, {}, "web"})}) {
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().code == Errc::invalid_transition);
  }
  CHECK(f.log->head().position == head);
}

TEST_CASE(
    "the websites fold, replayed from position 0, writes the version rows the writer "
    "stored") {
  LedgerFixture f;
  create_project(f);
  auto tick = [&] { f.clock.advance_us(kMicrosPerMinute); };
  REQUIRE(upload(f, upload_of("v1", "1.0")).ok());
  tick();
  REQUIRE(upload(f, upload_of("v2", "1.1")).ok());
  tick();
  REQUIRE(act(f, domain::start_version_testing, "v1", "https://preview.example.com").ok());
  tick();
  REQUIRE(act(f, domain::add_version_feedback, "v1", {}, "the menu overlaps").ok());
  tick();
  auto approved = act(f, domain::approve_website_version, "v1");
  REQUIRE(approved.ok());
  CHECK(approved->answer.approved_at_us() == f.clock.now_us());
  tick();
  auto deployed = act(f, domain::deploy_website_version, "v1", "https://shop.example.com");
  REQUIRE(deployed.ok());
  CHECK(deployed->answer.deployed_at_us() == f.clock.now_us());
  CHECK(deployed->answer.updated_at_us() == f.clock.now_us());
  CHECK(deployed->answer.feedback_size() == 1);
  REQUIRE(upload(f, upload_of("v3", "2.0")).ok());
  tick();
  REQUIRE(update(f, {"v3", "draft", "- all pages", std::vector<std::string>{"Vue"}, "web"}).ok());
  tick();
  REQUIRE(act(f, domain::delete_website_version, "v3").ok());

  const auto stored = testing::stored_rows(*f.log, domain::kWebsitesKeyspace);
  for (const auto& key :
       {domain::version_number_key("w1", "1.1"), domain::project_versions_prefix("w1") + "v2",
        domain::agent_uploads_prefix("web") + "v2"}) {
    CAPTURE(key);
    CHECK(stored.count(key) == 1);
  }
  for (const auto& key :
       {domain::version_number_key("w1", "2.0"), domain::project_versions_prefix("w1") + "v3",
        domain::agent_uploads_prefix("web") + "v3"}) {
    CAPTURE(key);
    CHECK(stored.count(key) == 0);
  }
  CHECK(testing::replayed_rows(*f.log, domain::kWebsitesKeyspace) == stored);
}

TEST_CASE("the websites fold is total: an event whose version row is missing writes nothing") {
  testing::MemoryFoldRows rows;
  events::WebsiteVersionTestingStarted started;
  started.set_version_id("ghost");
  events::WebsiteVersionApproved approved;
  approved.set_version_id("ghost");
  events::WebsiteVersionDeployed deployed;
  deployed.set_version_id("ghost");
  events::WebsiteVersionFeedbackAdded added;
  added.set_version_id("ghost");
  added.set_message("hello?");
  testing::fold_each(rows, domain::kWebsitesKeyspace, "website-version:ghost",
                     {&started, &approved, &deployed, &added});
  CHECK(rows.rows_of(domain::kWebsitesKeyspace).empty());
}

std::string zip_end_record(const std::string& comment) {
  std::string record("PK\x05\x06", 4);
  record += std::string(16, '\0');
  record.push_back(static_cast<char>(comment.size() & 0xff));
  record.push_back(static_cast<char>(comment.size() >> 8));
  return record + comment;
}

TEST_CASE("zip archives are recognised by their first and last records") {
  const std::string local("PK\x03\x04", 4);
  CHECK(domain::check_zip_archive(local, "file data" + zip_end_record("")).ok());
  CHECK(domain::check_zip_archive(local, zip_end_record("a comment")).ok());
  const std::string empty_zip = zip_end_record("");
  CHECK(domain::check_zip_archive(empty_zip.substr(0, 4), empty_zip).ok());
  // A long comment that itself holds "PK\5\6": the real record is the one reaching the end.
  CHECK(
      domain::check_zip_archive(local, zip_end_record(std::string("x\x50\x4b\x05\x06y", 6))).ok());
  for (const auto& [head, tail] : std::vector<std::pair<std::string, std::string>>{
           {"%PDF", zip_end_record("")},
           {local, "no end record at all, just bytes"},
           {local, zip_end_record("comment") + "trailing"},
           {local, zip_end_record("").substr(0, 21)},
           {"", ""}}) {
    auto checked = domain::check_zip_archive(head, tail);
    REQUIRE_FALSE(checked.ok());
    CHECK(checked.error().field == "file");
  }
}

}  // namespace
}  // namespace ledger
