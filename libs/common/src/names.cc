#include "dialogue/common/names.h"

#include <random>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "dialogue/common/status.h"

namespace dialogue::common {

bool IsSlug(absl::string_view id) {
  if (id.size() < 2 || id.size() > 63) return false;
  for (size_t i = 0; i < id.size(); ++i) {
    char c = id[i];
    bool ok = absl::ascii_islower(c) || absl::ascii_isdigit(c) || (c == '-' && i > 0);
    if (!ok) return false;
  }
  return true;
}

bool IsShortId(absl::string_view id) {
  if (id.empty() || id.size() > 63) return false;
  for (char c : id) {
    if (!absl::ascii_isalnum(c) && c != '-' && c != '_') return false;
  }
  return true;
}

bool IsUuid(absl::string_view id) {
  if (id.size() != 36) return false;
  for (size_t i = 0; i < id.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (id[i] != '-') return false;
    } else if (!absl::ascii_isxdigit(id[i]) || absl::ascii_isupper(id[i])) {
      return false;
    }
  }
  return true;
}

std::string NewUuid() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  uint64_t hi = rng(), lo = rng();
  hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // variant 10
  return absl::StrFormat("%08x-%04x-%04x-%04x-%012x", hi >> 32, (hi >> 16) & 0xffff, hi & 0xffff,
                         lo >> 48, lo & 0xffffffffffffULL);
}

absl::StatusOr<std::map<std::string, std::string>> ParseName(absl::string_view name,
                                                             absl::string_view pattern,
                                                             absl::string_view field) {
  auto mismatch = [&](absl::string_view why) {
    return InvalidField(
        field, "NAME_INVALID",
        absl::StrCat("'", name, "' is not a name of the form ", pattern, ": ", why));
  };
  std::vector<absl::string_view> parts = absl::StrSplit(name, '/');
  std::vector<absl::string_view> shape = absl::StrSplit(pattern, '/');
  if (parts.size() != shape.size()) return mismatch("wrong number of segments");
  std::map<std::string, std::string> vars;
  for (size_t i = 0; i < parts.size(); ++i) {
    absl::string_view s = shape[i];
    if (!absl::StartsWith(s, "{")) {
      if (parts[i] != s) return mismatch(absl::StrCat("expected '", s, "'"));
      continue;
    }
    s = s.substr(1, s.size() - 2);
    bool uuid = absl::ConsumeSuffix(&s, ":uuid");
    bool short_id = !uuid && absl::ConsumeSuffix(&s, ":id");
    bool valid = uuid ? IsUuid(parts[i]) : short_id ? IsShortId(parts[i]) : IsSlug(parts[i]);
    if (!valid) {
      return mismatch(absl::StrCat("'", parts[i], "' is not a valid ", s, " id"));
    }
    vars[std::string(s)] = std::string(parts[i]);
  }
  return vars;
}

}  // namespace dialogue::common
