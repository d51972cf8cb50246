#include "dialogue/telemetry/grpc_spans.h"

#include <string>

namespace dialogue::telemetry {

void SetRpcAttributes(Span& span, absl::string_view full_method) {
  size_t slash = full_method.rfind('/');
  span.Set("rpc.system", "grpc")
      .Set("rpc.service", full_method.substr(0, slash))
      .Set("rpc.method", full_method.substr(slash + 1));
}

Span StartGrpcClientSpan(const TraceContext& parent, absl::string_view full_method) {
  Span span = StartSpan(std::string(full_method), SpanKind::kClient, parent);
  if (span.recording()) SetRpcAttributes(span, full_method);
  return span;
}

void EndGrpcClientSpan(Span& span, const grpc::Status& status) {
  if (!span.recording()) return;
  span.Set("rpc.grpc.status_code", static_cast<int>(status.error_code()));
  if (!status.ok()) span.SetError(status.error_message());
  span.End();
}

}  // namespace dialogue::telemetry
