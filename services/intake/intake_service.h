// gRPC handlers of IntakeService: parse and authorise the request, apply the opinion
// rules, call the store. No SQL here and no rules that opinion_rules.h could hold.
#pragma once

#include <memory>

#include "create_batcher.h"
#include "dialogue/calendar/calendar_source.h"
#include "dialogue/rpc/call.h"
#include "dialogue/v1/intake.grpc.pb.h"
#include "dialogue/v1/planning.grpc.pb.h"
#include "opinion_rules.h"
#include "store.h"

namespace dialogue::intake {

class IntakeService final : public v1::IntakeService::Service {
 public:
  // `planning` (optional) gives a round tied to a plan its dates; without it such a round
  // is refused as UNAVAILABLE.
  IntakeService(IntakeStore& store, CreateBatcher& creates, calendar::CalendarSource& calendar,
                rpc::Authenticator& authenticator,
                std::shared_ptr<grpc::Channel> planning = nullptr)
      : store_(store), creates_(creates), calendar_(calendar), auth_(authenticator) {
    if (planning) planning_ = v1::PlanningService::NewStub(planning);
  }

  grpc::Status CreateRound(grpc::ServerContext* context, const v1::CreateRoundRequest* request,
                           v1::Round* response) override;
  grpc::Status UpdateRound(grpc::ServerContext* context, const v1::UpdateRoundRequest* request,
                           v1::Round* response) override;
  grpc::Status DeleteRound(grpc::ServerContext* context, const v1::DeleteRoundRequest* request,
                           v1::DeleteRoundResponse* response) override;
  grpc::Status GetRound(grpc::ServerContext* context, const v1::GetRoundRequest* request,
                        v1::Round* response) override;
  grpc::Status ListRounds(grpc::ServerContext* context, const v1::ListRoundsRequest* request,
                          v1::ListRoundsResponse* response) override;
  grpc::Status CreateOpinion(grpc::ServerContext* context, const v1::CreateOpinionRequest* request,
                             v1::Opinion* response) override;
  grpc::Status SubmitOpinion(grpc::ServerContext* context, const v1::SubmitOpinionRequest* request,
                             v1::OpinionReceipt* response) override;
  grpc::Status ImportOpinions(grpc::ServerContext* context,
                              const v1::ImportOpinionsRequest* request,
                              v1::ImportOpinionsResponse* response) override;
  grpc::Status ImportOpinionsCsv(grpc::ServerContext* context,
                                 const v1::ImportOpinionsRequest* request,
                                 v1::ImportOpinionsResponse* response) override;
  grpc::Status GetOpinion(grpc::ServerContext* context, const v1::GetOpinionRequest* request,
                          v1::Opinion* response) override;
  grpc::Status ListOpinions(grpc::ServerContext* context, const v1::ListOpinionsRequest* request,
                            v1::ListOpinionsResponse* response) override;
  grpc::Status FollowOpinion(grpc::ServerContext* context, const v1::FollowOpinionRequest* request,
                             v1::OpinionStatus* response) override;
  grpc::Status ClassifyOpinion(grpc::ServerContext* context,
                               const v1::ClassifyOpinionRequest* request,
                               v1::Opinion* response) override;
  grpc::Status FindDuplicates(grpc::ServerContext* context,
                              const v1::FindDuplicatesRequest* request,
                              v1::FindDuplicatesResponse* response) override;
  grpc::Status MergeOpinions(grpc::ServerContext* context, const v1::MergeOpinionsRequest* request,
                             v1::Opinion* response) override;
  grpc::Status UnmergeOpinion(grpc::ServerContext* context,
                              const v1::TransitionOpinionRequest* request,
                              v1::Opinion* response) override;
  grpc::Status AssignOpinion(grpc::ServerContext* context, const v1::AssignOpinionRequest* request,
                             v1::Opinion* response) override;
  grpc::Status DraftAnswer(grpc::ServerContext* context, const v1::DraftAnswerRequest* request,
                           v1::Opinion* response) override;
  grpc::Status ApproveAnswer(grpc::ServerContext* context,
                             const v1::TransitionOpinionRequest* request,
                             v1::Opinion* response) override;
  grpc::Status ReturnAnswer(grpc::ServerContext* context,
                            const v1::TransitionOpinionRequest* request,
                            v1::Opinion* response) override;
  grpc::Status MarkAnswered(grpc::ServerContext* context,
                            const v1::TransitionOpinionRequest* request,
                            v1::Opinion* response) override;
  grpc::Status ListOpinionHistory(grpc::ServerContext* context,
                                  const v1::ListOpinionHistoryRequest* request,
                                  v1::ListOpinionHistoryResponse* response) override;
  grpc::Status ListTopics(grpc::ServerContext* context, const v1::ListTopicsRequest* request,
                          v1::ListTopicsResponse* response) override;
  grpc::Status ReplaceTopics(grpc::ServerContext* context, const v1::ReplaceTopicsRequest* request,
                             v1::ListTopicsResponse* response) override;
  grpc::Status RequestDialogue(grpc::ServerContext* context,
                               const v1::RequestDialogueRequest* request,
                               v1::DialogueRequest* response) override;
  grpc::Status ListDialogueRequests(grpc::ServerContext* context,
                                    const v1::ListDialogueRequestsRequest* request,
                                    v1::ListDialogueRequestsResponse* response) override;
  grpc::Status RejectDialogueRequest(grpc::ServerContext* context,
                                     const v1::RejectDialogueRequestRequest* request,
                                     v1::DialogueRequest* response) override;
  grpc::Status GetSynthesisReport(grpc::ServerContext* context,
                                  const v1::GetSynthesisReportRequest* request,
                                  v1::SynthesisReport* response) override;
  grpc::Status RenderSynthesisReport(grpc::ServerContext* context,
                                     const v1::RenderSynthesisReportRequest* request,
                                     v1::HttpBody* response) override;

 private:
  struct Target {
    std::string tenant;
    std::string id;  // of the opinion, round or request named; empty for a parent
    db::TenantScope scope;
  };
  // Parses `name` against `pattern` (or "tenants/{tenant}" when the pattern has no id),
  // then checks the caller's tenant and role, in that order, before any data is read.
  absl::StatusOr<Target> Authorize(const rpc::RequestContext& request, const std::string& name,
                                   absl::string_view pattern, absl::string_view field,
                                   OpinionAction action);
  // Public routes: the tenant named must exist; the scope is that tenant's.
  absl::StatusOr<Target> PublicTarget(const std::string& name, absl::string_view pattern,
                                      absl::string_view field);
  // Reads open to the public: the caller's own rights when they hold them for `action`
  // (*full = true), else PublicTarget (*full = false).
  absl::StatusOr<Target> ReadTarget(const rpc::RequestContext& request, const std::string& name,
                                    absl::string_view pattern, absl::string_view field,
                                    OpinionAction action, bool* full);
  // The round's synthesis report with the names of its topics and hamlets.
  absl::StatusOr<v1::SynthesisReport> NamedSynthesis(const Target& target,
                                                     const TenantInfo& tenant);
  // Checks and stores a new opinion; `prefix` leads the field names in errors ("opinion.").
  absl::StatusOr<v1::Opinion> StoreNew(const Target& target, const rpc::RequestContext& request,
                                       v1::Opinion opinion, const std::string& round,
                                       const std::string& request_id, absl::string_view prefix);
  absl::StatusOr<v1::ImportOpinionsResponse> Import(const rpc::RequestContext& request,
                                                    const v1::ImportOpinionsRequest& import,
                                                    bool csv);
  grpc::Status Transition(grpc::ServerContext* context, const v1::TransitionOpinionRequest* request,
                          v1::Opinion* response, OpinionAction action, absl::string_view method);
  // The dates the round's plan gives its conference, read from planning on the caller's
  // behalf; INVALID_ARGUMENT PLAN_NOT_FOUND or CONFERENCE_NOT_IN_PLAN.
  absl::StatusOr<PlanRoundDates> PlanDates(const grpc::ServerContext& context,
                                           const rpc::RequestContext& request,
                                           const v1::Round& round);

  IntakeStore& store_;
  CreateBatcher& creates_;
  calendar::CalendarSource& calendar_;
  rpc::Authenticator& auth_;
  std::unique_ptr<v1::PlanningService::Stub> planning_;
};

}  // namespace dialogue::intake
