// PlanningService and TenantService over a real gRPC server on a free local port, with
// the real PostgreSQL behind them, called through real stubs.
#include <grpcpp/grpcpp.h>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "dialogue/common/names.h"
#include "dialogue/events/consumer.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "plan_events.h"
#include "planning_server.h"

namespace dialogue::planning {
namespace {

using absl::StatusCode;
using auth::Role;
using ::dialogue::testing::AdminQuery;
using ::dialogue::testing::IsOk;
using ::dialogue::testing::SamplePlan;
using ::dialogue::testing::StatusIs;
using ::dialogue::testing::Token;
using ::testing::HasSubstr;

class PlanningGrpcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    stub_ = v1::PlanningService::NewStub(server_.channel());
    tenants_stub_ = v1::TenantService::NewStub(server_.channel());
    health_ = grpc::health::v1::Health::NewStub(server_.channel());
    province_ = testing::NewProvince(2);
    a_ = province_.tenants[0];
    b_ = province_.tenants[1];
    office_a_ = Token(a_, {Role::kPartyOffice, Role::kGovernmentOffice});
    chair_a_ = Token(a_, {Role::kChair});
  }

  template <typename Request, typename Response, typename Method>
  absl::Status Call(Method method, const std::string& token, const Request& request,
                    Response* response) {
    return testing::CallWith(*stub_, method, token, request, response);
  }

  absl::StatusOr<v1::Plan> Create(const std::string& tenant, const std::string& token,
                                  v1::Plan plan = SamplePlan()) {
    v1::CreatePlanRequest request;
    request.set_parent(absl::StrCat("tenants/", tenant));
    *request.mutable_plan() = std::move(plan);
    v1::Plan out;
    RETURN_IF_ERROR(Call(&v1::PlanningService::Stub::CreatePlan, token, request, &out));
    return out;
  }

  absl::StatusOr<v1::Plan> Step(grpc::Status (v1::PlanningService::Stub::*method)(
                                    grpc::ClientContext*, const v1::TransitionPlanRequest&,
                                    v1::Plan*),
                                const std::string& token, const std::string& name,
                                const std::string& reason = "") {
    v1::TransitionPlanRequest request;
    request.set_name(name);
    request.set_reason(reason);
    v1::Plan out;
    RETURN_IF_ERROR(Call(method, token, request, &out));
    return out;
  }

  std::string CountPlans(const std::string& tenant) {
    return AdminQuery(
        absl::StrCat("SELECT count(*) FROM planning.plans WHERE tenant_id = '", tenant, "'"));
  }

  testing::PlanningServer server_;
  std::unique_ptr<v1::PlanningService::Stub> stub_;
  std::unique_ptr<v1::TenantService::Stub> tenants_stub_;
  std::unique_ptr<grpc::health::v1::Health::Stub> health_;
  testing::Province province_;
  std::string a_, b_, office_a_, chair_a_;
};

TEST_F(PlanningGrpcTest, CreateApprovePublishCopyAndRevise) {
  v1::Plan plan = SamplePlan();
  plan.set_document_number("12/KH-UBND");
  plan.set_issue_date("2026-01-10");
  auto created = Create(a_, office_a_, plan);
  ASSERT_THAT(created, IsOk());
  EXPECT_EQ(created->state(), v1::DRAFT);
  EXPECT_THAT(created->name(), HasSubstr(absl::StrCat("tenants/", a_, "/plans/")));

  auto approved = Step(&v1::PlanningService::Stub::ApprovePlan, chair_a_, created->name());
  ASSERT_THAT(approved, IsOk());
  EXPECT_EQ(approved->state(), v1::APPROVED);
  EXPECT_TRUE(approved->has_approve_time());

  auto published = Step(&v1::PlanningService::Stub::PublishPlan, office_a_, created->name());
  ASSERT_THAT(published, IsOk());
  EXPECT_EQ(published->state(), v1::PUBLISHED);
  // The event is in the outbox, in the same commit as the state change.
  auto event = testing::OutboxEvent("planning", a_, "PlanPublished");
  ASSERT_THAT(event.status(), IsOk());
  const v1::Event& envelope = *event;
  v1::PlanPublished payload;
  ASSERT_TRUE(envelope.payload().UnpackTo(&payload));
  EXPECT_EQ(payload.plan(), created->name());
  EXPECT_EQ(envelope.tenant(), absl::StrCat("tenants/", a_));
  EXPECT_EQ(envelope.traceparent().size(), 55u);

  v1::CopyPlanRequest copy;
  copy.set_name(created->name());
  v1::Plan next_year;
  ASSERT_THAT(Call(&v1::PlanningService::Stub::CopyPlan, office_a_, copy, &next_year), IsOk());
  EXPECT_EQ(next_year.year(), 2027);
  EXPECT_EQ(next_year.state(), v1::DRAFT);
  EXPECT_EQ(next_year.conferences(0).window_start_date(), "2027-04-20");
  EXPECT_EQ(next_year.tasks_size(), 3);

  v1::RevisePlanRequest revise;
  revise.set_name(created->name());
  v1::Plan revision;
  ASSERT_THAT(Call(&v1::PlanningService::Stub::RevisePlan, office_a_, revise, &revision), IsOk());
  EXPECT_EQ(revision.revision(), 2);
  EXPECT_EQ(revision.revises(), created->name());
  ASSERT_THAT(Step(&v1::PlanningService::Stub::ApprovePlan, chair_a_, revision.name()), IsOk());
  ASSERT_THAT(Step(&v1::PlanningService::Stub::PublishPlan, office_a_, revision.name()), IsOk());
  v1::GetPlanRequest get;
  get.set_name(created->name());
  v1::Plan original;
  ASSERT_THAT(Call(&v1::PlanningService::Stub::GetPlan, office_a_, get, &original), IsOk());
  EXPECT_EQ(original.state(), v1::SUPERSEDED);
  EXPECT_EQ(original.superseded_by(), revision.name());
}

TEST_F(PlanningGrpcTest, ATokenOfAnotherCommuneIsRefusedAndWritesNothing) {
  auto created = Create(a_, office_a_);
  ASSERT_THAT(created, IsOk());
  std::string office_b = Token(b_, {Role::kPartyOffice, Role::kGovernmentOffice, Role::kChair});
  EXPECT_THAT(Create(a_, office_b), StatusIs(StatusCode::kPermissionDenied, "TENANT_FORBIDDEN"));
  EXPECT_EQ(CountPlans(a_), "1");
  EXPECT_THAT(Step(&v1::PlanningService::Stub::ApprovePlan, office_b, created->name()),
              StatusIs(StatusCode::kPermissionDenied));
  // Reading is public, but only of published plans: another commune's staff see a draft
  // exactly as they see a plan that does not exist.
  v1::GetPlanRequest get;
  get.set_name(created->name());
  v1::Plan out;
  absl::Status draft = Call(&v1::PlanningService::Stub::GetPlan, office_b, get, &out);
  get.set_name(absl::StrCat("tenants/", a_, "/plans/", common::NewUuid()));
  absl::Status missing = Call(&v1::PlanningService::Stub::GetPlan, office_b, get, &out);
  EXPECT_THAT(draft, StatusIs(StatusCode::kNotFound, "PLAN_NOT_FOUND"));
  EXPECT_THAT(missing, StatusIs(StatusCode::kNotFound, "PLAN_NOT_FOUND"));
  EXPECT_EQ(absl::StrReplaceAll(draft.message(), {{created->name(), "X"}}),
            absl::StrReplaceAll(missing.message(), {{get.name(), "X"}}));
  auto still = Step(&v1::PlanningService::Stub::ApprovePlan, chair_a_, created->name());
  EXPECT_EQ(still->etag(), "2");  // untouched until now
}

TEST_F(PlanningGrpcTest, MissingExpiredOrForgedTokensAreUnauthenticated) {
  EXPECT_THAT(Create(a_, ""), StatusIs(StatusCode::kUnauthenticated, "TOKEN_MISSING"));
  std::string expired = Token(a_, {Role::kPartyOffice}, "", absl::Seconds(-10));
  EXPECT_THAT(Create(a_, expired), StatusIs(StatusCode::kUnauthenticated, "TOKEN_EXPIRED"));
  auth::TokenRequest forged_request;
  forged_request.principal = {"mallory", a_, "", {Role::kAdmin}};
  std::string forged = *auth::IssueHs256(forged_request, "not-the-stack-secret-at-all");
  EXPECT_THAT(Create(a_, forged), StatusIs(StatusCode::kUnauthenticated, "TOKEN_BAD_SIGNATURE"));
  EXPECT_EQ(CountPlans(a_), "0");
}

TEST_F(PlanningGrpcTest, InvalidTransitionsAreRefusedWithAReadableReason) {
  auto created = Create(a_, office_a_);
  ASSERT_THAT(created, IsOk());
  auto publish = Step(&v1::PlanningService::Stub::PublishPlan, office_a_, created->name());
  EXPECT_THAT(publish, StatusIs(StatusCode::kFailedPrecondition, "INVALID_PLAN_STATE"));
  EXPECT_THAT(std::string(publish.status().message()),
              HasSubstr("cannot publish a plan that is DRAFT; it must be approved first"));
  // Approving is the chair's.
  EXPECT_THAT(Step(&v1::PlanningService::Stub::ApprovePlan, office_a_, created->name()),
              StatusIs(StatusCode::kPermissionDenied, "ROLE_FORBIDDEN"));
  ASSERT_THAT(Step(&v1::PlanningService::Stub::ApprovePlan, chair_a_, created->name()), IsOk());
  // No number yet: publication names the missing fields.
  auto unnumbered = Step(&v1::PlanningService::Stub::PublishPlan, office_a_, created->name());
  EXPECT_THAT(unnumbered, StatusIs(StatusCode::kInvalidArgument, "DOCUMENT_NUMBER_REQUIRED"));
  EXPECT_THAT(Step(&v1::PlanningService::Stub::CancelPlan, chair_a_, created->name()),
              StatusIs(StatusCode::kInvalidArgument, "REASON_REQUIRED"));
  auto cancelled =
      Step(&v1::PlanningService::Stub::CancelPlan, chair_a_, created->name(), "gộp kế hoạch");
  ASSERT_THAT(cancelled, IsOk());
  EXPECT_EQ(cancelled->cancel_reason(), "gộp kế hoạch");
  EXPECT_THAT(Step(&v1::PlanningService::Stub::ApprovePlan, chair_a_, created->name()),
              StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_EQ(
      AdminQuery(absl::StrCat("SELECT count(*) FROM planning.outbox WHERE tenant_id = '", a_, "'")),
      "0");
}

TEST_F(PlanningGrpcTest, UpdatesOnlyDraftsWithTheirMaskAndEtag) {
  auto created = Create(a_, office_a_);
  ASSERT_THAT(created, IsOk());
  v1::UpdatePlanRequest update;
  *update.mutable_plan() = *created;
  update.mutable_plan()->set_title("Kế hoạch đã sửa");
  update.mutable_plan()->set_year(1999);  // not in the mask: ignored
  update.mutable_update_mask()->add_paths("title");
  v1::Plan out;
  ASSERT_THAT(Call(&v1::PlanningService::Stub::UpdatePlan, office_a_, update, &out), IsOk());
  EXPECT_EQ(out.title(), "Kế hoạch đã sửa");
  EXPECT_EQ(out.year(), 2026);
  // The same etag again: someone (we) changed it since.
  EXPECT_THAT(Call(&v1::PlanningService::Stub::UpdatePlan, office_a_, update, &out),
              StatusIs(StatusCode::kAborted, "ETAG_MISMATCH"));
  update.mutable_plan()->set_etag(out.etag());
  update.mutable_update_mask()->set_paths(0, "state");
  EXPECT_THAT(Call(&v1::PlanningService::Stub::UpdatePlan, office_a_, update, &out),
              StatusIs(StatusCode::kInvalidArgument, "FIELD_OUTPUT_ONLY"));
  update.mutable_update_mask()->set_paths(0, "colour");
  EXPECT_THAT(Call(&v1::PlanningService::Stub::UpdatePlan, office_a_, update, &out),
              StatusIs(StatusCode::kInvalidArgument, "UPDATE_MASK_INVALID"));
  // A bad value is refused with its field, and nothing changes.
  update.mutable_update_mask()->set_paths(0, "conferences");
  update.mutable_plan()->mutable_conferences(0)->set_window_start_date("2026-04-31");
  auto bad = Call(&v1::PlanningService::Stub::UpdatePlan, office_a_, update, &out);
  EXPECT_THAT(bad, StatusIs(StatusCode::kInvalidArgument, "DATE_INVALID"));
  EXPECT_THAT(common::FieldViolations(bad)[0], HasSubstr("conferences[0].window_start_date"));

  ASSERT_THAT(Step(&v1::PlanningService::Stub::ApprovePlan, chair_a_, created->name()), IsOk());
  update.mutable_plan()->set_etag("");
  update.mutable_update_mask()->set_paths(0, "title");
  EXPECT_THAT(Call(&v1::PlanningService::Stub::UpdatePlan, office_a_, update, &out),
              StatusIs(StatusCode::kFailedPrecondition, "INVALID_PLAN_STATE"));
  v1::DeletePlanRequest del;
  del.set_name(created->name());
  v1::DeletePlanResponse deleted;
  EXPECT_THAT(Call(&v1::PlanningService::Stub::DeletePlan, office_a_, del, &deleted),
              StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_EQ(CountPlans(a_), "1");
}

TEST_F(PlanningGrpcTest, BadRequestsNameTheirField) {
  v1::Plan plan = SamplePlan();
  plan.mutable_tasks(1)->mutable_relative_due()->set_offset_days(-2);
  auto refused = Create(a_, office_a_, plan);
  EXPECT_THAT(refused, StatusIs(StatusCode::kInvalidArgument, "ANNOUNCEMENT_LEAD_TIME"));
  EXPECT_THAT(common::FieldViolations(refused.status())[0],
              HasSubstr("tasks[1].relative_due.offset_days"));
  v1::GetPlanRequest get;
  get.set_name(absl::StrCat("tenants/", a_, "/plans/not-a-uuid"));
  v1::Plan out;
  EXPECT_THAT(Call(&v1::PlanningService::Stub::GetPlan, office_a_, get, &out),
              StatusIs(StatusCode::kInvalidArgument, "NAME_INVALID"));
  v1::ListPlansRequest list;
  list.set_parent(absl::StrCat("tenants/", a_));
  list.set_filter("colour = red");
  v1::ListPlansResponse listed;
  EXPECT_THAT(Call(&v1::PlanningService::Stub::ListPlans, office_a_, list, &listed),
              StatusIs(StatusCode::kInvalidArgument, "FILTER_INVALID"));
  EXPECT_EQ(CountPlans(a_), "0");
}

TEST_F(PlanningGrpcTest, AProvinceReaderReadsItsCommunesAndChangesNothing) {
  auto created = Create(a_, office_a_);
  ASSERT_THAT(created, IsOk());
  std::string board = Token("", {Role::kProvince}, province_.id);
  v1::ListPlansRequest list;
  list.set_parent(absl::StrCat("tenants/", a_));
  v1::ListPlansResponse listed;
  ASSERT_THAT(Call(&v1::PlanningService::Stub::ListPlans, board, list, &listed), IsOk());
  EXPECT_EQ(listed.plans_size(), 1);
  EXPECT_THAT(Create(a_, board), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(Step(&v1::PlanningService::Stub::CancelPlan, board, created->name(), "x"),
              StatusIs(StatusCode::kPermissionDenied, "PROVINCE_READ_ONLY"));
  // Another province's reader sees what the public sees: no draft.
  std::string other_board = Token("", {Role::kProvince}, "another-province");
  ASSERT_THAT(Call(&v1::PlanningService::Stub::ListPlans, other_board, list, &listed), IsOk());
  EXPECT_EQ(listed.plans_size(), 0);
}

TEST_F(PlanningGrpcTest, AnApprovedPlanWithoutItsNumberIsPublishedWithOne) {
  // Approved as the seeds are: no number or date yet (issue 19, item 2).
  auto created = Create(a_, office_a_);
  ASSERT_THAT(created, IsOk());
  ASSERT_TRUE(created->document_number().empty());
  ASSERT_THAT(Step(&v1::PlanningService::Stub::ApprovePlan, chair_a_, created->name()), IsOk());
  EXPECT_THAT(Step(&v1::PlanningService::Stub::PublishPlan, office_a_, created->name()),
              StatusIs(StatusCode::kInvalidArgument, "DOCUMENT_NUMBER_REQUIRED"));

  v1::TransitionPlanRequest publish;
  publish.set_name(created->name());
  publish.set_document_number("12/KH-UBND");
  v1::Plan out;
  // Only publishing takes them; and a bad date is refused with nothing changed.
  EXPECT_THAT(Call(&v1::PlanningService::Stub::ClosePlan, office_a_, publish, &out),
              StatusIs(StatusCode::kInvalidArgument, "FIELD_NOT_FOR_ACTION"));
  publish.set_issue_date("10/01/2026");
  EXPECT_THAT(Call(&v1::PlanningService::Stub::PublishPlan, office_a_, publish, &out),
              StatusIs(StatusCode::kInvalidArgument));
  publish.set_issue_date("2026-01-10");
  ASSERT_THAT(Call(&v1::PlanningService::Stub::PublishPlan, office_a_, publish, &out), IsOk());
  EXPECT_EQ(out.state(), v1::PUBLISHED);
  EXPECT_EQ(out.document_number(), "12/KH-UBND");
  EXPECT_EQ(out.issue_date(), "2026-01-10");

  // A number that contradicts the plan's own is refused, not dropped.
  auto numbered = Create(a_, office_a_, [] {
    v1::Plan p = SamplePlan(2027);
    p.set_document_number("3/KH-UBND");
    return p;
  }());
  ASSERT_THAT(numbered, IsOk());
  ASSERT_THAT(Step(&v1::PlanningService::Stub::ApprovePlan, chair_a_, numbered->name()), IsOk());
  publish.set_name(numbered->name());
  EXPECT_THAT(Call(&v1::PlanningService::Stub::PublishPlan, office_a_, publish, &out),
              StatusIs(StatusCode::kInvalidArgument, "FIELD_ALREADY_SET"));
  v1::GetPlanRequest get;
  get.set_name(numbered->name());
  ASSERT_THAT(Call(&v1::PlanningService::Stub::GetPlan, office_a_, get, &out), IsOk());
  EXPECT_EQ(out.state(), v1::APPROVED);
}

TEST_F(PlanningGrpcTest, ThePublicReadsTheCommuneAndItsPublishedPlansOnly) {
  auto draft = Create(a_, office_a_);
  ASSERT_THAT(draft, IsOk());
  v1::Plan next_year = SamplePlan(2027);
  next_year.set_document_number("3/KH-UBND");
  next_year.set_issue_date("2027-01-10");
  auto published = Create(a_, office_a_, next_year);
  ASSERT_THAT(published, IsOk());
  ASSERT_THAT(Step(&v1::PlanningService::Stub::ApprovePlan, chair_a_, published->name()), IsOk());
  ASSERT_THAT(Step(&v1::PlanningService::Stub::PublishPlan, office_a_, published->name()), IsOk());
  v1::ListPlansRequest list;
  list.set_parent(absl::StrCat("tenants/", a_));
  v1::ListPlansResponse listed;
  ASSERT_THAT(Call(&v1::PlanningService::Stub::ListPlans, "", list, &listed), IsOk());
  ASSERT_EQ(listed.plans_size(), 1);
  EXPECT_EQ(listed.plans(0).name(), published->name());
  // Asking for drafts by filter shows the public none; staff see both plans.
  list.set_filter("state = DRAFT");
  ASSERT_THAT(Call(&v1::PlanningService::Stub::ListPlans, "", list, &listed), IsOk());
  EXPECT_EQ(listed.plans_size(), 0);
  list.clear_filter();
  ASSERT_THAT(Call(&v1::PlanningService::Stub::ListPlans, office_a_, list, &listed), IsOk());
  EXPECT_EQ(listed.plans_size(), 2);

  v1::GetPlanRequest get;
  get.set_name(published->name());
  v1::Plan plan;
  ASSERT_THAT(Call(&v1::PlanningService::Stub::GetPlan, "", get, &plan), IsOk());
  EXPECT_EQ(plan.year(), 2027);
  get.set_name(draft->name());
  EXPECT_THAT(Call(&v1::PlanningService::Stub::GetPlan, "", get, &plan),
              StatusIs(StatusCode::kNotFound, "PLAN_NOT_FOUND"));

  // The commune itself: its name and hamlets, for its public pages.
  v1::GetTenantRequest tenant;
  tenant.set_name(absl::StrCat("tenants/", a_));
  v1::Tenant commune;
  ASSERT_THAT(
      testing::CallWith(*tenants_stub_, &v1::TenantService::Stub::GetTenant, "", tenant, &commune),
      IsOk());
  EXPECT_FALSE(commune.display_name().empty());
  EXPECT_EQ(commune.name(), absl::StrCat("tenants/", a_));
  v1::ListTenantsRequest communes;
  communes.set_province(absl::StrCat("provinces/", province_.id));
  v1::ListTenantsResponse all;
  ASSERT_THAT(
      testing::CallWith(*tenants_stub_, &v1::TenantService::Stub::ListTenants, "", communes, &all),
      IsOk());
  EXPECT_EQ(all.tenants_size(), 2);

  // A commune that does not exist is said so; a bad token is refused even where none is needed.
  list.set_parent("tenants/no-such-commune");
  EXPECT_THAT(Call(&v1::PlanningService::Stub::ListPlans, "", list, &listed),
              StatusIs(StatusCode::kNotFound, "TENANT_NOT_FOUND"));
  std::string expired = Token(a_, {Role::kPartyOffice}, "", absl::Seconds(-10));
  list.set_parent(absl::StrCat("tenants/", a_));
  EXPECT_THAT(Call(&v1::PlanningService::Stub::ListPlans, expired, list, &listed),
              StatusIs(StatusCode::kUnauthenticated, "TOKEN_EXPIRED"));
}

TEST_F(PlanningGrpcTest, TasksAreListedAndCompleted) {
  v1::Plan plan = SamplePlan();
  auto created = Create(a_, office_a_, plan);
  ASSERT_THAT(Step(&v1::PlanningService::Stub::ApprovePlan, chair_a_, created->name()), IsOk());
  v1::ListTasksRequest list;
  list.set_parent(absl::StrCat("tenants/", a_));
  list.set_as_of_date("2026-04-12");
  list.set_overdue_only(true);
  v1::ListTasksResponse tasks;
  ASSERT_THAT(Call(&v1::PlanningService::Stub::ListTasks, office_a_, list, &tasks), IsOk());
  ASSERT_EQ(tasks.tasks_size(), 1);
  v1::CompleteTaskRequest complete;
  complete.set_name(tasks.tasks(0).name());
  v1::TaskView done;
  std::string front = Token(a_, {Role::kFront});
  ASSERT_THAT(Call(&v1::PlanningService::Stub::CompleteTask, front, complete, &done), IsOk());
  EXPECT_TRUE(done.task().done());
  ASSERT_THAT(Call(&v1::PlanningService::Stub::ListTasks, office_a_, list, &tasks), IsOk());
  EXPECT_EQ(tasks.tasks_size(), 0);
  complete.set_name(absl::StrCat(created->name(), "/tasks/nope"));
  EXPECT_THAT(Call(&v1::PlanningService::Stub::CompleteTask, front, complete, &done),
              StatusIs(StatusCode::kNotFound, "TASK_NOT_FOUND"));
  list.set_as_of_date("12/04/2026");
  EXPECT_THAT(Call(&v1::PlanningService::Stub::ListTasks, office_a_, list, &tasks),
              StatusIs(StatusCode::kInvalidArgument, "DATE_INVALID"));
}

TEST_F(PlanningGrpcTest, OnlyAdministratorsChangeTenants) {
  grpc::ClientContext context;
  context.AddMetadata("authorization", "Bearer " + office_a_);
  v1::UpdateTenantRequest update;
  update.mutable_tenant()->set_name(absl::StrCat("tenants/", a_));
  update.mutable_tenant()->set_voter_count(1);
  update.mutable_update_mask()->add_paths("voter_count");
  v1::Tenant out;
  EXPECT_THAT(common::FromGrpcStatus(tenants_stub_->UpdateTenant(&context, update, &out)),
              StatusIs(StatusCode::kPermissionDenied, "ADMIN_ONLY"));
  grpc::ClientContext admin_context;
  admin_context.AddMetadata("authorization", "Bearer " + Token("", {Role::kAdmin}));
  ASSERT_THAT(common::FromGrpcStatus(tenants_stub_->UpdateTenant(&admin_context, update, &out)),
              IsOk());
  EXPECT_EQ(out.voter_count(), 1);
  grpc::ClientContext read_context;
  read_context.AddMetadata("authorization", "Bearer " + office_a_);
  v1::GetTenantRequest get;
  get.set_name(absl::StrCat("tenants/", a_));
  ASSERT_THAT(common::FromGrpcStatus(tenants_stub_->GetTenant(&read_context, get, &out)), IsOk());
  EXPECT_EQ(out.rules().conclusion_notice_working_days(), 10);
}

// Issue 19: hamlets carry their kind and area (seed 001's areas, a ward's residential
// groups); a kind that is none of them, or an area past 200 characters, is refused and
// changes nothing.
TEST_F(PlanningGrpcTest, HamletsKeepTheirKindAndAreaAndBadOnesAreRefused) {
  const std::string admin = Token("", {Role::kAdmin});
  auto update = [&](const v1::Hamlet& hamlet, v1::Tenant* out) {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer " + admin);
    v1::UpdateTenantRequest request;
    request.mutable_tenant()->set_name(absl::StrCat("tenants/", a_));
    *request.mutable_tenant()->add_hamlets() = hamlet;
    request.mutable_update_mask()->add_paths("hamlets");
    return common::FromGrpcStatus(tenants_stub_->UpdateTenant(&context, request, out));
  };
  v1::Hamlet group;
  group.set_id("to-3");
  group.set_display_name("Tổ dân phố 3");
  group.set_kind(v1::RESIDENTIAL_GROUP);
  group.set_area("Khu phố 1");
  group.set_note("tên minh họa");
  v1::Tenant out;
  ASSERT_THAT(update(group, &out), IsOk());
  ASSERT_EQ(out.hamlets_size(), 1);
  EXPECT_EQ(out.hamlets(0).kind(), v1::RESIDENTIAL_GROUP);
  EXPECT_EQ(out.hamlets(0).area(), "Khu phố 1");
  EXPECT_EQ(out.hamlets(0).note(), "tên minh họa");

  v1::Hamlet bad = group;
  bad.set_kind(static_cast<v1::HamletKind>(7));
  EXPECT_THAT(update(bad, &out), StatusIs(StatusCode::kInvalidArgument, "HAMLET_KIND_INVALID"));
  bad = group;
  bad.set_area(std::string(201, 'a'));
  EXPECT_THAT(update(bad, &out), StatusIs(StatusCode::kInvalidArgument, "TEXT_TOO_LONG"));
  grpc::ClientContext read_context;
  read_context.AddMetadata("authorization", "Bearer " + admin);
  v1::GetTenantRequest get;
  get.set_name(absl::StrCat("tenants/", a_));
  ASSERT_THAT(common::FromGrpcStatus(tenants_stub_->GetTenant(&read_context, get, &out)), IsOk());
  ASSERT_EQ(out.hamlets_size(), 1);
  EXPECT_EQ(out.hamlets(0).area(), "Khu phố 1");
}

// Issue 20: a plan renders as the document its issuer signs; a draft only for the office,
// and a format that is none of html, docx and text is refused.
TEST_F(PlanningGrpcTest, APlanRendersAsItsDocumentAndADraftOnlyForTheOffice) {
  auto plan = Create(a_, office_a_);
  ASSERT_THAT(plan.status(), IsOk());
  v1::RenderPlanRequest render;
  render.set_name(plan->name());
  render.set_format("text");
  v1::HttpBody body;
  EXPECT_THAT(testing::CallWith(*stub_, &v1::PlanningService::Stub::RenderPlan, "", render, &body),
              StatusIs(StatusCode::kNotFound, "PLAN_NOT_FOUND"));
  ASSERT_THAT(Call(&v1::PlanningService::Stub::RenderPlan, office_a_, render, &body), IsOk());
  EXPECT_EQ(body.content_type(), "text/plain; charset=utf-8");
  EXPECT_THAT(body.data(), HasSubstr("\nKẾ HOẠCH\n"));
  EXPECT_THAT(body.data(), HasSubstr("III. TỔ CHỨC THỰC HIỆN"));
  render.set_format("docx");
  ASSERT_THAT(Call(&v1::PlanningService::Stub::RenderPlan, office_a_, render, &body), IsOk());
  EXPECT_EQ(body.data().substr(0, 2), "PK");
  EXPECT_TRUE(absl::StartsWith(body.filename(), "van-ban-")) << body.filename();
  render.set_format("pdf");
  EXPECT_THAT(Call(&v1::PlanningService::Stub::RenderPlan, office_a_, render, &body),
              StatusIs(StatusCode::kInvalidArgument, "FORMAT_INVALID"));
}

// Issue 19, seed 002: a district hosts conferences with the people of its own communes, each
// in its own hall. A commune names its district when it is created; a parent that is not a
// district of the same province, or a district with a parent, is refused and writes
// nothing; a plan's conference may list only the communes under the plan's own tenant.
TEST_F(PlanningGrpcTest, ADistrictHostsConferencesWithItsOwnCommunesOnly) {
  const std::string admin = Token("", {Role::kAdmin});
  auto create = [&](const std::string& id, v1::TenantKind kind, const std::string& parent,
                    v1::Tenant* out) {
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer " + admin);
    v1::CreateTenantRequest request;
    request.set_tenant_id(id);
    request.mutable_tenant()->set_display_name("Huyện Tân Yên");
    request.mutable_tenant()->set_kind(kind);
    request.mutable_tenant()->set_province(absl::StrCat("provinces/", province_.id));
    request.mutable_tenant()->set_parent(parent);
    return common::FromGrpcStatus(tenants_stub_->CreateTenant(&context, request, out));
  };
  auto count = [&](const std::string& id) {
    return AdminQuery(absl::StrCat("SELECT count(*) FROM tenancy.tenants WHERE id = '", id, "'"));
  };
  const std::string district = province_.id + "-huyen";
  const std::string commune = province_.id + "-xa";
  v1::Tenant out;
  EXPECT_THAT(create(district, v1::DISTRICT, "tenants/" + a_, &out),
              StatusIs(StatusCode::kInvalidArgument, "DISTRICT_HAS_NO_PARENT"));
  ASSERT_THAT(create(district, v1::DISTRICT, "", &out), IsOk());
  EXPECT_EQ(out.kind(), v1::DISTRICT);
  EXPECT_EQ(out.parent(), "");
  EXPECT_THAT(create(commune, v1::COMMUNE, "tenants/" + a_, &out),
              StatusIs(StatusCode::kInvalidArgument, "PARENT_NOT_A_DISTRICT"));
  EXPECT_THAT(create(commune, v1::COMMUNE, "tenants/no-such-district", &out),
              StatusIs(StatusCode::kInvalidArgument, "PARENT_NOT_A_DISTRICT"));
  EXPECT_THAT(create(commune, v1::COMMUNE, "huyen", &out),
              StatusIs(StatusCode::kInvalidArgument, "NAME_INVALID"));
  EXPECT_EQ(count(commune), "0");
  ASSERT_THAT(create(commune, v1::TOWNSHIP, "tenants/" + district, &out), IsOk());
  EXPECT_EQ(out.parent(), "tenants/" + district);
  EXPECT_EQ(out.kind(), v1::TOWNSHIP);
  // The database holds the rule too: the district cannot stop being one under its commune.
  EXPECT_ANY_THROW(AdminQuery(absl::StrCat(
      "UPDATE tenancy.tenants SET kind = 'COMMUNE' WHERE id = '", district, "' RETURNING id")));

  const std::string district_office = Token(district, {Role::kPartyOffice});
  v1::Plan plan = SamplePlan();
  plan.set_issuing_body(v1::UPPER_LEVEL);
  plan.mutable_conferences(0)->add_communes("tenants/" + b_);
  EXPECT_THAT(Create(district, district_office, plan),
              StatusIs(StatusCode::kInvalidArgument, "NOT_A_COMMUNE_OF_THIS_LEVEL"));
  plan.mutable_conferences(0)->set_communes(0, "tenants/" + commune);
  plan.mutable_conferences(0)->add_communes("tenants/" + commune);
  EXPECT_THAT(Create(district, district_office, plan),
              StatusIs(StatusCode::kInvalidArgument, "COMMUNE_DUPLICATE"));
  EXPECT_EQ(CountPlans(district), "0");
  plan.mutable_conferences(0)->mutable_communes()->RemoveLast();
  auto created = Create(district, district_office, plan);
  ASSERT_THAT(created.status(), IsOk());
  ASSERT_EQ(created->conferences(0).communes_size(), 1);
  EXPECT_EQ(created->conferences(0).communes(0), "tenants/" + commune);
  // A commune's own plan hosts no other commune, not even one of its district.
  EXPECT_THAT(Create(a_, office_a_, plan),
              StatusIs(StatusCode::kInvalidArgument, "NOT_A_COMMUNE_OF_THIS_LEVEL"));
  EXPECT_EQ(CountPlans(a_), "0");

  // Issue 20: a Party committee's plan is headed by the Party organization of the level
  // above it: the district's commune by the district's, the district by the province's;
  // a People's Committee's plan has no such line.
  auto first_line = [&](const std::string& name, const std::string& token) {
    v1::RenderPlanRequest render;
    render.set_name(name);
    render.set_format("text");
    v1::HttpBody body;
    EXPECT_THAT(Call(&v1::PlanningService::Stub::RenderPlan, token, render, &body), IsOk());
    return body.data().substr(0, body.data().find('\n'));
  };
  v1::Plan party = SamplePlan();
  party.set_issuing_body(v1::PARTY_COMMITTEE);
  party.set_issuing_authority("Đảng ủy xã");
  const std::string commune_office = Token(commune, {Role::kPartyOffice});
  auto commune_plan = Create(commune, commune_office, party);
  ASSERT_THAT(commune_plan.status(), IsOk());
  EXPECT_EQ(first_line(commune_plan->name(), commune_office), "ĐẢNG BỘ HUYỆN TÂN YÊN");
  party.set_issuing_authority("Huyện ủy");
  auto district_plan = Create(district, district_office, party);
  ASSERT_THAT(district_plan.status(), IsOk());
  EXPECT_EQ(first_line(district_plan->name(), district_office), "ĐẢNG BỘ TỈNH THỬ NGHIỆM");
  auto state_plan = Create(a_, office_a_);
  ASSERT_THAT(state_plan.status(), IsOk());
  EXPECT_EQ(first_line(state_plan->name(), office_a_), "ỦY BAN NHÂN DÂN XÃ THỬ NGHIỆM");
}

// Planning's event consumer: a session announced for a conference dates that plan's tasks;
// a session naming another commune's plan changes nothing of it, even in the commune that
// announces it; an event that changes nothing moves no version.
TEST_F(PlanningGrpcTest, AnAnnouncedSessionDatesItsOwnCommunesPlanOnly) {
  v1::Plan sample = SamplePlan();
  sample.set_document_number("12/KH-UBND");
  sample.set_issue_date("2026-01-10");
  auto plan_a = Create(a_, office_a_, sample);
  auto plan_b = Create(b_, Token(b_, {Role::kGovernmentOffice}), sample);
  ASSERT_THAT(plan_a, IsOk());
  ASSERT_THAT(plan_b, IsOk());
  testing::TestStream stream("planning-test");
  db::ConnectionPool pool({testing::PlanningPgUri(), 1});
  auto drain = [&] {
    return stream.Drain(
        pool, events::ServiceConsumerOptions("planning", "test", ConsumedEventTypes()), ApplyEvent);
  };
  auto get = [&](const std::string& tenant, const std::string& name) {
    v1::GetPlanRequest request;
    request.set_name(name);
    v1::Plan out;
    EXPECT_THAT(Call(&v1::PlanningService::Stub::GetPlan, Token(tenant, {Role::kGovernmentOffice}),
                     request, &out),
                IsOk());
    return out;
  };

  v1::SessionAnnounced announced;
  announced.set_session(absl::StrCat("tenants/", a_, "/sessions/", common::NewUuid()));
  announced.set_plan(plan_b->name());  // B's plan, in an event of A
  announced.set_conference_id("1");
  announced.set_date("2026-04-24");
  stream.Publish(a_, "sessions", announced, common::NewUuid());
  stream.Publish(b_, "sessions", announced, common::NewUuid());  // B's, but the session is A's
  EXPECT_EQ(drain().applied, 2);
  const v1::Plan b_after = get(b_, plan_b->name());
  EXPECT_EQ(b_after.etag(), plan_b->etag());
  EXPECT_EQ(b_after.conferences(0).session(), "");
  EXPECT_EQ(get(a_, plan_a->name()).etag(), plan_a->etag());

  announced.set_plan(plan_a->name());
  stream.Publish(a_, "sessions", announced, common::NewUuid());
  EXPECT_EQ(drain().applied, 1);
  const v1::Plan dated = get(a_, plan_a->name());
  EXPECT_EQ(dated.conferences(0).session(), announced.session());
  EXPECT_EQ(dated.conferences(0).session_date(), "2026-04-24");
  EXPECT_EQ(dated.tasks(1).resolved_due_date(), "2026-04-17");  // 7 days before the 24th
  EXPECT_NE(dated.etag(), plan_a->etag());

  // The same announcement again, under a new event id: nothing to change, nothing written.
  stream.Publish(a_, "sessions", announced, common::NewUuid());
  EXPECT_EQ(drain().applied, 1);
  EXPECT_EQ(get(a_, plan_a->name()).etag(), dated.etag());
}

TEST_F(PlanningGrpcTest, ReportsServingOnTheStandardHealthService) {
  grpc::ClientContext context;
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  ASSERT_TRUE(health_->Check(&context, request, &response).ok());
  EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING);
}

}  // namespace
}  // namespace dialogue::planning
