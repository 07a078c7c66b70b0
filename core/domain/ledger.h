// Ledger: runs domain commands through the sequencer and gives typed answers back.
//
// A domain command is a function `Result<Answer>(UnitOfWork&)` (see core/domain/wallet.h and its
// siblings), where Answer is a Protobuf message. `execute` submits it; when the commit is durable
// (or the command refused) `done` receives the answer, the log positions of the first and last
// events written (both the head, for a command that changed nothing) and whether it was a replay
// of an idempotency key. A replay answers the very first answer and positions, from the
// idempotency record.
//
// The typed answer the decide function returned is handed to `done` as it is: it is serialized
// only for a command with an idempotency key (the record remembers it), and parsed back only
// for a replay, whose answer comes from that record.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/domain/unit_of_work.h"
#include "core/sequencer.h"

namespace ledger::domain {

// Who and what a command comes from: stamped on every event it writes.
struct CommandOrigin {
  std::string actor;           // user id, "system", "payment-provider"
  std::string correlation_id;  // request id
  std::string causation_id;
  std::string idempotency_key;      // already scoped to the caller; empty: none
  std::string request_fingerprint;  // with the key: what makes two requests "the same"
};

template <class Answer>
struct Executed {
  Answer answer;
  std::uint64_t first_position = 0;  // of the commit's first event
  std::uint64_t position = 0;        // of its last event
  bool replayed = false;
};

template <class Answer>
using DomainDecide = std::function<Result<Answer>(UnitOfWork&)>;

class Ledger {
 public:
  explicit Ledger(Sequencer& sequencer) : sequencer_(sequencer) {}

  template <class Answer>
  void execute(CommandOrigin origin, DomainDecide<Answer> decide,
               std::function<void(Result<Executed<Answer>>)> done) {
    Command command;
    command.idempotency_key = origin.idempotency_key;
    command.request_fingerprint = origin.request_fingerprint;
    // Written by the decide function and read by the completion, both on the writer thread.
    auto decided = std::make_shared<std::optional<Answer>>();
    command.decide = [origin = std::move(origin), decide = std::move(decide),
                      decided](DecisionContext& context) -> Result<store::CommitRequest> {
      UnitOfWork uow(context);
      auto answer = decide(uow);
      if (!answer) return std::move(answer).error();
      const bool remembered = !origin.idempotency_key.empty();
      store::CommitRequest commit = uow.finish(remembered ? answer->SerializeAsString() : "");
      commit.actor = origin.actor;
      commit.correlation_id = origin.correlation_id;
      commit.causation_id = origin.causation_id;
      *decided = std::move(answer).value();
      return commit;
    };
    sequencer_.submit(std::move(command), [done = std::move(done),
                                           decided](Result<store::CommitOutcome> outcome) {
      if (!outcome) return done(std::move(outcome).error());
      Executed<Answer> executed;
      if (!outcome->replayed && decided->has_value()) {
        executed.answer = std::move(**decided);
      } else if (!executed.answer.ParseFromString(outcome->result)) {
        return done(make_error(Errc::corruption, "a remembered answer does not decode"));
      }
      executed.first_position = outcome->first_position;
      executed.position = outcome->last_position;
      executed.replayed = outcome->replayed;
      done(std::move(executed));
    });
  }

  // Blocking form, for tools and tests.
  template <class Answer>
  Result<Executed<Answer>> execute_and_wait(CommandOrigin origin, DomainDecide<Answer> decide) {
    std::promise<Result<Executed<Answer>>> promise;
    auto future = promise.get_future();
    execute<Answer>(std::move(origin), std::move(decide),
                    [&promise](Result<Executed<Answer>> r) { promise.set_value(std::move(r)); });
    return future.get();
  }

 private:
  Sequencer& sequencer_;
};

}  // namespace ledger::domain
