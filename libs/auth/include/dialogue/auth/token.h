// Bearer tokens (JWT): verification with HS256 (local stack) or RS256 (production), and
// issuing, which the local CLI and the tests use.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "dialogue/auth/principal.h"
#include "dialogue/common/config.h"

namespace dialogue::auth {

class TokenVerifier {
 public:
  // `issuer` empty accepts any issuer.
  static absl::StatusOr<TokenVerifier> Hs256(std::string secret, std::string issuer);
  static absl::StatusOr<TokenVerifier> Rs256(absl::string_view public_key_pem, std::string issuer);

  // UNAUTHENTICATED with a reason (TOKEN_MALFORMED, TOKEN_BAD_SIGNATURE, TOKEN_EXPIRED,
  // TOKEN_WRONG_ISSUER, TOKEN_UNKNOWN_ROLE) when the token cannot be trusted.
  // A token verified once is remembered, whole, until it expires: a client sends the same
  // token with every request, and the signature check is the costly part (RS256 ~20 us).
  // Copies of a verifier share what it remembers.
  absl::StatusOr<Principal> Verify(absl::string_view token, absl::Time now = absl::Now()) const;

 private:
  struct Key;
  struct Remembered;
  explicit TokenVerifier(std::shared_ptr<const Key> key);
  absl::StatusOr<Principal> VerifyUncached(absl::string_view token, absl::Time now,
                                           absl::Time* expires) const;
  std::shared_ptr<const Key> key_;
  std::shared_ptr<Remembered> remembered_;
};

struct TokenRequest {
  Principal principal;
  std::string issuer = "dialogue-local";
  absl::Time issued_at = absl::Now();
  absl::Duration ttl = absl::Hours(8);
};

absl::StatusOr<std::string> IssueHs256(const TokenRequest& request, absl::string_view secret);
absl::StatusOr<std::string> IssueRs256(const TokenRequest& request,
                                       absl::string_view private_key_pem);

// What signs the tokens of built-in accounts (the planning program, for the gateway's
// sign-in sessions): RS256 with --token-private-key-file, else HS256 with --token-secret;
// the issuer is --token-issuer, the one the verifiers accept.
class TokenIssuer {
 public:
  static absl::StatusOr<TokenIssuer> FromConfig(common::Config& config);
  static absl::StatusOr<TokenIssuer> Hs256(std::string secret, std::string issuer);

  absl::StatusOr<std::string> Issue(const Principal& principal, absl::Duration ttl,
                                    absl::Time now = absl::Now()) const;

 private:
  TokenIssuer(std::string issuer, std::string secret, std::string private_key_pem)
      : issuer_(std::move(issuer)),
        secret_(std::move(secret)),
        private_key_pem_(std::move(private_key_pem)) {}
  std::string issuer_;
  std::string secret_;           // HS256
  std::string private_key_pem_;  // RS256
};

// The verifier every program builds from its config: RS256 with --token-public-key-file
// (production), else HS256 with --token-secret (local stack); issuer --token-issuer.
absl::StatusOr<TokenVerifier> VerifierFromConfig(common::Config& config);

}  // namespace dialogue::auth
