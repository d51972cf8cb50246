#include "dialogue/auth/totp.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dialogue::auth {
namespace {

// RFC 6238 appendix B's SHA-1 secret.
constexpr char kRfcSecret[] = "12345678901234567890";

TEST(Totp, GivesRfc6238sSha1Codes) {
  // Appendix B: time -> 8-digit code; the 6 digits apps show are its last six.
  struct Vector {
    int64_t seconds;
    const char* code;
  };
  for (const Vector& v : {Vector{59, "94287082"}, Vector{1111111109, "07081804"},
                          Vector{1111111111, "14050471"}, Vector{1234567890, "89005924"},
                          Vector{2000000000, "69279037"}, Vector{20000000000, "65353130"}}) {
    int64_t step = TotpStep(absl::FromUnixSeconds(v.seconds));
    EXPECT_EQ(TotpCode(kRfcSecret, step, 8), v.code) << v.seconds;
    EXPECT_EQ(TotpCode(kRfcSecret, step), std::string(v.code).substr(2)) << v.seconds;
  }
}

TEST(Totp, MatchesWithinOneStepOfDriftAndNeverTwice) {
  const absl::Time now = absl::FromUnixSeconds(1234567890);
  const int64_t step = TotpStep(now);
  const std::string code = TotpCode(kRfcSecret, step);
  EXPECT_EQ(MatchTotp(kRfcSecret, code, now, 0), step);
  EXPECT_EQ(MatchTotp(kRfcSecret, code, now + absl::Seconds(30), 0), step) << "a slow phone";
  EXPECT_EQ(MatchTotp(kRfcSecret, code, now - absl::Seconds(30), 0), step) << "a fast phone";
  EXPECT_EQ(MatchTotp(kRfcSecret, code, now + absl::Seconds(90), 0), std::nullopt);
  EXPECT_EQ(MatchTotp(kRfcSecret, code, now, step), std::nullopt) << "a code already used";
  EXPECT_EQ(MatchTotp(kRfcSecret, "12345", now, 0), std::nullopt);
  EXPECT_EQ(MatchTotp(kRfcSecret, "1234567", now, 0), std::nullopt);
  EXPECT_EQ(MatchTotp("another secret of twenty", code, now, 0), std::nullopt);
}

TEST(Totp, SharesTheSecretAsAuthenticatorAppsReadIt) {
  // RFC 4648 §10's test vectors.
  EXPECT_EQ(Base32(""), "");
  EXPECT_EQ(Base32("f"), "MY");
  EXPECT_EQ(Base32("foobar"), "MZXW6YTBOI");
  EXPECT_EQ(Base32(kRfcSecret), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
  EXPECT_EQ(TotpUri("Đối thoại", "vanphong.bac-thanh-mien", kRfcSecret),
            "otpauth://totp/%C4%90%E1%BB%91i%20tho%E1%BA%A1i:vanphong.bac-thanh-mien"
            "?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=%C4%90%E1%BB%91i%20tho%E1%BA%A1i"
            "&algorithm=SHA1&digits=6&period=30");
  EXPECT_EQ(NewTotpSecret().size(), kTotpSecretBytes);
  EXPECT_NE(NewTotpSecret(), NewTotpSecret());
}

}  // namespace
}  // namespace dialogue::auth
