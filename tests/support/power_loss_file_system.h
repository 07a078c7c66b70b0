// PowerLossFileSystem: a RocksDB FileSystem wrapper that remembers, for every file written through
// it, how much of it was made durable, and can then simulate a power cut: every byte that was
// never synced disappears. (RocksDB's own FaultInjectionTestFS is not in Debian's librocksdb-dev,
// so this is the part of it the power-loss tests need.)
//
// The model, per file created or reopened through the wrapper:
// - Append/PositionedAppend grow the written size; Sync, Fsync and RangeSync make the written
//   bytes (RangeSync: the synced range) durable; Truncate shrinks both.
// - A new file's directory entry is durable only once its directory is fsynced
// (FSDirectory::Fsync);
//   a rename is taken as durable at once, with the content synced so far (as ext4 does for a
//   rename over an existing file; RocksDB syncs the file before renaming and the directory after).
// - Files that existed before the wrapper saw them are left alone: they are as durable as the disk.
//
// `power_off()` cuts the power: from then on every write, sync, create, rename and delete fails
// with an IOError, so nothing more can become durable and nothing more can be acknowledged. A sync
// that completed before the cut completed whole (the lock is held across it). `drop_unsynced()`
// then does what the disk would show after the reboot: each tracked file is cut back to its synced
// size, and a file whose directory entry was never synced is removed. Close the database between
// the two.
#pragma once

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace ledger::testing {

class PowerLossFileSystem : public rocksdb::FileSystemWrapper {
 public:
  // What one power cut removed.
  struct Dropped {
    std::size_t files_truncated = 0;
    std::size_t files_removed = 0;
    std::uint64_t bytes = 0;  // unsynced bytes lost, removed files included
  };

  PowerLossFileSystem() : rocksdb::FileSystemWrapper(rocksdb::FileSystem::Default()) {}

  static const char* kClassName() { return "PowerLossFileSystem"; }
  const char* Name() const override { return kClassName(); }

  void power_off() {
    std::lock_guard lock(mutex_);
    powered_ = false;
  }
  // Cuts the power on the `count`-th write, sync, create, rename or delete from now (that one
  // fails): a cut at an exact point of RocksDB's I/O, e.g. between a WAL append and its sync.
  void power_off_at_operation(std::uint64_t count) {
    std::lock_guard lock(mutex_);
    operations_left_ = count;
  }
  bool powered() const {
    std::lock_guard lock(mutex_);
    return powered_;
  }

  // After power_off() and once the database is closed: loses every unsynced byte, forgets what
  // it tracked and turns the power back on.
  Dropped drop_unsynced() {
    std::lock_guard lock(mutex_);
    Dropped dropped;
    for (const auto& [name, file] : files_) {
      std::error_code error;
      if (!std::filesystem::exists(name, error)) continue;
      if (!file.entry_durable) {
        dropped.bytes += file.written;
        std::filesystem::remove(name, error);
        ++dropped.files_removed;
      } else if (file.synced < std::filesystem::file_size(name)) {
        dropped.bytes += std::filesystem::file_size(name) - file.synced;
        std::filesystem::resize_file(name, file.synced);
        ++dropped.files_truncated;
      }
    }
    files_.clear();
    powered_ = true;
    operations_left_ = 0;
    return dropped;
  }

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* debug) override {
    std::lock_guard lock(mutex_);
    if (!operation_allowed()) return power_is_off(name);
    auto status = target()->NewWritableFile(name, options, result, debug);
    if (status.ok()) {
      files_[normal(name)] = File{};
      *result = std::make_unique<TrackedFile>(std::move(*result), *this, normal(name));
    }
    return status;
  }

  rocksdb::IOStatus ReopenWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                       std::unique_ptr<rocksdb::FSWritableFile>* result,
                                       rocksdb::IODebugContext* debug) override {
    std::lock_guard lock(mutex_);
    if (!operation_allowed()) return power_is_off(name);
    auto status = target()->ReopenWritableFile(name, options, result, debug);
    if (status.ok()) {
      const std::string key = normal(name);
      if (!files_.contains(key)) {
        std::error_code error;
        const auto size = std::filesystem::file_size(key, error);
        files_[key] = File{error ? 0 : size, error ? 0 : size, true};
      }
      *result = std::make_unique<TrackedFile>(std::move(*result), *this, key);
    }
    return status;
  }

  rocksdb::IOStatus ReuseWritableFile(const std::string& name, const std::string& old_name,
                                      const rocksdb::FileOptions& options,
                                      std::unique_ptr<rocksdb::FSWritableFile>* result,
                                      rocksdb::IODebugContext* debug) override {
    std::lock_guard lock(mutex_);
    if (!operation_allowed()) return power_is_off(name);
    auto status = target()->ReuseWritableFile(name, old_name, options, result, debug);
    if (status.ok()) {
      files_.erase(normal(old_name));
      files_[normal(name)] = File{};
      *result = std::make_unique<TrackedFile>(std::move(*result), *this, normal(name));
    }
    return status;
  }

  rocksdb::IOStatus RenameFile(const std::string& source, const std::string& target_name,
                               const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* debug) override {
    std::lock_guard lock(mutex_);
    if (!operation_allowed()) return power_is_off(source);
    auto status = target()->RenameFile(source, target_name, options, debug);
    if (status.ok()) {
      auto node = files_.extract(normal(source));
      files_.erase(normal(target_name));
      if (!node.empty()) {
        node.key() = normal(target_name);
        node.mapped().entry_durable = true;
        files_.insert(std::move(node));
      }
    }
    return status;
  }

  rocksdb::IOStatus DeleteFile(const std::string& name, const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* debug) override {
    std::lock_guard lock(mutex_);
    if (!operation_allowed()) return power_is_off(name);
    auto status = target()->DeleteFile(name, options, debug);
    if (status.ok()) files_.erase(normal(name));
    return status;
  }

  rocksdb::IOStatus NewDirectory(const std::string& name, const rocksdb::IOOptions& options,
                                 std::unique_ptr<rocksdb::FSDirectory>* result,
                                 rocksdb::IODebugContext* debug) override {
    auto status = target()->NewDirectory(name, options, result, debug);
    if (status.ok()) {
      *result = std::make_unique<TrackedDirectory>(std::move(*result), *this, normal(name));
    }
    return status;
  }

 private:
  struct File {
    std::uint64_t written = 0;
    std::uint64_t synced = 0;
    bool entry_durable = false;
  };

  static std::string normal(const std::string& name) {
    std::string text = std::filesystem::path(name).lexically_normal().string();
    while (text.size() > 1 && text.back() == '/') text.pop_back();
    return text;
  }

  // Under mutex_: whether the power is still on for one more operation.
  bool operation_allowed() {
    if (powered_ && operations_left_ > 0 && --operations_left_ == 0) powered_ = false;
    return powered_;
  }

  static rocksdb::IOStatus power_is_off(const std::string& name) {
    return rocksdb::IOStatus::IOError("power is off", name);
  }

  class TrackedFile : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    TrackedFile(std::unique_ptr<rocksdb::FSWritableFile> file, PowerLossFileSystem& owner,
                std::string name)
        : rocksdb::FSWritableFileOwnerWrapper(std::move(file)),
          owner_(owner),
          name_(std::move(name)) {}

    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* debug) override {
      std::lock_guard lock(owner_.mutex_);
      if (!owner_.operation_allowed()) return power_is_off(name_);
      auto status = target()->Append(data, options, debug);
      if (status.ok()) owner_.files_[name_].written += data.size();
      return status;
    }
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             const rocksdb::DataVerificationInfo&,
                             rocksdb::IODebugContext* debug) override {
      return Append(data, options, debug);
    }
    rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, std::uint64_t offset,
                                       const rocksdb::IOOptions& options,
                                       rocksdb::IODebugContext* debug) override {
      std::lock_guard lock(owner_.mutex_);
      if (!owner_.operation_allowed()) return power_is_off(name_);
      auto status = target()->PositionedAppend(data, offset, options, debug);
      if (status.ok()) {
        auto& file = owner_.files_[name_];
        file.written = std::max(file.written, offset + data.size());
      }
      return status;
    }
    rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, std::uint64_t offset,
                                       const rocksdb::IOOptions& options,
                                       const rocksdb::DataVerificationInfo&,
                                       rocksdb::IODebugContext* debug) override {
      return PositionedAppend(data, offset, options, debug);
    }
    rocksdb::IOStatus Truncate(std::uint64_t size, const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* debug) override {
      std::lock_guard lock(owner_.mutex_);
      if (!owner_.operation_allowed()) return power_is_off(name_);
      auto status = target()->Truncate(size, options, debug);
      if (status.ok()) {
        auto& file = owner_.files_[name_];
        file.written = size;
        file.synced = std::min(file.synced, size);
      }
      return status;
    }
    rocksdb::IOStatus Sync(const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* debug) override {
      return sync_up_to(UINT64_MAX, [&] { return target()->Sync(options, debug); });
    }
    rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                            rocksdb::IODebugContext* debug) override {
      return sync_up_to(UINT64_MAX, [&] { return target()->Fsync(options, debug); });
    }
    rocksdb::IOStatus RangeSync(std::uint64_t offset, std::uint64_t bytes,
                                const rocksdb::IOOptions& options,
                                rocksdb::IODebugContext* debug) override {
      return sync_up_to(offset + bytes,
                        [&] { return target()->RangeSync(offset, bytes, options, debug); });
    }

   private:
    template <typename SyncCall>
    rocksdb::IOStatus sync_up_to(std::uint64_t limit, SyncCall call) {
      std::lock_guard lock(owner_.mutex_);
      if (!owner_.operation_allowed()) return power_is_off(name_);
      auto status = call();
      if (status.ok()) {
        auto& file = owner_.files_[name_];
        file.synced = std::max(file.synced, std::min(file.written, limit));
      }
      return status;
    }

    PowerLossFileSystem& owner_;
    std::string name_;
  };

  class TrackedDirectory : public rocksdb::FSDirectoryWrapper {
   public:
    TrackedDirectory(std::unique_ptr<rocksdb::FSDirectory> directory, PowerLossFileSystem& owner,
                     std::string name)
        : rocksdb::FSDirectoryWrapper(directory.get()),
          directory_(std::move(directory)),
          owner_(owner),
          name_(std::move(name)) {}

    rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                            rocksdb::IODebugContext* debug) override {
      return sync_entries([&] { return directory_->Fsync(options, debug); });
    }
    rocksdb::IOStatus FsyncWithDirOptions(const rocksdb::IOOptions& options,
                                          rocksdb::IODebugContext* debug,
                                          const rocksdb::DirFsyncOptions& dir_options) override {
      return sync_entries(
          [&] { return directory_->FsyncWithDirOptions(options, debug, dir_options); });
    }

   private:
    template <typename SyncCall>
    rocksdb::IOStatus sync_entries(SyncCall call) {
      std::lock_guard lock(owner_.mutex_);
      if (!owner_.operation_allowed()) return power_is_off(name_);
      auto status = call();
      if (status.ok()) {
        for (auto& [file_name, file] : owner_.files_) {
          if (std::filesystem::path(file_name).parent_path().string() == name_) {
            file.entry_durable = true;
          }
        }
      }
      return status;
    }

    std::unique_ptr<rocksdb::FSDirectory> directory_;
    PowerLossFileSystem& owner_;
    std::string name_;
  };

  mutable std::mutex mutex_;
  bool powered_ = true;
  std::uint64_t operations_left_ = 0;  // 0: no cut planned
  std::map<std::string, File> files_;
};

}  // namespace ledger::testing
