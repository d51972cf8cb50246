#include "oidc_provider.h"

#include <curl/curl.h>
#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>

#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "dialogue/auth/password.h"
#include "dialogue/common/log.h"
#include "dialogue/common/status.h"

namespace dialogue::planning {
namespace {

constexpr long kTimeoutMs = 5000;
constexpr size_t kMaxBody = 1 << 20;

struct Response {
  long status = 0;
  std::string body;
};

size_t Collect(char* data, size_t size, size_t count, void* out) {
  auto* body = static_cast<std::string*>(out);
  if (body->size() + size * count > kMaxBody) return 0;  // refuses what no provider sends
  body->append(data, size * count);
  return size * count;
}

// One request to the provider: GET, or POST of `form` (application/x-www-form-urlencoded).
absl::StatusOr<Response> Fetch(const std::string& url, const std::string* form = nullptr,
                               const std::string& user = "", const std::string& password = "") {
  static const bool initialised = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(initialised ? curl_easy_init() : nullptr,
                                                           &curl_easy_cleanup);
  if (curl == nullptr) return absl::UnavailableError("libcurl cannot start a request");
  Response response;
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, Collect);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, kTimeoutMs);
  curl_slist* headers = curl_slist_append(nullptr, "Accept: application/json");
  curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers);
  if (form != nullptr) {
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, form->c_str());
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE, static_cast<long>(form->size()));
  }
  if (!user.empty()) {  // client_secret_basic
    curl_easy_setopt(curl.get(), CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(curl.get(), CURLOPT_USERNAME, user.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_PASSWORD, password.c_str());
  }
  CURLcode rc = curl_easy_perform(curl.get());
  curl_slist_free_all(headers);
  if (rc != CURLE_OK) {
    return common::Error(absl::StatusCode::kUnavailable, "OIDC_PROVIDER_UNREACHABLE",
                         absl::StrCat("the province's sign-in provider cannot be reached (",
                                      curl_easy_strerror(rc), "); try again later"));
  }
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

std::string Escape(const std::string& text) {
  char* escaped = curl_easy_escape(nullptr, text.c_str(), static_cast<int>(text.size()));
  std::string out = escaped == nullptr ? "" : escaped;
  curl_free(escaped);
  return out;
}

absl::StatusOr<google::protobuf::Struct> JsonObject(const std::string& body) {
  google::protobuf::Struct object;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  if (!google::protobuf::util::JsonStringToMessage(body, &object, options).ok()) {
    return absl::InvalidArgumentError("not a JSON object");
  }
  return object;
}

std::string Field(const google::protobuf::Struct& object, const std::string& key) {
  auto it = object.fields().find(key);
  return it == object.fields().end() ? "" : it->second.string_value();
}

bool AllowedUrl(absl::string_view url) {
  return absl::StartsWith(url, "https://") || absl::StartsWith(url, "http://127.0.0.1:") ||
         absl::StartsWith(url, "http://localhost:");
}

absl::Status Unreachable(absl::string_view what) {
  return common::Error(
      absl::StatusCode::kUnavailable, "OIDC_PROVIDER_UNREACHABLE",
      absl::StrCat("the province's sign-in provider gave ", what, "; try again later"));
}

}  // namespace

absl::StatusOr<std::unique_ptr<OidcProvider>> OidcProvider::FromConfig(common::Config& config) {
  OidcSettings settings;
  settings.issuer = config.String("oidc-issuer", "",
                                  "the province's OpenID Connect provider (its issuer URL); "
                                  "empty: built-in accounts only");
  settings.client_id =
      config.String("oidc-client-id", "dialogue", "this platform's client id there");
  std::string secret_file =
      config.String("oidc-client-secret-file", "",
                    "the client secret, for a confidential client (else PKCE only)");
  settings.name = config.String("oidc-name", "Cổng định danh của tỉnh",
                                "what the sign-in page calls the provider");
  if (settings.issuer.empty()) return nullptr;
  if (!AllowedUrl(settings.issuer)) {
    return absl::InvalidArgumentError("--oidc-issuer must be an https:// URL");
  }
  if (!secret_file.empty()) {
    std::ifstream in(secret_file);
    if (!in) return absl::InvalidArgumentError(absl::StrCat("cannot read ", secret_file));
    std::stringstream buffer;
    buffer << in.rdbuf();
    settings.client_secret = std::string(absl::StripAsciiWhitespace(buffer.str()));
  }
  return std::make_unique<OidcProvider>(std::move(settings));
}

OidcProvider::OidcProvider(OidcSettings settings)
    : settings_(std::move(settings)), verifier_(settings_.issuer, settings_.client_id) {}

absl::StatusOr<OidcProvider::Endpoints> OidcProvider::Discovered() {
  {
    absl::MutexLock lock(&mu_);
    if (endpoints_) return *endpoints_;
  }
  std::string url =
      absl::StrCat(absl::StripSuffix(settings_.issuer, "/"), "/.well-known/openid-configuration");
  ASSIGN_OR_RETURN(Response response, Fetch(url));
  if (response.status != 200) return Unreachable(absl::StrCat("HTTP ", response.status));
  auto document = JsonObject(response.body);
  if (!document.ok()) return Unreachable("a discovery document that is not JSON");
  // The document must be the issuer's own (OpenID Connect Discovery 1.0, section 4.3).
  if (Field(*document, "issuer") != settings_.issuer) {
    return Unreachable("a discovery document of another issuer");
  }
  Endpoints endpoints{Field(*document, "authorization_endpoint"),
                      Field(*document, "token_endpoint"), Field(*document, "jwks_uri")};
  if (!AllowedUrl(endpoints.authorization) || !AllowedUrl(endpoints.token) ||
      !AllowedUrl(endpoints.jwks)) {
    return Unreachable("a discovery document without https endpoints");
  }
  RETURN_IF_ERROR(FetchKeys(endpoints.jwks));
  absl::MutexLock lock(&mu_);
  endpoints_ = endpoints;
  return endpoints;
}

absl::Status OidcProvider::FetchKeys(const std::string& jwks_uri) {
  ASSIGN_OR_RETURN(Response response, Fetch(jwks_uri));
  if (response.status != 200) return Unreachable(absl::StrCat("HTTP ", response.status));
  if (absl::Status set = verifier_.SetKeys(response.body); !set.ok()) {
    return Unreachable(set.message());
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::OidcAuthorization> OidcProvider::Begin(const std::string& redirect_uri) {
  ASSIGN_OR_RETURN(Endpoints endpoints, Discovered());
  v1::OidcAuthorization out;
  out.set_state(auth::RandomToken(24));
  out.set_nonce(auth::RandomToken(24));
  out.set_code_verifier(auth::RandomToken(32));  // 43 characters, as RFC 7636 asks at least
  out.set_authorization_url(absl::StrCat(
      endpoints.authorization, absl::StrContains(endpoints.authorization, '?') ? "&" : "?",
      "response_type=code&scope=openid%20profile&client_id=", Escape(settings_.client_id),
      "&redirect_uri=", Escape(redirect_uri), "&state=", out.state(), "&nonce=", out.nonce(),
      "&code_challenge=", auth::PkceChallenge(out.code_verifier()), "&code_challenge_method=S256"));
  return out;
}

absl::StatusOr<auth::OidcIdentity> OidcProvider::Finish(const std::string& code,
                                                        const std::string& code_verifier,
                                                        const std::string& nonce,
                                                        const std::string& redirect_uri) {
  ASSIGN_OR_RETURN(Endpoints endpoints, Discovered());
  std::string form = absl::StrCat("grant_type=authorization_code&code=", Escape(code),
                                  "&redirect_uri=", Escape(redirect_uri),
                                  "&code_verifier=", Escape(code_verifier));
  if (settings_.client_secret.empty())
    absl::StrAppend(&form, "&client_id=", Escape(settings_.client_id));
  ASSIGN_OR_RETURN(
      Response response,
      Fetch(endpoints.token, &form, settings_.client_secret.empty() ? "" : settings_.client_id,
            settings_.client_secret));
  auto answer = JsonObject(response.body);
  if (response.status != 200 || !answer.ok() || Field(*answer, "id_token").empty()) {
    std::string error = answer.ok() ? Field(*answer, "error") : "";
    common::Log(common::LogLevel::kWarning, "the OIDC provider refused a code",
                {{"status", std::to_string(response.status)}, {"error", error.substr(0, 100)}});
    return common::Error(absl::StatusCode::kUnauthenticated, "OIDC_FAILED",
                         "the province's sign-in provider did not accept this sign-in; "
                         "start again");
  }
  std::string id_token = Field(*answer, "id_token");
  std::string kid = auth::IdTokenVerifier::KeyIdOf(id_token);
  if (!verifier_.HasKey(kid)) {
    // A key not seen before: the provider has rotated its keys. The token came from the
    // provider itself over this back channel, so fetching on its word is no lever for others.
    RETURN_IF_ERROR(FetchKeys(endpoints.jwks));
  }
  return verifier_.Verify(id_token, nonce);
}

}  // namespace dialogue::planning
