#include "core/store/record_seal.h"

#include <cstring>

namespace ledger::store {
namespace {

constexpr char kHashTag = 0x7A;     // field 15, wire type 2 (length-delimited)
constexpr char kHashLength = 0x20;  // 32 bytes

}  // namespace

Hash256 seal_record(const Hash256& previous_hash, std::string* body, Sha256* hasher) {
  hasher->reset();
  hasher->update(previous_hash);
  hasher->update(*body);
  const Hash256 hash = hasher->finish();
  body->push_back(kHashTag);
  body->push_back(kHashLength);
  body->append(hash_bytes(hash));
  return hash;
}

SealCheck check_record_seal(const Hash256& previous_hash, std::string_view record, Sha256* hasher,
                            Hash256* stored_hash) {
  if (record.size() < kSealBytes) return SealCheck::malformed;
  const std::size_t body_size = record.size() - kSealBytes;
  if (record[body_size] != kHashTag || record[body_size + 1] != kHashLength) {
    return SealCheck::malformed;
  }
  std::memcpy(stored_hash->data(), record.data() + body_size + 2, stored_hash->size());
  hasher->reset();
  hasher->update(previous_hash);
  hasher->update(record.substr(0, body_size));
  return hasher->finish() == *stored_hash ? SealCheck::ok : SealCheck::hash_mismatch;
}

}  // namespace ledger::store
