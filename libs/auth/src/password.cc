#include "dialogue/auth/password.h"

#include <sodium.h>

#include <cstdlib>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "dialogue/common/status.h"

namespace dialogue::auth {
namespace {

void InitSodium() {
  static const bool ready = sodium_init() >= 0;
  if (!ready) std::abort();  // no secure randomness: nothing here may go on
}

}  // namespace

absl::StatusOr<std::string> HashPassword(absl::string_view password) {
  InitSodium();
  if (password.size() < kMinPasswordLength) {
    return common::InvalidField(
        "password", "PASSWORD_TOO_SHORT",
        absl::StrCat("a password needs at least ", kMinPasswordLength, " characters"));
  }
  if (password.size() > kMaxPasswordLength) {
    return common::InvalidField(
        "password", "PASSWORD_TOO_LONG",
        absl::StrCat("a password has at most ", kMaxPasswordLength, " characters"));
  }
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(),
                            crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return absl::ResourceExhaustedError("not enough memory to hash the password");
  }
  return std::string(out);
}

bool VerifyPassword(absl::string_view hash, absl::string_view password) {
  InitSodium();
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES ||
      password.size() > kMaxPasswordLength) {
    return false;
  }
  std::string terminated(hash);  // libsodium reads a C string
  return crypto_pwhash_str_verify(terminated.c_str(), password.data(), password.size()) == 0;
}

const std::string& DecoyPasswordHash() {
  static const std::string* decoy = new std::string(*HashPassword(RandomToken(24)));
  return *decoy;
}

std::string RandomToken(size_t bytes) {
  InitSodium();
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  return absl::WebSafeBase64Escape(raw);
}

}  // namespace dialogue::auth
