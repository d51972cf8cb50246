#include "dialogue/auth/totp.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace dialogue::auth {
namespace {

// Percent-encoding for an otpauth URI's label and parameters (RFC 3986 unreserved kept).
std::string Escape(absl::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (absl::ascii_isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      absl::StrAppendFormat(&out, "%%%02X", c);
    }
  }
  return out;
}

}  // namespace

std::string NewTotpSecret() {
  std::string secret(kTotpSecretBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(secret.data()),
                 static_cast<int>(secret.size())) != 1) {
    std::abort();  // no secure randomness: no secret may be made
  }
  return secret;
}

int64_t TotpStep(absl::Time at) { return absl::ToUnixSeconds(at) / kTotpStepSeconds; }

std::string TotpCode(absl::string_view secret, int64_t step, int digits) {
  unsigned char counter[8];
  for (int i = 7; i >= 0; --i) {
    counter[i] = static_cast<unsigned char>(step & 0xff);
    step >>= 8;
  }
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha1(), secret.data(), static_cast<int>(secret.size()), counter, sizeof counter, mac,
       &length);
  // RFC 4226 §5.3: dynamic truncation.
  int offset = mac[length - 1] & 0x0f;
  uint32_t binary = (static_cast<uint32_t>(mac[offset] & 0x7f) << 24) |
                    (static_cast<uint32_t>(mac[offset + 1]) << 16) |
                    (static_cast<uint32_t>(mac[offset + 2]) << 8) | mac[offset + 3];
  uint32_t modulus = 1;
  for (int i = 0; i < digits; ++i) modulus *= 10;
  return absl::StrFormat("%0*u", digits, binary % modulus);
}

std::optional<int64_t> MatchTotp(absl::string_view secret, absl::string_view code, absl::Time now,
                                 int64_t after, int drift) {
  if (code.size() != kTotpDigits) return std::nullopt;
  const int64_t current = TotpStep(now);
  std::optional<int64_t> found;
  for (int64_t step = current - drift; step <= current + drift; ++step) {
    std::string expected = TotpCode(secret, step);
    // Every candidate is compared, in constant time, whatever matched before.
    if (step > after && CRYPTO_memcmp(expected.data(), code.data(), expected.size()) == 0) {
      found = step;
    }
  }
  return found;
}

std::string Base32(absl::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 5) {
      out.push_back(kAlphabet[(buffer >> (bits - 5)) & 0x1f]);
      bits -= 5;
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(buffer << (5 - bits)) & 0x1f]);
  return out;
}

std::string TotpUri(absl::string_view issuer, absl::string_view account, absl::string_view secret) {
  return absl::StrCat("otpauth://totp/", Escape(issuer), ":", Escape(account),
                      "?secret=", Base32(secret), "&issuer=", Escape(issuer),
                      "&algorithm=SHA1&digits=", kTotpDigits, "&period=", kTotpStepSeconds);
}

}  // namespace dialogue::auth
