// The one wrapper every gRPC handler passes through: it reads the trace context and records
// the call's server span, verifies the bearer token, runs the handler, turns an unexpected
// exception into INTERNAL, maps the absl::Status to a grpc::Status with details, and writes
// one access log line.
//
// gRPC 1.51 server interceptors cannot refuse a call, so the check lives here instead;
// a handler that does not go through Serve() gets no principal to act with.
#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "dialogue/auth/principal.h"
#include "dialogue/auth/token.h"
#include "dialogue/common/log.h"
#include "dialogue/common/status.h"
#include "dialogue/db/pool.h"
#include "dialogue/db/tenant_directory.h"
#include "dialogue/telemetry/grpc_spans.h"
#include "dialogue/telemetry/span.h"
#include "dialogue/telemetry/trace_context.h"
#include "dialogue/v1/events.pb.h"

namespace dialogue::rpc {

namespace v1 = ::dialogue::v1;
using telemetry::TraceContext;

// Reads `traceparent` from the metadata, or starts a new trace when absent or malformed.
TraceContext TraceFrom(const grpc::ServerContext& context);

namespace internal {
// The server span of `method` ("GetPlan"), named "dialogue.v1.PlanningService/GetPlan".
telemetry::Span StartServerSpan(absl::string_view method, const TraceContext& trace);
void EndServerSpan(telemetry::Span& span, const absl::Status& status);
// Counts the call by its code and times it (dialogue_rpc_server_*).
void RecordServerCall(absl::string_view method, absl::StatusCode code, absl::Duration took);
}  // namespace internal

struct RequestContext {
  auth::Principal principal;
  TraceContext trace;
};

// The resource a signed-in request acts on ("tenants/t/plans/p"), for its audit record;
// each service's authorisation step names it. A request that changes nothing leaves no
// record (see db::AuditNote).
void NoteAuditTarget(absl::string_view name);

// Changes that a handler records in the audit log itself (sign-ins, accounts): while it
// lives, the request writes no AuditRecorded of its own.
class NoAuditRecord {
 public:
  NoAuditRecord() : disarmed_(nullptr) {}

 private:
  db::ScopedAuditNote disarmed_;
};

namespace internal {
// The audit note of a request by `request.principal`, calling `method`, from `client`.
struct AuditRecord {
  db::AuditNote note;
  std::string target;
};
void PrepareAudit(AuditRecord& record, const RequestContext& request, absl::string_view method,
                  const grpc::ServerContext& context);
// While it lives, NoteAuditTarget writes to `record` (nothing when null).
class ScopedAuditTarget {
 public:
  explicit ScopedAuditTarget(AuditRecord* record);
  ~ScopedAuditTarget();

 private:
  AuditRecord* previous_;
};
}  // namespace internal

class Authenticator {
 public:
  Authenticator(auth::TokenVerifier verifier, db::TenantDirectory& directory)
      : verifier_(std::move(verifier)), directory_(directory) {}

  // UNAUTHENTICATED when the `authorization: Bearer <jwt>` metadata is missing or invalid.
  absl::StatusOr<auth::Principal> Authenticate(const grpc::ServerContext& context) const;

  // The transaction scope for acting on `tenant_id`, or PERMISSION_DENIED. Province
  // readers get the tenant as a read-only scope; nothing about the tenant is revealed
  // to a caller who may not see it.
  absl::StatusOr<db::TenantScope> ScopeFor(const auth::Principal& principal,
                                           const std::string& tenant_id, auth::Access access);

  // For the reads of (dialogue.v1.public_route) RPCs that show a citizen part of a tenant:
  // a caller who may read `tenant_id` (its staff, its province, administrators) gets that
  // scope and *full = true; anyone else, signed in or not, gets the tenant's own scope for
  // its public part and *full = false. NOT_FOUND "TENANT_NOT_FOUND" when no such tenant
  // exists (there is nothing to hide about a commune's existence).
  absl::StatusOr<db::TenantScope> PublicScopeFor(const auth::Principal& principal,
                                                 const std::string& tenant_id, bool* full);

 private:
  auth::TokenVerifier verifier_;
  db::TenantDirectory& directory_;
};

// An event envelope caused by `request`: new id, the current time, the request's trace
// context, `payload` packed and its type as the event type.
v1::Event NewEvent(const RequestContext& request, const std::string& tenant,
                   absl::string_view source, const google::protobuf::Message& payload);
// The same for an event no request caused (a consumer's, a sweep's): `traceparent`, when
// set, continues the trace of what caused it.
v1::Event NewEvent(const std::string& tenant, absl::string_view source,
                   const google::protobuf::Message& payload, const std::string& traceparent);

// A client context for calling another service on the caller's behalf: the caller's
// bearer token and the trace context `trace` go along, and the call gets `timeout` (or the
// caller's own deadline, when sooner).
std::unique_ptr<grpc::ClientContext> OnBehalfOf(const grpc::ServerContext& context,
                                                const TraceContext& trace, absl::Duration timeout);

// Calls another service on the caller's behalf (see OnBehalfOf) inside a client span named
// `method` ("dialogue.v1.IntakeService/FollowOpinion"): `call(grpc::ClientContext*)` makes
// the call and returns its status.
template <typename Call>
grpc::Status CallOnBehalf(const grpc::ServerContext& context, const RequestContext& request,
                          absl::Duration timeout, absl::string_view method, Call&& call) {
  telemetry::Span span = telemetry::StartGrpcClientSpan(request.trace, method);
  auto client = OnBehalfOf(context, span.context(), timeout);
  grpc::Status status = call(client.get());
  telemetry::EndGrpcClientSpan(span, status);
  return status;
}

// The status another service answered, as this service's own: its reason and field kept,
// except that a service down or too slow becomes UNAVAILABLE "UPSTREAM_UNAVAILABLE",
// naming `what` ("the intake service").
absl::Status UpstreamStatus(const grpc::Status& status, absl::string_view what);
// UNAVAILABLE "UPSTREAM_UNAVAILABLE": the service `what` was given no address.
absl::Status UpstreamMissing(absl::string_view what);

enum class Access { kSignedIn, kPublic };

// For RPCs marked (dialogue.v1.public_route): a token is verified when one is sent (a bad
// one is still refused), and a call without one runs with an anonymous principal.
template <typename Handler>
grpc::Status ServePublic(grpc::ServerContext* context, Authenticator& authenticator,
                         absl::string_view method, Handler&& handler);

template <typename Handler>
grpc::Status Serve(grpc::ServerContext* context, Authenticator& authenticator,
                   absl::string_view method, Handler&& handler, Access access = Access::kSignedIn) {
  RequestContext request{{}, TraceFrom(*context)};
  telemetry::Span span = internal::StartServerSpan(method, request.trace);
  telemetry::ActiveScope active(span);
  common::ScopedLogContext log_context(request.trace.trace_id, "");
  absl::Time start = absl::Now();
  absl::Status status;
  try {
    auto principal = authenticator.Authenticate(*context);
    if (access == Access::kPublic && common::ErrorReason(principal.status()) == "TOKEN_MISSING") {
      auth::Principal anonymous;
      anonymous.subject = "anonymous";
      principal = std::move(anonymous);
    }
    if (principal.ok()) {
      request.principal = *std::move(principal);
      common::ScopedLogContext::SetTenant(request.principal.tenant);
      // A signed-in person's change is recorded with it, in its own transaction.
      internal::AuditRecord audit;
      bool staff = !request.principal.roles.empty();
      if (staff) internal::PrepareAudit(audit, request, method, *context);
      db::ScopedAuditNote armed(staff ? &audit.note : nullptr);
      internal::ScopedAuditTarget target(staff ? &audit : nullptr);
      status = handler(request);
    } else {
      status = principal.status();
    }
  } catch (const std::exception& e) {
    common::Log(common::LogLevel::kError, "unexpected exception in handler",
                {{"method", std::string(method)}, {"error", e.what()}});
    status = common::Error(absl::StatusCode::kInternal, "INTERNAL",
                           "an unexpected error happened; it was logged with the trace id");
  }
  common::Log(status.ok() ? common::LogLevel::kDebug : common::LogLevel::kInfo, "rpc",
              {{"method", std::string(method)},
               {"code", absl::StatusCodeToString(status.code())},
               {"subject", request.principal.subject},
               {"ms", absl::StrCat(absl::ToDoubleMilliseconds(absl::Now() - start))},
               {"error", std::string(status.message())}});
  internal::EndServerSpan(span, status);
  internal::RecordServerCall(method, status.code(), absl::Now() - start);
  return common::ToGrpcStatus(status);
}

template <typename Handler>
grpc::Status ServePublic(grpc::ServerContext* context, Authenticator& authenticator,
                         absl::string_view method, Handler&& handler) {
  return Serve(context, authenticator, method, std::forward<Handler>(handler), Access::kPublic);
}

}  // namespace dialogue::rpc
