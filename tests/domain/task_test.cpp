// Task rules through the real sequencer and store: the status workflow (every pair of statuses,
// final statuses refusing every command), validation, who may be the assignee, hand-overs,
// acting as the assignee, the overdue mark (once per due date, by the deadline sweeper); the
// "tasks" fold replayed, rebuilt and total.
#include <doctest/doctest.h>

#include <array>

#include "core/domain/deadline_sweeper.h"
#include "core/domain/inline_folds.h"
#include "core/domain/keyspaces.h"
#include "core/domain/task.h"
#include "core/domain/users.h"
#include "events/enum_names.h"
#include "events/timestamp.h"
#include "replay/inline_rebuild.h"
#include "tests/support/fold_replay.h"
#include "tests/support/identity_steps.h"
#include "tests/support/ledger_fixture.h"

namespace ledger {
namespace {

using domain::UnitOfWork;
using testing::LedgerFixture;

constexpr std::array<const char*, 4> kStatuses = {"todo", "in_progress", "done", "cancelled"};

// The status the API names `name` ("in_progress").
events::TaskStatus named(std::string_view name) {
  const auto status = events::parse_enum<events::TaskStatus>(name);
  REQUIRE_MESSAGE(status.has_value(), name);
  return *status;
}

void require_user(LedgerFixture& f, const std::string& id, const std::string& role,
                  const std::string& department = "") {
  REQUIRE(testing::add_user(f, id, role, department).ok());
}

void require_assigned(LedgerFixture& f, const std::string& client, const std::string& service,
                      const std::string& agent) {
  REQUIRE(testing::assign(f, client, service, agent).ok());
}

// alice and bob are clients; mia serves alice for marketing, web for website; max serves bob;
// root is an admin.
struct Agency {
  LedgerFixture f;
  Agency() {
    require_user(f, "alice", "client");
    require_user(f, "bob", "client");
    require_user(f, "mia", "agent", "marketing");
    require_user(f, "web", "agent", "website");
    require_user(f, "max", "agent", "marketing");
    require_user(f, "root", "admin");
    require_assigned(f, "alice", "marketing", "mia");
    require_assigned(f, "alice", "website", "web");
    require_assigned(f, "bob", "marketing", "max");
  }

  domain::TaskFields fields(std::string title = "Send the logo") {
    domain::TaskFields fields;
    fields.title = std::move(title);
    fields.priority = events::TASK_PRIORITY_HIGH;
    return fields;
  }

  Result<domain::Executed<events::TaskState>> create(const std::string& id,
                                                     const domain::TaskFields& fields,
                                                     const std::string& assigned_to = "",
                                                     const std::string& client = "alice") {
    return f.run<events::TaskState>([=](UnitOfWork& uow) {
      return domain::create_task(uow, {domain::TaskId{id}, domain::UserId{client},
                                       domain::UserId{assigned_to}, fields, "mia"});
    });
  }
  Result<domain::Executed<events::TaskState>> create(const std::string& id) {
    return create(id, fields());
  }

  Result<domain::Executed<events::TaskState>> update(const domain::UpdateTask& command) {
    return f.run<events::TaskState>(
        [=](UnitOfWork& uow) { return domain::update_task(uow, command); });
  }
  Result<domain::Executed<events::TaskState>> move(const std::string& id, const std::string& status,
                                                   const char* by = "mia") {
    return update({domain::TaskId{id}, {}, {}, named(status), domain::ActorId{std::string(by)}});
  }
  Result<domain::Executed<events::TaskState>> complete(const std::string& id,
                                                       const std::string& by = "mia",
                                                       bool as_assignee = false) {
    return f.run<events::TaskState>([=](UnitOfWork& uow) {
      return domain::complete_task(uow, {domain::TaskId{id}, domain::ActorId{by}, as_assignee});
    });
  }
  Result<domain::Executed<events::TaskState>> cancel(const std::string& id) {
    return f.run<events::TaskState>([=](UnitOfWork& uow) {
      return domain::cancel_task(uow, {domain::TaskId{id}, "mia"});
    });
  }
  Result<domain::Executed<events::TaskState>> mark_overdue(const std::string& id) {
    return f.run<events::TaskState>(
        [=](UnitOfWork& uow) { return domain::mark_task_overdue(uow, {domain::TaskId{id}}); });
  }

  std::optional<events::TaskState> task(const std::string& id) {
    return f.row<events::TaskState>(domain::kTasksKeyspace, domain::task_key(id));
  }
  bool has_row(const std::string& key) {
    return f.log->read_state(domain::kTasksKeyspace, key)->has_value();
  }

  // A failing command writes nothing.
  template <class Run>
  Error refused(Run run) {
    const auto head = f.log->head().position;
    auto done = run();
    REQUIRE_FALSE(done.ok());
    CHECK(f.log->head().position == head);
    return done.error();
  }
};

// Drives a fresh task into `status` along allowed transitions.
void reach_status(Agency& a, const std::string& id, const std::string& status) {
  REQUIRE(a.create(id).ok());
  if (status == "todo") return;
  REQUIRE(a.move(id, status).ok());
}

TEST_CASE("every status pair: allowed moves succeed, every other is invalid_transition") {
  Agency a;
  int case_number = 0;
  for (const char* from : kStatuses) {
    for (const char* to : kStatuses) {
      CAPTURE(from);
      CAPTURE(to);
      const std::string id = "t" + std::to_string(case_number++);
      reach_status(a, id, from);
      const auto head = a.f.log->head().position;
      auto moved = a.move(id, to);
      const bool final_status = std::string(from) == "done" || std::string(from) == "cancelled";
      if (final_status) {
        REQUIRE_FALSE(moved.ok());
        CHECK(moved.error().code == Errc::invalid_transition);
        CHECK(a.f.log->head().position == head);
      } else if (std::string(from) == to) {
        REQUIRE(moved.ok());  // already there: nothing to record
        CHECK(a.f.log->head().position == head);
      } else {
        CHECK(moved.ok() == domain::task_transition_allowed(named(from), named(to)));
        REQUIRE(moved.ok());
        CHECK(events::enum_name(moved->answer.status()) == to);
        CHECK(a.f.log->head().position == head + 1);
      }
    }
  }
  // The table itself: forwards, back from in progress, cancel from any open status.
  CHECK(domain::task_transition_allowed(named("todo"), named("in_progress")));
  CHECK(domain::task_transition_allowed(named("todo"), named("done")));
  CHECK(domain::task_transition_allowed(named("in_progress"), named("todo")));
  CHECK(domain::task_transition_allowed(named("in_progress"), named("cancelled")));
  CHECK_FALSE(domain::task_transition_allowed(named("done"), named("todo")));
  CHECK_FALSE(domain::task_transition_allowed(named("cancelled"), named("todo")));
  CHECK_FALSE(domain::task_transition_allowed(named("done"), named("cancelled")));
  CHECK_FALSE(domain::task_transition_allowed(named("todo"), events::TASK_STATUS_UNSPECIFIED));
}

TEST_CASE("a done or cancelled task is final: no change, completion or cancellation") {
  Agency a;
  REQUIRE(a.create("done").ok());
  auto completed = a.complete("done");
  REQUIRE(completed.ok());
  CHECK(completed->answer.status() == events::TASK_STATUS_DONE);
  CHECK(completed->answer.completed_by() == "mia");
  CHECK(completed->answer.completed_at_us() == a.f.clock.now_us());
  REQUIRE(a.create("gone").ok());
  auto cancelled = a.cancel("gone");
  REQUIRE(cancelled.ok());
  CHECK(cancelled->answer.status() == events::TASK_STATUS_CANCELLED);
  CHECK(cancelled->answer.cancelled_by() == "mia");
  for (const std::string id : {"done", "gone"}) {
    CAPTURE(id);
    domain::TaskFields rename;
    rename.title = "Another title";
    CHECK(a.refused([&] {
             return a.update({domain::TaskId{id}, rename, {}, {}, "mia"});
           }).code == Errc::invalid_transition);
    CHECK(a.refused([&] { return a.complete(id); }).code == Errc::invalid_transition);
    CHECK(a.refused([&] { return a.cancel(id); }).code == Errc::invalid_transition);
    // Even a change that changes nothing: the task no longer changes at all.
    CHECK(a.refused([&] {
             return a.update({domain::TaskId{id}, {}, {}, {}, "mia"});
           }).code == Errc::invalid_transition);
  }
  CHECK(a.refused([&] { return a.complete("nope"); }).code == Errc::not_found);
  CHECK(a.refused([&] { return a.cancel("nope"); }).code == Errc::not_found);
  CHECK(a.refused([&] { return a.move("nope", "done"); }).code == Errc::not_found);
}

TEST_CASE("a task is created in todo for the client, by default assigned to the client") {
  Agency a;
  auto fields = a.fields();
  fields.description = "PNG, 512 px";
  fields.service = "marketing";
  fields.due_date = "2026-11-30";
  auto created = a.create("t1", fields);
  REQUIRE(created.ok());
  const auto& task = created->answer;
  CHECK(task.task_id() == "t1");
  CHECK(task.client_id() == "alice");
  CHECK(task.assigned_to() == "alice");
  CHECK(task.created_by() == "mia");
  CHECK(task.status() == events::TASK_STATUS_TODO);
  CHECK(task.priority() == events::TASK_PRIORITY_HIGH);
  CHECK(task.title() == "Send the logo");
  CHECK(task.description() == "PNG, 512 px");
  CHECK(task.service() == "marketing");
  CHECK(task.due_date() == "2026-11-30");
  CHECK_FALSE(task.overdue());
  CHECK(task.created_at_us() == a.f.clock.now_us());
  // Two events: created, then assigned (what the assignee hears of).
  CHECK(created->position == created->first_position + 1);
  CHECK(a.has_row(domain::client_task_prefix("alice") + "t1"));
  CHECK(a.has_row(domain::assignee_task_prefix("alice") + "t1"));
  CHECK(a.has_row(domain::due_task_key("t1")));
  CHECK(a.refused([&] { return a.create("t1"); }).code == Errc::invalid_argument);  // id used
}

TEST_CASE("bad task fields are refused, naming the field") {
  Agency a;
  struct Case {
    const char* what;
    std::function<void(domain::TaskFields&)> spoil;
    const char* field;
  };
  const std::vector<Case> cases = {
      {"no title", [](auto& f) { f.title.reset(); }, "title"},
      {"empty title", [](auto& f) { f.title = ""; }, "title"},
      {"title too long", [](auto& f) { f.title = std::string(201, 't'); }, "title"},
      {"description too long", [](auto& f) { f.description = std::string(5001, 'd'); },
       "description"},
      {"no priority", [](auto& f) { f.priority.reset(); }, "priority"},
      {"unset priority", [](auto& f) { f.priority = events::TASK_PRIORITY_UNSPECIFIED; },
       "priority"},
      {"unknown service", [](auto& f) { f.service = "subscriptions"; }, "service"},
      {"malformed due date", [](auto& f) { f.due_date = "2026-02-30"; }, "due_date"},
      {"due date past", [](auto& f) { f.due_date = "2026-11-22"; }, "due_date"},
  };
  for (const auto& bad : cases) {
    CAPTURE(bad.what);
    auto fields = a.fields();
    bad.spoil(fields);
    const Error error = a.refused([&] { return a.create("t1", fields); });
    CHECK(error.code == Errc::invalid_argument);
    CHECK(error.field == bad.field);
  }
  auto today = a.fields();
  today.due_date = "2026-11-23";  // due at the end of today: not past yet
  CHECK(a.create("today", today).ok());
  auto longest = a.fields(std::string(200, 't'));
  longest.description = std::string(5000, 'd');
  CHECK(a.create("longest", longest).ok());
  // The client must be a client.
  for (const char* client : {"mia", "nobody", "root"}) {
    CAPTURE(client);
    const Error error = a.refused([&] { return a.create("t2", a.fields(), "", client); });
    CHECK(error.code == Errc::invalid_argument);
    CHECK(error.field == "client_id");
  }
}

TEST_CASE("the assignee is the client, an agent serving the client for the service, or an admin") {
  Agency a;
  auto of_service = [&](const char* service) {
    auto fields = a.fields();
    if (*service != '\0') fields.service = service;
    return fields;
  };
  struct Case {
    const char* assignee;
    const char* service;
    bool allowed;
  };
  const std::vector<Case> cases = {
      {"alice", "", true},        {"alice", "website", true}, {"mia", "", true},
      {"mia", "marketing", true}, {"mia", "website", false},  {"web", "website", true},
      {"web", "courses", false},  {"max", "", false},         {"bob", "", false},
      {"root", "courses", true},  {"nobody", "", false},      {"max", "marketing", false},
  };
  int number = 0;
  for (const auto& one_case : cases) {
    const std::string assignee = one_case.assignee;
    const char* service = one_case.service;
    const bool allowed = one_case.allowed;
    CAPTURE(assignee);
    CAPTURE(service);
    const std::string id = "t" + std::to_string(number++);
    if (allowed) {
      auto created = a.create(id, of_service(service), assignee);
      REQUIRE(created.ok());
      CHECK(created->answer.assigned_to() == assignee);
    } else {
      const Error error = a.refused([&] { return a.create(id, of_service(service), assignee); });
      CHECK(error.code == Errc::invalid_argument);
      CHECK(error.field == "assigned_to");
    }
  }
}

TEST_CASE("changes: only what differs is recorded, a hand-over moves the assignee's index row") {
  Agency a;
  auto fields = a.fields();
  fields.service = "marketing";
  REQUIRE(a.create("t1", fields, "mia").ok());
  a.f.clock.advance_us(kMicrosPerMinute);

  // Nothing differs: nothing written.
  auto same = a.fields();
  same.service = "marketing";
  auto unchanged = a.update({"t1", same, domain::UserId{"mia"}, named("todo"), "mia"});
  REQUIRE(unchanged.ok());
  CHECK(unchanged->position == unchanged->first_position);  // no event of its own

  domain::TaskFields changes;
  changes.title = "Send the new logo";
  changes.priority = events::TASK_PRIORITY_LOW;
  changes.due_date = "2026-12-24";
  auto changed = a.update({"t1", changes, domain::UserId{"alice"}, named("in_progress"), "mia"});
  REQUIRE(changed.ok());
  CHECK(changed->position == changed->first_position + 2);  // updated, assigned, moved
  const auto& task = changed->answer;
  CHECK(task.title() == "Send the new logo");
  CHECK(task.priority() == events::TASK_PRIORITY_LOW);
  CHECK(task.due_date() == "2026-12-24");
  CHECK(task.service() == "marketing");
  CHECK(task.assigned_to() == "alice");
  CHECK(task.status() == events::TASK_STATUS_IN_PROGRESS);
  CHECK(task.updated_at_us() == a.f.clock.now_us());
  CHECK(task.created_at_us() == a.f.clock.now_us() - kMicrosPerMinute);
  CHECK_FALSE(a.has_row(domain::assignee_task_prefix("mia") + "t1"));
  CHECK(a.has_row(domain::assignee_task_prefix("alice") + "t1"));

  // The service changes the assignees allowed: mia is marketing, not website.
  REQUIRE(a.update({"t1", {}, domain::UserId{"mia"}, {}, "mia"}).ok());
  domain::TaskFields to_website;
  to_website.service = "website";
  CHECK(a.refused([&] {
           return a.update({"t1", to_website, {}, {}, "mia"});
         }).field == "assigned_to");
  auto handed = a.update({"t1", to_website, domain::UserId{"web"}, {}, "mia"});
  REQUIRE(handed.ok());
  CHECK(handed->answer.service() == "website");
  CHECK(handed->answer.assigned_to() == "web");
  CHECK(a.refused([&] {
           return a.update({"t1", {}, domain::UserId{"max"}, {}, "mia"});
         }).field == "assigned_to");

  // Every change is checked as at creation; a bad one refuses the whole command.
  domain::TaskFields blank;
  blank.title = "";
  CHECK(a.refused([&] {
           return a.update({"t1", blank, {}, named("done"), "mia"});
         }).field == "title");
  domain::TaskFields past;
  past.due_date = "2026-01-01";
  CHECK(a.refused([&] { return a.update({"t1", past, {}, {}, "mia"}); }).field == "due_date");
  CHECK(a.refused([&] {
           return a.update({"t1", {}, {}, events::TASK_STATUS_UNSPECIFIED, "mia"});
         }).code == Errc::invalid_transition);
  CHECK(a.task("t1")->status() == events::TASK_STATUS_IN_PROGRESS);
}

TEST_CASE("acting as the assignee: only on a task assigned to the actor") {
  Agency a;
  REQUIRE(a.create("hers").ok());  // alice's own
  REQUIRE(a.create("mias", a.fields(), "mia").ok());
  const auto as_alice = [&](const std::string& id, const char* status) {
    domain::UpdateTask command{domain::TaskId{id}, {}, {}, named(status), "alice"};
    command.as_assignee = true;
    return a.update(command);
  };
  CHECK(a.refused([&] { return as_alice("mias", "in_progress"); }).code == Errc::forbidden);
  CHECK(a.refused([&] { return a.complete("mias", "alice", true); }).code == Errc::forbidden);
  auto started = as_alice("hers", "in_progress");
  REQUIRE(started.ok());
  CHECK(started->answer.status() == events::TASK_STATUS_IN_PROGRESS);
  auto done = a.complete("hers", "alice", true);
  REQUIRE(done.ok());
  CHECK(done->answer.completed_by() == "alice");
}

TEST_CASE("an open task past its due date is marked overdue once per due date") {
  Agency a;
  auto fields = a.fields();
  fields.due_date = "2026-11-24";
  REQUIRE(a.create("t1", fields).ok());
  REQUIRE(a.create("t2", fields).ok());
  REQUIRE(a.create("none").ok());  // no due date: never overdue
  const auto head = a.f.log->head().position;
  CHECK_FALSE(a.mark_overdue("t1")->answer.overdue());  // not yet due
  CHECK_FALSE(a.mark_overdue("none")->answer.overdue());
  CHECK(a.f.log->head().position == head);

  a.f.clock.set_us(*events::parse_rfc3339("2026-11-25T00:00:00Z"));  // the due day has ended
  REQUIRE(a.complete("t2").ok());
  CHECK_FALSE(a.mark_overdue("t2")->answer.overdue());  // done: not overdue
  auto marked = a.mark_overdue("t1");
  REQUIRE(marked.ok());
  CHECK(marked->answer.overdue());
  CHECK_FALSE(a.has_row(domain::due_task_key("t1")));
  const auto after = a.f.log->head().position;
  CHECK(a.mark_overdue("t1")->answer.overdue());
  CHECK(a.f.log->head().position == after);  // once

  // A change of something else keeps the mark; a new due date clears it.
  REQUIRE(a.move("t1", "in_progress").ok());
  CHECK(a.task("t1")->overdue());
  domain::TaskFields later;
  later.due_date = "2026-11-26";
  auto moved = a.update({"t1", later, {}, {}, "mia"});
  REQUIRE(moved.ok());
  CHECK_FALSE(moved->answer.overdue());
  CHECK(a.has_row(domain::due_task_key("t1")));
  a.f.clock.set_us(*events::parse_rfc3339("2026-11-27T00:00:00Z"));
  CHECK(a.mark_overdue("t1")->answer.overdue());  // the new date missed too
  auto completed = a.complete("t1");
  REQUIRE(completed.ok());
  CHECK_FALSE(completed->answer.overdue());
}

TEST_CASE("the deadline sweeper marks due tasks overdue, once, through the sequencer") {
  Agency a;
  IdGenerator ids(a.f.clock);
  domain::DeadlineSweeper sweeper(*a.f.log, a.f.ledger, a.f.clock, ids);
  auto fields = a.fields();
  fields.due_date = "2026-11-24";
  REQUIRE(a.create("t1", fields).ok());
  REQUIRE(a.create("t2", fields).ok());
  fields.due_date = "2026-11-30";
  REQUIRE(a.create("later", fields).ok());
  REQUIRE(a.cancel("t2").ok());

  auto sweep = [&] {
    auto report = sweeper.sweep_once();
    REQUIRE(report.ok());
    CHECK(report->failures == 0);
    return *report;
  };
  auto early = sweep();
  CHECK(early.tasks_checked == 2);  // t1 and later: the cancelled one is not scanned
  CHECK(early.commands_submitted == 0);

  a.f.clock.set_us(*events::parse_rfc3339("2026-11-25T00:00:00Z"));
  const auto head = a.f.log->head().position;
  CHECK(sweep().commands_submitted == 1);
  CHECK(a.f.log->head().position == head + 1);
  CHECK(a.task("t1")->overdue());
  CHECK_FALSE(a.task("later")->overdue());
  auto again = sweep();
  CHECK(again.tasks_checked == 1);  // t1 left the scanned rows
  CHECK(again.commands_submitted == 0);
}

TEST_CASE(
    "the tasks fold, replayed from position 0 or rebuilt, writes the rows the writer stored") {
  Agency a;
  auto tick = [&] { a.f.clock.advance_us(kMicrosPerMinute); };
  auto fields = a.fields();
  fields.service = "marketing";
  fields.due_date = "2026-11-24";
  REQUIRE(a.create("t1", fields, "mia").ok());
  tick();
  REQUIRE(a.create("t2").ok());
  REQUIRE(a.create("t3", a.fields(), "root", "bob").ok());
  tick();
  REQUIRE(a.move("t1", "in_progress").ok());
  REQUIRE(a.update({"t2", a.fields("Renamed"), domain::UserId{"web"}, {}, "mia"}).ok());
  tick();
  REQUIRE(a.complete("t2").ok());
  REQUIRE(a.cancel("t3").ok());
  a.f.clock.set_us(*events::parse_rfc3339("2026-11-25T00:00:00Z"));
  REQUIRE(a.mark_overdue("t1").ok());

  const auto stored = testing::stored_rows(*a.f.log, domain::kTasksKeyspace);
  CHECK(stored.count(domain::task_key("t3")) == 1);                        // cancelled tasks stay
  CHECK(stored.count(domain::assignee_task_prefix("alice") + "t2") == 0);  // handed to web
  CHECK(stored.count(domain::assignee_task_prefix("web") + "t2") == 1);
  CHECK(stored.count(domain::client_task_prefix("bob") + "t3") == 1);
  CHECK(stored.count(domain::due_task_key("t1")) == 0);  // overdue: no longer scanned
  CHECK(testing::replayed_rows(*a.f.log, domain::kTasksKeyspace) == stored);

  const domain::InlineFold* const folds[] = {domain::find_inline_fold(domain::kTasksKeyspace)};
  REQUIRE(folds[0] != nullptr);
  auto rebuilt = replay::rebuild_inline(*a.f.log, folds);
  REQUIRE(rebuilt.ok());
  REQUIRE(rebuilt->keyspaces.size() == 1);
  CHECK(rebuilt->keyspaces[0].rows == stored.size());
  CHECK(testing::stored_rows(*a.f.log, domain::kTasksKeyspace) == stored);
}

TEST_CASE("the tasks fold is total: an event whose task row is missing writes nothing") {
  events::TaskUpdated updated;
  updated.set_task_id("ghost");
  updated.set_title("Ghost");
  events::TaskAssigned assigned;
  assigned.set_task_id("ghost");
  assigned.set_assigned_to("mia");
  events::TaskStatusChanged changed;
  changed.set_task_id("ghost");
  changed.set_to_status(events::TASK_STATUS_IN_PROGRESS);
  events::TaskCompleted completed;
  completed.set_task_id("ghost");
  events::TaskCancelled cancelled;
  cancelled.set_task_id("ghost");
  events::TaskOverdue overdue;
  overdue.set_task_id("ghost");
  testing::check_folds_to_nothing(
      domain::kTasksKeyspace, {&updated, &assigned, &changed, &completed, &cancelled, &overdue});

  // Only a row that does not decode is an error.
  testing::MemoryFoldRows rows;
  rows.set(domain::kTasksKeyspace, domain::task_key("ghost"), std::string("\xff\xff"));
  auto undecodable = testing::fold_one(rows, domain::kTasksKeyspace, overdue, "task:ghost");
  REQUIRE_FALSE(undecodable.ok());
  CHECK(undecodable.error().code == Errc::corruption);
}

}  // namespace
}  // namespace ledger
