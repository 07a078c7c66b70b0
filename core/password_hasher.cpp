#include "core/password_hasher.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <fmt/format.h>

#include <charconv>
#include <vector>

#include "core/hex.h"
#include "core/secure_random.h"

namespace ledger {
namespace {

constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHashBytes = 32;

std::string derive(std::string_view password, std::string_view salt, std::uint64_t cost,
                   std::uint64_t block_size, std::uint64_t parallelism) {
  std::string key(kHashBytes, '\0');
  // Memory bound: 128 * N * r * p bytes, plus slack.
  const std::uint64_t memory_max = 128 * cost * block_size * parallelism + (1 << 20);
  const int ok = EVP_PBE_scrypt(password.data(), password.size(),
                                reinterpret_cast<const unsigned char*>(salt.data()), salt.size(),
                                cost, block_size, parallelism, memory_max,
                                reinterpret_cast<unsigned char*>(key.data()), key.size());
  if (ok != 1) return {};
  return key;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (;;) {
    const auto end = text.find(separator, start);
    parts.push_back(text.substr(start, end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

bool parse_number(std::string_view text, std::uint32_t* value) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *value);
  return error == std::errc() && end == text.data() + text.size();
}

}  // namespace

std::string hash_password(std::string_view password, const PasswordHashOptions& options) {
  const std::string salt = secure_random_bytes(kSaltBytes);
  const std::string key = derive(password, salt, std::uint64_t{1} << options.log2_cost,
                                 options.block_size, options.parallelism);
  LEDGER_ASSERT(!key.empty(), "scrypt failed with valid parameters");
  return fmt::format("scrypt${}${}${}${}${}", options.log2_cost, options.block_size,
                     options.parallelism, to_hex(salt), to_hex(key));
}

bool verify_password(std::string_view password, std::string_view stored) {
  const auto parts = split(stored, '$');
  if (parts.size() != 6 || parts[0] != "scrypt") return false;
  std::uint32_t log2_cost = 0, block_size = 0, parallelism = 0;
  if (!parse_number(parts[1], &log2_cost) || !parse_number(parts[2], &block_size) ||
      !parse_number(parts[3], &parallelism) || log2_cost < 1 || log2_cost > 20 || block_size < 1 ||
      block_size > 16 || parallelism < 1 || parallelism > 4) {
    return false;
  }
  const auto salt = from_hex(parts[4]);
  const auto expected = from_hex(parts[5]);
  if (!salt || !expected || expected->size() != kHashBytes) return false;
  const std::string key =
      derive(password, *salt, std::uint64_t{1} << log2_cost, block_size, parallelism);
  return key.size() == expected->size() &&
         CRYPTO_memcmp(key.data(), expected->data(), key.size()) == 0;
}

Status validate_new_password(std::string_view password) {
  if (password.size() < 8) {
    return make_error(Errc::invalid_argument, "password must be at least 8 characters", "password");
  }
  if (password.size() > 200) {
    return make_error(Errc::invalid_argument, "password must be at most 200 bytes", "password");
  }
  return {};
}

}  // namespace ledger
