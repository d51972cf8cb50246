#include "dialogue/auth/token.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include <fstream>
#include <sstream>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "claims_json.h"
#include "dialogue/common/log.h"
#include "dialogue/common/status.h"

namespace dialogue::auth {
namespace {

using common::Error;
using common::JsonEscape;

absl::Status Unauthenticated(absl::string_view reason, absl::string_view message) {
  return Error(absl::StatusCode::kUnauthenticated, reason, message);
}

struct PkeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

absl::StatusOr<Pkey> ReadPem(absl::string_view pem, bool is_private) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
  EVP_PKEY* key = is_private ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr)
                             : PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr);
  if (key == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot read the RSA ", is_private ? "private" : "public", " key PEM"));
  }
  return Pkey(key);
}

std::string HmacSha256(absl::string_view secret, absl::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string ClaimsJson(const TokenRequest& request) {
  const Principal& p = request.principal;
  std::vector<std::string> roles;
  for (Role role : p.roles) roles.push_back(absl::StrCat("\"", RoleName(role), "\""));
  std::string json = absl::StrCat("{\"sub\":\"", JsonEscape(p.subject), "\"");
  if (!p.tenant.empty()) absl::StrAppend(&json, ",\"tenant\":\"", JsonEscape(p.tenant), "\"");
  if (!p.department.empty()) {
    absl::StrAppend(&json, ",\"department\":\"", JsonEscape(p.department), "\"");
  }
  if (!p.province.empty()) {
    absl::StrAppend(&json, ",\"province\":\"", JsonEscape(p.province), "\"");
  }
  absl::StrAppend(&json, ",\"roles\":[", absl::StrJoin(roles, ","), "]", ",\"iss\":\"",
                  JsonEscape(request.issuer), "\"",
                  ",\"iat\":", absl::ToUnixSeconds(request.issued_at),
                  ",\"exp\":", absl::ToUnixSeconds(request.issued_at + request.ttl), "}");
  return json;
}

std::string SigningInput(absl::string_view alg, const TokenRequest& request) {
  return absl::StrCat(
      absl::WebSafeBase64Escape(absl::StrCat("{\"alg\":\"", alg, "\",\"typ\":\"JWT\"}")), ".",
      absl::WebSafeBase64Escape(ClaimsJson(request)));
}

using Claims = std::map<std::string, internal::ClaimValue>;

std::string StringClaim(const Claims& claims, const std::string& key) {
  auto it = claims.find(key);
  if (it == claims.end() || it->second.kind != internal::ClaimValue::Kind::kString) return "";
  return it->second.text;
}

}  // namespace

struct TokenVerifier::Key {
  std::string alg;
  std::string issuer;
  std::string secret;  // HS256
  Pkey public_key;     // RS256
};

absl::StatusOr<TokenVerifier> TokenVerifier::Hs256(std::string secret, std::string issuer) {
  if (secret.size() < 16) {
    return absl::InvalidArgumentError("the HS256 token secret must be at least 16 bytes long");
  }
  auto key = std::make_shared<Key>();
  key->alg = "HS256";
  key->issuer = std::move(issuer);
  key->secret = std::move(secret);
  return TokenVerifier(std::move(key));
}

absl::StatusOr<TokenVerifier> TokenVerifier::Rs256(absl::string_view public_key_pem,
                                                   std::string issuer) {
  ASSIGN_OR_RETURN(Pkey pkey, ReadPem(public_key_pem, /*is_private=*/false));
  auto key = std::make_shared<Key>();
  key->alg = "RS256";
  key->issuer = std::move(issuer);
  key->public_key = std::move(pkey);
  return TokenVerifier(std::move(key));
}

// Verified tokens by their whole text (never by the signature alone, which a forger could
// pair with other claims), with their expiry. Bounded: when full it starts again.
struct TokenVerifier::Remembered {
  static constexpr size_t kMaxTokens = 10000;
  struct Entry {
    Principal principal;
    absl::Time expires;
  };
  absl::Mutex mu;
  absl::flat_hash_map<std::string, Entry> tokens ABSL_GUARDED_BY(mu);
};

TokenVerifier::TokenVerifier(std::shared_ptr<const Key> key)
    : key_(std::move(key)), remembered_(std::make_shared<Remembered>()) {}

absl::StatusOr<Principal> TokenVerifier::Verify(absl::string_view token, absl::Time now) const {
  {
    absl::MutexLock lock(&remembered_->mu);
    auto it = remembered_->tokens.find(token);
    if (it != remembered_->tokens.end() && now < it->second.expires) return it->second.principal;
  }
  absl::Time expires;
  absl::StatusOr<Principal> principal = VerifyUncached(token, now, &expires);
  if (principal.ok()) {
    absl::MutexLock lock(&remembered_->mu);
    if (remembered_->tokens.size() >= Remembered::kMaxTokens) remembered_->tokens.clear();
    remembered_->tokens[token] = {*principal, expires};
  }
  return principal;
}

absl::StatusOr<Principal> TokenVerifier::VerifyUncached(absl::string_view token, absl::Time now,
                                                        absl::Time* expires) const {
  std::vector<absl::string_view> parts = absl::StrSplit(token, '.');
  if (parts.size() != 3) {
    return Unauthenticated("TOKEN_MALFORMED",
                           "the bearer token is not a JWT (header.claims.signature)");
  }
  std::string header_json, claims_json, signature;
  if (!absl::WebSafeBase64Unescape(parts[0], &header_json) ||
      !absl::WebSafeBase64Unescape(parts[1], &claims_json) ||
      !absl::WebSafeBase64Unescape(parts[2], &signature)) {
    return Unauthenticated("TOKEN_MALFORMED", "the bearer token is not valid base64url");
  }
  Claims header, claims;
  if (!internal::ParseClaims(header_json, &header) ||
      !internal::ParseClaims(claims_json, &claims)) {
    return Unauthenticated("TOKEN_MALFORMED", "the bearer token's header or claims are not JSON");
  }
  // The algorithm is the verifier's, never the token's: "none" or a swapped algorithm fails.
  if (StringClaim(header, "alg") != key_->alg) {
    return Unauthenticated("TOKEN_BAD_SIGNATURE",
                           absl::StrCat("the token must be signed with ", key_->alg));
  }
  std::string signed_part = absl::StrCat(parts[0], ".", parts[1]);
  bool valid = false;
  if (key_->alg == "HS256") {
    std::string expected = HmacSha256(key_->secret, signed_part);
    valid = expected.size() == signature.size() &&
            CRYPTO_memcmp(expected.data(), signature.data(), expected.size()) == 0;
  } else {
    std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
    valid =
        EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key_->public_key.get()) ==
            1 &&
        EVP_DigestVerify(
            ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
            reinterpret_cast<const unsigned char*>(signed_part.data()), signed_part.size()) == 1;
  }
  if (!valid) return Unauthenticated("TOKEN_BAD_SIGNATURE", "the token's signature is not valid");

  auto exp = claims.find("exp");
  if (exp == claims.end() || exp->second.kind != internal::ClaimValue::Kind::kNumber) {
    return Unauthenticated("TOKEN_MALFORMED", "the token has no expiry (exp)");
  }
  *expires = absl::FromUnixSeconds(static_cast<int64_t>(exp->second.number));
  if (*expires <= now) {
    return Unauthenticated("TOKEN_EXPIRED", "the token has expired; sign in again");
  }
  if (!key_->issuer.empty() && StringClaim(claims, "iss") != key_->issuer) {
    return Unauthenticated("TOKEN_WRONG_ISSUER",
                           absl::StrCat("the token was not issued by '", key_->issuer, "'"));
  }
  Principal principal;
  principal.subject = StringClaim(claims, "sub");
  principal.tenant = StringClaim(claims, "tenant");
  principal.province = StringClaim(claims, "province");
  principal.department = StringClaim(claims, "department");
  if (principal.subject.empty()) {
    return Unauthenticated("TOKEN_MALFORMED", "the token names no subject (sub)");
  }
  auto roles = claims.find("roles");
  if (roles != claims.end()) {
    if (roles->second.kind != internal::ClaimValue::Kind::kStrings) {
      return Unauthenticated("TOKEN_MALFORMED", "the token's roles are not a list of names");
    }
    for (const auto& name : roles->second.strings) {
      auto role = ParseRole(name);
      if (!role) {
        return Unauthenticated("TOKEN_UNKNOWN_ROLE",
                               absl::StrCat("the token carries an unknown role '", name, "'"));
      }
      principal.roles.insert(*role);
    }
  }
  return principal;
}

absl::StatusOr<std::string> IssueHs256(const TokenRequest& request, absl::string_view secret) {
  if (secret.size() < 16) {
    return absl::InvalidArgumentError("the HS256 token secret must be at least 16 bytes long");
  }
  std::string input = SigningInput("HS256", request);
  return absl::StrCat(input, ".", absl::WebSafeBase64Escape(HmacSha256(secret, input)));
}

absl::StatusOr<std::string> IssueRs256(const TokenRequest& request,
                                       absl::string_view private_key_pem) {
  ASSIGN_OR_RETURN(Pkey key, ReadPem(private_key_pem, /*is_private=*/true));
  std::string input = SigningInput("RS256", request);
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  size_t len = 0;
  if (EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(input.data()),
                     input.size()) != 1) {
    return absl::InternalError("cannot sign the token with the RSA key");
  }
  std::string signature(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &len,
                     reinterpret_cast<const unsigned char*>(input.data()), input.size()) != 1) {
    return absl::InternalError("cannot sign the token with the RSA key");
  }
  signature.resize(len);
  return absl::StrCat(input, ".", absl::WebSafeBase64Escape(signature));
}

absl::StatusOr<TokenVerifier> VerifierFromConfig(common::Config& config) {
  std::string issuer = config.String("token-issuer", "dialogue-local", "accepted token issuer");
  std::string key_file =
      config.String("token-public-key-file", "", "RS256 public key (PEM); production");
  std::string secret =
      config.String("token-secret", "", "HS256 secret shared with the token issuer; local stack");
  if (!key_file.empty()) {
    std::ifstream in(key_file);
    if (!in) return absl::NotFoundError("cannot read --token-public-key-file " + key_file);
    std::stringstream pem;
    pem << in.rdbuf();
    return TokenVerifier::Rs256(pem.str(), issuer);
  }
  return TokenVerifier::Hs256(secret, issuer);
}

absl::StatusOr<TokenIssuer> TokenIssuer::Hs256(std::string secret, std::string issuer) {
  if (secret.size() < 16) {
    return absl::InvalidArgumentError("the HS256 token secret must be at least 16 bytes long");
  }
  return TokenIssuer(std::move(issuer), std::move(secret), "");
}

absl::StatusOr<TokenIssuer> TokenIssuer::FromConfig(common::Config& config) {
  std::string issuer = config.String("token-issuer", "dialogue-local", "accepted token issuer");
  std::string key_file = config.String("token-private-key-file", "",
                                       "RS256 private key (PEM) signing built-in accounts' tokens");
  std::string secret =
      config.String("token-secret", "", "HS256 secret shared with the token issuer; local stack");
  if (!key_file.empty()) {
    std::ifstream in(key_file);
    if (!in) return absl::NotFoundError("cannot read --token-private-key-file " + key_file);
    std::stringstream pem;
    pem << in.rdbuf();
    RETURN_IF_ERROR(ReadPem(pem.str(), /*is_private=*/true).status());
    return TokenIssuer(std::move(issuer), "", pem.str());
  }
  return Hs256(std::move(secret), std::move(issuer));
}

absl::StatusOr<std::string> TokenIssuer::Issue(const Principal& principal, absl::Duration ttl,
                                               absl::Time now) const {
  TokenRequest request{principal, issuer_, now, ttl};
  if (!private_key_pem_.empty()) return IssueRs256(request, private_key_pem_);
  return IssueHs256(request, secret_);
}

}  // namespace dialogue::auth
