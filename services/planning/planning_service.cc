#include "planning_service.h"

#include <google/protobuf/util/field_mask_util.h>
#include <google/protobuf/util/time_util.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "dialogue/common/names.h"
#include "plan_document.h"

namespace dialogue::planning {
namespace {

using auth::Access;
using google::protobuf::util::FieldMaskUtil;

constexpr absl::string_view kPlanPattern = "tenants/{tenant}/plans/{plan:uuid}";

Access AccessFor(PlanAction action) {
  return action == PlanAction::kRead ? Access::kRead : Access::kWrite;
}

// The fields a client may set; the rest are output only.
bool IsWritablePath(const std::string& path) {
  return !IsServerField(absl::string_view(path).substr(0, path.find('.')));
}

// A plan's name, or a tenant's as the parent of plans (leaving `plan_id` empty).
absl::Status ParseTarget(const std::string& name, std::string* tenant, std::string* plan_id) {
  auto plan_name = common::ParseName(name, kPlanPattern, "name");
  if (plan_name.ok()) {
    *tenant = (*plan_name)["tenant"];
    *plan_id = (*plan_name)["plan"];
    return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(auto parent, common::ParseName(name, "tenants/{tenant}", "parent"));
  *tenant = parent["tenant"];
  return absl::OkStatus();
}

// Fills what publishing needs from the request where the plan lacks it; a value that
// differs from one the plan already has is refused rather than silently dropped.
absl::Status SupplyForPublication(v1::Plan& plan, const v1::TransitionPlanRequest& request) {
  auto supply = [](std::string* field, const std::string& given,
                   absl::string_view name) -> absl::Status {
    if (given.empty() || *field == given) return absl::OkStatus();
    if (!field->empty()) {
      return common::InvalidField(name, "FIELD_ALREADY_SET",
                                  absl::StrCat("the plan already has ", name, " '", *field,
                                               "'; revise the plan to change it"));
    }
    *field = given;
    return absl::OkStatus();
  };
  RETURN_IF_ERROR(
      supply(plan.mutable_document_number(), request.document_number(), "document_number"));
  RETURN_IF_ERROR(supply(plan.mutable_issue_date(), request.issue_date(), "issue_date"));
  if (request.has_signer()) {
    if (plan.signer().full_name().empty()) {
      *plan.mutable_signer() = request.signer();
    } else if (request.signer().full_name() != plan.signer().full_name()) {
      return common::InvalidField("signer", "FIELD_ALREADY_SET",
                                  "the plan already names its signer; revise it to change");
    }
  }
  return absl::OkStatus();
}

// What the public may read of a plan: the published one and those of past years.
bool IsPublic(v1::PlanState state) { return state == v1::PUBLISHED || state == v1::CLOSED; }

}  // namespace

absl::StatusOr<PlanningService::Target> PlanningService::Authorize(
    const rpc::RequestContext& request, const std::string& name, PlanAction action) {
  Target target;
  RETURN_IF_ERROR(ParseTarget(name, &target.tenant, &target.plan_id));
  rpc::NoteAuditTarget(name);
  ASSIGN_OR_RETURN(target.scope,
                   auth_.ScopeFor(request.principal, target.tenant, AccessFor(action)));
  RETURN_IF_ERROR(CheckRole(request.principal, action));
  return target;
}

absl::StatusOr<PlanningService::Target> PlanningService::AuthorizeRead(
    const rpc::RequestContext& request, const std::string& name, bool* full) {
  Target target;
  RETURN_IF_ERROR(ParseTarget(name, &target.tenant, &target.plan_id));
  ASSIGN_OR_RETURN(target.scope, auth_.PublicScopeFor(request.principal, target.tenant, full));
  if (*full && !CheckRole(request.principal, PlanAction::kRead).ok()) *full = false;
  return target;
}

absl::StatusOr<TenantFacts> PlanningService::FactsOf(const std::string& tenant) {
  ASSIGN_OR_RETURN(v1::Tenant record, tenants_.GetTenant(tenant));
  TenantFacts facts;
  facts.announcement_lead_days = record.rules().announcement_lead_days();
  for (const auto& hamlet : record.hamlets()) facts.hamlet_ids.insert(hamlet.id());
  if (record.kind() == v1::DISTRICT) {
    ASSIGN_OR_RETURN(auto children, tenants_.ListChildren(tenant));
    facts.child_tenants.insert(children.begin(), children.end());
  }
  return facts;
}

absl::StatusOr<std::string> PlanningService::UpperUnitName(const v1::Tenant& tenant) {
  if (!tenant.parent().empty()) {
    ASSIGN_OR_RETURN(
        v1::Tenant upper,
        tenants_.GetTenant(std::string(absl::StripPrefix(tenant.parent(), "tenants/"))));
    return upper.display_name();
  }
  // A tenant with neither parent nor province has no upper unit to name (an empty `only`
  // would list every province).
  if (tenant.province().empty()) return std::string();
  ASSIGN_OR_RETURN(
      std::vector<v1::Province> provinces,
      tenants_.ListProvinces(std::string(absl::StripPrefix(tenant.province(), "provinces/"))));
  return provinces.empty() ? std::string() : provinces[0].display_name();
}

absl::StatusOr<v1::Plan> PlanningService::CreateDraft(const Target& target, v1::Plan draft,
                                                      const std::string& request_id) {
  ASSIGN_OR_RETURN(TenantFacts facts, FactsOf(target.tenant));
  RETURN_IF_ERROR(ValidatePlan(draft, facts));
  ResolveTaskDueDates(draft);
  draft.set_state(v1::DRAFT);
  return plans_.Create(target.scope, target.tenant, draft, request_id);
}

grpc::Status PlanningService::CreatePlan(grpc::ServerContext* context,
                                         const v1::CreatePlanRequest* request, v1::Plan* response) {
  return rpc::Serve(
      context, auth_, "CreatePlan", [&](const rpc::RequestContext& rc) -> absl::Status {
        ASSIGN_OR_RETURN(Target target, Authorize(rc, request->parent(), PlanAction::kCreate));
        if (!target.plan_id.empty()) {
          return common::InvalidField("parent", "NAME_INVALID",
                                      "the parent is a commune: tenants/{tenant}");
        }
        v1::Plan plan = request->plan();
        ClearOutputOnly(plan);
        plan.set_revision(1);
        ASSIGN_OR_RETURN(*response, CreateDraft(target, std::move(plan), request->request_id()));
        return absl::OkStatus();
      });
}

grpc::Status PlanningService::GetPlan(grpc::ServerContext* context,
                                      const v1::GetPlanRequest* request, v1::Plan* response) {
  return rpc::ServePublic(
      context, auth_, "GetPlan", [&](const rpc::RequestContext& rc) -> absl::Status {
        bool full = false;
        ASSIGN_OR_RETURN(Target target, AuthorizeRead(rc, request->name(), &full));
        if (target.plan_id.empty()) {
          return common::InvalidField("name", "NAME_INVALID",
                                      "expected tenants/{tenant}/plans/{plan}");
        }
        ASSIGN_OR_RETURN(*response, ReadPlan(target, full, request->name()));
        return absl::OkStatus();
      });
}

absl::StatusOr<v1::Plan> PlanningService::ReadPlan(const Target& target, bool full,
                                                   const std::string& name) {
  auto plan = plans_.Get(target.scope, target.tenant, target.plan_id);
  // The public gets one answer for a draft and for a plan that does not exist.
  if (!full && (plan.ok() ? !IsPublic(plan->state())
                          : plan.status().code() == absl::StatusCode::kNotFound)) {
    return common::Error(absl::StatusCode::kNotFound, "PLAN_NOT_FOUND",
                         absl::StrCat("there is no published plan ", name));
  }
  return plan;
}

grpc::Status PlanningService::RenderPlan(grpc::ServerContext* context,
                                         const v1::RenderPlanRequest* request,
                                         v1::HttpBody* response) {
  return rpc::ServePublic(
      context, auth_, "RenderPlan", [&](const rpc::RequestContext& rc) -> absl::Status {
        bool full = false;
        ASSIGN_OR_RETURN(Target target, AuthorizeRead(rc, request->name(), &full));
        if (target.plan_id.empty()) {
          return common::InvalidField("name", "NAME_INVALID",
                                      "expected tenants/{tenant}/plans/{plan}");
        }
        ASSIGN_OR_RETURN(v1::Plan plan, ReadPlan(target, full, request->name()));
        ASSIGN_OR_RETURN(v1::Tenant tenant, tenants_.GetTenant(target.tenant));
        std::string upper_unit;
        if (IssuedByParty(plan)) {
          ASSIGN_OR_RETURN(upper_unit, UpperUnitName(tenant));
        }
        return documents::RenderInto(PlanDocument(plan, tenant.display_name(), upper_unit),
                                     request->format(), target.plan_id, response);
      });
}

grpc::Status PlanningService::ListPlans(grpc::ServerContext* context,
                                        const v1::ListPlansRequest* request,
                                        v1::ListPlansResponse* response) {
  return rpc::ServePublic(
      context, auth_, "ListPlans", [&](const rpc::RequestContext& rc) -> absl::Status {
        bool full = false;
        ASSIGN_OR_RETURN(Target target, AuthorizeRead(rc, request->parent(), &full));
        if (request->page_size() < 0) {
          return common::InvalidField("page_size", "PAGE_SIZE_NEGATIVE",
                                      "page_size cannot be negative");
        }
        ASSIGN_OR_RETURN(PlanFilter filter, ParsePlanFilter(request->filter()));
        if (!full && !filter.state) filter.state = v1::PUBLISHED;
        if (!full && !IsPublic(*filter.state)) return absl::OkStatus();
        ASSIGN_OR_RETURN(PlanPage page, plans_.List(target.scope, target.tenant, filter,
                                                    request->page_size(), request->page_token()));
        for (auto& plan : page.plans) *response->add_plans() = std::move(plan);
        response->set_next_page_token(page.next_page_token);
        return absl::OkStatus();
      });
}

grpc::Status PlanningService::UpdatePlan(grpc::ServerContext* context,
                                         const v1::UpdatePlanRequest* request, v1::Plan* response) {
  return rpc::Serve(
      context, auth_, "UpdatePlan", [&](const rpc::RequestContext& rc) -> absl::Status {
        ASSIGN_OR_RETURN(Target target, Authorize(rc, request->plan().name(), PlanAction::kUpdate));
        const auto& mask = request->update_mask();
        if (!FieldMaskUtil::IsValidFieldMask<v1::Plan>(mask)) {
          return common::InvalidField("update_mask", "UPDATE_MASK_INVALID",
                                      absl::StrCat("'", FieldMaskUtil::ToString(mask),
                                                   "' names a field that plans do not have"));
        }
        for (const auto& path : mask.paths()) {
          if (!IsWritablePath(path)) {
            return common::InvalidField(
                "update_mask", "FIELD_OUTPUT_ONLY",
                absl::StrCat("'", path, "' is set by the server, not by clients"));
          }
        }
        ASSIGN_OR_RETURN(TenantFacts facts, FactsOf(target.tenant));
        ASSIGN_OR_RETURN(
            *response,
            plans_.Mutate(target.scope, target.tenant, target.plan_id, request->plan().etag(),
                          [&](v1::Plan& plan, PlanEffects&) -> absl::Status {
                            RETURN_IF_ERROR(NextState(plan.state(), PlanAction::kUpdate).status());
                            const v1::Plan before = plan;
                            v1::Plan incoming = request->plan();
                            ClearOutputOnly(incoming);
                            if (mask.paths_size() == 0) {
                              // Replace every writable field; keep what the server owns.
                              v1::Plan merged = incoming;
                              merged.set_name(plan.name());
                              merged.set_state(plan.state());
                              merged.set_revision(plan.revision());
                              merged.set_revises(plan.revises());
                              plan = std::move(merged);
                            } else {
                              FieldMaskUtil::MergeOptions options;
                              options.set_replace_message_fields(true);
                              options.set_replace_repeated_fields(true);
                              FieldMaskUtil::MergeMessageTo(incoming, mask, options, &plan);
                            }
                            RETURN_IF_ERROR(ValidatePlan(plan, facts));
                            KeepSessionLinks(before, plan);
                            ResolveTaskDueDates(plan);
                            return absl::OkStatus();
                          }));
        return absl::OkStatus();
      });
}

grpc::Status PlanningService::DeletePlan(grpc::ServerContext* context,
                                         const v1::DeletePlanRequest* request,
                                         v1::DeletePlanResponse*) {
  return rpc::Serve(
      context, auth_, "DeletePlan", [&](const rpc::RequestContext& rc) -> absl::Status {
        ASSIGN_OR_RETURN(Target target, Authorize(rc, request->name(), PlanAction::kDelete));
        return plans_.Delete(target.scope, target.tenant, target.plan_id, request->etag(),
                             [](const v1::Plan& plan) {
                               return NextState(plan.state(), PlanAction::kDelete).status();
                             });
      });
}

grpc::Status PlanningService::Transition(grpc::ServerContext* context,
                                         const v1::TransitionPlanRequest* request,
                                         v1::Plan* response, PlanAction action,
                                         absl::string_view method) {
  return rpc::Serve(context, auth_, method, [&](const rpc::RequestContext& rc) -> absl::Status {
    ASSIGN_OR_RETURN(Target target, Authorize(rc, request->name(), action));
    if (action == PlanAction::kCancel && request->reason().empty()) {
      return common::InvalidField("reason", "REASON_REQUIRED", "say why the plan is cancelled");
    }
    const bool supplies = !request->document_number().empty() || !request->issue_date().empty() ||
                          request->has_signer();
    if (supplies && action != PlanAction::kPublish) {
      return common::InvalidField("document_number", "FIELD_NOT_FOR_ACTION",
                                  "a number, date or signer is supplied when publishing only");
    }
    TenantFacts facts;
    if (action == PlanAction::kApprove) {
      ASSIGN_OR_RETURN(facts, FactsOf(target.tenant));
    }
    auto change = [&](v1::Plan& plan, PlanEffects& effects) -> absl::Status {
      ASSIGN_OR_RETURN(v1::PlanState next, NextState(plan.state(), action));
      switch (action) {
        case PlanAction::kApprove:
          // The commune's rules may have changed since the draft was saved.
          RETURN_IF_ERROR(ValidatePlan(plan, facts));
          break;
        case PlanAction::kPublish: {
          RETURN_IF_ERROR(SupplyForPublication(plan, *request));
          RETURN_IF_ERROR(ValidateForPublication(plan));
          v1::PlanPublished published;
          published.set_plan(plan.name());
          published.set_year(plan.year());
          published.set_title(plan.title());
          published.set_revision(plan.revision());
          published.set_revises(plan.revises());
          for (const auto& c : plan.conferences()) published.add_conference_ids(c.id());
          effects.events.push_back(rpc::NewEvent(rc, target.tenant, "planning", published));
          if (!plan.revises().empty()) {
            effects.supersede_plan_id = plan.revises().substr(plan.revises().rfind('/') + 1);
          }
          break;
        }
        case PlanAction::kCancel:
          plan.set_cancel_reason(request->reason());
          break;
        default:
          break;
      }
      plan.set_state(next);
      return absl::OkStatus();
    };
    ASSIGN_OR_RETURN(*response, plans_.Mutate(target.scope, target.tenant, target.plan_id,
                                              request->etag(), change));
    return absl::OkStatus();
  });
}

grpc::Status PlanningService::ApprovePlan(grpc::ServerContext* context,
                                          const v1::TransitionPlanRequest* request,
                                          v1::Plan* response) {
  return Transition(context, request, response, PlanAction::kApprove, "ApprovePlan");
}

grpc::Status PlanningService::PublishPlan(grpc::ServerContext* context,
                                          const v1::TransitionPlanRequest* request,
                                          v1::Plan* response) {
  return Transition(context, request, response, PlanAction::kPublish, "PublishPlan");
}

grpc::Status PlanningService::ClosePlan(grpc::ServerContext* context,
                                        const v1::TransitionPlanRequest* request,
                                        v1::Plan* response) {
  return Transition(context, request, response, PlanAction::kClose, "ClosePlan");
}

grpc::Status PlanningService::CancelPlan(grpc::ServerContext* context,
                                         const v1::TransitionPlanRequest* request,
                                         v1::Plan* response) {
  return Transition(context, request, response, PlanAction::kCancel, "CancelPlan");
}

grpc::Status PlanningService::RevisePlan(grpc::ServerContext* context,
                                         const v1::RevisePlanRequest* request, v1::Plan* response) {
  return rpc::Serve(
      context, auth_, "RevisePlan", [&](const rpc::RequestContext& rc) -> absl::Status {
        ASSIGN_OR_RETURN(Target target, Authorize(rc, request->name(), PlanAction::kRevise));
        ASSIGN_OR_RETURN(v1::Plan source, plans_.Get(target.scope, target.tenant, target.plan_id));
        RETURN_IF_ERROR(NextState(source.state(), PlanAction::kRevise).status());
        v1::Plan draft = source;
        ClearOutputOnly(draft);
        KeepSessionLinks(source, draft);  // its sessions hold the revised plan's conferences
        draft.set_revision(source.revision() + 1);
        draft.set_revises(source.name());
        ASSIGN_OR_RETURN(*response, CreateDraft(target, std::move(draft), request->request_id()));
        return absl::OkStatus();
      });
}

grpc::Status PlanningService::CopyPlan(grpc::ServerContext* context,
                                       const v1::CopyPlanRequest* request, v1::Plan* response) {
  return rpc::Serve(context, auth_, "CopyPlan", [&](const rpc::RequestContext& rc) -> absl::Status {
    ASSIGN_OR_RETURN(Target target, Authorize(rc, request->name(), PlanAction::kCopy));
    ASSIGN_OR_RETURN(v1::Plan source, plans_.Get(target.scope, target.tenant, target.plan_id));
    int year = request->year() != 0 ? request->year() : source.year() + 1;
    if (year < 2000 || year > 2100) {
      return common::InvalidField("year", "YEAR_OUT_OF_RANGE",
                                  "the year must be between 2000 and 2100");
    }
    v1::Plan draft = source;
    RETURN_IF_ERROR(PrepareCopy(draft, year));
    draft.set_revision(1);
    ASSIGN_OR_RETURN(*response, CreateDraft(target, std::move(draft), request->request_id()));
    return absl::OkStatus();
  });
}

grpc::Status PlanningService::ListTasks(grpc::ServerContext* context,
                                        const v1::ListTasksRequest* request,
                                        v1::ListTasksResponse* response) {
  return rpc::Serve(
      context, auth_, "ListTasks", [&](const rpc::RequestContext& rc) -> absl::Status {
        ASSIGN_OR_RETURN(Target target, Authorize(rc, request->parent(), PlanAction::kRead));
        TaskQuery query;
        query.as_of_date = request->as_of_date().empty() ? FormatDate(TodayInVietnam(absl::Now()))
                                                         : request->as_of_date();
        if (!ParseDate(query.as_of_date).ok()) {
          return common::InvalidField(
              "as_of_date", "DATE_INVALID",
              absl::StrCat("'", query.as_of_date, "' is not a date as YYYY-MM-DD"));
        }
        if (request->due_within_days() < 0) {
          return common::InvalidField("due_within_days", "DAYS_NEGATIVE", "cannot be negative");
        }
        query.due_within_days = request->due_within_days() > 0 ? request->due_within_days() : -1;
        query.overdue_only = request->overdue_only();
        query.include_done = request->include_done();
        query.page_size = request->page_size();
        query.page_token = request->page_token();
        ASSIGN_OR_RETURN(TaskPage page, plans_.ListTasks(target.scope, target.tenant, query));
        for (auto& task : page.tasks) *response->add_tasks() = std::move(task);
        response->set_next_page_token(page.next_page_token);
        return absl::OkStatus();
      });
}

grpc::Status PlanningService::CompleteTask(grpc::ServerContext* context,
                                           const v1::CompleteTaskRequest* request,
                                           v1::TaskView* response) {
  return rpc::Serve(
      context, auth_, "CompleteTask", [&](const rpc::RequestContext& rc) -> absl::Status {
        ASSIGN_OR_RETURN(
            auto parts,
            common::ParseName(request->name(), "tenants/{tenant}/plans/{plan:uuid}/tasks/{task:id}",
                              "name"));
        std::string plan_name = absl::StrCat("tenants/", parts["tenant"], "/plans/", parts["plan"]);
        ASSIGN_OR_RETURN(Target target, Authorize(rc, plan_name, PlanAction::kCompleteTask));
        ASSIGN_OR_RETURN(
            v1::Plan plan,
            plans_.Mutate(
                target.scope, target.tenant, target.plan_id, "",
                [&](v1::Plan& p, PlanEffects&) -> absl::Status {
                  RETURN_IF_ERROR(NextState(p.state(), PlanAction::kCompleteTask).status());
                  for (auto& task : *p.mutable_tasks()) {
                    if (task.id() == parts["task"]) {
                      task.set_done(true);
                      return absl::OkStatus();
                    }
                  }
                  return common::Error(absl::StatusCode::kNotFound, "TASK_NOT_FOUND",
                                       absl::StrCat("the plan has no task '", parts["task"], "'"));
                }));
        for (const auto& task : plan.tasks()) {
          if (task.id() == parts["task"]) *response->mutable_task() = task;
        }
        response->set_name(request->name());
        response->set_plan_title(plan.title());
        response->set_plan_year(plan.year());
        return absl::OkStatus();
      });
}

}  // namespace dialogue::planning
