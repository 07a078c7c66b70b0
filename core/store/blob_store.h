// BlobStore: content-addressed files (website version archives) under a directory, usually
// DATA_DIR/blobs:
//
//   <dir>/sha256/<first two hex digits>/<64 hex digits>   a blob, named by its SHA-256
//   <dir>/staging/<random>.part                           an upload still arriving
//
// A blob is written to a staging file as it arrives (hashed on the way), synced, then renamed
// into place and its directory synced: a blob that exists is always whole and its name is its
// hash. Staging files of a crashed process are removed by open().
//
// The events name blobs by hash; a blob is only kept when the event that names it committed:
// the BlobClaim returned by commit() removes a blob it created unless keep() is called, and two
// uploads of the same bytes at once share one blob (it stays while either claim may keep it).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "core/result.h"
#include "core/sha256.h"

namespace ledger::store {

class BlobStore;

// Keeps a committed blob alive until the event naming it is written: keep() when it is, and
// the claim's end leaves the blob in place; without keep(), a blob this upload created is
// removed (unless another claim on the same hash is still open or kept it).
class BlobClaim {
 public:
  BlobClaim() = default;
  BlobClaim(BlobStore* store, std::string sha256_hex, std::uint64_t size)
      : store_(store), sha256_hex_(std::move(sha256_hex)), size_(size) {}
  BlobClaim(BlobClaim&& other) noexcept { *this = std::move(other); }
  BlobClaim& operator=(BlobClaim&& other) noexcept;
  ~BlobClaim();

  const std::string& sha256_hex() const { return sha256_hex_; }
  std::uint64_t size() const { return size_; }
  void keep();

 private:
  void release();
  BlobStore* store_ = nullptr;
  std::string sha256_hex_;
  std::uint64_t size_ = 0;
  bool kept_ = false;
};

// One upload on its way into the store. Destroyed without commit(), it leaves nothing behind.
class BlobWriter {
 public:
  BlobWriter(const BlobWriter&) = delete;
  BlobWriter& operator=(const BlobWriter&) = delete;
  ~BlobWriter();

  // too_large (and nothing kept) once more than the writer's size limit arrives.
  Status write(std::string_view bytes);
  std::uint64_t size() const { return size_; }
  // The first bytes written (up to 4) and the last `bytes` of the staged file, for format checks.
  std::string_view head() const { return head_; }
  Result<std::string> read_tail(std::size_t bytes) const;
  // The staged file, for checks that read it whole (a zip's central directory) before commit().
  const std::filesystem::path& staged_path() const { return path_; }

  // Syncs and moves the staged bytes into place under their hash.
  Result<BlobClaim> commit();

 private:
  friend class BlobStore;
  BlobWriter(BlobStore& store, std::filesystem::path path, int fd, std::uint64_t size_max);
  void discard();

  BlobStore& store_;
  std::filesystem::path path_;
  int fd_ = -1;
  std::uint64_t size_max_;
  std::uint64_t size_ = 0;
  std::string head_;
  Sha256 hasher_;
};

class BlobStore {
 public:
  static Result<std::unique_ptr<BlobStore>> open(std::filesystem::path dir);

  const std::filesystem::path& directory() const { return dir_; }
  Result<std::unique_ptr<BlobWriter>> create_writer(std::uint64_t size_max);

  // Where the blob with this hash lives (whether or not it exists); invalid_argument when the
  // text is not 64 lower-case hex digits.
  Result<std::filesystem::path> path_of(std::string_view sha256_hex) const;
  bool contains(std::string_view sha256_hex) const;
  // Staging files now open (for tests: a refused upload leaves none).
  std::size_t staging_files() const;
  // Blobs stored (a directory walk; for tests and stats).
  std::size_t blob_count() const;

 private:
  friend class BlobWriter;
  friend class BlobClaim;
  explicit BlobStore(std::filesystem::path dir) : dir_(std::move(dir)) {}
  Result<BlobClaim> place(const std::filesystem::path& staged, const std::string& hex,
                          std::uint64_t size);
  void release(const std::string& hex, bool kept);

  struct Pending {
    std::size_t claims = 0;
    bool created = false;
    bool kept = false;
  };
  std::filesystem::path dir_;
  std::mutex mutex_;
  std::map<std::string, Pending> pending_;
};

// Copies every blob of the store at `from` (a blob directory, e.g. DATA_DIR/blobs) into `to`,
// hard-linking where both are on one filesystem (blobs never change), copying otherwise. Safe
// while the store is in use: take the store's checkpoint first, then copy the blobs, and every
// blob the checkpoint's events name is there. Answers how many blobs were copied.
Result<std::uint64_t> copy_blob_directory(const std::filesystem::path& from,
                                          const std::filesystem::path& to);

}  // namespace ledger::store
