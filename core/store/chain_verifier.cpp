#include "core/store/chain_verifier.h"

#include <fmt/format.h>

#include "core/hex.h"
#include "core/store/record_seal.h"

namespace ledger::store {

ChainVerifier::ChainVerifier(LogHead before, bool check_stream_versions)
    : last_(before), check_stream_versions_(check_stream_versions) {}

void ChainVerifier::add_finding(std::uint64_t position, std::string kind, std::string message) {
  findings_.push_back(ChainFinding{position, std::move(kind), std::move(message)});
}

bool ChainVerifier::visit(std::uint64_t key_position, std::string_view record,
                          events::Envelope* envelope) {
  ++records_visited_;
  const std::uint64_t expected_position = last_.position + 1;
  if (key_position != expected_position) {
    add_finding(
        key_position, "gap",
        key_position > expected_position
            ? fmt::format("positions {}..{} are missing", expected_position, key_position - 1)
            : fmt::format("position {} appears after {}", key_position, last_.position));
  }

  Hash256 stored_hash{};
  switch (check_record_seal(last_.hash, record, &hasher_, &stored_hash)) {
    case SealCheck::ok:
      break;
    case SealCheck::malformed:
      add_finding(key_position, "malformed_seal", "the record does not end with its hash field");
      break;
    case SealCheck::hash_mismatch:
      add_finding(key_position, "bad_hash",
                  fmt::format("the record's hash {} does not match its content and the previous "
                              "hash {}",
                              to_hex(stored_hash), to_hex(last_.hash)));
      break;
  }

  events::Envelope* decoded = envelope != nullptr ? envelope : &scratch_;
  const bool decodes = decoded->ParseFromArray(record.data(), static_cast<int>(record.size()));
  if (!decodes) {
    add_finding(key_position, "undecodable", "the record is not a valid Envelope");
  } else {
    if (decoded->position() != key_position) {
      add_finding(key_position, "position_mismatch",
                  fmt::format("the record stored at {} says it is position {}", key_position,
                              decoded->position()));
    }
    if (decoded->previous_hash() != hash_bytes(last_.hash)) {
      add_finding(key_position, "bad_link",
                  "the record's previous_hash is not the hash of the record before it");
    }
    if (check_stream_versions_) {
      std::uint64_t& version = stream_versions_[decoded->stream_id()];
      if (decoded->stream_version() != version + 1) {
        add_finding(key_position, "stream_version_gap",
                    fmt::format("stream {} goes from version {} to {}", decoded->stream_id(),
                                version, decoded->stream_version()));
      }
      version = decoded->stream_version();
    }
  }
  last_ = LogHead{key_position, stored_hash};
  return decodes;
}

Status verify_chain_tail(LogHead before, const std::function<Status(const RecordVisitor&)>& scan) {
  ChainVerifier verifier(before, /*check_stream_versions=*/false);
  auto scanned = scan([&](std::uint64_t position, std::string_view record) {
    verifier.visit(position, record);
    return true;
  });
  if (!scanned) return scanned;
  if (verifier.findings().empty()) return {};
  const auto& finding = verifier.findings().front();
  return make_error(Errc::corruption,
                    fmt::format("the log's tail does not verify at position {}: {} ({} findings)",
                                finding.position, finding.message, verifier.findings().size()));
}

}  // namespace ledger::store
