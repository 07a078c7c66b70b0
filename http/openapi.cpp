#include "http/openapi.h"

#include "http/json_response.h"

namespace ledger::http {
namespace {

using F = ApiField;

std::vector<ApiOperation> build_operations() {
  const std::vector<F> page = {{"limit", "integer", false, "1-500, default 50"},
                               {"cursor", "string", false, "from next/previous"}};
  auto with_page = [&](std::vector<F> extra) {
    extra.insert(extra.end(), page.begin(), page.end());
    return extra;
  };
  return {
      // Operations
      {"get", "/healthz", "The process is up", "public", {}, {}, 200, false},
      {"get", "/readyz", "The store is open and writable", "public", {}, {}, 200, false},
      {"get", "/metrics",
       "Prometheus metrics (without a token only on ledgerd's --metrics-listen listener)",
       "admin", {}, {}, 200, false, "application/json",
       "text/plain; version=0.0.4; charset=utf-8"},
      {"get", "/openapi.json", "This document", "public", {}, {}, 200, false},
      // Identity
      {"post", "/api/auth/login/", "Log in; answers a bearer token shown once", "public",
       {{"email", "string", true, ""}, {"password", "string", true, ""}}, {}, 200, false},
      {"post", "/api/auth/logout/", "Revoke the token used", "any user", {}, {}, 200, false},
      {"get", "/api/auth/me/", "The caller", "any user", {}, {}, 200, false},
      {"post", "/api/auth/register/",
       "Self-registration of a client; a 6-digit code goes to the email outbox (10 min)",
       "public",
       {{"email", "string", true, ""}, {"password", "string", true, "8-200 characters"},
        {"name", "string", true, ""}},
       {}, 201, false},
      {"post", "/api/auth/verify-email/", "Verify the email with its code", "public",
       {{"email", "string", true, ""}, {"code", "string", true, "6 digits"}}, {}, 200, false},
      {"post", "/api/users/", "Create a verified user", "admin",
       {{"email", "string", true, ""}, {"password", "string", true, ""},
        {"name", "string", true, ""}, {"role", "string", true, "admin, client or agent"},
        {"department", "string", false, "agents: marketing or website"},
        {"max_clients", "integer", false, "agents: capacity, default 10"}},
       {}, 201, false},
      {"get", "/api/users/", "Users, newest first", "admin", {},
       with_page({{"role", "string", false, "admin, client or agent"}}), 200, true},
      {"post", "/api/clients/{id}/assign_agent/", "Assign an agent to a client for a service",
       "admin", {{"service", "string", true, "marketing or website"},
                 {"agent_id", "string", true, ""}}, {}, 200, false},
      {"get", "/api/agents/my-clients/", "Clients assigned to the calling agent", "agent", {},
       page, 200, true},
      {"get", "/api/service-settings/my_services/", "Services and their agents", "client", {},
       {}, 200, false},
      {"post", "/api/service-settings/activate_service/", "Activate a service", "client",
       {{"service", "string", true, "marketing, website or courses"}}, {}, 200, false},
      {"post", "/api/service-settings/deactivate_service/", "Deactivate a service", "client",
       {{"service", "string", true, "marketing, website or courses"}}, {}, 200, false},
      // Wallet
      {"get", "/api/wallet/", "Balance, available balance, holds and totals", "client, admin",
       {}, {{"user_id", "string", false, "admins: whose wallet"}}, 200, false},
      {"post", "/api/wallet/topup/", "Ask for a top-up (pending until confirmed)", "client",
       {{"amount", "money", true, ""}, {"payment_method", "string", true, "paypal or card"}},
       {}, 201, false},
      {"post", "/api/wallet/topups/{id}/confirm/", "Confirm a top-up: credits the wallet",
       "admin", {{"provider_reference", "string", true, ""}}, {}, 200, false},
      {"post", "/api/payments/webhook/",
       "Payment provider notification, signed with X-Signature: sha256=<hex HMAC of the body>",
       "payment provider",
       {{"event", "string", true,
         "topup.confirmed, topup.failed, course_purchase.confirmed or course_purchase.failed"},
        {"id", "string", true, "top-up or purchase id"},
        {"amount", "money", false,
         "captured amount, required to confirm; a mismatch is 422 amount_mismatch (recorded)"},
        {"currency", "string", false, "captured currency (USD), required to confirm"},
        {"provider_reference", "string", false, ""}, {"reason", "string", false, ""}},
       {}, 200, false},
      {"post", "/api/wallet/pay/", "Pay for a service from the wallet", "client",
       {{"amount", "money", true, ""}, {"service", "string", true, ""},
        {"reference", "string", false, ""}, {"description", "string", false, ""}},
       {}, 201, false},
      {"post", "/api/wallet/check_affordability/", "Can the wallet pay this amount now?",
       "client", {{"amount", "money", true, ""}}, {}, 200, false},
      {"get", "/api/wallet/transactions/", "Credits and debits, newest first", "client, admin",
       {}, with_page({{"user_id", "string", false, "admins: whose wallet"}}), 200, true},
      {"post", "/api/wallet/redeem/", "Redeem a code into the wallet", "client",
       {{"code", "string", true, ""}}, {}, 201, false},
      {"get", "/api/wallet/my-redeemed-codes/", "Codes the caller redeemed", "client", {}, page,
       200, true},
      {"get", "/api/wallet-auto-recharge/", "The auto-recharge rule and its stats", "client",
       {}, {}, 200, false},
      {"post", "/api/wallet-auto-recharge/configure/", "Turn on or change auto-recharge",
       "client",
       {{"threshold_amount", "money", true, ">= 5.00"},
        {"recharge_amount", "money", true, ">= 10.00"},
        {"payment_method", "string", true, "paypal or card"}},
       {}, 200, false},
      {"post", "/api/wallet-auto-recharge/trigger/", "Request the recharge top-up now",
       "client", {}, {}, 201, false},
      {"post", "/api/wallet-auto-recharge/disable/", "Turn auto-recharge off", "client", {}, {},
       200, false},
      // Redeem codes
      {"post", "/api/redeem-codes/", "Create one code or a batch of generated ones", "admin",
       {{"code", "string", false, "4-40 letters and digits"},
        {"quantity", "integer", false, "1-100 generated codes"},
        {"prefix", "string", false, "for generated codes"}, {"value", "money", true, ""},
        {"usage_limit", "integer", true, ">= 1"}, {"expires_at", "time", false, ""},
        {"description", "string", false, ""}},
       {}, 201, false},
      {"get", "/api/redeem-codes/", "Codes in code order", "admin", {}, page, 200, true},
      {"get", "/api/redeem-codes/stats/", "Totals over all codes", "admin", {}, {}, 200, false},
      {"patch", "/api/redeem-codes/{code}/", "Activate or deactivate a code", "admin",
       {{"is_active", "boolean", true, ""}}, {}, 200, false},
      {"get", "/api/redeem-codes/{code}/usage_history/", "Redemptions of a code, newest first",
       "admin", {}, page, 200, true},
      // Courses
      {"post", "/api/courses/", "Add a course to the catalogue", "admin",
       {{"title", "string", true, ""}, {"description", "string", false, ""},
        {"price", "money", false, "required unless is_free"}, {"is_free", "boolean", false, ""},
        {"allow_individual_purchase", "boolean", false, "default true"},
        {"access_days", "integer", false, "omitted: lifetime access"}},
       {}, 201, false},
      {"get", "/api/courses/", "The catalogue with is_purchased and is_accessible", "any user",
       {}, page, 200, true},
      {"get", "/api/courses/my_purchases/", "The caller's purchases", "client", {}, page, 200,
       true},
      {"get", "/api/courses/{id}/", "One course", "any user", {}, {}, 200, false},
      {"post", "/api/courses/{id}/purchase/", "Buy a course (wallet: at once; PayPal: pending)",
       "client", {{"payment_method", "string", true, "wallet or paypal"}}, {}, 201, false},
      {"post", "/api/courses/{id}/finish/",
       "Mark a course finished (the learner, with access; once)", "client", {}, {}, 200, false},
      {"post", "/api/courses/{id}/confirm_paypal_purchase/", "Confirm a PayPal purchase",
       "admin", {{"purchase_id", "string", true, ""},
                 {"provider_reference", "string", true, ""}}, {}, 200, false},
      {"post", "/api/courses/purchases/{id}/refund/",
       "Refund a purchase to the wallet; access ends", "admin", {}, {}, 200, false},
      // Billing
      {"post", "/api/invoices/", "Issue an invoice", "admin",
       {{"client_id", "string", true, ""}, {"amount", "money", true, ""},
        {"service", "string", true, ""}, {"due_date", "date", true, ""},
        {"description", "string", false, ""}},
       {}, 201, false},
      {"get", "/api/invoices/", "Invoices in the caller's scope, newest first", "any user", {},
       with_page({{"status", "string", false, "issued, paid or void"}}), 200, true},
      {"get", "/api/invoices/{id}/", "One invoice", "any user", {}, {}, 200, false},
      {"post", "/api/invoices/{id}/pay/", "Pay an invoice from the wallet", "client", {}, {},
       200, false},
      {"post", "/api/invoices/{id}/void/", "Void an unpaid invoice", "admin",
       {{"reason", "string", false, ""}}, {}, 200, false},
      {"post", "/api/subscriptions/", "Activate a subscription (charges the first month)",
       "admin",
       {{"client_id", "string", true, ""}, {"plan", "string", true, ""},
        {"service", "string", true, ""}, {"price", "money", true, "per month"},
        {"renews_on", "date", true, "after today"},
        {"pays_from_wallet", "boolean", false, "default true"}},
       {}, 201, false},
      {"get", "/api/subscriptions/", "Subscriptions in the caller's scope", "any user", {},
       with_page({{"status", "string", false, "active, past_due or cancelled"}}), 200, true},
      {"post", "/api/subscriptions/{id}/cancel/", "Cancel a subscription", "admin, client",
       {{"reason", "string", false, ""}}, {}, 200, false},
      // Marketing
      {"get", "/api/campaigns/", "Campaigns in the caller's scope, newest first", "any user", {},
       with_page({{"status", "string", false, ""}, {"client_id", "string", false, ""}}), 200,
       true},
      {"post", "/api/campaigns/", "Create a campaign (draft) for an assigned client",
       "agent (marketing), admin",
       {{"client_id", "string", true, ""}, {"name", "string", true, "1-200 characters"},
        {"platform", "string", true, "instagram, youtube, tiktok or multi_platform"},
        {"description", "string", false, ""}, {"goal", "string", false, ""},
        {"target_reach", "integer", false, ""}, {"target_engagement", "integer", false, ""},
        {"budget", "money", false, ">= 0.00"}, {"start_date", "date", false, ""},
        {"end_date", "date", false, ""}},
       {}, 201, false},
      {"get", "/api/campaigns/my_campaigns/", "The calling agent's campaigns", "agent", {}, page,
       200, true},
      {"get", "/api/campaigns/analytics/", "Totals over the campaigns in the caller's scope",
       "any user", {}, {}, 200, false},
      {"get", "/api/campaigns/{id}/", "One campaign", "any user", {}, {}, 200, false},
      {"patch", "/api/campaigns/{id}/",
       "Update allow-listed fields (agents: content, budget in draft; clients: budget)",
       "any user", {{"budget", "money", false, ">= spend"}}, {}, 200, false},
      {"delete", "/api/campaigns/{id}/", "Soft delete (draft, completed or cancelled)",
       "agent (marketing), admin", {}, {}, 200, false},
      {"post", "/api/campaigns/{id}/change_status/",
       "Move through the workflow; scheduled reserves the budget on the client's wallet",
       "agent (marketing), admin", {{"status", "string", true, ""}}, {}, 200, false},
      {"post", "/api/campaigns/{id}/update_metrics/",
       "Reach, engagement and spend (running total, posted against the hold)",
       "agent (marketing), admin",
       {{"reach", "integer", false, ""}, {"engagement", "integer", false, ""},
        {"spend", "money", false, "total so far"}},
       {}, 200, false},
      {"post", "/api/campaigns/{id}/add_content/", "Associate scheduled posts",
       "agent (marketing), admin", {{"content_ids", "array", true, ""}}, {}, 200, false},
      // Content schedule
      {"get", "/api/content-schedule/", "Scheduled posts in the caller's scope", "any user", {},
       with_page({{"status", "string", false, ""}, {"platform", "string", false, ""},
                  {"campaign_id", "string", false, ""}}),
       200, true},
      {"post", "/api/content-schedule/", "Schedule a post for an assigned client",
       "agent (marketing), admin",
       {{"client_id", "string", true, ""},
        {"platform", "string", true, "instagram, youtube, tiktok, facebook, linkedin or x"},
        {"social_account", "string", true, ""}, {"scheduled_at", "time", true, "in the future"},
        {"caption", "string", false, "<= 2200"}, {"hashtags", "array", false, "#words"},
        {"mentions", "array", false, "@names"}, {"media_urls", "array", false, "http(s) URLs"},
        {"campaign_id", "string", false, "a campaign of the client"}},
       {}, 201, false},
      {"get", "/api/content-schedule/calendar/", "Posts scheduled between two dates", "any user",
       {}, with_page({{"start", "date", true, "or time"}, {"end", "date", true, "or time"}}), 200,
       true},
      {"get", "/api/content-schedule/upcoming/", "Posts scheduled in the next 7 days", "any user",
       {}, page, 200, true},
      {"get", "/api/content-schedule/overdue/", "Posts past their time and not published",
       "any user", {}, page, 200, true},
      {"get", "/api/content-schedule/{id}/", "One post", "any user", {}, {}, 200, false},
      {"patch", "/api/content-schedule/{id}/", "Change a post (withdraws its approval)",
       "agent (marketing), admin", {}, {}, 200, false},
      {"delete", "/api/content-schedule/{id}/", "Soft delete (not when published)",
       "agent (marketing), admin", {}, {}, 200, false},
      {"post", "/api/content-schedule/{id}/approve/", "Approve a post", "client, admin", {}, {},
       200, false},
      {"post", "/api/content-schedule/{id}/publish/", "Publish an approved post",
       "agent (marketing), admin", {}, {}, 200, false},
      {"post", "/api/content-schedule/{id}/fail/", "Record a failed publish (counts retries)",
       "agent (marketing), admin", {{"error", "string", true, ""}}, {}, 200, false},
      {"post", "/api/content-schedule/{id}/cancel/", "Cancel a post", "any user", {}, {}, 200,
       false},
      // Website
      {"get", "/api/website-projects/", "Website projects in the caller's scope", "any user", {},
       with_page({{"status", "string", false, "in_progress or launched"}}), 200, true},
      {"post", "/api/website-projects/", "Start a website project with the questionnaire",
       "client",
       {{"name", "string", true, "1-200 characters"},
        {"answers", "object", true, "questionnaire answers; business_name and goals required"}},
       {}, 201, false},
      {"get", "/api/website-projects/{id}/", "One project", "any user", {}, {}, 200, false},
      {"post", "/api/website-projects/{id}/complete_phase/",
       "Complete the current phase (design, content, development, review, launch)",
       "agent (website), admin",
       {{"phase", "string", true, ""}, {"note", "string", false, ""}}, {}, 200, false},
      {"post", "/api/website-versions/",
       "Upload a version: project_id and version_number first, then the zip file, streamed to "
       "the blob store (SHA-256, size limit --upload-limit-mib, default 50 MiB); a file before "
       "them is 400. The zip's entries must be safe to extract (no absolute or '..' paths, no "
       "encryption, unpacked total at most --upload-unzipped-limit-mib, default 500 MiB)",
       "agent (website)",
       {{"project_id", "string", true, ""},
        {"version_number", "string", true, "1-20 letters, digits, . - _; unique per project"},
        {"notes", "string", false, "<= 5000"},
        {"technologies_used", "string", false, "JSON array of strings or comma-separated"},
        {"changelog", "string", false, "<= 5000"},
        {"file", "file", true, "a zip archive"}},
       {}, 201, false, "multipart/form-data"},
      {"get", "/api/website-versions/", "Website versions in the caller's scope", "any user", {},
       with_page({{"project_id", "string", false, ""},
                  {"status", "string", false, "uploaded, testing, approved or deployed"}}),
       200, true},
      {"get", "/api/website-versions/my_uploads/", "The calling agent's uploads", "agent", {},
       with_page({{"status", "string", false, ""}}), 200, true},
      {"get", "/api/website-versions/{id}/", "One version with its feedback", "any user", {}, {},
       200, false},
      {"get", "/api/website-versions/{id}/file/", "The version's zip file, streamed", "any user",
       {}, {}, 200, false, "application/json", "application/zip"},
      {"post", "/api/website-versions/{id}/start_testing/", "uploaded -> testing",
       "agent (website)", {{"preview_url", "string", false, "http(s) URL of the demo"}}, {}, 200,
       false},
      {"post", "/api/website-versions/{id}/approve/", "testing -> approved", "client, admin", {},
       {}, 200, false},
      {"post", "/api/website-versions/{id}/deploy/", "approved -> deployed", "agent (website)",
       {{"deployment_url", "string", true, "http(s) URL"}}, {}, 200, false},
      {"post", "/api/website-versions/{id}/add_feedback/", "Add feedback", "any user",
       {{"message", "string", true, "1-2000 characters"}}, {}, 200, false},
      // Notifications
      {"get", "/api/notifications/", "The caller's notifications, newest first, with date groups",
       "any user", {},
       with_page({{"type", "string", false, ""}, {"unread", "boolean", false, "true or false"}}),
       200, true},
      {"get", "/api/notifications/unread_count/", "How many are unread", "any user", {}, {}, 200,
       false},
      {"get", "/api/notifications/stream/",
       "Server-Sent Events: each new notification of the caller; Last-Event-ID resumes",
       "any user", {}, {}, 200, false},
      {"post", "/api/notifications/{id}/mark_read/", "Mark one read", "any user", {}, {}, 200,
       false},
      {"post", "/api/notifications/mark_all_read/", "Mark all read", "any user", {}, {}, 200,
       false},
      {"get", "/api/admin/email-outbox/", "Queued, sent and failed emails (no bodies)", "admin",
       {}, with_page({{"status", "string", false, "queued, sent or failed"}}), 200, true},
      {"get", "/api/admin/projections/",
       "Every read model: version, checkpoint, lag, state (live, rebuilding, failed)", "admin",
       {}, {}, 200, true},
      {"post", "/api/admin/projections/{name}/rebuild/",
       "Rebuild a projection from position 0 beside the live one", "admin", {}, {}, 202, false},
      // Operations (admin)
      {"post", "/api/admin/backup/",
       "Online backup: a consistent checkpoint of the store under the backup directory", "admin",
       {{"name", "string", true, "directory name for this backup"}}, {}, 201, false},
      // Analytics (admin)
      {"get", "/api/admin/analytics/services/",
       "Per service: revenue, active, new and churned clients, churn and growth rates (%), "
       "daily revenue; compared with the period of the same length before",
       "admin", {},
       {{"from", "date", false, "YYYY-MM-DD, default 29 days before to"},
        {"to", "date", false, "YYYY-MM-DD, default today"}},
       200, false},
      {"get", "/api/admin/agents/performance/",
       "Per agent: department, clients, capacity, workload %, active and completed campaigns, "
       "published posts, deployed website versions",
       "admin", {}, {}, 200, false},
      // Ledger
      {"get", "/api/ledger/head/", "Log head: position and hash", "public", {}, {}, 200, false},
      {"get", "/api/ledger/events/", "Events as JSON from a position", "admin", {},
       {{"after", "integer", false, "position"}, {"limit", "integer", false, "1-500"},
        {"stream", "string", false, ""}},
       200, true},
      {"get", "/api/ledger/accounts/", "Trial balance: every account (sums to zero)", "admin",
       {}, page, 200, true},
      {"get", "/api/ledger/accounts/{account}/statement/",
       "Opening balance, postings with running balance, closing balance", "admin, client",
       {}, {{"from", "time", false, ""}, {"to", "time", false, ""},
            {"limit", "integer", false, "lines, default 10000"}},
       200, false},
  };
}

nlohmann::json field_schema(const ApiField& field) {
  nlohmann::json schema;
  if (field.type == "money") {
    schema = {{"type", "string"}, {"pattern", "^(0|[1-9][0-9]{0,9})(\\.[0-9]{1,2})?$"},
              {"example", "50.00"}};
  } else if (field.type == "date") {
    schema = {{"type", "string"}, {"format", "date"}};
  } else if (field.type == "time") {
    schema = {{"type", "string"}, {"format", "date-time"}};
  } else if (field.type == "array") {  // every list field holds strings
    schema = {{"type", "array"}, {"items", {{"type", "string"}}}};
  } else if (field.type == "file") {  // a multipart file part
    schema = {{"type", "string"}, {"format", "binary"}};
  } else if (field.type == "object") {  // string to string maps
    schema = {{"type", "object"}, {"additionalProperties", {{"type", "string"}}}};
  } else {
    schema = {{"type", field.type}};
  }
  if (!field.description.empty()) schema["description"] = field.description;
  return schema;
}

nlohmann::json problem_response(const char* description) {
  return {{"description", description},
          {"content",
           {{"application/problem+json", {{"schema", {{"$ref", "#/components/schemas/Problem"}}}}}}}};
}

}  // namespace

const std::vector<ApiOperation>& api_operations() {
  static const std::vector<ApiOperation> operations = build_operations();
  return operations;
}

nlohmann::json openapi_document() {
  nlohmann::json paths = nlohmann::json::object();
  for (const auto& op : api_operations()) {
    nlohmann::json operation = {{"summary", op.summary},
                                {"description", "Who may call it: " + op.who + "."}};
    nlohmann::json parameters = nlohmann::json::array();
    std::string_view rest = op.path;
    while (true) {
      const auto open = rest.find('{');
      if (open == std::string_view::npos) break;
      const auto close = rest.find('}', open);
      parameters.push_back({{"name", std::string(rest.substr(open + 1, close - open - 1))},
                            {"in", "path"},
                            {"required", true},
                            {"schema", {{"type", "string"}}}});
      rest = rest.substr(close + 1);
    }
    for (const auto& field : op.query) {
      parameters.push_back({{"name", field.name},
                            {"in", "query"},
                            {"required", field.required},
                            {"schema", field_schema(field)}});
    }
    if (op.method != "get") {
      parameters.push_back({{"name", "Idempotency-Key"},
                            {"in", "header"},
                            {"required", false},
                            {"schema", {{"type", "string"}, {"maxLength", 200}}}});
    } else {
      parameters.push_back({{"name", "X-Min-Position"},
                            {"in", "header"},
                            {"required", false},
                            {"schema", {{"type", "integer"}}}});
    }
    operation["parameters"] = parameters;
    if (!op.body.empty()) {
      nlohmann::json properties = nlohmann::json::object();
      nlohmann::json required = nlohmann::json::array();
      for (const auto& field : op.body) {
        properties[field.name] = field_schema(field);
        if (field.required) required.push_back(field.name);
      }
      nlohmann::json schema = {{"type", "object"},
                               {"additionalProperties", false},
                               {"properties", properties}};
      if (!required.empty()) schema["required"] = required;
      operation["requestBody"] = {{"required", true},
                                  {"content", {{op.body_type, {{"schema", schema}}}}}};
    }
    nlohmann::json success_schema =
        op.list ? nlohmann::json{{"$ref", "#/components/schemas/List"}}
        : op.answer_type != "application/json"
            ? nlohmann::json{{"type", "string"}, {"format", "binary"}}
            : nlohmann::json{{"type", "object"}};
    operation["responses"] = {
        {std::to_string(op.success),
         {{"description", "success"},
          {"content", {{op.answer_type, {{"schema", success_schema}}}}}}},
        {"400", problem_response("malformed or invalid input")},
        {"default", problem_response("an error (401, 403, 404, 409, 413, 422, 429, 503)")}};
    if (op.who != "public" && op.who != "payment provider") {
      operation["security"] = nlohmann::json::array({{{"bearer", nlohmann::json::array()}}});
    }
    paths[op.path][op.method] = operation;
  }
  return {
      {"openapi", "3.0.3"},
      {"info",
       {{"title", "ledger core API"},
        {"version", "1"},
        {"description",
         "Money as decimal strings with two places, times as RFC 3339 UTC. Commands answer "
         "\"position\" and X-Ledger-Position; queries answer X-Ledger-Position."}}},
      {"paths", paths},
      {"components",
       {{"securitySchemes", {{"bearer", {{"type", "http"}, {"scheme", "bearer"}}}}},
        {"schemas",
         {{"Problem",
           {{"type", "object"},
            {"properties",
             {{"type", {{"type", "string"}}},
              {"title", {{"type", "string"}}},
              {"status", {{"type", "integer"}}},
              {"detail", {{"type", "string"}}},
              {"code", {{"type", "string"}}},
              {"errors", {{"type", "object"}}}}}}},
          {"List",
           {{"type", "object"},
            {"properties",
             {{"count", {{"type", "integer"}}},
              {"next", {{"type", "string"}, {"nullable", true}}},
              {"previous", {{"type", "string"}, {"nullable", true}}},
              {"results", {{"type", "array"}, {"items", {{"type", "object"}}}}}}}}}}}}},
  };
}

void add_openapi_routes(Router& router) {
  router.add(beast_http::verb::get, "/openapi.json",
             [](const Request& request, const PathParams&, const Reply& reply) {
               static const std::string document = openapi_document().dump();
               reply(text_response(request, beast_http::status::ok, document,
                                   "application/json"));
             });
}

}  // namespace ledger::http
