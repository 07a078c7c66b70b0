// The blob store: files named by their SHA-256, whole or absent; an unclaimed upload leaves
// nothing; two claims on the same bytes share one blob; staging left by a crash is cleared.
#include <doctest/doctest.h>

#include <fstream>
#include <iterator>
#include <thread>
#include <vector>

#include "core/hex.h"
#include "core/sha256.h"
#include "core/store/blob_store.h"
#include "tests/support/temp_directory.h"

namespace ledger {
namespace {

using store::BlobStore;

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::unique_ptr<BlobStore> open_store(const testing::TempDirectory& dir) {
  auto store = BlobStore::open(dir.path() / "blobs");
  REQUIRE(store.ok());
  return std::move(*store);
}

store::BlobClaim put(BlobStore& store, const std::string& bytes, std::uint64_t limit = 1 << 20) {
  auto writer = store.create_writer(limit);
  REQUIRE(writer.ok());
  for (std::size_t at = 0; at < bytes.size(); at += 1000) {
    REQUIRE((*writer)->write(std::string_view(bytes).substr(at, 1000)).ok());
  }
  auto claim = (*writer)->commit();
  REQUIRE(claim.ok());
  return std::move(*claim);
}

TEST_CASE("a kept blob is stored whole under its hash, an unkept one is removed") {
  testing::TempDirectory dir;
  auto store = open_store(dir);
  const std::string bytes(10'000, 'k');
  const std::string hash = to_hex(sha256(bytes));
  {
    auto claim = put(*store, bytes);
    CHECK(claim.sha256_hex() == hash);
    CHECK(claim.size() == bytes.size());
    CHECK(store->contains(hash));
    CHECK(store->staging_files() == 0);
    claim.keep();
  }
  REQUIRE(store->contains(hash));
  CHECK(read_file(*store->path_of(hash)) == bytes);
  {
    auto dropped = put(*store, "other bytes");
    CHECK(store->contains(dropped.sha256_hex()));
  }
  CHECK(store->blob_count() == 1);
  // An existing blob is never removed by a later upload of the same bytes that is not kept.
  { auto again = put(*store, bytes); }
  CHECK(store->contains(hash));
  CHECK_FALSE(store->path_of("not-a-hash").ok());
  CHECK_FALSE(store->path_of(std::string(64, 'A')).ok());
}

TEST_CASE("two claims on the same new bytes: the blob stays while either may keep it") {
  testing::TempDirectory dir;
  auto store = open_store(dir);
  const std::string bytes = "same bytes twice";
  {
    auto first = put(*store, bytes);
    auto second = put(*store, bytes);
    { auto refused = std::move(first); }  // the first upload was refused
    CHECK(store->contains(second.sha256_hex()));
    second.keep();
  }
  CHECK(store->blob_count() == 1);
  {
    auto first = put(*store, "both refused");
    auto second = put(*store, "both refused");
  }
  CHECK(store->blob_count() == 1);
}

TEST_CASE("writers: the size limit, abandoned uploads and crashed staging leave nothing") {
  testing::TempDirectory dir;
  {
    auto store = open_store(dir);
    auto writer = store->create_writer(100);
    REQUIRE(writer.ok());
    REQUIRE((*writer)->write(std::string(60, 'x')).ok());
    CHECK((*writer)->head() == "xxxx");
    auto tail = (*writer)->read_tail(10);
    REQUIRE(tail.ok());
    CHECK(*tail == std::string(10, 'x'));
    auto over = (*writer)->write(std::string(41, 'x'));
    REQUIRE_FALSE(over.ok());
    CHECK(over.error().code == Errc::too_large);
    CHECK(store->staging_files() == 0);
    CHECK_FALSE((*writer)->commit().ok());
    {
      auto abandoned = store->create_writer(100);
      REQUIRE((*abandoned)->write("partial").ok());
      CHECK(store->staging_files() == 1);
    }
    CHECK(store->staging_files() == 0);
    CHECK(store->blob_count() == 0);
  }
  // A process that died mid-upload leaves a staging file; the next open clears it.
  std::ofstream(dir.path() / "blobs" / "staging" / "dead.part") << "half an upload";
  auto store = open_store(dir);
  CHECK(store->staging_files() == 0);
}

TEST_CASE("concurrent uploads of the same and of different bytes") {
  testing::TempDirectory dir;
  auto store = open_store(dir);
  std::vector<std::thread> threads;
  threads.reserve(8);
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        auto claim = put(*store, "shared content");
        auto own = put(*store, "content of " + std::to_string(t) + "/" + std::to_string(i));
        if (i % 2 == 0) own.keep();
        claim.keep();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(store->blob_count() == 1 + 8 * 10);
  CHECK(store->staging_files() == 0);
}

TEST_CASE("copy_blob_directory copies every blob (a backup) and skips what exists") {
  testing::TempDirectory dir;
  auto store = open_store(dir);
  for (const char* bytes : {"one", "two", "three"}) put(*store, bytes).keep();
  auto copied = store::copy_blob_directory(dir.path() / "blobs", dir.path() / "backup" / "blobs");
  REQUIRE(copied.ok());
  CHECK(*copied == 3);
  auto copy = BlobStore::open(dir.path() / "backup" / "blobs");
  REQUIRE(copy.ok());
  CHECK((*copy)->blob_count() == 3);
  CHECK(read_file(*(*copy)->path_of(to_hex(sha256("two")))) == "two");
  auto again = store::copy_blob_directory(dir.path() / "blobs", dir.path() / "backup" / "blobs");
  REQUIRE(again.ok());
  CHECK(*again == 0);
  auto empty = store::copy_blob_directory(dir.path() / "none", dir.path() / "empty-copy");
  REQUIRE(empty.ok());
  CHECK(*empty == 0);
}

}  // namespace
}  // namespace ledger
