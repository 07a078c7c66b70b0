// Byte layouts of the store's keys, chosen so that RocksDB's byte order is the logical order.
//
//   events:      position (8 bytes, big-endian)
//   streams:     stream id, 0x00, stream version (8 bytes, big-endian)  -> position (8 bytes)
//   idempotency: the caller's (already scoped) key
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ledger::store {

inline void append_big_endian(std::string* out, std::uint64_t value) {
  char bytes[8];
  for (int i = 7; i >= 0; --i) {
    bytes[i] = static_cast<char>(value & 0xFF);
    value >>= 8;
  }
  out->append(bytes, 8);
}

inline std::string big_endian_key(std::uint64_t value) {
  std::string key;
  key.reserve(8);
  append_big_endian(&key, value);
  return key;
}

// Reads 8 big-endian bytes; `bytes` must hold at least 8.
inline std::uint64_t read_big_endian(std::string_view bytes) {
  std::uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value = (value << 8) | static_cast<unsigned char>(bytes[i]);
  return value;
}

inline std::string stream_key(std::string_view stream_id, std::uint64_t version) {
  std::string key;
  key.reserve(stream_id.size() + 9);
  key.append(stream_id);
  key.push_back('\0');
  append_big_endian(&key, version);
  return key;
}

inline std::string stream_key_prefix(std::string_view stream_id) {
  std::string prefix(stream_id);
  prefix.push_back('\0');
  return prefix;
}

}  // namespace ledger::store
