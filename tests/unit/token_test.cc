#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "../../libs/auth/src/claims_json.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_split.h"
#include "dialogue/auth/token.h"
#include "test_support.h"

namespace dialogue::auth {
namespace {

using absl::StatusCode;
using ::dialogue::testing::IsOk;
using ::dialogue::testing::StatusIs;

constexpr char kSecret[] = "a-local-secret-of-enough-length";

TokenRequest Request(std::string tenant, std::set<Role> roles) {
  TokenRequest request;
  request.principal.subject = "clerk-1";
  request.principal.tenant = std::move(tenant);
  request.principal.roles = std::move(roles);
  return request;
}

TEST(Hs256Token, CarriesTheIssuedPrincipal) {
  auto verifier = TokenVerifier::Hs256(kSecret, "dialogue-local");
  ASSERT_THAT(verifier, IsOk());
  auto token = IssueHs256(Request("dien-chau", {Role::kPartyOffice, Role::kChair}), kSecret);
  ASSERT_THAT(token, IsOk());
  auto principal = verifier->Verify(*token);
  ASSERT_THAT(principal, IsOk());
  EXPECT_EQ(principal->subject, "clerk-1");
  EXPECT_EQ(principal->tenant, "dien-chau");
  EXPECT_TRUE(principal->Has(Role::kPartyOffice));
  EXPECT_TRUE(principal->Has(Role::kChair));
  EXPECT_FALSE(principal->Has(Role::kAdmin));
}

TEST(Hs256Token, IsRefusedWhenExpired) {
  auto verifier = TokenVerifier::Hs256(kSecret, "");
  TokenRequest request = Request("dien-chau", {Role::kFront});
  request.issued_at = absl::Now() - absl::Hours(2);
  request.ttl = absl::Hours(1);
  auto token = IssueHs256(request, kSecret);
  EXPECT_THAT(verifier->Verify(*token), StatusIs(StatusCode::kUnauthenticated, "TOKEN_EXPIRED"));
}

TEST(Hs256Token, IsRememberedUntilItExpiresAndNoLonger) {
  auto verifier = TokenVerifier::Hs256(kSecret, "");
  TokenRequest request = Request("dien-chau", {Role::kFront});
  request.ttl = absl::Hours(1);
  auto token = IssueHs256(request, kSecret);
  absl::Time now = absl::Now();
  ASSERT_THAT(verifier->Verify(*token, now), IsOk());
  auto again = verifier->Verify(*token, now + absl::Minutes(59));
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(again->tenant, "dien-chau");
  EXPECT_TRUE(again->Has(Role::kFront));
  EXPECT_THAT(verifier->Verify(*token, now + absl::Minutes(61)),
              StatusIs(StatusCode::kUnauthenticated, "TOKEN_EXPIRED"));
  // A copy of the verifier shares what it remembers; a verifier with another secret does not
  // trust the token for having been told of it elsewhere.
  TokenVerifier copy = *verifier;
  EXPECT_THAT(copy.Verify(*token, now), IsOk());
  auto other = TokenVerifier::Hs256("another-secret-of-enough-length", "");
  EXPECT_THAT(other->Verify(*token, now),
              StatusIs(StatusCode::kUnauthenticated, "TOKEN_BAD_SIGNATURE"));
}

TEST(Hs256Token, IsRefusedWhenSignedWithAnotherSecret) {
  auto verifier = TokenVerifier::Hs256(kSecret, "");
  auto token = IssueHs256(Request("dien-chau", {Role::kFront}), "another-secret-of-enough-length");
  EXPECT_THAT(verifier->Verify(*token),
              StatusIs(StatusCode::kUnauthenticated, "TOKEN_BAD_SIGNATURE"));
}

TEST(Hs256Token, IsRefusedWhenItsClaimsWereEdited) {
  auto verifier = TokenVerifier::Hs256(kSecret, "");
  auto token = IssueHs256(Request("dien-chau", {Role::kFront}), kSecret);
  // The genuine token is verified (and remembered) first: its signature vouches for it only.
  ASSERT_THAT(verifier->Verify(*token), IsOk());
  std::vector<std::string> parts = absl::StrSplit(*token, '.');
  std::string claims;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(parts[1], &claims));
  claims.replace(claims.find("dien-chau"), 9, "hoai-than");
  std::string forged = parts[0] + "." + absl::WebSafeBase64Escape(claims) + "." + parts[2];
  EXPECT_THAT(verifier->Verify(forged),
              StatusIs(StatusCode::kUnauthenticated, "TOKEN_BAD_SIGNATURE"));
}

TEST(Hs256Token, RefusesTheNoneAlgorithm) {
  auto verifier = TokenVerifier::Hs256(kSecret, "");
  std::string header = absl::WebSafeBase64Escape(R"({"alg":"none","typ":"JWT"})");
  std::string claims = absl::WebSafeBase64Escape(
      R"({"sub":"x","tenant":"dien-chau","roles":["admin"],"exp":99999999999})");
  EXPECT_THAT(verifier->Verify(header + "." + claims + "."),
              StatusIs(StatusCode::kUnauthenticated, "TOKEN_BAD_SIGNATURE"));
}

TEST(Hs256Token, RefusesGarbageAndAWrongIssuer) {
  auto verifier = TokenVerifier::Hs256(kSecret, "dialogue-local");
  EXPECT_THAT(verifier->Verify("not-a-token"),
              StatusIs(StatusCode::kUnauthenticated, "TOKEN_MALFORMED"));
  EXPECT_THAT(verifier->Verify("a.b.c"), StatusIs(StatusCode::kUnauthenticated, "TOKEN_MALFORMED"));
  TokenRequest request = Request("dien-chau", {Role::kFront});
  request.issuer = "someone-else";
  EXPECT_THAT(verifier->Verify(*IssueHs256(request, kSecret)),
              StatusIs(StatusCode::kUnauthenticated, "TOKEN_WRONG_ISSUER"));
}

TEST(Hs256Token, NeedsASecretOfSixteenBytes) {
  EXPECT_THAT(TokenVerifier::Hs256("short", ""), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(IssueHs256(Request("x", {Role::kFront}), "short"),
              StatusIs(StatusCode::kInvalidArgument));
}

struct RsaKeys {
  std::string private_pem;
  std::string public_pem;
};

RsaKeys MakeRsaKeys() {
  EVP_PKEY* key = EVP_RSA_gen(2048);
  RsaKeys keys;
  BIO* priv = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(priv, key, nullptr, nullptr, 0, nullptr, nullptr);
  char* data = nullptr;
  long len = BIO_get_mem_data(priv, &data);
  keys.private_pem.assign(data, len);
  BIO* pub = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(pub, key);
  len = BIO_get_mem_data(pub, &data);
  keys.public_pem.assign(data, len);
  BIO_free(priv);
  BIO_free(pub);
  EVP_PKEY_free(key);
  return keys;
}

TEST(Rs256Token, VerifiesWithThePublicKeyOnly) {
  RsaKeys keys = MakeRsaKeys();
  RsaKeys other = MakeRsaKeys();
  auto verifier = TokenVerifier::Rs256(keys.public_pem, "");
  ASSERT_THAT(verifier, IsOk());
  TokenRequest request = Request("", {Role::kProvince});
  request.principal.province = "nghe-an";
  auto token = IssueRs256(request, keys.private_pem);
  ASSERT_THAT(token, IsOk());
  auto principal = verifier->Verify(*token);
  ASSERT_THAT(principal, IsOk());
  EXPECT_EQ(principal->province, "nghe-an");
  EXPECT_THAT(verifier->Verify(*IssueRs256(request, other.private_pem)),
              StatusIs(StatusCode::kUnauthenticated, "TOKEN_BAD_SIGNATURE"));
  // An HS256 token made with the public key as secret must not pass (algorithm confusion).
  EXPECT_THAT(verifier->Verify(*IssueHs256(request, keys.public_pem)),
              StatusIs(StatusCode::kUnauthenticated, "TOKEN_BAD_SIGNATURE"));
  EXPECT_THAT(TokenVerifier::Rs256("not a pem", ""), StatusIs(StatusCode::kInvalidArgument));
}

TEST(Authorize, StaffActOnTheirOwnCommuneOnly) {
  Principal clerk;
  clerk.tenant = "dien-chau";
  clerk.roles = {Role::kGovernmentOffice};
  EXPECT_THAT(Authorize(clerk, "dien-chau", "nghe-an", Access::kWrite), IsOk());
  EXPECT_THAT(Authorize(clerk, "hoai-thanh", "nghe-an", Access::kRead),
              StatusIs(StatusCode::kPermissionDenied, "TENANT_FORBIDDEN"));
}

TEST(Authorize, ProvinceReadersReadTheirCommunesAndChangeNothing) {
  Principal board;
  board.province = "nghe-an";
  board.roles = {Role::kProvince};
  EXPECT_THAT(Authorize(board, "dien-chau", "nghe-an", Access::kRead), IsOk());
  EXPECT_THAT(Authorize(board, "dien-chau", "nghe-an", Access::kWrite),
              StatusIs(StatusCode::kPermissionDenied, "PROVINCE_READ_ONLY"));
  EXPECT_THAT(Authorize(board, "hoai-thanh", "gia-lai", Access::kRead),
              StatusIs(StatusCode::kPermissionDenied, "TENANT_FORBIDDEN"));
}

TEST(Authorize, CitizensAreNotStaff) {
  Principal citizen;
  citizen.tenant = "dien-chau";
  citizen.roles = {Role::kCitizen};
  EXPECT_THAT(Authorize(citizen, "dien-chau", "nghe-an", Access::kRead),
              StatusIs(StatusCode::kPermissionDenied, "STAFF_ONLY"));
  EXPECT_THAT(Authorize(citizen, "hoai-thanh", "nghe-an", Access::kRead),
              StatusIs(StatusCode::kPermissionDenied, "TENANT_FORBIDDEN"));
}

TEST(Roles, RoundTripTheirNames) {
  for (auto name : {"party_office", "government_office", "front", "department", "chair",
                    "secretary", "hamlet_lead", "citizen", "province", "admin"}) {
    auto role = ParseRole(name);
    ASSERT_TRUE(role.has_value()) << name;
    EXPECT_EQ(RoleName(*role), name);
  }
  EXPECT_FALSE(ParseRole("mayor").has_value());
}

}  // namespace
}  // namespace dialogue::auth

namespace dialogue::auth::internal {
namespace {

TEST(ClaimsJson, ReadsTheFlatObjectsOfATokenWithEveryEscape) {
  std::map<std::string, ClaimValue> claims;
  ASSERT_TRUE(ParseClaims(
      R"( {"sub":"c\u00e1n b\u1ed9 \"A\"\n","exp":1.7e9,"roles":["chair","front"],"ok":true,)"
      R"("x":null,"nested":{"a":[1,{"b":"}"}]},"emoji":"\ud83c\udf89","n":-3} )",
      &claims));
  EXPECT_EQ(claims["sub"].text, "cán bộ \"A\"\n");
  EXPECT_EQ(claims["exp"].number, 1.7e9);
  EXPECT_EQ(claims["roles"].strings, (std::vector<std::string>{"chair", "front"}));
  EXPECT_EQ(claims["ok"].kind, ClaimValue::Kind::kBool);
  EXPECT_EQ(claims["x"].kind, ClaimValue::Kind::kNull);
  EXPECT_EQ(claims["nested"].kind, ClaimValue::Kind::kOther);
  EXPECT_EQ(claims["emoji"].text, "\xF0\x9F\x8E\x89");
  EXPECT_EQ(claims["n"].number, -3);
}

TEST(ClaimsJson, RefusesWhatIsNotOneWellFormedObject) {
  std::map<std::string, ClaimValue> claims;
  for (const char* bad :
       {"", "[]", "{", "{\"a\":}", "{\"a\":1,}", "{\"a\":1} x", "{a:1}", "{\"a\":\"\\x\"}",
        "{\"a\":\"\\ud800\"}", "{\"a\":tru}", "{\"a\":{\"b\":}}", "{\"a\":\"line\nbreak\"}"}) {
    claims.clear();
    EXPECT_FALSE(ParseClaims(bad, &claims)) << bad;
  }
}

}  // namespace
}  // namespace dialogue::auth::internal
