#include "dialogue/common/status.h"

#include <vector>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/any.pb.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace dialogue::common {
namespace {

constexpr absl::string_view kErrorInfoUrl = "type.googleapis.com/google.rpc.ErrorInfo";
constexpr absl::string_view kBadRequestUrl = "type.googleapis.com/google.rpc.BadRequest";
constexpr absl::string_view kDomain = "dialogue.gov.vn";

template <typename Message>
bool ReadPayload(const absl::Status& status, absl::string_view url, Message& out) {
  auto payload = status.GetPayload(url);
  return payload.has_value() && out.ParseFromString(std::string(*payload));
}

}  // namespace

absl::Status Error(absl::StatusCode code, absl::string_view reason, absl::string_view message) {
  absl::Status status(code, message);
  google::rpc::ErrorInfo info;
  info.set_reason(std::string(reason));
  info.set_domain(std::string(kDomain));
  status.SetPayload(kErrorInfoUrl, absl::Cord(info.SerializeAsString()));
  return status;
}

absl::Status InvalidField(absl::string_view field, absl::string_view reason,
                          absl::string_view message) {
  absl::Status status =
      Error(absl::StatusCode::kInvalidArgument, reason, absl::StrCat(field, ": ", message));
  AddFieldViolation(status, field, message);
  return status;
}

void AddFieldViolation(absl::Status& status, absl::string_view field, absl::string_view message) {
  google::rpc::BadRequest bad;
  ReadPayload(status, kBadRequestUrl, bad);
  auto* violation = bad.add_field_violations();
  violation->set_field(std::string(field));
  violation->set_description(std::string(message));
  status.SetPayload(kBadRequestUrl, absl::Cord(bad.SerializeAsString()));
}

absl::Status CheckEtag(absl::string_view given, absl::string_view current, absl::string_view what) {
  if (given.empty() || given == current) return absl::OkStatus();
  return Error(absl::StatusCode::kAborted, "ETAG_MISMATCH",
               absl::StrCat(what, " changed since you read it (etag ", given, ", now ", current,
                            "); read it again and reapply your change"));
}

std::string ErrorReason(const absl::Status& status) {
  google::rpc::ErrorInfo info;
  return ReadPayload(status, kErrorInfoUrl, info) ? info.reason() : std::string();
}

std::vector<std::string> FieldViolations(const absl::Status& status) {
  std::vector<std::string> out;
  google::rpc::BadRequest bad;
  if (!ReadPayload(status, kBadRequestUrl, bad)) return out;
  for (const auto& v : bad.field_violations()) {
    out.push_back(absl::StrCat(v.field(), ": ", v.description()));
  }
  return out;
}

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  google::rpc::Status details;
  details.set_code(static_cast<int>(status.code()));
  details.set_message(std::string(status.message()));
  status.ForEachPayload([&](absl::string_view url, const absl::Cord& value) {
    auto* any = details.add_details();
    any->set_type_url(std::string(url));
    any->set_value(std::string(value));
  });
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()),
                      details.SerializeAsString());
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  absl::Status out(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
  google::rpc::Status details;
  if (!status.error_details().empty() && details.ParseFromString(status.error_details())) {
    for (const auto& any : details.details()) {
      out.SetPayload(any.type_url(), absl::Cord(any.value()));
    }
  }
  return out;
}

}  // namespace dialogue::common
