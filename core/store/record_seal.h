// Sealing and checking the hash of one stored record.
//
// A record is the serialized Envelope; its last field is `hash` (field 15, 32 bytes), which is
// written as the tag 0x7A, the length 0x20 and the 32 hash bytes. The hash covers the previous
// record's hash and every byte before that tag:
//     hash[n] = SHA-256(hash[n-1] || body[n]),   record[n] = body[n] || 0x7A 0x20 || hash[n]
#pragma once

#include <string>
#include <string_view>

#include "core/sha256.h"

namespace ledger::store {

inline constexpr std::size_t kSealBytes = 34;  // tag + length + 32-byte hash

// Appends the seal to `body` (an Envelope serialized without its hash), making it a record, and
// returns the record's hash.
Hash256 seal_record(const Hash256& previous_hash, std::string* body, Sha256* hasher);

enum class SealCheck { ok, malformed, hash_mismatch };

// Checks that `record` ends with a well-formed seal whose hash is SHA-256(previous_hash || body).
// On ok or hash_mismatch, `stored_hash` receives the hash the record claims.
SealCheck check_record_seal(const Hash256& previous_hash, std::string_view record, Sha256* hasher,
                            Hash256* stored_hash);

}  // namespace ledger::store
