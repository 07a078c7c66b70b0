#include "http/routes/website_version_routes.h"
#include "events/enum_names.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "core/domain/keyspaces.h"
#include "core/domain/read_model.h"
#include "core/domain/text_limits.h"
#include "core/domain/website_project.h"
#include "core/domain/website_version.h"
#include "core/domain/zip_archive.h"
#include "core/store/blob_store.h"
#include "core/text_validation.h"
#include "http/api_support.h"
#include "http/authorization.h"
#include "http/domain_json.h"
#include "http/listing.h"
#include "http/multipart_reader.h"
#include "http/route_declaration.h"
#include "http/scoped_rows.h"

namespace ledger::http {
namespace {

using domain::UnitOfWork;
constexpr std::string_view kWebsite = "website";
constexpr std::size_t kFieldBytesMax = 10 * 1024;
// Room for the form fields and multipart framing beside the file itself.
constexpr std::uint64_t kFormOverheadBytes = 256 * 1024;

nlohmann::json version_json(const events::WebsiteVersionState& version) {
  nlohmann::json feedback = nlohmann::json::array();
  for (const auto& entry : version.feedback()) {
    feedback.push_back({{"author_id", entry.author_id()},
                        {"message", entry.message()},
                        {"created_at", time_json(entry.at_us())}});
  }
  auto optional = [](const std::string& text) {
    return text.empty() ? nlohmann::json(nullptr) : nlohmann::json(text);
  };
  return {{"id", version.version_id()},
          {"project_id", version.project_id()},
          {"project", version.project_id()},  // the seed's name
          {"project_title", version.project_name()},
          {"client_id", version.client_id()},
          {"agent_id", version.uploaded_by()},
          {"version_number", version.version_number()},
          {"status", events::enum_name(version.status())},
          {"notes", version.notes()},
          {"technologies_used",
           std::vector<std::string>(version.technologies().begin(), version.technologies().end())},
          {"changelog", version.changelog()},
          {"file_name", version.file_name()},
          {"file_size", version.file_size()},
          {"file_sha256", version.file_sha256()},
          {"file_url", fmt::format("/api/website-versions/{}/file/", version.version_id())},
          {"preview_url", optional(version.preview_url())},
          {"deployment_url", optional(version.deployment_url())},
          {"approved_by", optional(version.approved_by())},
          {"approved_at", time_json(version.approved_at_us())},
          {"deployed_at", time_json(version.deployed_at_us())},
          {"feedback", std::move(feedback)},
          {"created_at", time_json(version.created_at_us())},
          {"updated_at", time_json(version.updated_at_us())}};
}

Renderer<events::WebsiteVersionState> render_version() {
  return [](const events::WebsiteVersionState& version) -> Result<nlohmann::json> {
    return version_json(version);
  };
}

// The project an upload is for, when the caller may see it (not_found otherwise). An unknown
// project answers exactly like one out of scope: the answer must not tell which ids exist.
Status require_project_scope(const ApiContext& api, const Caller& caller,
                             std::string_view project_id) {
  auto project = domain::read_row<events::WebsiteProjectState>(
      api.log, domain::kWebsitesKeyspace, domain::website_project_key(project_id));
  if (!project) return std::move(project).error();
  if (!project->has_value()) return make_error(Errc::not_found, "there is no such project");
  return require_client_scope(api.log, caller, (*project)->client_id(), kWebsite, "project");
}

Result<events::WebsiteVersionState> visible_version(const ApiContext& api, const Caller& caller,
                                                    std::string_view id) {
  auto version = domain::read_row<events::WebsiteVersionState>(api.log, domain::kWebsitesKeyspace,
                                                               domain::website_version_key(id));
  if (!version) return std::move(version).error();
  if (!version->has_value() || (*version)->deleted()) {
    return make_error(Errc::not_found, "there is no such version");
  }
  if (auto scope =
          require_client_scope(api.log, caller, (*version)->client_id(), kWebsite, "version");
      !scope) {
    return std::move(scope).error();
  }
  return std::move(**version);
}

// technologies_used as the dashboards send it: a JSON array of strings, or comma-separated.
Result<std::vector<std::string>> technologies_from(std::string_view text) {
  std::vector<std::string> technologies;
  if (!text.empty() && text.front() == '[') {
    const auto parsed = nlohmann::json::parse(text, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_array() ||
        !std::all_of(parsed.begin(), parsed.end(), [](const auto& v) { return v.is_string(); })) {
      return make_error(Errc::invalid_argument,
                        "technologies_used is a JSON array of strings or a comma-separated list",
                        "technologies_used");
    }
    for (const auto& item : parsed) technologies.push_back(item.get<std::string>());
    return technologies;
  }
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    std::string_view item = text.substr(start, comma - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) technologies.emplace_back(item);
    start = comma + 1;
  }
  return technologies;
}

// The body of POST /api/website-versions/: multipart fields and the zip `file`, streamed into
// the blob store as it arrives. project_id and version_number must come before the file (as the
// dashboards send them): a file part before them is refused at once, and the fields, the file
// name and the caller's scope are checked as soon as the file starts, so a refused upload is
// never read to its end. Every field is checked to be UTF-8 as soon as it is read.
class VersionUpload final : public BodySink, public MultipartHandler {
 public:
  VersionUpload(ApiContext& api, const RouteDeclaration& route, Caller caller, const Request& head,
                const std::string& boundary)
      : api_(api),
        route_(route),
        caller_(std::move(caller)),
        head_(head),
        reader_(boundary, *this) {}

  Status write(std::string_view bytes) override { return reader_.feed(bytes); }

  Status on_part_begin(const MultipartPart& part) override {
    part_ = part.name;
    if (part.name == "file") {
      if (file_) return make_error(Errc::invalid_argument, "send one file", "file");
      if (part.filename.empty()) {
        return make_error(Errc::invalid_argument, "file must be a file part (with a filename)",
                          "file");
      }
      if (auto name = domain::check_website_version_file_name(part.filename); !name) return name;
      file_name_ = part.filename;
      if (fields_.count("project_id") == 0 || fields_.count("version_number") == 0) {
        return make_error(Errc::invalid_argument,
                          "project_id (or project) and version_number must come before the file "
                          "part",
                          "file");
      }
      if (auto early = check_fields(); !early) return early;
      auto writer = api_.blobs->create_writer(api_.options.upload_bytes_max);
      if (!writer) return std::move(writer).error();
      file_ = std::move(*writer);
      return {};
    }
    // The parts are the route's declared fields, under their names or the seed's (`project`).
    const auto declared = std::find_if(route_.body.begin(), route_.body.end(), [&](const Field& f) {
      return f.type != FieldType::file && (f.name == part.name || f.alias == part.name);
    });
    if (declared == route_.body.end()) {
      return make_error(Errc::invalid_argument,
                        fmt::format("{} is not a field of a website version", part.name),
                        part.name);
    }
    part_ = declared->name;
    if (part_ != "technologies_used" && fields_.count(part_) > 0) {
      return make_error(Errc::invalid_argument,
                        declared->alias.empty()
                            ? fmt::format("{} is sent twice", part_)
                            : fmt::format("{} (or {}) is sent twice", part_, declared->alias),
                        part.name);
    }
    if (!part.filename.empty()) {
      return make_error(Errc::invalid_argument, fmt::format("{} is a field, not a file", part.name),
                        part.name);
    }
    if (part_ == "technologies_used" && fields_.count(part_) > 0) {
      fields_[part_] += ",";  // repeated parts add up
    }
    fields_[part_];
    return {};
  }

  Status on_part_data(std::string_view bytes) override {
    if (part_ == "file") return file_->write(bytes);
    std::string& value = fields_[part_];
    if (value.size() + bytes.size() > kFieldBytesMax) {
      return make_error(Errc::too_large, fmt::format("{} is over 10 KiB", part_), part_);
    }
    value.append(bytes);
    return {};
  }

  Status on_part_end() override {
    if (part_ == "file" || is_valid_utf8(fields_[part_])) return {};
    return make_error(Errc::invalid_argument, fmt::format("{} is not valid UTF-8", part_), part_);
  }

  void finish(Reply reply) override {
    auto refuse = [&](const Error& error) { reply_error(head_, error, reply); };
    if (auto read = reader_.finish(); !read) return refuse(read.error());
    if (!file_) return refuse(make_error(Errc::invalid_argument, "file is required", "file"));
    if (auto checked = check_fields(); !checked) return refuse(checked.error());
    if (auto zip = check_zip(); !zip) return refuse(zip.error());
    auto claim = file_->commit();
    if (!claim) return refuse(claim.error());
    command_.version_id = domain::WebsiteVersionId{api_.ids.next()};
    command_.file_sha256 = claim->sha256_hex();
    command_.file_size = claim->size();
    command_.file_name = file_name_;
    command_.uploaded_by = caller_.user_id;
    // The idempotency fingerprint covers the fields and the file's hash.
    Request described = head_;
    described.body() = nlohmann::json{{"project_id", command_.project_id.str()},
                                      {"version_number", command_.version_number},
                                      {"notes", command_.notes},
                                      {"technologies_used", command_.technologies},
                                      {"changelog", command_.changelog},
                                      {"file_sha256", command_.file_sha256},
                                      {"file_name", command_.file_name}}
                           .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    auto kept = std::make_shared<store::BlobClaim>(std::move(*claim));
    auto render = render_version();
    run_command<events::WebsiteVersionState>(
        api_, described, caller_.user_id,
        [command = command_](UnitOfWork& uow) {
          return domain::upload_website_version(uow, command);
        },
        [kept, render](const events::WebsiteVersionState& version) {
          kept->keep();  // the event naming the blob is durable
          return render(version);
        },
        beast_http::status::created, std::move(reply));
  }

 private:
  // The fields that have arrived (all of them once the body was read), the caller's scope over
  // the project and the version number's freedom.
  Status check_fields() {
    command_.project_id = domain::WebsiteProjectId{fields_["project_id"]};
    command_.version_number = fields_["version_number"];
    command_.notes = fields_["notes"];
    command_.changelog = fields_["changelog"];
    auto technologies = technologies_from(fields_["technologies_used"]);
    if (!technologies) return std::move(technologies).error();
    command_.technologies = std::move(*technologies);
    if (auto valid = domain::check_website_version_fields(command_); !valid) return valid;
    if (auto scope = require_project_scope(api_, caller_, command_.project_id.str()); !scope) {
      return scope;
    }
    auto taken = domain::read_row<events::WebsiteVersionState>(
        api_.log, domain::kWebsitesKeyspace,
        domain::version_number_key(command_.project_id.str(), command_.version_number));
    if (!taken) return std::move(taken).error();
    if (taken->has_value()) {
      return make_error(
          Errc::version_number_taken,
          fmt::format("the project already has a version {}", command_.version_number),
          "version_number");
    }
    return {};
  }

  // The staged file is a zip archive that is safe to extract (core/domain/zip_archive.h).
  Status check_zip() {
    auto tail = file_->read_tail(domain::kZipTailBytes);
    if (!tail) return std::move(tail).error();
    if (auto shape = domain::check_zip_archive(file_->head(), *tail); !shape) return shape;
    return domain::check_zip_file(file_->staged_path(), api_.options.upload_zip_limits);
  }

  ApiContext& api_;
  const RouteDeclaration& route_;
  Caller caller_;
  Request head_;
  MultipartReader reader_;
  std::map<std::string, std::string> fields_;
  std::string part_;
  std::string file_name_;
  std::unique_ptr<store::BlobWriter> file_;
  domain::UploadWebsiteVersion command_;
};

Result<std::unique_ptr<BodySink>> start_upload(ApiContext& api, const RouteInput& in) {
  const Request& head = in.request;
  if (api.blobs == nullptr) {
    return make_error(Errc::io_error, "this server has no file storage configured");
  }
  auto content_type = head[beast_http::field::content_type];
  auto boundary = multipart_boundary(std::string_view(content_type.data(), content_type.size()));
  if (!boundary) return std::move(boundary).error();
  return std::unique_ptr<BodySink>(
      std::make_unique<VersionUpload>(api, in.route, in.caller, head, *boundary));
}

// A version list over index rows (each holds a version id), filtered to what the caller sees.
ListSource version_rows(ApiContext& api, const Caller& caller, std::string prefix, bool index,
                        const std::optional<std::string>& status) {
  ScopedRows<events::WebsiteVersionState> rows{
      std::string(domain::kWebsitesKeyspace),
      "website version",
      std::string(kWebsite),
      {},
      [status](const events::WebsiteVersionState& row) {
        return !row.deleted() && (!status || events::enum_name(row.status()) == *status);
      },
      [](const events::WebsiteVersionState& row) { return version_json(row); }};
  if (index) {
    rows.full_key = [](const events::WebsiteVersionState& row) {
      return domain::website_version_key(row.version_id());
    };
  }
  return scoped_state_rows(api.log, caller, std::move(prefix), std::move(rows));
}

void list_versions(ApiContext& api, const RouteInput& in, Reply reply) {
  const Request& request = in.request;
  const Caller& caller = in.caller;
  answer_query(api, request, reply, [&]() -> Result<nlohmann::json> {
    auto project = in.query.optional_text("project_id");
    auto status = in.query.optional_text("status");
    if (project) {
      if (auto scope = require_project_scope(api, caller, *project); !scope) {
        return std::move(scope).error();
      }
    }
    ListSource source =
        project ? version_rows(api, caller, domain::project_versions_prefix(*project), true, status)
                : version_rows(api, caller, std::string(domain::kWebsiteVersionKeyPrefix), false,
                               status);
    auto count = count_items(source);
    if (!count) return std::move(count).error();
    return list_page(request, source, *count);
  });
}

void my_uploads(ApiContext& api, const RouteInput& in, Reply reply) {
  const Request& request = in.request;
  const Caller& caller = in.caller;
  answer_query(api, request, reply, [&]() -> Result<nlohmann::json> {
    auto status = in.query.optional_text("status");
    ListSource source =
        version_rows(api, caller, domain::agent_uploads_prefix(caller.user_id.str()), true, status);
    auto count = count_items(source);
    if (!count) return std::move(count).error();
    return list_page(request, source, *count);
  });
}

void get_version(ApiContext& api, const RouteInput& in, Reply reply) {
  answer_query(api, in.request, reply, [&]() -> Result<nlohmann::json> {
    auto version = visible_version(api, in.caller, in.path.get("id"));
    if (!version) return std::move(version).error();
    return version_json(*version);
  });
}

void download_file(ApiContext& api, const RouteInput& in, Reply reply) {
  const Request& request = in.request;
  auto version = visible_version(api, in.caller, in.path.get("id"));
  if (!version) return reply_error(request, version.error(), reply);
  if (api.blobs == nullptr) {
    return reply_error(
        request, make_error(Errc::io_error, "this server has no file storage configured"), reply);
  }
  auto path = api.blobs->path_of(version->file_sha256());
  if (!path || !api.blobs->contains(version->file_sha256())) {
    return reply_error(
        request,
        make_error(Errc::corruption, fmt::format("the file of version {} is missing from the blob "
                                                 "store",
                                                 version->version_number())),
        reply);
  }
  Response head(beast_http::status::ok, request.version());
  head.set(beast_http::field::content_type, "application/zip");
  std::string file_name = version->file_name();
  std::replace_if(
      file_name.begin(), file_name.end(),
      [](unsigned char c) { return c < 0x20 || c >= 0x7f || c == '"' || c == '\\'; }, '_');
  head.set(beast_http::field::content_disposition,
           fmt::format("attachment; filename=\"{}\"", file_name));
  head.set("X-Content-SHA256", version->file_sha256());
  head.set("X-Content-Type-Options", "nosniff");
  head.keep_alive(request.keep_alive());
  reply.file(std::move(head), *path);
}

using Action = Result<events::WebsiteVersionState> (*)(UnitOfWork&,
                                                       const domain::WebsiteVersionAction&);

// A version action; its URL field (`url_field`, when it has one) and the feedback message are
// the declared body fields.
RouteHandler version_action(Action action, const std::string& url_field,
                            bool with_message = false) {
  return [action, url_field, with_message](ApiContext& api, const RouteInput& in, Reply reply) {
    if (auto version = visible_version(api, in.caller, in.path.get("id")); !version) {
      return reply_error(in.request, version.error(), reply);
    }
    domain::WebsiteVersionAction command{
        domain::WebsiteVersionId{in.path.get("id")}, in.caller.user_id, {}, {}};
    if (!url_field.empty()) command.url = in.body.optional_text(url_field).value_or("");
    if (with_message) command.message = in.body.text("message");
    run_command<events::WebsiteVersionState>(
        api, in.request, in.caller.user_id,
        [command, action](UnitOfWork& uow) { return action(uow, command); }, render_version(),
        beast_http::status::ok, std::move(reply));
  };
}

void update_version(ApiContext& api, const RouteInput& in, Reply reply) {
  if (auto version = visible_version(api, in.caller, in.path.get("id")); !version) {
    return reply_error(in.request, version.error(), reply);
  }
  domain::UpdateWebsiteVersion command{
      domain::WebsiteVersionId{in.path.get("id")}, in.body.optional_text("notes"),
      in.body.optional_text("changelog"), std::nullopt, in.caller.user_id};
  if (in.body.has("technologies_used")) command.technologies = in.body.list("technologies_used");
  run_command<events::WebsiteVersionState>(
      api, in.request, in.caller.user_id,
      [command](UnitOfWork& uow) { return domain::update_website_version(uow, command); },
      render_version(), beast_http::status::ok, std::move(reply));
}

schema::Schema version_schema() {
  using namespace schema;
  return named("WebsiteVersion",
               object({{"id", string()},
                       {"project_id", string()},
                       {"project", string()},
                       {"project_title", string()},
                       {"client_id", string()},
                       {"agent_id", string()},
                       {"version_number", string()},
                       {"status", one_of<events::WebsiteVersionStatus>()},
                       {"notes", string()},
                       {"technologies_used", array(string())},
                       {"changelog", string()},
                       {"file_name", string()},
                       {"file_size", integer()},
                       {"file_sha256", string()},
                       {"file_url", string()},
                       {"preview_url", nullable(string())},
                       {"deployment_url", nullable(string())},
                       {"approved_by", nullable(string())},
                       {"approved_at", nullable(time())},
                       {"deployed_at", nullable(time())},
                       {"feedback", array(object({{"author_id", string()},
                                                  {"message", string()},
                                                  {"created_at", nullable(time())}}))},
                       {"created_at", nullable(time())},
                       {"updated_at", nullable(time())}}));
}

std::uint64_t upload_body_bytes_max(const ApiContext& api) {
  return api.options.upload_bytes_max + kFormOverheadBytes;
}

}  // namespace

RouteTable website_version_routes() {
  using beast_http::verb;
  namespace limits = domain::text_limits;
  const std::vector<Role> everyone = {Role::admin, Role::agent, Role::client};
  const std::vector<Field> filters = {
      field::choice<events::WebsiteVersionStatus>("status").optional()};
  const std::vector<Errc> transitions = {Errc::not_found, Errc::invalid_transition};
  return {
      {.method = verb::post,
       .path = "/api/website-versions/",
       .operation_id = "uploadWebsiteVersion",
       .summary = "Upload a version of a client's website as a zip file (streamed; the fields "
                  "come before the file)",
       .roles = {Role::agent},
       .body_type = BodyType::multipart,
       .body = {field::text("project_id", limits::kId).also_named("project"),
                field::text("version_number", limits::kVersionNumber),
                field::long_text("notes", limits::kDescription).optional(),
                field::text("technologies_used", 10 * 1024)
                    .optional()
                    .described("a JSON array of strings or a comma-separated list; the part may "
                               "repeat"),
                field::long_text("changelog", limits::kDescription).optional(),
                field::file("file").described("a zip archive")},
       .success = beast_http::status::created,
       .answer = version_schema(),
       .errors = {Errc::not_found, Errc::version_number_taken, Errc::too_large, Errc::io_error},
       .streamed = start_upload,
       .body_bytes_max = upload_body_bytes_max},
      {.method = verb::get,
       .path = "/api/website-versions/",
       .operation_id = "listWebsiteVersions",
       .summary = "Website versions the caller may see, of one project or all",
       .roles = everyone,
       .query = {field::text("project_id", limits::kId).optional(), filters[0]},
       .paged = true,
       .answer = version_schema(),
       .errors = {Errc::not_found},
       .handler = list_versions},
      {.method = verb::get,
       .path = "/api/website-versions/my_uploads/",
       .operation_id = "listMyWebsiteUploads",
       .summary = "The calling agent's uploads",
       .roles = {Role::agent},
       .query = filters,
       .paged = true,
       .answer = version_schema(),
       .handler = my_uploads},
      {.method = verb::get,
       .path = "/api/website-versions/{id}/",
       .operation_id = "getWebsiteVersion",
       .summary = "One website version",
       .roles = everyone,
       .answer = version_schema(),
       .errors = {Errc::not_found},
       .handler = get_version},
      {.method = verb::patch,
       .path = "/api/website-versions/{id}/",
       .operation_id = "updateWebsiteVersion",
       .summary = "Change a version's notes, changelog or technologies before it is deployed",
       .roles = {Role::agent, Role::admin},
       .body = {field::long_text("notes", limits::kDescription).optional(),
                field::long_text("changelog", limits::kDescription).optional(),
                field::text_list("technologies_used", 20, limits::kTechnology)},
       .answer = version_schema(),
       .errors = {Errc::not_found, Errc::invalid_transition},
       .handler = update_version},
      {.method = verb::delete_,
       .path = "/api/website-versions/{id}/",
       .operation_id = "deleteWebsiteVersion",
       .summary = "Withdraw a version that was never deployed (its number is free again)",
       .roles = {Role::agent, Role::admin},
       .answer = version_schema(),
       .errors = {Errc::not_found, Errc::invalid_transition},
       .handler = version_action(domain::delete_website_version, "")},
      {.method = verb::get,
       .path = "/api/website-versions/{id}/file/",
       .operation_id = "downloadWebsiteVersionFile",
       .summary = "The version's zip file (X-Content-SHA256 holds its hash)",
       .roles = everyone,
       .answer_type = "application/zip",
       .answer = {{"type", "string"}, {"format", "binary"}},
       .errors = {Errc::not_found, Errc::io_error},
       .handler = download_file},
      {.method = verb::post,
       .path = "/api/website-versions/{id}/start_testing/",
       .operation_id = "startWebsiteVersionTesting",
       .summary = "Put an uploaded version in testing, with an optional preview URL",
       .roles = {Role::agent},
       .body = {field::text("preview_url", limits::kUrl).optional()},
       .answer = version_schema(),
       .errors = transitions,
       .handler = version_action(domain::start_version_testing, "preview_url")},
      {.method = verb::post,
       .path = "/api/website-versions/{id}/approve/",
       .operation_id = "approveWebsiteVersion",
       .summary = "The client's (or an admin's) approval of a version in testing",
       .roles = {Role::client, Role::admin},
       .answer = version_schema(),
       .errors = transitions,
       .handler = version_action(domain::approve_website_version, "")},
      {.method = verb::post,
       .path = "/api/website-versions/{id}/deploy/",
       .operation_id = "deployWebsiteVersion",
       .summary = "Deploy an approved version at its URL",
       .roles = {Role::agent},
       .body = {field::text("deployment_url", limits::kUrl)},
       .answer = version_schema(),
       .errors = transitions,
       .handler = version_action(domain::deploy_website_version, "deployment_url")},
      {.method = verb::post,
       .path = "/api/website-versions/{id}/add_feedback/",
       .operation_id = "addWebsiteVersionFeedback",
       .summary = "Add feedback to a version",
       .roles = everyone,
       .body = {field::text("message", limits::kNote)},
       .answer = version_schema(),
       .errors = {Errc::not_found},
       .handler = version_action(domain::add_version_feedback, "", true)},
  };
}

}  // namespace ledger::http
