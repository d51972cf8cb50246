// Error handling shared by every library and service: RETURN_IF_ERROR/ASSIGN_OR_RETURN,
// builders for statuses that carry google.rpc details, and the absl <-> gRPC mapping.
#pragma once

#include <grpcpp/support/status.h>

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

#define DIALOGUE_STATUS_CONCAT_INNER_(a, b) a##b
#define DIALOGUE_STATUS_CONCAT_(a, b) DIALOGUE_STATUS_CONCAT_INNER_(a, b)

// Returns from the enclosing function if `expr` (an absl::Status) is not OK.
#define RETURN_IF_ERROR(expr)                            \
  do {                                                   \
    ::absl::Status dialogue_status_ = (expr);            \
    if (!dialogue_status_.ok()) return dialogue_status_; \
  } while (false)

// `ASSIGN_OR_RETURN(auto x, F());` declares x from an absl::StatusOr or returns its error.
#define ASSIGN_OR_RETURN(lhs, expr) \
  DIALOGUE_ASSIGN_OR_RETURN_IMPL_(DIALOGUE_STATUS_CONCAT_(dialogue_statusor_, __LINE__), lhs, expr)
#define DIALOGUE_ASSIGN_OR_RETURN_IMPL_(var, lhs, expr) \
  auto var = (expr);                                    \
  if (!var.ok()) return std::move(var).status();        \
  lhs = std::move(var).value()

namespace dialogue::common {

// A status with a google.rpc.ErrorInfo: `reason` is a stable UPPER_SNAKE code clients
// branch on; `message` is for the person reading it.
absl::Status Error(absl::StatusCode code, absl::string_view reason, absl::string_view message);

// INVALID_ARGUMENT naming the field (google.rpc.BadRequest) and the rule it broke.
absl::Status InvalidField(absl::string_view field, absl::string_view reason,
                          absl::string_view message);

// Adds one more field violation to an INVALID_ARGUMENT status built by InvalidField.
void AddFieldViolation(absl::Status& status, absl::string_view field, absl::string_view message);

// Optimistic concurrency: OK when the caller gave no etag or the one `what` (e.g. "the
// plan") has now; else ABORTED ETAG_MISMATCH, telling them to read it again.
absl::Status CheckEtag(absl::string_view given, absl::string_view current, absl::string_view what);

// Reads the ErrorInfo reason of a status, or "" when it carries none.
std::string ErrorReason(const absl::Status& status);

// The field violations of a status, as "field: message" lines (for tests and logs).
std::vector<std::string> FieldViolations(const absl::Status& status);

// The one mapping from absl to gRPC: same code, same message, and the details packed as
// a serialized google.rpc.Status in the grpc-status-details-bin trailer.
grpc::Status ToGrpcStatus(const absl::Status& status);

// The reverse, for clients: keeps the code, message and the details payloads.
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace dialogue::common
