// W3C trace context: continuing a caller's trace from its `traceparent` header, or
// starting one, with the sampling decision that travels with it. Shared by the gateway,
// every service, the event envelopes and the webhooks.
#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace dialogue::telemetry {

struct TraceContext {
  std::string trace_id;        // 32 lower-case hex digits
  std::string span_id;         // 16 lower-case hex digits: this hop's span, always new
  std::string parent_span_id;  // the caller's span; empty for the first span of a trace
  bool sampled = true;         // recorded and exported (flag 01 of the traceparent)

  std::string Traceparent() const;
  // The context of a new span under this one: the same trace and decision, a new span id.
  TraceContext Child() const;
};

// The caller's trace when `traceparent` is well formed (version 00, lower-case hex,
// non-zero ids), as a child of the caller's span; else a new trace. Either way the span
// id is new, and the sampler decides whether it is recorded.
TraceContext ContinueTrace(absl::string_view traceparent);

// How traces are chosen for recording (OTEL_TRACES_SAMPLER): always, never, or a fixed
// share of trace ids; parent-based samplers follow the caller's decision when there is
// one. The default is parent-based, always on.
struct Sampler {
  enum class Kind { kAlwaysOn, kAlwaysOff, kTraceIdRatio };
  Kind kind = Kind::kAlwaysOn;
  double ratio = 1.0;  // for kTraceIdRatio, from 0 to 1
  bool parent_based = true;

  // The decision for a new span of trace `trace_id`; `parent_sampled` is the caller's
  // decision, or null at the root.
  bool Decide(absl::string_view trace_id, const bool* parent_sampled) const;
};

// The process's sampler, read by ContinueTrace. Set once at start-up.
void SetSampler(const Sampler& sampler);

}  // namespace dialogue::telemetry
