// The browser's sign-in for the console. The page never holds a token: the gateway keeps
// the session in an HttpOnly cookie, asks the planning program's AccountService what the
// cookie stands for, and calls the services with the short-lived bearer token it gets
// back. Each session's answer is remembered for a few seconds, so a signed-in page costs
// one extra call now and then, not one per request; signing out through this gateway
// forgets it at once (another replica within kFreshFor).
#pragma once

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "dialogue/auth/principal.h"
#include "dialogue/auth/token.h"
#include "dialogue/v1/accounts.grpc.pb.h"

namespace dialogue::gateway {

// The cookie's name and the header a page echoes the CSRF token in.
inline constexpr char kSessionCookie[] = "dialogue_session";
// Holds state, PKCE verifier and nonce while the browser is at the OIDC provider.
inline constexpr char kOidcCookie[] = "dialogue_oidc";
inline constexpr char kCsrfHeader[] = "X-CSRF-Token";

class ConsoleSessions {
 public:
  static constexpr std::chrono::seconds kFreshFor{15};

  ConsoleSessions(std::shared_ptr<grpc::Channel> planning, const auth::TokenVerifier& verifier)
      : stub_(v1::AccountService::NewStub(std::move(planning))), verifier_(verifier) {}

  struct Session {
    std::string authorization;  // "Bearer <jwt>" for the services
    auth::Principal principal;
    std::string csrf_token;
    std::string json;  // {"account":...,"csrfToken":...,"expireTime":...}, for GET /auth/session
  };

  // UNAUTHENTICATED "SIGN_IN_FAILED", PERMISSION_DENIED "ACCOUNT_LOCKED", ... as the
  // service answered. Slow on purpose (Argon2id): call it off the event loops.
  absl::StatusOr<v1::SignInResponse> SignIn(v1::SignInRequest request,
                                            const std::string& traceparent);
  // UNAUTHENTICATED "SESSION_EXPIRED" when the cookie stands for no live session.
  absl::StatusOr<std::shared_ptr<const Session>> Resolve(const std::string& session_token,
                                                         const std::string& traceparent);
  absl::Status SignOut(const std::string& session_token, const std::string& client,
                       const std::string& traceparent);

  // The province's OpenID Connect provider, as planning's AccountService drives it; slow
  // (calls to the provider): off the event loops, as SignIn.
  absl::StatusOr<v1::SignInMethods> Methods(const std::string& traceparent);
  absl::StatusOr<v1::OidcAuthorization> BeginOidc(const std::string& redirect_uri,
                                                  const std::string& traceparent);
  absl::StatusOr<v1::SignInResponse> FinishOidc(const v1::FinishOidcSignInRequest& request,
                                                const std::string& traceparent);

 private:
  struct Remembered {
    std::shared_ptr<const Session> session;
    std::chrono::steady_clock::time_point until;
  };
  std::unique_ptr<v1::AccountService::Stub> stub_;
  const auth::TokenVerifier& verifier_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, Remembered> remembered_ ABSL_GUARDED_BY(mu_);
};

// The value of cookie `name` in a Cookie header, or "".
std::string CookieValue(absl::string_view header, absl::string_view name);
// The Set-Cookie value that stores `token` for `max_age` (0 clears it).
std::string SessionCookie(const std::string& token, std::chrono::seconds max_age);
// The Set-Cookie value that keeps `value` for the OIDC callback only (SameSite=Lax: the
// browser comes back from the provider's site), for `max_age` (0 clears it).
std::string OidcCookie(const std::string& value, std::chrono::seconds max_age);
// True when `sent` equals `expected` (compared in constant time) and is not empty.
bool CsrfMatches(absl::string_view sent, absl::string_view expected);

}  // namespace dialogue::gateway
