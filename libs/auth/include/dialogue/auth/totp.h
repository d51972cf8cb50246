// The optional second factor of a built-in account: time-based one-time passwords (RFC
// 6238 over RFC 4226's HOTP) as authenticator apps make them by default: HMAC-SHA1, a
// 30-second step, 6 digits, the secret shared as base32 in an otpauth:// URI.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace dialogue::auth {

inline constexpr int kTotpDigits = 6;
inline constexpr int64_t kTotpStepSeconds = 30;
inline constexpr size_t kTotpSecretBytes = 20;  // 160 bits, as RFC 4226 recommends

// A new random secret of kTotpSecretBytes bytes.
std::string NewTotpSecret();

// The time step `at` falls in.
int64_t TotpStep(absl::Time at);

// The code for `step`, zero-padded to `digits` (6 or 8).
std::string TotpCode(absl::string_view secret, int64_t step, int digits = kTotpDigits);

// The step whose code `code` is, among the step of `now` and `drift` steps either side (a
// phone's clock a little off), newer than `after` (a code already used is not taken twice);
// nullopt when none.
std::optional<int64_t> MatchTotp(absl::string_view secret, absl::string_view code, absl::Time now,
                                 int64_t after, int drift = 1);

// RFC 4648 base32, upper case, without padding, as authenticator apps read it.
std::string Base32(absl::string_view bytes);

// "otpauth://totp/<issuer>:<account>?secret=...&issuer=...&algorithm=SHA1&digits=6&period=30"
std::string TotpUri(absl::string_view issuer, absl::string_view account, absl::string_view secret);

}  // namespace dialogue::auth
