// gRPC handlers of PlanningService: parse and authorise the request, apply the plan
// rules, call the store. No SQL here and no rules that plan_rules.h could hold.
#pragma once

#include "dialogue/rpc/call.h"
#include "dialogue/v1/planning.grpc.pb.h"
#include "plan_rules.h"
#include "store.h"

namespace dialogue::planning {

class PlanningService final : public v1::PlanningService::Service {
 public:
  PlanningService(PlanStore& plans, TenantStore& tenants, rpc::Authenticator& authenticator)
      : plans_(plans), tenants_(tenants), auth_(authenticator) {}

  grpc::Status CreatePlan(grpc::ServerContext* context, const v1::CreatePlanRequest* request,
                          v1::Plan* response) override;
  grpc::Status GetPlan(grpc::ServerContext* context, const v1::GetPlanRequest* request,
                       v1::Plan* response) override;
  grpc::Status RenderPlan(grpc::ServerContext* context, const v1::RenderPlanRequest* request,
                          v1::HttpBody* response) override;
  grpc::Status ListPlans(grpc::ServerContext* context, const v1::ListPlansRequest* request,
                         v1::ListPlansResponse* response) override;
  grpc::Status UpdatePlan(grpc::ServerContext* context, const v1::UpdatePlanRequest* request,
                          v1::Plan* response) override;
  grpc::Status DeletePlan(grpc::ServerContext* context, const v1::DeletePlanRequest* request,
                          v1::DeletePlanResponse* response) override;
  grpc::Status ApprovePlan(grpc::ServerContext* context, const v1::TransitionPlanRequest* request,
                           v1::Plan* response) override;
  grpc::Status PublishPlan(grpc::ServerContext* context, const v1::TransitionPlanRequest* request,
                           v1::Plan* response) override;
  grpc::Status ClosePlan(grpc::ServerContext* context, const v1::TransitionPlanRequest* request,
                         v1::Plan* response) override;
  grpc::Status CancelPlan(grpc::ServerContext* context, const v1::TransitionPlanRequest* request,
                          v1::Plan* response) override;
  grpc::Status RevisePlan(grpc::ServerContext* context, const v1::RevisePlanRequest* request,
                          v1::Plan* response) override;
  grpc::Status CopyPlan(grpc::ServerContext* context, const v1::CopyPlanRequest* request,
                        v1::Plan* response) override;
  grpc::Status ListTasks(grpc::ServerContext* context, const v1::ListTasksRequest* request,
                         v1::ListTasksResponse* response) override;
  grpc::Status CompleteTask(grpc::ServerContext* context, const v1::CompleteTaskRequest* request,
                            v1::TaskView* response) override;

 private:
  struct Target {
    std::string tenant;
    std::string plan_id;
    db::TenantScope scope;
  };
  // Parses `name`, then checks the caller's tenant and role, in that order, before any
  // data is read.
  absl::StatusOr<Target> Authorize(const rpc::RequestContext& request, const std::string& name,
                                   PlanAction action);
  // A read open to the public: the caller's own rights when they may read the tenant
  // (*full = true), else the tenant's published part (*full = false).
  absl::StatusOr<Target> AuthorizeRead(const rpc::RequestContext& request, const std::string& name,
                                       bool* full);
  absl::StatusOr<TenantFacts> FactsOf(const std::string& tenant);
  // The display name of the level above `tenant`: its district, else its province.
  absl::StatusOr<std::string> UpperUnitName(const v1::Tenant& tenant);
  // The plan `target` names, as the caller may see it: NOT_FOUND "PLAN_NOT_FOUND" for a
  // draft unless `full` (staff), the same answer as for a plan that does not exist.
  absl::StatusOr<v1::Plan> ReadPlan(const Target& target, bool full, const std::string& name);
  grpc::Status Transition(grpc::ServerContext* context, const v1::TransitionPlanRequest* request,
                          v1::Plan* response, PlanAction action, absl::string_view method);
  // Stores `draft` (from RevisePlan or CopyPlan) as a new DRAFT after validating it.
  absl::StatusOr<v1::Plan> CreateDraft(const Target& target, v1::Plan draft,
                                       const std::string& request_id);

  PlanStore& plans_;
  TenantStore& tenants_;
  rpc::Authenticator& auth_;
};

}  // namespace dialogue::planning
