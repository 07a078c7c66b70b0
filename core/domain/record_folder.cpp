#include "core/domain/record_folder.h"

#include <fmt/format.h>

#include <memory>

#include "core/domain/inline_folds.h"

namespace ledger::domain {
namespace {

// The store's view of local rows, as the folds' FoldRows.
class FoldedStateRows final : public FoldRows {
 public:
  explicit FoldedStateRows(store::FoldedState& state) : state_(state) {}
  Result<std::optional<std::string>> get(std::string_view keyspace, std::string_view key) override {
    return state_.get(keyspace, key);
  }
  void set(std::string_view keyspace, std::string_view key,
           std::optional<std::string> value) override {
    state_.set(keyspace, key, std::move(value));
  }

 private:
  store::FoldedState& state_;
};

}  // namespace

Status RecordFolder::fold(std::uint64_t position, const events::Envelope& envelope,
                          FoldRows& rows) {
  auto payload = decoder_.decode(envelope);
  if (!payload) return std::move(payload).error();
  const FoldedEvent event{**payload, envelope.stream_id(), envelope.recorded_at_us()};
  if (auto evolved = evolve_some(folds_, rows, event); !evolved) {
    return make_error(evolved.error().code,
                      fmt::format("folding event {} ({}): {}", position, envelope.event_type(),
                                  evolved.error().message));
  }
  return {};
}

store::RecordFold inline_record_fold(std::span<const InlineFold* const> folds) {
  const std::vector<const InlineFold*> chosen =
      folds.empty() ? all_inline_folds()
                    : std::vector<const InlineFold*>(folds.begin(), folds.end());
  auto folder = std::make_shared<RecordFolder>(chosen);
  return [folder](std::uint64_t position, const events::Envelope& envelope,
                  store::FoldedState& state) {
    FoldedStateRows rows(state);
    return folder->fold(position, envelope, rows);
  };
}

}  // namespace ledger::domain
