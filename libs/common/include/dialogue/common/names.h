// Resource names (AIP-122) such as "tenants/dien-chau/plans/<uuid>", and ids.
#pragma once

#include <map>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace dialogue::common {

// Matches `name` against a pattern such as "tenants/{tenant}/plans/{plan}" and returns the
// variables. INVALID_ARGUMENT naming `field` when it does not match. A variable is a
// slug ({tenant}), a UUID ({plan:uuid}) or a short id ({task:id}, see IsShortId).
absl::StatusOr<std::map<std::string, std::string>> ParseName(absl::string_view name,
                                                             absl::string_view pattern,
                                                             absl::string_view field);

// Lower-case letters, digits and '-', 2-63 long, starting with a letter or digit.
bool IsSlug(absl::string_view id);
// Letters, digits, '-' and '_', 1-63 long: ids chosen by people within a document.
bool IsShortId(absl::string_view id);
// The canonical 8-4-4-4-12 lower-case hex form.
bool IsUuid(absl::string_view id);
// A random (version 4) UUID.
std::string NewUuid();

}  // namespace dialogue::common
