#include "dialogue/auth/oidc.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "dialogue/common/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dialogue::auth {
namespace {

using ::testing::HasSubstr;

constexpr char kIssuer[] = "https://id.example.gov.vn/realms/tinh";
constexpr char kClient[] = "dialogue";
const absl::Time kNow = absl::FromUnixSeconds(1780000000);

struct Key {
  explicit Key(std::string id, unsigned bits = 2048) : kid(std::move(id)) {
    pkey = EVP_RSA_gen(bits);
  }
  ~Key() { EVP_PKEY_free(pkey); }
  Key(const Key&) = delete;
  Key& operator=(const Key&) = delete;

  std::string Part(const char* name) const {
    BIGNUM* bn = nullptr;
    EVP_PKEY_get_bn_param(pkey, name, &bn);
    std::string bytes(BN_num_bytes(bn), '\0');
    BN_bn2bin(bn, reinterpret_cast<unsigned char*>(bytes.data()));
    BN_free(bn);
    return absl::WebSafeBase64Escape(bytes);
  }
  std::string Jwk() const {
    return absl::StrCat(R"({"kty":"RSA","use":"sig","alg":"RS256","kid":")", kid, R"(","n":")",
                        Part(OSSL_PKEY_PARAM_RSA_N), R"(","e":")", Part(OSSL_PKEY_PARAM_RSA_E),
                        R"("})");
  }
  std::string Sign(const std::string& header, const std::string& claims) const {
    std::string input =
        absl::StrCat(absl::WebSafeBase64Escape(header), ".", absl::WebSafeBase64Escape(claims));
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    size_t size = 0;
    EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, pkey);
    EVP_DigestSign(ctx, nullptr, &size, reinterpret_cast<const unsigned char*>(input.data()),
                   input.size());
    std::string signature(size, '\0');
    EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(signature.data()), &size,
                   reinterpret_cast<const unsigned char*>(input.data()), input.size());
    EVP_MD_CTX_free(ctx);
    signature.resize(size);
    return absl::StrCat(input, ".", absl::WebSafeBase64Escape(signature));
  }
  // An ID token of this key, with `claims` in place of the usual ones when given.
  std::string Token(const std::string& claims = "") const {
    return Sign(absl::StrCat(R"({"alg":"RS256","typ":"JWT","kid":")", kid, R"("})"),
                claims.empty() ? Claims() : claims);
  }
  static std::string Claims(const std::string& iss = kIssuer,
                            const std::string& aud = "\"dialogue\"",
                            int64_t exp = absl::ToUnixSeconds(kNow) + 300,
                            const std::string& nonce = "n-0S6_WzA2Mj",
                            const std::string& sub = "248289761001") {
    return absl::StrCat(R"({"iss":")", iss, R"(","aud":)", aud, R"(,"exp":)", exp, R"(,"iat":)",
                        absl::ToUnixSeconds(kNow) - 5, R"(,"nonce":")", nonce, R"(","sub":")", sub,
                        R"(","preferred_username":"nguyen.van.a","address":{"country":"VN"}})");
  }

  std::string kid;
  EVP_PKEY* pkey = nullptr;
};

std::string Jwks(std::initializer_list<const Key*> keys) {
  std::string out = R"({"keys":[)";
  for (const Key* key : keys) absl::StrAppend(&out, out.back() == '[' ? "" : ",", key->Jwk());
  return out + "]}";
}

std::string ReasonOf(const absl::Status& status) { return common::ErrorReason(status); }

TEST(IdTokenVerifier, AcceptsATokenOfTheProvidersKeyAndNamesItsSubject) {
  Key key("2026-a");
  IdTokenVerifier verifier(kIssuer, kClient);
  ASSERT_TRUE(verifier.SetKeys(Jwks({&key})).ok());
  auto identity = verifier.Verify(key.Token(), "n-0S6_WzA2Mj", kNow);
  ASSERT_TRUE(identity.ok()) << identity.status();
  EXPECT_EQ(identity->subject, "248289761001");
  EXPECT_EQ(identity->name, "nguyen.van.a");
  EXPECT_EQ(IdTokenVerifier::KeyIdOf(key.Token()), "2026-a");
}

TEST(IdTokenVerifier, FollowsTheProviderWhenItRotatesItsKeys) {
  Key old_key("2026-a"), new_key("2026-b");
  IdTokenVerifier verifier(kIssuer, kClient);
  ASSERT_TRUE(verifier.SetKeys(Jwks({&old_key})).ok());
  // A token of a key not yet fetched is refused, and the caller is told to fetch again.
  auto before = verifier.Verify(new_key.Token(), "n-0S6_WzA2Mj", kNow);
  EXPECT_EQ(ReasonOf(before.status()), "OIDC_TOKEN_INVALID");
  EXPECT_THAT(before.status().message(), HasSubstr("key the provider's JWKS does not hold"));
  EXPECT_FALSE(verifier.HasKey("2026-b"));
  // Both published during the change-over: both verify.
  ASSERT_TRUE(verifier.SetKeys(Jwks({&old_key, &new_key})).ok());
  EXPECT_TRUE(verifier.Verify(new_key.Token(), "n-0S6_WzA2Mj", kNow).ok());
  EXPECT_TRUE(verifier.Verify(old_key.Token(), "n-0S6_WzA2Mj", kNow).ok());
  // The old key retired: its tokens no longer verify.
  ASSERT_TRUE(verifier.SetKeys(Jwks({&new_key})).ok());
  EXPECT_FALSE(verifier.HasKey("2026-a"));
  EXPECT_FALSE(verifier.Verify(old_key.Token(), "n-0S6_WzA2Mj", kNow).ok());
  EXPECT_TRUE(verifier.Verify(new_key.Token(), "n-0S6_WzA2Mj", kNow).ok());
}

TEST(IdTokenVerifier, RefusesWhatTheProviderDidNotSignForUs) {
  Key key("2026-a"), stranger("2026-a");  // another key claiming the same id
  IdTokenVerifier verifier(kIssuer, kClient);
  ASSERT_TRUE(verifier.SetKeys(Jwks({&key})).ok());
  const std::string nonce = "n-0S6_WzA2Mj";
  struct Case {
    const char* what;
    std::string token;
    const char* says;
  };
  std::string good = key.Token();
  const int64_t now = absl::ToUnixSeconds(kNow);
  // Another subject under the first token's signature.
  std::string tampered = absl::StrCat(
      good.substr(0, good.find('.')), ".",
      absl::WebSafeBase64Escape(Key::Claims(kIssuer, "\"dialogue\"", now + 300, nonce, "1")),
      good.substr(good.rfind('.')));
  std::vector<Case> cases = {
      {"another key", stranger.Token(), "signature that does not verify"},
      {"changed claims", tampered, "signature that does not verify"},
      {"alg none",
       absl::StrCat(absl::WebSafeBase64Escape(R"({"alg":"none","kid":"2026-a"})"), ".",
                    absl::WebSafeBase64Escape(Key::Claims()), "."),
       "is not signed with RS256"},
      {"HS256", key.Sign(R"({"alg":"HS256","kid":"2026-a"})", Key::Claims()),
       "is not signed with RS256"},
      {"another issuer", key.Token(Key::Claims("https://evil.example")), "another issuer"},
      {"another audience", key.Token(Key::Claims(kIssuer, "\"other-app\"")), "another client"},
      {"audiences without azp", key.Token(Key::Claims(kIssuer, R"(["dialogue","other-app"])")),
       "another client"},
      {"expired", key.Token(Key::Claims(kIssuer, "\"dialogue\"", now - 120)), "has expired"},
      {"another nonce", key.Token(Key::Claims(kIssuer, "\"dialogue\"", now + 300, "replayed")),
       "nonce"},
      {"no subject", key.Token(Key::Claims(kIssuer, "\"dialogue\"", now + 300, nonce, "")),
       "names no subject"},
      {"not a JWT", "abc.def", "is not a JWT"},
  };
  for (const Case& c : cases) {
    auto identity = verifier.Verify(c.token, nonce, kNow);
    ASSERT_FALSE(identity.ok()) << c.what;
    EXPECT_EQ(identity.status().code(), absl::StatusCode::kUnauthenticated) << c.what;
    EXPECT_EQ(ReasonOf(identity.status()), "OIDC_TOKEN_INVALID") << c.what;
    EXPECT_THAT(identity.status().message(), HasSubstr(c.says)) << c.what;
  }
  // A sign-in without a nonce of its own matches no token.
  EXPECT_FALSE(verifier.Verify(good, "", kNow).ok());
  // Within the leeway for the provider's clock, an expiry just passed still holds.
  EXPECT_TRUE(
      verifier.Verify(key.Token(Key::Claims(kIssuer, "\"dialogue\"", now - 30)), nonce, kNow).ok());
  // Several audiences, issued to us (azp): accepted.
  std::string azp = Key::Claims(kIssuer, R"(["dialogue","other-app"])");
  azp.insert(1, R"("azp":"dialogue",)");
  EXPECT_TRUE(verifier.Verify(key.Token(azp), nonce, kNow).ok());
}

TEST(IdTokenVerifier, RefusesAJwksWithoutAUsableKey) {
  Key weak("weak", 1024);
  IdTokenVerifier verifier(kIssuer, kClient);
  EXPECT_EQ(verifier.SetKeys("not json").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(verifier.SetKeys(R"({"keys":[]})").code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(verifier.SetKeys(Jwks({&weak})).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(verifier.SetKeys(R"({"keys":[{"kty":"EC","kid":"e","crv":"P-256"}]})").code(),
            absl::StatusCode::kInvalidArgument);
  // Nothing usable was taken: a token of the weak key is still refused.
  EXPECT_FALSE(verifier.Verify(weak.Token(), "n-0S6_WzA2Mj", kNow).ok());
}

TEST(Pkce, GivesRfc7636sS256Challenge) {
  // RFC 7636, appendix B.
  EXPECT_EQ(PkceChallenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

}  // namespace
}  // namespace dialogue::auth
