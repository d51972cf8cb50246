#include "console_sessions.h"

#include <google/protobuf/util/time_util.h>
#include <openssl/crypto.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "dialogue/common/status.h"
#include "transcoder.h"

namespace dialogue::gateway {
namespace {

using google::protobuf::util::TimeUtil;
constexpr auto kTimeout = std::chrono::seconds(5);
constexpr size_t kMaxRemembered = 20000;

std::unique_ptr<grpc::ClientContext> Context(const std::string& traceparent) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + kTimeout);
  if (!traceparent.empty()) context->AddMetadata("traceparent", traceparent);
  return context;
}

absl::Status Upstream(const grpc::Status& status) {
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE ||
      status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    return common::Error(absl::StatusCode::kUnavailable, "UPSTREAM_UNAVAILABLE",
                         "the sign-in service cannot be reached now; try again");
  }
  return common::FromGrpcStatus(status);
}

}  // namespace

absl::StatusOr<v1::SignInResponse> ConsoleSessions::SignIn(v1::SignInRequest request,
                                                           const std::string& traceparent) {
  v1::SignInResponse response;
  auto context = Context(traceparent);
  grpc::Status status = stub_->SignIn(context.get(), request, &response);
  if (!status.ok()) return Upstream(status);
  return response;
}

absl::StatusOr<std::shared_ptr<const ConsoleSessions::Session>> ConsoleSessions::Resolve(
    const std::string& session_token, const std::string& traceparent) {
  auto now = std::chrono::steady_clock::now();
  {
    absl::MutexLock lock(&mu_);
    auto it = remembered_.find(session_token);
    if (it != remembered_.end() && it->second.until > now) return it->second.session;
  }
  v1::ResolveSessionRequest request;
  request.set_session_token(session_token);
  v1::ResolvedSession resolved;
  auto context = Context(traceparent);
  grpc::Status status = stub_->ResolveSession(context.get(), request, &resolved);
  if (!status.ok()) {
    absl::MutexLock lock(&mu_);
    remembered_.erase(session_token);
    return Upstream(status);
  }
  auto principal = verifier_.Verify(resolved.bearer_token());
  if (!principal.ok()) return principal.status();  // the issuer and verifier disagree
  auto session = std::make_shared<Session>();
  session->authorization = absl::StrCat("Bearer ", resolved.bearer_token());
  session->principal = *std::move(principal);
  session->csrf_token = resolved.csrf_token();
  session->json = absl::StrCat("{\"account\":", ToJson(resolved.account()), ",\"csrfToken\":\"",
                               resolved.csrf_token(), "\",\"expireTime\":\"",
                               TimeUtil::ToString(resolved.expire_time()), "\"}");
  // Remembered while fresh, and never past the bearer token's own end.
  auto bearer_left = std::chrono::seconds(resolved.bearer_expire_time().seconds() -
                                          absl::ToUnixSeconds(absl::Now()) - 30);
  auto until = now + std::max(std::chrono::seconds(0),
                              std::min<std::chrono::seconds>(kFreshFor, bearer_left));
  absl::MutexLock lock(&mu_);
  if (remembered_.size() >= kMaxRemembered) {
    for (auto it = remembered_.begin(); it != remembered_.end();) {
      if (it->second.until <= now) {
        remembered_.erase(it++);
      } else {
        ++it;
      }
    }
    if (remembered_.size() >= kMaxRemembered) remembered_.clear();
  }
  remembered_[session_token] = Remembered{session, until};
  return std::shared_ptr<const Session>(std::move(session));
}

absl::Status ConsoleSessions::SignOut(const std::string& session_token, const std::string& client,
                                      const std::string& traceparent) {
  {
    absl::MutexLock lock(&mu_);
    remembered_.erase(session_token);
  }
  v1::SignOutRequest request;
  request.set_session_token(session_token);
  request.set_client(client);
  v1::SignOutResponse response;
  auto context = Context(traceparent);
  grpc::Status status = stub_->SignOut(context.get(), request, &response);
  return status.ok() ? absl::OkStatus() : Upstream(status);
}

absl::StatusOr<v1::SignInMethods> ConsoleSessions::Methods(const std::string& traceparent) {
  v1::SignInMethods methods;
  auto context = Context(traceparent);
  grpc::Status status = stub_->GetSignInMethods(context.get(), {}, &methods);
  if (!status.ok()) return Upstream(status);
  return methods;
}

absl::StatusOr<v1::OidcAuthorization> ConsoleSessions::BeginOidc(const std::string& redirect_uri,
                                                                 const std::string& traceparent) {
  v1::BeginOidcSignInRequest request;
  request.set_redirect_uri(redirect_uri);
  v1::OidcAuthorization authorization;
  auto context = Context(traceparent);
  grpc::Status status = stub_->BeginOidcSignIn(context.get(), request, &authorization);
  if (!status.ok()) return Upstream(status);
  return authorization;
}

absl::StatusOr<v1::SignInResponse> ConsoleSessions::FinishOidc(
    const v1::FinishOidcSignInRequest& request, const std::string& traceparent) {
  v1::SignInResponse response;
  auto context = Context(traceparent);
  grpc::Status status = stub_->FinishOidcSignIn(context.get(), request, &response);
  if (!status.ok()) return Upstream(status);
  return response;
}

std::string CookieValue(absl::string_view header, absl::string_view name) {
  for (absl::string_view pair : absl::StrSplit(header, ';')) {
    pair = absl::StripAsciiWhitespace(pair);
    if (absl::ConsumePrefix(&pair, name) && absl::ConsumePrefix(&pair, "=")) {
      return std::string(pair);
    }
  }
  return "";
}

std::string SessionCookie(const std::string& token, std::chrono::seconds max_age) {
  return absl::StrCat(kSessionCookie, "=", token, "; Path=/; Max-Age=", max_age.count(),
                      "; HttpOnly; Secure; SameSite=Strict");
}

std::string OidcCookie(const std::string& value, std::chrono::seconds max_age) {
  return absl::StrCat(kOidcCookie, "=", value, "; Path=/auth/oidc; Max-Age=", max_age.count(),
                      "; HttpOnly; Secure; SameSite=Lax");
}

bool CsrfMatches(absl::string_view sent, absl::string_view expected) {
  return !expected.empty() && sent.size() == expected.size() &&
         CRYPTO_memcmp(sent.data(), expected.data(), sent.size()) == 0;
}

}  // namespace dialogue::gateway
