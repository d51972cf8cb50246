// A small blocking HTTP client (libcurl) for the e2e tests.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace dialogue::testing {

struct HttpResponse {
  long status = 0;  // 0: no answer (connection refused or closed)
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
};

// The string field `name` of the JSON object `json` ("" when absent or not a string).
std::string JsonString(const std::string& json, const std::string& name);

// The header that presents `token`: "Authorization: Bearer <token>".
inline std::string Bearer(const std::string& token) { return "Authorization: Bearer " + token; }

HttpResponse Http(const std::string& method, const std::string& url, const std::string& body = "",
                  const std::vector<std::string>& headers = {}, long timeout_ms = 10000);

// Sets the commune's only webhook, SMS to `hook_url` signed with `secret`, through the
// gateway: `tenant_url` is its /v1/tenants/{tenant}, `token` a staff token.
HttpResponse PutSmsWebhook(const std::string& tenant_url, const std::string& token,
                           const std::string& hook_url, const std::string& secret);

}  // namespace dialogue::testing
