#include "dialogue/common/trace.h"

#include <random>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_split.h"

namespace dialogue::common {
namespace {

std::string RandomHex(size_t bytes) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::string raw(bytes, '\0');
  for (auto& c : raw) c = static_cast<char>(rng() & 0xff);
  return absl::BytesToHexString(raw);
}

bool IsLowerHex(absl::string_view s, size_t length) {
  if (s.size() != length) return false;
  for (char c : s) {
    if (!absl::ascii_isxdigit(c) || absl::ascii_isupper(c)) return false;
  }
  return s != std::string(length, '0');
}

}  // namespace

TraceContext ContinueTrace(absl::string_view traceparent) {
  std::vector<absl::string_view> parts = absl::StrSplit(traceparent, '-');
  TraceContext trace;
  if (parts.size() == 4 && parts[0] == "00" && IsLowerHex(parts[1], 32) &&
      IsLowerHex(parts[2], 16)) {
    trace.trace_id = std::string(parts[1]);
  } else {
    trace.trace_id = RandomHex(16);
  }
  trace.span_id = RandomHex(8);
  return trace;
}

}  // namespace dialogue::common
