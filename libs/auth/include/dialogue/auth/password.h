// Built-in accounts' passwords: Argon2id hashes from libsodium, in the PHC string form
// ("$argon2id$v=19$m=...,t=...,p=1$salt$hash") that carries its own parameters, so a hash
// made with today's limits still verifies after they are raised.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace dialogue::auth {

// Shortest and longest password accepted for a built-in account.
inline constexpr size_t kMinPasswordLength = 10;
inline constexpr size_t kMaxPasswordLength = 256;

// INVALID_ARGUMENT "PASSWORD_TOO_SHORT" / "PASSWORD_TOO_LONG" for a password out of bounds.
absl::StatusOr<std::string> HashPassword(absl::string_view password);

// True when `password` matches `hash`. A malformed hash matches nothing.
bool VerifyPassword(absl::string_view hash, absl::string_view password);

// A hash of a random password, to verify against when the account does not exist, so that
// an unknown name costs the same time as a wrong password.
const std::string& DecoyPasswordHash();

// `bytes` random bytes from the operating system, base64url without padding.
std::string RandomToken(size_t bytes = 32);

}  // namespace dialogue::auth
