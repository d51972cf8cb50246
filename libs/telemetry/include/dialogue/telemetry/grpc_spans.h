// Spans of gRPC calls, with the semantic conventions' attributes (rpc.system, rpc.service,
// rpc.method, rpc.grpc.status_code): the services' server and client spans and the
// gateway's upstream calls.
#pragma once

#include <grpcpp/grpcpp.h>

#include "absl/strings/string_view.h"
#include "dialogue/telemetry/span.h"

namespace dialogue::telemetry {

// `full_method` is "dialogue.v1.IntakeService/FollowOpinion".
void SetRpcAttributes(Span& span, absl::string_view full_method);

// A client span under `parent` for calling `full_method`.
Span StartGrpcClientSpan(const TraceContext& parent, absl::string_view full_method);

// Ends a client span with the call's status (an error marks the span failed).
void EndGrpcClientSpan(Span& span, const grpc::Status& status);

}  // namespace dialogue::telemetry
