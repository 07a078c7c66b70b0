#include "http/routes/admin_routes.h"

#include <filesystem>

#include "core/domain/text_limits.h"
#include "http/api_support.h"

namespace ledger::http {
namespace {

bool is_safe_name(std::string_view name) {
  if (name.empty() || name.size() > 100 || name.front() == '.') return false;
  for (char c : name) {
    const bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                         (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
    if (!allowed) return false;
  }
  return true;
}

void backup(ApiContext& api, const RouteInput& in, Reply reply) {
  const Request& request = in.request;
  const std::string& name = in.body.text("name");
  if (api.options.backup_dir.empty()) {
    return reply_error(
        request, make_error(Errc::forbidden, "backups are not configured (--backup-dir)"), reply);
  }
  if (!is_safe_name(name)) {
    return reply_error(
        request,
        make_error(Errc::invalid_argument,
                   "name is letters, digits, '-', '_' and '.', not starting with '.'", "name"),
        reply);
  }
  std::error_code error;
  std::filesystem::create_directories(api.options.backup_dir, error);
  const auto target = std::filesystem::path(api.options.backup_dir) / name;
  if (std::filesystem::exists(target)) {
    return reply_error(request,
                       make_error(Errc::invalid_argument, "a backup with this name exists", "name"),
                       reply);
  }
  std::filesystem::create_directories(target, error);
  if (error) {
    return reply_error(
        request,
        make_error(Errc::io_error, "cannot create " + target.string() + ": " + error.message()),
        reply);
  }
  const std::uint64_t position = api.log.head().position;  // every event acknowledged so far
  if (auto written = api.log.checkpoint_to((target / "store").string()); !written) {
    return reply_error(request, written.error(), reply);
  }
  // After the checkpoint: every blob its events name is stored by now.
  std::uint64_t blobs = 0;
  if (api.blobs != nullptr) {
    auto copied = store::copy_blob_directory(api.blobs->directory(), target / "blobs");
    if (!copied) return reply_error(request, copied.error(), reply);
    blobs = *copied;
  }
  // The key verification codes are checked with: a restore keeps codes already sent valid.
  if (auto key = save_code_mac_key(api.options.code_mac_key, target); !key) {
    return reply_error(request, key.error(), reply);
  }
  Response response =
      json_response(request, beast_http::status::created,
                    {{"path", target.string()}, {"contains_position", position}, {"blobs", blobs}});
  response.set("X-Ledger-Position", std::to_string(position));
  reply(std::move(response));
}

}  // namespace

RouteTable admin_routes() {
  return {{.method = beast_http::verb::post,
           .path = "/api/admin/backup/",
           .operation_id = "createBackup",
           .summary = "Write a consistent copy of the store, its blobs and its code key under "
                      "--backup-dir/NAME",
           .roles = {Role::admin},
           .body = {field::text("name", domain::text_limits::kName)
                        .described("letters, digits, '-', '_' and '.', not starting with '.'")},
           .success = beast_http::status::created,
           .answer = schema::object({{"path", schema::string()},
                                     {"contains_position", schema::integer()},
                                     {"blobs", schema::integer()}}),
           .answers_position = false,  // contains_position: what the copy holds
           .served_locally = true,
           .errors = {Errc::forbidden, Errc::io_error},
           .handler = backup}};
}

}  // namespace ledger::http
