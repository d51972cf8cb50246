// gRPC handlers of SupervisionService: parse and authorise, apply the supervision rules,
// call the store; intake is asked (on the caller's behalf) which opinion a receipt code
// stands for. No SQL here.
#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "dialogue/db/tenant_directory.h"
#include "dialogue/rpc/call.h"
#include "dialogue/v1/intake.grpc.pb.h"
#include "dialogue/v1/supervision.grpc.pb.h"
#include "store.h"
#include "supervision_rules.h"

namespace dialogue::supervision {

class SupervisionService final : public v1::SupervisionService::Service {
 public:
  // `intake` answers receipt codes; without it the petitioners' routes answer UNAVAILABLE.
  SupervisionService(SupervisionStore& store, rpc::Authenticator& authenticator,
                     db::TenantDirectory& directory, std::shared_ptr<grpc::Channel> intake);

  grpc::Status GetCommitment(grpc::ServerContext* context, const v1::GetCommitmentRequest* request,
                             v1::Commitment* response) override;
  grpc::Status ListCommitments(grpc::ServerContext* context,
                               const v1::ListCommitmentsRequest* request,
                               v1::ListCommitmentsResponse* response) override;
  grpc::Status ListCommitmentHistory(grpc::ServerContext* context,
                                     const v1::ListCommitmentHistoryRequest* request,
                                     v1::ListCommitmentHistoryResponse* response) override;
  grpc::Status RecordProgress(grpc::ServerContext* context,
                              const v1::RecordProgressRequest* request,
                              v1::Commitment* response) override;
  grpc::Status RecordCheck(grpc::ServerContext* context, const v1::RecordCheckRequest* request,
                           v1::Commitment* response) override;
  grpc::Status FollowCommitments(grpc::ServerContext* context,
                                 const v1::FollowCommitmentsRequest* request,
                                 v1::FollowCommitmentsResponse* response) override;
  grpc::Status GiveFeedback(grpc::ServerContext* context, const v1::GiveFeedbackRequest* request,
                            v1::PublicCommitment* response) override;
  grpc::Status GetCommuneReport(grpc::ServerContext* context,
                                const v1::GetCommuneReportRequest* request,
                                v1::CommuneReport* response) override;
  grpc::Status RenderCommuneReport(grpc::ServerContext* context,
                                   const v1::RenderCommuneReportRequest* request,
                                   v1::HttpBody* response) override;
  grpc::Status RenderProvinceReport(grpc::ServerContext* context,
                                    const v1::RenderProvinceReportRequest* request,
                                    v1::HttpBody* response) override;
  grpc::Status GetProvinceReport(grpc::ServerContext* context,
                                 const v1::GetProvinceReportRequest* request,
                                 v1::ProvinceReport* response) override;
  grpc::Status ExportProvinceReport(grpc::ServerContext* context,
                                    const v1::GetProvinceReportRequest* request,
                                    v1::HttpBody* response) override;
  grpc::Status ListEscalations(grpc::ServerContext* context,
                               const v1::ListEscalationsRequest* request,
                               v1::ListEscalationsResponse* response) override;
  grpc::Status AnswerEscalation(grpc::ServerContext* context,
                                const v1::AnswerEscalationRequest* request,
                                v1::Commitment* response) override;

 private:
  struct Target {
    std::string tenant;
    std::string id;  // the commitment's; empty for a parent
    db::TenantScope scope;
  };
  // Parses `name`, then checks the caller's tenant and role, before any data is read.
  absl::StatusOr<Target> Authorize(const rpc::RequestContext& request, const std::string& name,
                                   absl::string_view pattern, absl::string_view field,
                                   SupervisionAction action);
  // Reads open to the public: the caller's own rights when they may read (*full = true),
  // else the tenant's public part (*full = false); NOT_FOUND for a tenant that does not exist.
  absl::StatusOr<Target> AuthorizeRead(const rpc::RequestContext& request, const std::string& name,
                                       absl::string_view pattern, absl::string_view field,
                                       bool* full);
  // The opinion (and the canonical code) a receipt code of `tenant` stands for, from intake.
  // A code that cannot be one is refused here, on `field`, without asking intake.
  absl::StatusOr<v1::OpinionStatus> Receipt(grpc::ServerContext* context,
                                            const rpc::RequestContext& request,
                                            const std::string& tenant, absl::string_view typed,
                                            absl::string_view field);
  // The communes of `name` (provinces/{province}, in `field`) once the caller is shown to be
  // one of its accounts or an administrator, with a scope that reads them all.
  absl::StatusOr<std::pair<std::vector<std::string>, db::TenantScope>> ProvinceCommunes(
      const rpc::RequestContext& request, const std::string& name, absl::string_view field);
  // The same for the communes under the district `name` (tenants/{tenant}), to its office
  // and chair.
  absl::StatusOr<std::pair<std::vector<std::string>, db::TenantScope>> DistrictCommunes(
      const rpc::RequestContext& request, const std::string& name);
  // The commune's report (tenants/{tenant}) for `year` (0: as_of's) as of `as_of` (empty:
  // today), to its staff and its province's readers.
  absl::StatusOr<v1::CommuneReport> Commune(const rpc::RequestContext& request,
                                            const std::string& tenant, int year,
                                            const std::string& as_of);
  // A province reader's report of `province` (provinces/{province}).
  absl::StatusOr<v1::ProvinceReport> Province(const rpc::RequestContext& request,
                                              const v1::GetProvinceReportRequest& in);
  grpc::Status Change(grpc::ServerContext* context, absl::string_view method,
                      const std::string& name, const std::string& etag, SupervisionAction action,
                      const std::function<absl::Status(absl::CivilDay today, v1::Commitment&,
                                                       v1::CommitmentChange&)>& change,
                      v1::Commitment* response);

  SupervisionStore& store_;
  rpc::Authenticator& auth_;
  db::TenantDirectory& directory_;
  std::unique_ptr<v1::IntakeService::Stub> intake_;
};

}  // namespace dialogue::supervision
