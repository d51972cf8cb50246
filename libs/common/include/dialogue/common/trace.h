// W3C trace context: continuing a caller's trace from its `traceparent` header, or
// starting one. Shared by the gateway and every gRPC service.
#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace dialogue::common {

struct TraceContext {
  std::string trace_id;  // 32 lower-case hex digits
  std::string span_id;   // 16 lower-case hex digits: this hop's span, always new
  std::string Traceparent() const { return "00-" + trace_id + "-" + span_id + "-01"; }
};

// The caller's trace when `traceparent` is well formed (version 00, lower-case hex,
// non-zero ids), else a new trace; either way with a new span id for this hop.
TraceContext ContinueTrace(absl::string_view traceparent);

}  // namespace dialogue::common
