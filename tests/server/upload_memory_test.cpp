// A 40 MiB website version through a real ledgerd: the upload is streamed to the blob store, so
// the server's peak memory grows by far less than the file; the download gives back the same
// bytes; the blob is in DATA_DIR/blobs under its SHA-256.
#include <doctest/doctest.h>

#include <filesystem>
#include <regex>

#include "core/hex.h"
#include "core/sha256.h"
#include "tests/support/http_client.h"
#include "tests/support/ledgerd_process.h"
#include "tests/support/multipart_body.h"
#include "tests/support/temp_directory.h"

namespace ledger {
namespace {

using boost::beast::http::verb;
using testing::HttpAnswer;
using testing::HttpClient;

struct Session {
  HttpClient& client;
  std::string token;

  HttpAnswer post(const std::string& target, const nlohmann::json& body) {
    return client.request(verb::post, target, body.dump(), {{"Authorization", "Bearer " + token}});
  }
};

std::string login(HttpClient& client, const std::string& email, const std::string& password) {
  auto answer = client.request(verb::post, "/api/auth/login/",
                               nlohmann::json{{"email", email}, {"password", password}}.dump());
  REQUIRE_MESSAGE(answer.status == 200, answer.body);
  return answer.json()["token"].get<std::string>();
}

TEST_CASE("a 40 MiB upload streams through ledgerd: peak memory grows far less than the file") {
  testing::TempDirectory dir;
  testing::LedgerdProcess ledgerd(dir.string(), {"--password-cost", "10"});
  const std::string port =
      ledgerd.wait_for_line(std::regex("listening on http://127\\.0\\.0\\.1:(\\d+)"));
  HttpClient client("127.0.0.1", static_cast<unsigned short>(std::stoi(port)));
  Session admin{client, login(client, "admin@localhost",
                              testing::LedgerdProcess::admin_password(dir.string()))};
  std::string ids[2];
  const char* emails[2] = {"client@x.com", "web@x.com"};
  for (int i = 0; i < 2; ++i) {
    nlohmann::json user = {{"email", emails[i]},
                           {"password", "password-long-enough"},
                           {"name", "User"},
                           {"role", i == 0 ? "client" : "agent"}};
    if (i == 1) user["department"] = "website";
    auto created = admin.post("/api/users/", user);
    REQUIRE_MESSAGE(created.status == 201, created.body);
    ids[i] = created.json()["id"].get<std::string>();
  }
  REQUIRE(admin
              .post("/api/clients/" + ids[0] + "/assign_agent/",
                    {{"service", "website"}, {"agent_id", ids[1]}})
              .status == 200);
  Session owner{client, login(client, emails[0], "password-long-enough")};
  Session web{client, login(client, emails[1], "password-long-enough")};
  auto project =
      owner.post("/api/website-projects/",
                 {{"name", "Shop"}, {"answers", {{"business_name", "S"}, {"goals", "G"}}}});
  REQUIRE_MESSAGE(project.status == 201, project.body);

  const std::string file = testing::zip_shaped_file(40u << 20, 9);
  const std::string body = testing::multipart_body(
      {{"project_id", project.json()["id"].get<std::string>()}, {"version_number", "1.0"}},
      "site.zip", file);
  const std::uint64_t peak_before_kib = ledgerd.memory_kib("VmHWM");
  REQUIRE(peak_before_kib > 0);
  auto uploaded = client.request(verb::post, "/api/website-versions/", body,
                                 {{"Authorization", "Bearer " + web.token},
                                  {"Content-Type", testing::multipart_content_type()}});
  REQUIRE_MESSAGE(uploaded.status == 201, uploaded.body);
  const std::uint64_t peak_after_kib = ledgerd.memory_kib("VmHWM");
  const std::uint64_t growth_kib = peak_after_kib - peak_before_kib;
  MESSAGE("ledgerd peak RSS " << peak_before_kib << " KiB before, " << peak_after_kib
                              << " KiB after a " << (file.size() >> 10) << " KiB upload");
  // Streaming holds 64 KiB pieces; a server that buffered the body would grow by 40 MiB or more.
#if !defined(__SANITIZE_ADDRESS__)  // ASan's quarantine keeps freed pieces resident
  CHECK(growth_kib < 8 * 1024);
#else
  MESSAGE("memory bound not checked under AddressSanitizer (growth " << growth_kib << " KiB)");
#endif

  const std::string hash = to_hex(sha256(file));
  CHECK(uploaded.json()["file_sha256"] == hash);
  CHECK(std::filesystem::file_size(dir.path() / "blobs" / "sha256" / hash.substr(0, 2) / hash) ==
        file.size());
  auto download = client.request(
      verb::get, "/api/website-versions/" + uploaded.json()["id"].get<std::string>() + "/file/", "",
      {{"Authorization", "Bearer " + owner.token}});
  REQUIRE(download.status == 200);
  CHECK(download.body.size() == file.size());
  CHECK(download.body == file);
  const std::uint64_t peak_after_download_kib = ledgerd.memory_kib("VmHWM");
  MESSAGE("after the download: " << peak_after_download_kib << " KiB");
#if !defined(__SANITIZE_ADDRESS__)
  CHECK(peak_after_download_kib - peak_before_kib < 8 * 1024);
#endif
}

}  // namespace
}  // namespace ledger
