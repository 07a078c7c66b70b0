#include "replay/log_fold.h"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

#include "core/domain/inline_folds.h"
#include "core/domain/record_folder.h"

namespace ledger::replay {
namespace {

constexpr std::size_t kFlushRows = 64 * 1024;

// The folds' view while replaying: rows written since the last flush, over the sink's.
class BufferedRows final : public domain::FoldRows {
 public:
  BufferedRows(store::FreshRows& sink, const FoldWatch& watch) : sink_(sink), watch_(watch) {}

  Result<std::optional<std::string>> get(std::string_view keyspace, std::string_view key) override {
    if (auto it = pending_.find(combined(keyspace, key)); it != pending_.end()) return it->second;
    return sink_.get(keyspace, key);
  }
  void set(std::string_view keyspace, std::string_view key,
           std::optional<std::string> value) override {
    if (!value && watch_.on_write) watch_.on_write(keyspace, key, nullptr);
    pending_[combined(keyspace, key)] = std::move(value);
  }
  void saved_as(std::string_view keyspace, std::string_view key,
                const google::protobuf::Descriptor& type) override {
    if (watch_.on_write) watch_.on_write(keyspace, key, &type);
  }

  bool full() const { return pending_.size() >= kFlushRows; }

  // Writes the pending rows in key order (keyspace, then key), as one batch.
  Status flush() {
    std::vector<Pending::value_type*> sorted;
    sorted.reserve(pending_.size());
    for (auto& row : pending_) sorted.push_back(&row);
    std::sort(sorted.begin(), sorted.end(),
              [](const auto* a, const auto* b) { return a->first < b->first; });
    std::vector<store::StateWrite> writes;
    writes.reserve(sorted.size());
    for (auto* row : sorted) {
      const auto separator = row->first.find('\0');
      writes.push_back({row->first.substr(0, separator), row->first.substr(separator + 1),
                        std::move(row->second)});
    }
    pending_.clear();
    if (writes.empty()) return {};
    return sink_.write(writes);
  }

 private:
  static std::string combined(std::string_view keyspace, std::string_view key) {
    std::string joined;
    joined.reserve(keyspace.size() + 1 + key.size());
    joined.append(keyspace);
    joined.push_back('\0');
    joined.append(key);
    return joined;
  }

  store::FreshRows& sink_;
  const FoldWatch& watch_;
  // Looked up by every read of a fold: hashed, sorted only when flushed.
  using Pending = std::unordered_map<std::string, std::optional<std::string>>;
  Pending pending_;
};

}  // namespace

struct EnvelopeFolder::State {
  State(std::span<const domain::InlineFold* const> folds, store::FreshRows& rows)
      : buffered(rows, watch), folder(folds) {}
  FoldWatch watch;
  BufferedRows buffered;
  domain::RecordFolder folder;
};

EnvelopeFolder::EnvelopeFolder(std::span<const domain::InlineFold* const> folds,
                               store::FreshRows& rows)
    : state_(std::make_unique<State>(folds, rows)) {}

EnvelopeFolder::~EnvelopeFolder() = default;

Status EnvelopeFolder::fold(std::uint64_t position, const events::Envelope& envelope) {
  if (auto folded = state_->folder.fold(position, envelope, state_->buffered); !folded) {
    return folded;
  }
  if (state_->buffered.full()) return state_->buffered.flush();
  return {};
}

Status EnvelopeFolder::finish() { return state_->buffered.flush(); }

Status fold_log(const store::EventLog& log, std::span<const domain::InlineFold* const> folds,
                store::FreshRows& rows, std::uint64_t up_to,
                const std::function<void(std::uint64_t)>& on_position) {
  return fold_log(log, folds, rows, up_to, FoldWatch{on_position, {}, {}});
}

Status fold_log(const store::EventLog& log, std::span<const domain::InlineFold* const> folds,
                store::FreshRows& rows, std::uint64_t up_to, const FoldWatch& watch) {
  BufferedRows buffered(rows, watch);
  domain::RecordFolder folder(folds);
  events::Envelope envelope;
  Status failure;
  auto scanned = log.scan_records(0, [&](std::uint64_t position, std::string_view record) {
    if (position > up_to) return false;
    if (watch.on_position) watch.on_position(position);
    if (!envelope.ParseFromArray(record.data(), static_cast<int>(record.size()))) {
      failure = make_error(Errc::corruption, fmt::format("record {} does not decode", position));
      return false;
    }
    if (watch.on_event) watch.on_event(envelope);
    if (auto folded = folder.fold(position, envelope, buffered); !folded) {
      failure = std::move(folded);
      return false;
    }
    if (buffered.full()) {
      if (auto flushed = buffered.flush(); !flushed) {
        failure = std::move(flushed);
        return false;
      }
    }
    return true;
  });
  if (!scanned) return scanned;
  if (!failure) return failure;
  return buffered.flush();
}

Result<std::vector<const domain::InlineFold*>> select_folds(std::span<const std::string> names) {
  std::vector<const domain::InlineFold*> selected;
  if (names.empty()) {
    for (const auto& fold : domain::inline_folds()) selected.push_back(&fold);
    return selected;
  }
  for (const auto& name : names) {
    const auto* fold = domain::find_inline_fold(name);
    if (fold == nullptr) {
      return make_error(Errc::invalid_argument,
                        fmt::format("{} is not an inline read model", name));
    }
    selected.push_back(fold);
  }
  return selected;
}

}  // namespace ledger::replay
