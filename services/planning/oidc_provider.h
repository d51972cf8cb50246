// The province's OpenID Connect provider, as AccountService uses it to sign people in: its
// discovery document, the authorization URL with PKCE, the code redeemed at its token
// endpoint, and the ID token verified against its JWKS (fetched again when a token names a
// key not seen before: the provider has rotated its keys). Configured with --oidc-issuer,
// --oidc-client-id, --oidc-client-secret-file (a confidential client; none for a public one)
// and --oidc-name; without an issuer there is none.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "dialogue/auth/oidc.h"
#include "dialogue/common/config.h"
#include "dialogue/v1/accounts.pb.h"

namespace dialogue::planning {

struct OidcSettings {
  std::string issuer;     // https://..., or http:// on 127.0.0.1 / localhost (tests)
  std::string client_id;  // the audience of its ID tokens
  std::string client_secret;
  std::string name;  // what the sign-in page calls it
};

class OidcProvider {
 public:
  // Nothing (and no error) when --oidc-issuer is not given.
  static absl::StatusOr<std::unique_ptr<OidcProvider>> FromConfig(common::Config& config);
  explicit OidcProvider(OidcSettings settings);

  const std::string& name() const { return settings_.name; }

  // Where to send the browser, with fresh state, nonce and PKCE verifier.
  // UNAVAILABLE "OIDC_PROVIDER_UNREACHABLE" when its discovery document cannot be had.
  absl::StatusOr<v1::OidcAuthorization> Begin(const std::string& redirect_uri);
  // Redeems `code` and verifies the ID token it brings. UNAUTHENTICATED "OIDC_FAILED" when
  // the provider refuses the code; "OIDC_TOKEN_INVALID" when the token cannot be trusted.
  absl::StatusOr<auth::OidcIdentity> Finish(const std::string& code,
                                            const std::string& code_verifier,
                                            const std::string& nonce,
                                            const std::string& redirect_uri);

 private:
  struct Endpoints {
    std::string authorization, token, jwks;
  };
  absl::StatusOr<Endpoints> Discovered();
  absl::Status FetchKeys(const std::string& jwks_uri);

  OidcSettings settings_;
  auth::IdTokenVerifier verifier_;
  absl::Mutex mu_;
  std::optional<Endpoints> endpoints_ ABSL_GUARDED_BY(mu_);
};

}  // namespace dialogue::planning
