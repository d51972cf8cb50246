// ID tokens of the province's OpenID Connect provider: RS256 signatures checked against the
// keys of its JWKS document, then the issuer, the audience, the expiry and the nonce. Fetching
// the documents is the caller's (the planning program's OidcProvider); this holds the keys.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace dialogue::auth {

// Who the provider says signed in.
struct OidcIdentity {
  std::string subject;  // `sub`: stable, what an account is mapped to
  std::string name;     // `name` or `preferred_username`, for the log; may be empty
};

class IdTokenVerifier {
 public:
  // The provider's issuer and this deployment's client id (the audience the tokens name).
  IdTokenVerifier(std::string issuer, std::string client_id);

  // Replaces the keys with the RSA signing keys of a JWKS document (others are skipped).
  // INVALID_ARGUMENT when it is not JSON or holds no usable key (under 2048 bits counts as
  // unusable). Safe while other threads verify.
  absl::Status SetKeys(absl::string_view jwks_json);
  // True when the keys hold `kid`; a token naming another key asks for the JWKS again
  // (the provider has rotated its keys).
  bool HasKey(const std::string& kid) const;
  // The key id (`kid`) a token's header names; "" when it names none or is not a JWT.
  static std::string KeyIdOf(absl::string_view token);

  // UNAUTHENTICATED "OIDC_TOKEN_INVALID" with what is wrong: not RS256, an unknown key, a
  // bad signature, another issuer or audience, expired, issued in the future, another nonce,
  // no subject. `leeway` allows for the provider's clock.
  absl::StatusOr<OidcIdentity> Verify(absl::string_view id_token, absl::string_view nonce,
                                      absl::Time now = absl::Now(),
                                      absl::Duration leeway = absl::Minutes(1)) const;

 private:
  struct Keys;
  std::string issuer_;
  std::string client_id_;
  mutable absl::Mutex mu_;
  std::shared_ptr<const Keys> keys_ ABSL_GUARDED_BY(mu_);
};

// base64url (no padding) of the sha256 of a PKCE code verifier: the S256 code challenge.
std::string PkceChallenge(absl::string_view code_verifier);

}  // namespace dialogue::auth
