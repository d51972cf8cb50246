#include "dialogue/auth/oidc.h"

#include <google/protobuf/struct.pb.h>
#include <google/protobuf/util/json_util.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/sha.h>

#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "claims_json.h"
#include "dialogue/common/status.h"

namespace dialogue::auth {
namespace {

using Claims = std::map<std::string, internal::ClaimValue>;
using Kind = internal::ClaimValue::Kind;

struct PkeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

absl::Status Invalid(absl::string_view why) {
  return common::Error(absl::StatusCode::kUnauthenticated, "OIDC_TOKEN_INVALID",
                       absl::StrCat("the provider's ID token ", why));
}

std::string StringClaim(const Claims& claims, const std::string& key) {
  auto it = claims.find(key);
  return it == claims.end() || it->second.kind != Kind::kString ? "" : it->second.text;
}

// An RSA public key from a JWK's modulus and exponent (base64url, big-endian).
Pkey RsaKey(absl::string_view n64, absl::string_view e64) {
  std::string n, e;
  if (!absl::WebSafeBase64Unescape(n64, &n) || !absl::WebSafeBase64Unescape(e64, &e) || n.empty() ||
      e.empty()) {
    return nullptr;
  }
  std::unique_ptr<BIGNUM, decltype(&BN_free)> bn_n(
      BN_bin2bn(reinterpret_cast<const unsigned char*>(n.data()), static_cast<int>(n.size()),
                nullptr),
      &BN_free);
  std::unique_ptr<BIGNUM, decltype(&BN_free)> bn_e(
      BN_bin2bn(reinterpret_cast<const unsigned char*>(e.data()), static_cast<int>(e.size()),
                nullptr),
      &BN_free);
  std::unique_ptr<OSSL_PARAM_BLD, decltype(&OSSL_PARAM_BLD_free)> build(OSSL_PARAM_BLD_new(),
                                                                        &OSSL_PARAM_BLD_free);
  if (!bn_n || !bn_e || !build ||
      OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_N, bn_n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(build.get(), OSSL_PKEY_PARAM_RSA_E, bn_e.get()) != 1) {
    return nullptr;
  }
  std::unique_ptr<OSSL_PARAM, decltype(&OSSL_PARAM_free)> params(
      OSSL_PARAM_BLD_to_param(build.get()), &OSSL_PARAM_free);
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
      EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr), &EVP_PKEY_CTX_free);
  EVP_PKEY* key = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return nullptr;
  }
  return Pkey(key);
}

std::string Field(const google::protobuf::Struct& object, const std::string& key) {
  auto it = object.fields().find(key);
  return it == object.fields().end() ? "" : it->second.string_value();
}

}  // namespace

struct IdTokenVerifier::Keys {
  std::map<std::string, Pkey> by_id;
};

IdTokenVerifier::IdTokenVerifier(std::string issuer, std::string client_id)
    : issuer_(std::move(issuer)),
      client_id_(std::move(client_id)),
      keys_(std::make_shared<Keys>()) {}

absl::Status IdTokenVerifier::SetKeys(absl::string_view jwks_json) {
  google::protobuf::Struct jwks;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  if (!google::protobuf::util::JsonStringToMessage(std::string(jwks_json), &jwks, options).ok()) {
    return absl::InvalidArgumentError("the provider's JWKS is not a JSON object");
  }
  auto keys = std::make_shared<Keys>();
  auto list = jwks.fields().find("keys");
  if (list != jwks.fields().end()) {
    for (const auto& value : list->second.list_value().values()) {
      const auto& jwk = value.struct_value();
      std::string use = Field(jwk, "use"), alg = Field(jwk, "alg");
      if (Field(jwk, "kty") != "RSA" || (!use.empty() && use != "sig") ||
          (!alg.empty() && alg != "RS256")) {
        continue;
      }
      Pkey key = RsaKey(Field(jwk, "n"), Field(jwk, "e"));
      if (key == nullptr || EVP_PKEY_get_bits(key.get()) < 2048) continue;
      keys->by_id[Field(jwk, "kid")] = std::move(key);
    }
  }
  if (keys->by_id.empty()) {
    return absl::InvalidArgumentError("the provider's JWKS holds no RSA signing key");
  }
  absl::MutexLock lock(&mu_);
  keys_ = std::move(keys);
  return absl::OkStatus();
}

bool IdTokenVerifier::HasKey(const std::string& kid) const {
  absl::MutexLock lock(&mu_);
  return keys_->by_id.count(kid) > 0;
}

std::string IdTokenVerifier::KeyIdOf(absl::string_view token) {
  std::string header_json;
  Claims header;
  if (!absl::WebSafeBase64Unescape(token.substr(0, token.find('.')), &header_json) ||
      !internal::ParseClaims(header_json, &header)) {
    return "";
  }
  return StringClaim(header, "kid");
}

absl::StatusOr<OidcIdentity> IdTokenVerifier::Verify(absl::string_view id_token,
                                                     absl::string_view nonce, absl::Time now,
                                                     absl::Duration leeway) const {
  std::vector<absl::string_view> parts = absl::StrSplit(id_token, '.');
  std::string header_json, claims_json, signature;
  Claims header, claims;
  if (parts.size() != 3 || !absl::WebSafeBase64Unescape(parts[0], &header_json) ||
      !absl::WebSafeBase64Unescape(parts[1], &claims_json) ||
      !absl::WebSafeBase64Unescape(parts[2], &signature) ||
      !internal::ParseClaims(header_json, &header) ||
      !internal::ParseClaims(claims_json, &claims)) {
    return Invalid("is not a JWT");
  }
  // The algorithm is ours, never the token's: "none", HS256 with the public key as a secret
  // and the like fail here.
  if (StringClaim(header, "alg") != "RS256") return Invalid("is not signed with RS256");
  std::shared_ptr<const Keys> keys;
  {
    absl::MutexLock lock(&mu_);
    keys = keys_;
  }
  auto key = keys->by_id.find(StringClaim(header, "kid"));
  if (key == keys->by_id.end()) {
    return Invalid("is signed with a key the provider's JWKS does not hold");
  }
  std::string signed_part = absl::StrCat(parts[0], ".", parts[1]);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  bool valid =
      EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key->second.get()) == 1 &&
      EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                       signature.size(), reinterpret_cast<const unsigned char*>(signed_part.data()),
                       signed_part.size()) == 1;
  if (!valid) return Invalid("has a signature that does not verify");

  if (StringClaim(claims, "iss") != issuer_) {
    return Invalid(absl::StrCat("was issued by another issuer, not ", issuer_));
  }
  auto aud = claims.find("aud");
  bool ours = false;
  if (aud != claims.end() && aud->second.kind == Kind::kString) {
    ours = aud->second.text == client_id_;
  } else if (aud != claims.end() && aud->second.kind == Kind::kStrings) {
    for (const auto& each : aud->second.strings) ours = ours || each == client_id_;
    // Several audiences: the one it was issued to (azp) must be us.
    std::string azp = StringClaim(claims, "azp");
    ours = ours && (aud->second.strings.size() == 1 || azp == client_id_);
  }
  if (!ours) return Invalid("was issued to another client");
  auto exp = claims.find("exp");
  if (exp == claims.end() || exp->second.kind != Kind::kNumber) return Invalid("has no expiry");
  if (absl::FromUnixSeconds(static_cast<int64_t>(exp->second.number)) + leeway <= now) {
    return Invalid("has expired");
  }
  auto iat = claims.find("iat");
  if (iat != claims.end() && iat->second.kind == Kind::kNumber &&
      absl::FromUnixSeconds(static_cast<int64_t>(iat->second.number)) - leeway > now) {
    return Invalid("was issued in the future");
  }
  std::string sent_nonce = StringClaim(claims, "nonce");
  if (nonce.empty() || sent_nonce.size() != nonce.size() ||
      CRYPTO_memcmp(sent_nonce.data(), nonce.data(), nonce.size()) != 0) {
    return Invalid("does not carry this sign-in's nonce");
  }
  OidcIdentity identity;
  identity.subject = StringClaim(claims, "sub");
  if (identity.subject.empty() || identity.subject.size() > 255) {
    return Invalid("names no subject");
  }
  identity.name = StringClaim(claims, "preferred_username");
  if (identity.name.empty()) identity.name = StringClaim(claims, "name");
  return identity;
}

std::string PkceChallenge(absl::string_view code_verifier) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(code_verifier.data()), code_verifier.size(),
         digest);
  return absl::WebSafeBase64Escape(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)));
}

}  // namespace dialogue::auth
