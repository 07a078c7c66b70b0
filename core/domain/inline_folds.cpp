#include "core/domain/inline_folds.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

#include "core/domain/billing_fold.h"
#include "core/domain/courses_fold.h"
#include "core/domain/identity_fold.h"
#include "core/domain/marketing_fold.h"
#include "core/domain/messages_fold.h"
#include "core/domain/posting_fold.h"
#include "core/domain/redeem_codes_fold.h"
#include "core/domain/support_fold.h"
#include "core/domain/tasks_fold.h"
#include "core/domain/wallets_fold.h"
#include "core/domain/websites_fold.h"

namespace ledger::domain {
namespace {

struct Registry {
  std::vector<InlineFold> folds;
  std::vector<const InlineFold*> every_event;
  std::unordered_map<const google::protobuf::Descriptor*, std::vector<const InlineFold*>> by_type;

  Registry() {
    folds.push_back(accounts_fold());
    folds.push_back(wallets_fold());
    folds.push_back(identity_fold());
    folds.push_back(marketing_fold());
    folds.push_back(websites_fold());
    folds.push_back(redeem_codes_fold());
    folds.push_back(courses_fold());
    folds.push_back(billing_fold());
    folds.push_back(tasks_fold());
    folds.push_back(messages_fold());
    folds.push_back(support_fold());
    for (const auto& fold : folds) {
      if (fold.every_event) every_event.push_back(&fold);
      for (const auto* type : fold.events) by_type[type].push_back(&fold);
    }
  }
};

const Registry& registry() {
  static const Registry instance;
  return instance;
}

}  // namespace

std::string serialize_row(const google::protobuf::Message& row) {
  // Sized once, written in place: no growing buffer on the writer's path.
  const std::size_t size = row.ByteSizeLong();
  std::string bytes(size, '\0');
  google::protobuf::io::ArrayOutputStream array(bytes.data(), static_cast<int>(size));
  google::protobuf::io::CodedOutputStream coded(&array);
  coded.SetSerializationDeterministic(true);
  row.SerializeWithCachedSizes(&coded);
  return bytes;
}

Error undecodable_row(std::string_view keyspace, std::string_view key) {
  return make_error(Errc::corruption,
                    fmt::format("state row {}/{} does not decode", keyspace, key));
}

std::span<const InlineFold> inline_folds() { return registry().folds; }

std::vector<const InlineFold*> all_inline_folds() {
  std::vector<const InlineFold*> folds;
  for (const auto& fold : registry().folds) folds.push_back(&fold);
  return folds;
}

const InlineFold* find_inline_fold(std::string_view keyspace) {
  for (const auto& fold : registry().folds) {
    if (fold.keyspace == keyspace) return &fold;
  }
  return nullptr;
}

Status evolve_inline(FoldRows& rows, const FoldedEvent& event) {
  const auto& folds = registry();
  for (const InlineFold* fold : folds.every_event) {
    KeyspaceRows own(rows, fold->keyspace);
    if (auto evolved = fold->evolve(own, event); !evolved) return evolved;
  }
  auto it = folds.by_type.find(event.type);
  if (it == folds.by_type.end()) return {};
  for (const InlineFold* fold : it->second) {
    KeyspaceRows own(rows, fold->keyspace);
    if (auto evolved = fold->evolve(own, event); !evolved) return evolved;
  }
  return {};
}

Status evolve_some(std::span<const InlineFold* const> folds, FoldRows& rows,
                   const FoldedEvent& event) {
  const google::protobuf::Descriptor* type = event.type;
  for (const InlineFold* fold : folds) {
    if (!fold->every_event &&
        std::find(fold->events.begin(), fold->events.end(), type) == fold->events.end()) {
      continue;
    }
    KeyspaceRows own(rows, fold->keyspace);
    if (auto evolved = fold->evolve(own, event); !evolved) return evolved;
  }
  return {};
}

}  // namespace ledger::domain
