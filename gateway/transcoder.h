// HTTP/JSON <-> protobuf for one call: the request message from path variables, query
// parameters and the JSON body (proto3 JSON mapping); the response and errors as JSON.
#pragma once

#include <google/protobuf/message.h>
#include <grpcpp/support/status.h>

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "routes.h"

namespace dialogue::gateway {

using Bindings = std::vector<std::pair<std::string, std::string>>;

// INVALID_ARGUMENT naming the field for malformed JSON, unknown fields and wrong types.
absl::Status BuildRequest(const Route& route, const Bindings& path_bindings,
                          absl::string_view query, absl::string_view body,
                          google::protobuf::Message* request);

std::string ToJson(const google::protobuf::Message& message);

// The standard gRPC -> HTTP status table (google.rpc.Code mapping).
int HttpStatusFor(grpc::StatusCode code);

// {"error": {"code": <http>, "status": "NOT_FOUND", "message": "...", "details": [...]}},
// the details decoded from the call's google.rpc.Status. <http> is HttpStatusFor the code,
// unless `http_status` names the one the response is sent with.
std::string ErrorJson(const grpc::Status& status, int http_status = 0);

// Splits "a=1&b=x%20y" into decoded pairs.
absl::StatusOr<Bindings> ParseQuery(absl::string_view query);

}  // namespace dialogue::gateway
