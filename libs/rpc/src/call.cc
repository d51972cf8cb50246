#include "dialogue/rpc/call.h"

#include <algorithm>
#include <chrono>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "dialogue/common/names.h"
#include "dialogue/telemetry/grpc_spans.h"
#include "dialogue/telemetry/metrics.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/descriptor_database.h"
#include "google/protobuf/util/time_util.h"

namespace dialogue::rpc {
namespace {

absl::string_view Metadata(const grpc::ServerContext& context, absl::string_view key) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find(grpc::string_ref(key.data(), key.size()));
  if (it == metadata.end()) return {};
  return absl::string_view(it->second.data(), it->second.size());
}

}  // namespace

std::unique_ptr<grpc::ClientContext> OnBehalfOf(const grpc::ServerContext& context,
                                                const TraceContext& trace, absl::Duration timeout) {
  auto client = std::make_unique<grpc::ClientContext>();
  absl::string_view token = Metadata(context, "authorization");
  if (!token.empty()) client->AddMetadata("authorization", std::string(token));
  client->AddMetadata("traceparent", trace.Traceparent());
  std::chrono::system_clock::time_point deadline =
      std::chrono::system_clock::now() + absl::ToChronoMilliseconds(timeout);
  client->set_deadline(std::min(deadline, context.deadline()));
  return client;
}

TraceContext TraceFrom(const grpc::ServerContext& context) {
  return telemetry::ContinueTrace(Metadata(context, "traceparent"));
}

namespace internal {
namespace {

// The service that declares `method`, from the contract: method names are unique across
// dialogue.v1's services, so a handler names its method alone.
const std::string& ServiceOf(absl::string_view method) {
  static const auto* services = [] {
    auto* map = new absl::flat_hash_map<std::string, std::string>();
    std::vector<std::string> files;
    google::protobuf::DescriptorPool::internal_generated_database()->FindAllFileNames(&files);
    for (const auto& name : files) {
      if (!absl::StartsWith(name, "dialogue/")) continue;
      const auto* file = google::protobuf::DescriptorPool::generated_pool()->FindFileByName(name);
      if (file == nullptr) continue;
      for (int s = 0; s < file->service_count(); ++s) {
        const auto* service = file->service(s);
        for (int m = 0; m < service->method_count(); ++m) {
          map->emplace(service->method(m)->name(), service->full_name());
        }
      }
    }
    return map;
  }();
  static const std::string unknown = "unknown";
  auto it = services->find(method);
  return it == services->end() ? unknown : it->second;
}

// Codes that are the server's failure rather than the caller's (the semantic conventions'
// rule for gRPC server spans).
bool IsServerError(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kUnknown:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kUnimplemented:
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDataLoss:
      return true;
    default:
      return false;
  }
}

}  // namespace

void RecordServerCall(absl::string_view method, absl::StatusCode code, absl::Duration took) {
  static auto* calls = new telemetry::RequestMetrics("dialogue_rpc_server", "gRPC calls",
                                                     {"service", "method"}, "code");
  calls->Record({ServiceOf(method), method}, absl::StatusCodeToString(code),
                absl::ToDoubleSeconds(took));
}

telemetry::Span StartServerSpan(absl::string_view method, const TraceContext& trace) {
  if (!trace.sampled || !telemetry::Recording()) {
    return telemetry::Span(std::string(), telemetry::SpanKind::kServer, trace);
  }
  std::string name = absl::StrCat(ServiceOf(method), "/", method);
  telemetry::Span span(name, telemetry::SpanKind::kServer, trace);
  if (span.recording()) telemetry::SetRpcAttributes(span, name);
  return span;
}

void EndServerSpan(telemetry::Span& span, const absl::Status& status) {
  if (!span.recording()) return;
  span.Set("rpc.grpc.status_code", static_cast<int>(status.code()));
  if (!status.ok()) span.Set("error.type", common::ErrorReason(status));
  if (IsServerError(status.code())) span.SetError(status.message());
  span.End();
}

}  // namespace internal

absl::StatusOr<auth::Principal> Authenticator::Authenticate(
    const grpc::ServerContext& context) const {
  absl::string_view header = Metadata(context, "authorization");
  if (header.empty()) {
    return common::Error(absl::StatusCode::kUnauthenticated, "TOKEN_MISSING",
                         "this call needs a bearer token (authorization: Bearer <token>)");
  }
  if (!absl::StartsWithIgnoreCase(header, "bearer ")) {
    return common::Error(absl::StatusCode::kUnauthenticated, "TOKEN_MALFORMED",
                         "the authorization header must be 'Bearer <token>'");
  }
  return verifier_.Verify(absl::StripAsciiWhitespace(header.substr(7)));
}

absl::StatusOr<db::TenantScope> Authenticator::ScopeFor(const auth::Principal& principal,
                                                        const std::string& tenant_id,
                                                        auth::Access access) {
  if (telemetry::Span* span = telemetry::ActiveSpan()) span->Set("dialogue.tenant", tenant_id);
  // Staff of the tenant need no lookup: their scope is their own tenant, and a tenant id
  // that does not exist simply holds no rows.
  if (principal.IsStaffOf(tenant_id) && !principal.Has(auth::Role::kAdmin)) {
    return db::TenantScope::Of(tenant_id);
  }
  std::string province;
  if (principal.Has(auth::Role::kAdmin) || principal.Has(auth::Role::kProvince)) {
    auto found = directory_.ProvinceOf(tenant_id);
    if (!found.ok() && found.status().code() != absl::StatusCode::kNotFound) {
      return found.status();
    }
    // An unknown tenant is reported as forbidden to province readers (no probing) and
    // as not found to administrators.
    if (!found.ok() && principal.Has(auth::Role::kAdmin)) return found.status();
    if (found.ok()) province = *found;
  }
  RETURN_IF_ERROR(auth::Authorize(principal, tenant_id, province, access));
  if (principal.Has(auth::Role::kAdmin)) return db::TenantScope::Of(tenant_id);
  db::TenantScope scope;
  scope.read_tenants.push_back(tenant_id);
  return scope;
}

absl::StatusOr<db::TenantScope> Authenticator::PublicScopeFor(const auth::Principal& principal,
                                                              const std::string& tenant_id,
                                                              bool* full) {
  *full = false;
  if (!principal.roles.empty()) {
    auto scope = ScopeFor(principal, tenant_id, auth::Access::kRead);
    if (scope.ok()) {
      *full = true;
      return scope;
    }
    if (scope.status().code() != absl::StatusCode::kPermissionDenied) return scope.status();
  }
  if (telemetry::Span* span = telemetry::ActiveSpan()) span->Set("dialogue.tenant", tenant_id);
  RETURN_IF_ERROR(directory_.ProvinceOf(tenant_id).status());
  return db::TenantScope::Of(tenant_id);
}

absl::Status UpstreamStatus(const grpc::Status& status, absl::string_view what) {
  absl::Status s = common::FromGrpcStatus(status);
  if (s.code() == absl::StatusCode::kUnavailable ||
      s.code() == absl::StatusCode::kDeadlineExceeded) {
    return common::Error(absl::StatusCode::kUnavailable, "UPSTREAM_UNAVAILABLE",
                         absl::StrCat(what, " cannot be reached now; try again"));
  }
  return s;
}

absl::Status UpstreamMissing(absl::string_view what) {
  return common::Error(absl::StatusCode::kUnavailable, "UPSTREAM_UNAVAILABLE",
                       absl::StrCat(what, " is not configured"));
}

namespace {
thread_local internal::AuditRecord* audit_record = nullptr;
}  // namespace

void NoteAuditTarget(absl::string_view name) {
  if (audit_record != nullptr && audit_record->target.empty()) {
    audit_record->target = std::string(name.substr(0, 300));
  }
}

namespace internal {

ScopedAuditTarget::ScopedAuditTarget(AuditRecord* record) : previous_(audit_record) {
  audit_record = record;
}
ScopedAuditTarget::~ScopedAuditTarget() { audit_record = previous_; }

void PrepareAudit(AuditRecord& record, const RequestContext& request, absl::string_view method,
                  const grpc::ServerContext& context) {
  std::string client = context.peer();
  const auto& metadata = context.client_metadata();
  if (auto it = metadata.find("x-forwarded-for"); it != metadata.end()) {
    client.assign(it->second.data(), it->second.size());
  }
  record.note.event_id = common::NewUuid();
  record.note.event_type = v1::AuditRecorded::descriptor()->full_name();
  record.note.payload = [&record, &request, action = std::string(method),
                         client = std::move(client)](const std::string& tenant) {
    v1::AuditRecorded audit;
    audit.set_actor(request.principal.subject);
    audit.set_action(action);
    audit.set_target(record.target);
    audit.set_client(client.substr(0, 100));
    v1::Event event = NewEvent(request, tenant, "audit", audit);
    event.set_id(record.note.event_id);
    return event.SerializeAsString();
  };
}

}  // namespace internal

v1::Event NewEvent(const RequestContext& request, const std::string& tenant,
                   absl::string_view source, const google::protobuf::Message& payload) {
  return NewEvent(tenant, source, payload, request.trace.Traceparent());
}

v1::Event NewEvent(const std::string& tenant, absl::string_view source,
                   const google::protobuf::Message& payload, const std::string& traceparent) {
  v1::Event event;
  event.set_id(common::NewUuid());
  event.set_type(payload.GetDescriptor()->full_name());
  event.set_tenant(absl::StrCat("tenants/", tenant));
  event.set_source(std::string(source));
  // TimeUtil::GetCurrentTime has whole seconds only (protobuf 3.21).
  *event.mutable_time() =
      google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(absl::Now()));
  event.set_traceparent(traceparent);
  event.mutable_payload()->PackFrom(payload);
  return event;
}

}  // namespace dialogue::rpc
