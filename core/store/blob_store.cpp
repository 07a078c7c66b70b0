#include "core/store/blob_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/hex.h"
#include "core/secure_random.h"

namespace ledger::store {
namespace {

namespace fs = std::filesystem;

Error io_failure(std::string_view what, const fs::path& path, int error_number) {
  return make_error(Errc::io_error, fmt::format("cannot {} {}: {}", what, path.string(),
                                                std::strerror(error_number)));
}

Status sync_directory(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return io_failure("open directory", dir, errno);
  const int synced = ::fsync(fd);
  const int sync_errno = errno;
  ::close(fd);
  if (synced != 0) return io_failure("sync directory", dir, sync_errno);
  return {};
}

bool is_blob_name(std::string_view hex) {
  return hex.size() == 64 && std::all_of(hex.begin(), hex.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

}  // namespace

// ---- BlobClaim

BlobClaim& BlobClaim::operator=(BlobClaim&& other) noexcept {
  if (this != &other) {
    release();
    store_ = std::exchange(other.store_, nullptr);
    sha256_hex_ = std::move(other.sha256_hex_);
    size_ = other.size_;
    kept_ = other.kept_;
  }
  return *this;
}

BlobClaim::~BlobClaim() { release(); }

void BlobClaim::keep() { kept_ = true; }

void BlobClaim::release() {
  if (store_ == nullptr) return;
  store_->release(sha256_hex_, kept_);
  store_ = nullptr;
}

// ---- BlobWriter

BlobWriter::BlobWriter(BlobStore& store, fs::path path, int fd, std::uint64_t size_max)
    : store_(store), path_(std::move(path)), fd_(fd), size_max_(size_max) {}

BlobWriter::~BlobWriter() { discard(); }

void BlobWriter::discard() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
  if (!path_.empty()) {
    std::error_code ignored;
    fs::remove(path_, ignored);
    path_.clear();
  }
}

Status BlobWriter::write(std::string_view bytes) {
  if (fd_ < 0) return make_error(Errc::internal, "the upload was already closed");
  if (bytes.size() > size_max_ - size_) {
    discard();
    return make_error(Errc::too_large,
                      fmt::format("the file is over the limit of {} bytes", size_max_), "file");
  }
  if (head_.size() < 4) head_.append(bytes.substr(0, 4 - head_.size()));
  hasher_.update(bytes);
  while (!bytes.empty()) {
    const ssize_t written = ::write(fd_, bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      const int error_number = errno;
      const fs::path path = path_;
      discard();
      return io_failure("write", path, error_number);
    }
    bytes.remove_prefix(static_cast<std::size_t>(written));
    size_ += static_cast<std::uint64_t>(written);
  }
  return {};
}

Result<std::string> BlobWriter::read_tail(std::size_t bytes) const {
  if (fd_ < 0) return make_error(Errc::internal, "the upload was already closed");
  const std::uint64_t length = std::min<std::uint64_t>(bytes, size_);
  std::string tail(static_cast<std::size_t>(length), '\0');
  std::size_t done = 0;
  while (done < tail.size()) {
    const ssize_t got = ::pread(fd_, tail.data() + done, tail.size() - done,
                                static_cast<off_t>(size_ - length + done));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return io_failure("read", path_, got < 0 ? errno : EIO);
    done += static_cast<std::size_t>(got);
  }
  return tail;
}

Result<BlobClaim> BlobWriter::commit() {
  if (fd_ < 0) return make_error(Errc::internal, "the upload was already closed");
  if (::fsync(fd_) != 0) {
    const int error_number = errno;
    const fs::path path = path_;
    discard();
    return io_failure("sync", path, error_number);
  }
  ::close(fd_);
  fd_ = -1;
  const std::string hex = to_hex(hasher_.finish());
  auto claim = store_.place(path_, hex, size_);
  discard();  // the staging file is gone when placed; removed when not
  return claim;
}

// ---- BlobStore

Result<std::unique_ptr<BlobStore>> BlobStore::open(fs::path dir) {
  std::error_code error;
  fs::create_directories(dir / "sha256", error);
  if (!error) fs::create_directories(dir / "staging", error);
  if (error) {
    return make_error(Errc::io_error, fmt::format("cannot create the blob store {}: {}",
                                                  dir.string(), error.message()));
  }
  // Uploads that were arriving when the process stopped will never finish.
  for (const auto& entry : fs::directory_iterator(dir / "staging", error)) {
    std::error_code ignored;
    fs::remove(entry.path(), ignored);
  }
  return std::unique_ptr<BlobStore>(new BlobStore(std::move(dir)));
}

Result<std::unique_ptr<BlobWriter>> BlobStore::create_writer(std::uint64_t size_max) {
  const fs::path path = dir_ / "staging" / (to_hex(secure_random_bytes(16)) + ".part");
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return io_failure("create", path, errno);
  return std::unique_ptr<BlobWriter>(new BlobWriter(*this, path, fd, size_max));
}

Result<fs::path> BlobStore::path_of(std::string_view sha256_hex) const {
  if (!is_blob_name(sha256_hex)) {
    return make_error(Errc::invalid_argument, "a blob is named by 64 lower-case hex digits");
  }
  return dir_ / "sha256" / std::string(sha256_hex.substr(0, 2)) / std::string(sha256_hex);
}

bool BlobStore::contains(std::string_view sha256_hex) const {
  auto path = path_of(sha256_hex);
  std::error_code ignored;
  return path.ok() && fs::is_regular_file(*path, ignored);
}

std::size_t BlobStore::staging_files() const {
  std::error_code ignored;
  std::size_t count = 0;
  for (auto it = fs::directory_iterator(dir_ / "staging", ignored); it != fs::directory_iterator();
       it.increment(ignored)) {
    ++count;
  }
  return count;
}

std::size_t BlobStore::blob_count() const {
  std::error_code ignored;
  std::size_t count = 0;
  for (auto it = fs::recursive_directory_iterator(dir_ / "sha256", ignored);
       it != fs::recursive_directory_iterator(); it.increment(ignored)) {
    if (it->is_regular_file(ignored)) ++count;
  }
  return count;
}

Result<BlobClaim> BlobStore::place(const fs::path& staged, const std::string& hex,
                                   std::uint64_t size) {
  auto target = path_of(hex);
  if (!target) return std::move(target).error();
  std::lock_guard lock(mutex_);
  Pending& pending = pending_[hex];
  std::error_code error;
  if (!fs::exists(*target, error)) {
    fs::create_directories(target->parent_path(), error);
    if (!error) fs::rename(staged, *target, error);
    if (error) {
      if (pending.claims == 0) pending_.erase(hex);
      return make_error(Errc::io_error,
                        fmt::format("cannot store the blob {}: {}", hex, error.message()));
    }
    if (auto synced = sync_directory(target->parent_path()); !synced) {
      if (pending.claims == 0) pending_.erase(hex);
      return std::move(synced).error();
    }
    if (pending.claims == 0) pending.created = true;
  }
  ++pending.claims;
  return BlobClaim(this, hex, size);
}

void BlobStore::release(const std::string& hex, bool kept) {
  std::lock_guard lock(mutex_);
  auto it = pending_.find(hex);
  if (it == pending_.end()) return;
  it->second.kept = it->second.kept || kept;
  if (--it->second.claims > 0) return;
  if (it->second.created && !it->second.kept) {
    if (auto path = path_of(hex); path.ok()) {
      std::error_code ignored;
      fs::remove(*path, ignored);
    }
  }
  pending_.erase(it);
}

Result<std::uint64_t> copy_blob_directory(const fs::path& from, const fs::path& to) {
  std::error_code error;
  std::uint64_t copied = 0;
  fs::create_directories(to / "sha256", error);
  if (error) {
    return make_error(Errc::io_error, fmt::format("cannot create {}: {}", (to / "sha256").string(),
                                                  error.message()));
  }
  if (!fs::exists(from / "sha256", error)) return copied;  // no upload yet
  for (auto it = fs::recursive_directory_iterator(from / "sha256", error);
       !error && it != fs::recursive_directory_iterator(); it.increment(error)) {
    if (!it->is_regular_file(error) || !is_blob_name(it->path().filename().string())) continue;
    const fs::path target =
        to / "sha256" / it->path().parent_path().filename() / it->path().filename();
    fs::create_directories(target.parent_path(), error);
    if (error) break;
    if (fs::exists(target, error)) continue;
    fs::create_hard_link(it->path(), target, error);
    if (error) {
      error.clear();
      fs::copy_file(it->path(), target, error);
    }
    if (error == std::errc::no_such_file_or_directory) {
      error.clear();  // an unclaimed upload's blob removed meanwhile: no event names it
      continue;
    }
    if (error) break;
    ++copied;
  }
  if (error) {
    return make_error(Errc::io_error,
                      fmt::format("cannot copy the blobs to {}: {}", to.string(), error.message()));
  }
  return copied;
}

}  // namespace ledger::store
