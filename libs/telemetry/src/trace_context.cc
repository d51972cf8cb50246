#include "dialogue/telemetry/trace_context.h"

#include <atomic>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace dialogue::telemetry {
namespace {

// `bytes` random bytes as lower-case hex, written in place.
std::string RandomHex(size_t bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  thread_local std::mt19937_64 rng{std::random_device{}()};
  std::string hex(bytes * 2, '0');
  for (size_t i = 0; i < bytes; i += 8) {
    uint64_t r = rng();
    for (size_t j = i; j < bytes && j < i + 8; ++j, r >>= 8) {
      hex[2 * j] = kDigits[(r >> 4) & 0xf];
      hex[2 * j + 1] = kDigits[r & 0xf];
    }
  }
  return hex;
}

bool IsLowerHex(absl::string_view s, size_t length) {
  if (s.size() != length) return false;
  for (char c : s) {
    if (!absl::ascii_isxdigit(c) || absl::ascii_isupper(c)) return false;
  }
  return s != std::string(length, '0');
}

// Written once at start-up, read by every request: a copy under a lock would cost more
// than the decision, so the fields are atomics.
std::atomic<int> sampler_kind{static_cast<int>(Sampler::Kind::kAlwaysOn)};
std::atomic<double> sampler_ratio{1.0};
std::atomic<bool> sampler_parent_based{true};

Sampler CurrentSampler() {
  Sampler s;
  s.kind = static_cast<Sampler::Kind>(sampler_kind.load(std::memory_order_relaxed));
  s.ratio = sampler_ratio.load(std::memory_order_relaxed);
  s.parent_based = sampler_parent_based.load(std::memory_order_relaxed);
  return s;
}

}  // namespace

std::string TraceContext::Traceparent() const {
  return absl::StrCat("00-", trace_id, "-", span_id, sampled ? "-01" : "-00");
}

TraceContext TraceContext::Child() const {
  TraceContext child;
  child.trace_id = trace_id;
  child.span_id = RandomHex(8);
  child.parent_span_id = span_id;
  child.sampled = sampled;
  return child;
}

bool Sampler::Decide(absl::string_view trace_id, const bool* parent_sampled) const {
  if (parent_based && parent_sampled != nullptr) return *parent_sampled;
  switch (kind) {
    case Kind::kAlwaysOn:
      return true;
    case Kind::kAlwaysOff:
      return false;
    case Kind::kTraceIdRatio: {
      // The last 8 bytes of the id, as the specification's TraceIdRatioBased sampler reads
      // them, so every process of the trace decides alike.
      uint64_t low = 0;
      if (trace_id.size() != 32 || !absl::SimpleHexAtoi(trace_id.substr(16), &low)) return false;
      if (ratio >= 1.0) return true;
      if (ratio <= 0.0) return false;
      return static_cast<double>(low >> 1) < std::ldexp(ratio, 63);
    }
  }
  return true;
}

void SetSampler(const Sampler& sampler) {
  sampler_kind = static_cast<int>(sampler.kind);
  sampler_ratio = sampler.ratio;
  sampler_parent_based = sampler.parent_based;
}

TraceContext ContinueTrace(absl::string_view traceparent) {
  std::vector<absl::string_view> parts = absl::StrSplit(traceparent, '-');
  TraceContext trace;
  bool parent_sampled = false;
  int flags = 0;
  bool has_parent = parts.size() == 4 && parts[0] == "00" && IsLowerHex(parts[1], 32) &&
                    IsLowerHex(parts[2], 16) && parts[3].size() == 2 &&
                    absl::SimpleHexAtoi(parts[3], &flags);
  if (has_parent) {
    trace.trace_id = std::string(parts[1]);
    trace.parent_span_id = std::string(parts[2]);
    parent_sampled = (flags & 1) != 0;
  } else {
    trace.trace_id = RandomHex(16);
  }
  trace.span_id = RandomHex(8);
  trace.sampled = CurrentSampler().Decide(trace.trace_id, has_parent ? &parent_sampled : nullptr);
  return trace;
}

}  // namespace dialogue::telemetry
