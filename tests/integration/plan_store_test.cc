#include "store.h"

#include <google/protobuf/util/message_differencer.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "dialogue/common/names.h"
#include "plan_rules.h"
#include "test_support.h"

namespace dialogue::planning {
namespace {

using absl::StatusCode;
using ::dialogue::testing::AdminQuery;
using ::dialogue::testing::IsOk;
using ::dialogue::testing::PlanningPgUri;
using ::dialogue::testing::SamplePlan;
using ::dialogue::testing::StatusIs;

class PlanStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    province_ = testing::NewProvince(2);
    tenant_ = province_.tenants[0];
    scope_ = db::TenantScope::Of(tenant_);
  }

  v1::Plan Stored(int year = 2026, v1::PlanState state = v1::DRAFT, std::string request_id = "") {
    v1::Plan plan = SamplePlan(year);
    ResolveTaskDueDates(plan);
    plan.set_state(state);
    auto created = plans_.Create(scope_, tenant_, plan, request_id);
    EXPECT_THAT(created, IsOk());
    return created.value_or(v1::Plan());
  }

  static std::string Id(const v1::Plan& plan) {
    return plan.name().substr(plan.name().rfind('/') + 1);
  }

  db::ConnectionPool pool_{{PlanningPgUri(), 2}};
  PlanStore plans_{pool_};
  TenantStore tenants_{pool_};
  testing::Province province_;
  std::string tenant_;
  db::TenantScope scope_;
};

TEST_F(PlanStoreTest, CreatesAndReadsBackTheWholeDocument) {
  v1::Plan created = Stored();
  EXPECT_EQ(created.state(), v1::DRAFT);
  EXPECT_EQ(created.revision(), 1);
  EXPECT_EQ(created.etag(), "1");
  EXPECT_TRUE(created.has_create_time());
  auto read = plans_.Get(scope_, tenant_, Id(created));
  ASSERT_THAT(read, IsOk());
  EXPECT_EQ(read->title(), SamplePlan().title());
  EXPECT_EQ(read->tasks_size(), 3);
  EXPECT_EQ(read->tasks(1).resolved_due_date(), "2026-04-13");
  EXPECT_EQ(read->participant_groups(0).expected_max(), 15);
}

TEST_F(PlanStoreTest, ASecondCreateWithTheSameRequestIdStoresNothing) {
  v1::Plan first = Stored(2026, v1::DRAFT, "req-1");
  v1::Plan second = Stored(2026, v1::DRAFT, "req-1");
  EXPECT_EQ(first.name(), second.name());
  EXPECT_EQ(AdminQuery(absl::StrCat("SELECT count(*) FROM planning.plans WHERE tenant_id = '",
                                    tenant_, "'")),
            "1");
}

TEST_F(PlanStoreTest, GetOfAnUnknownOrForeignPlanIsNotFound) {
  v1::Plan plan = Stored();
  EXPECT_THAT(plans_.Get(scope_, tenant_, common::NewUuid()),
              StatusIs(StatusCode::kNotFound, "PLAN_NOT_FOUND"));
  std::string other = province_.tenants[1];
  EXPECT_THAT(plans_.Get(db::TenantScope::Of(other), other, Id(plan)),
              StatusIs(StatusCode::kNotFound));
}

TEST_F(PlanStoreTest, ListsByYearAndStateOnePageAtATime) {
  for (int year : {2025, 2026, 2026, 2027}) Stored(year);
  Stored(2026, v1::APPROVED);
  auto all = plans_.List(scope_, tenant_, {}, 2, "");
  ASSERT_THAT(all, IsOk());
  ASSERT_EQ(all->plans.size(), 2u);
  EXPECT_EQ(all->plans[0].year(), 2027);
  std::vector<std::string> seen = {all->plans[0].name(), all->plans[1].name()};
  std::string token = all->next_page_token;
  while (!token.empty()) {
    auto page = plans_.List(scope_, tenant_, {}, 2, token);
    ASSERT_THAT(page, IsOk());
    for (const auto& p : page->plans) seen.push_back(p.name());
    token = page->next_page_token;
  }
  EXPECT_EQ(seen.size(), 5u);
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 5u);

  auto filter = ParsePlanFilter("year = 2026 AND state = DRAFT");
  ASSERT_THAT(filter, IsOk());
  auto drafts = plans_.List(scope_, tenant_, *filter, 50, "");
  EXPECT_EQ(drafts->plans.size(), 2u);
  EXPECT_THAT(plans_.List(scope_, tenant_, {}, 2, "garbage"),
              StatusIs(StatusCode::kInvalidArgument, "PAGE_TOKEN_INVALID"));
}

// Both stored forms: the binary copy the service reads, and the JSON it falls back to when
// the copy is missing (rows from before the copy existed).
TEST_F(PlanStoreTest, EveryFieldOfTheFiveSeedPlansSurvivesStorage) {
  for (const auto& seed : testing::SeedPlans()) {
    v1::Plan plan = seed.plan();
    ResolveTaskDueDates(plan);
    plan.set_state(v1::DRAFT);
    auto created = plans_.Create(scope_, tenant_, plan, seed.request_id());
    ASSERT_THAT(created, IsOk()) << seed.request_id();
    ClearOutputOnly(plan);
    for (const char* form : {"binary", "json"}) {
      if (form == std::string("json")) {
        AdminQuery(absl::StrCat("UPDATE planning.plans SET body_pb = NULL WHERE id = '",
                                Id(*created), "'"));
      }
      auto read = plans_.Get(scope_, tenant_, Id(*created));
      ASSERT_THAT(read, IsOk()) << form;
      v1::Plan body = *read;
      ClearOutputOnly(body);
      EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(body, plan))
          << seed.request_id() << " read from " << form << "\nstored:\n"
          << body.DebugString() << "\nsent:\n"
          << plan.DebugString();
    }
  }
}

// SQL that changes the JSON alone must not leave a binary copy saying something else.
TEST_F(PlanStoreTest, AChangeToTheJsonAloneDropsTheBinaryCopy) {
  v1::Plan plan = Stored();
  const std::string where = absl::StrCat(" WHERE id = '", Id(plan), "'");
  EXPECT_EQ(AdminQuery("SELECT body_pb IS NOT NULL FROM planning.plans" + where), "t");
  AdminQuery("UPDATE planning.plans SET body = jsonb_set(body, '{title}', '\"sửa bằng SQL\"')" +
             where);
  EXPECT_EQ(AdminQuery("SELECT body_pb IS NULL FROM planning.plans" + where), "t");
  auto read = plans_.Get(scope_, tenant_, Id(plan));
  ASSERT_THAT(read, IsOk());
  EXPECT_EQ(read->title(), "sửa bằng SQL");
  // A write through the store brings the copy back.
  auto renamed = plans_.Mutate(scope_, tenant_, Id(plan), "", [](v1::Plan& p, PlanEffects&) {
    p.set_title("sửa qua dịch vụ");
    return absl::OkStatus();
  });
  ASSERT_THAT(renamed, IsOk());
  EXPECT_EQ(AdminQuery("SELECT body_pb IS NOT NULL FROM planning.plans" + where), "t");
  EXPECT_EQ(plans_.Get(scope_, tenant_, Id(plan))->title(), "sửa qua dịch vụ");
}

TEST_F(PlanStoreTest, ABinaryCopyThatDoesNotParseIsAnInternalErrorNotAnEmptyPlan) {
  v1::Plan plan = Stored();
  AdminQuery(absl::StrCat("UPDATE planning.plans SET body_pb = '\\xffffffff' WHERE id = '",
                          Id(plan), "'"));
  auto read = plans_.Get(scope_, tenant_, Id(plan));
  EXPECT_THAT(read, StatusIs(StatusCode::kInternal));
  EXPECT_EQ(read.status().message(), "stored plan body_pb does not parse");
  EXPECT_THAT(plans_.List(scope_, tenant_, {}, 50, ""), StatusIs(StatusCode::kInternal));
}

TEST(PlanFilter, RefusesWhatItCannotFilterOn) {
  EXPECT_THAT(ParsePlanFilter("title = x"),
              StatusIs(StatusCode::kInvalidArgument, "FILTER_INVALID"));
  EXPECT_THAT(ParsePlanFilter("year = soon"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParsePlanFilter("state = DONE"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParsePlanFilter("year > 2020"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParsePlanFilter(""), IsOk());
}

TEST_F(PlanStoreTest, MutateChecksTheEtagAndWritesPlanTasksAndEventsTogether) {
  v1::Plan plan = Stored();
  auto stale = plans_.Mutate(scope_, tenant_, Id(plan), "99",
                             [](v1::Plan&, PlanEffects&) { return absl::OkStatus(); });
  EXPECT_THAT(stale, StatusIs(StatusCode::kAborted, "ETAG_MISMATCH"));

  v1::Event event;
  event.set_id(common::NewUuid());
  event.set_type("dialogue.v1.PlanPublished");
  auto changed =
      plans_.Mutate(scope_, tenant_, Id(plan), plan.etag(), [&](v1::Plan& p, PlanEffects& effects) {
        p.set_title("Kế hoạch mới");
        p.mutable_tasks()->RemoveLast();
        effects.events.push_back(event);
        return absl::OkStatus();
      });
  ASSERT_THAT(changed, IsOk());
  EXPECT_EQ(changed->title(), "Kế hoạch mới");
  EXPECT_EQ(changed->etag(), "2");
  std::string where = absl::StrCat(" WHERE tenant_id = '", tenant_, "'");
  EXPECT_EQ(AdminQuery("SELECT count(*) FROM planning.plan_tasks" + where), "2");
  EXPECT_EQ(AdminQuery("SELECT event_type FROM planning.outbox" + where),
            "dialogue.v1.PlanPublished");

  // A change that fails leaves everything as it was.
  auto refused =
      plans_.Mutate(scope_, tenant_, Id(plan), "", [&](v1::Plan& p, PlanEffects& effects) {
        p.set_title("lost");
        effects.events.push_back(event);
        return absl::FailedPreconditionError("no");
      });
  EXPECT_THAT(refused, StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_EQ(plans_.Get(scope_, tenant_, Id(plan))->title(), "Kế hoạch mới");
  EXPECT_EQ(AdminQuery("SELECT count(*) FROM planning.outbox" + where), "1");
}

TEST_F(PlanStoreTest, PublishingARevisionSupersedesTheOriginal) {
  v1::Plan original = Stored(2026, v1::PUBLISHED);
  v1::Plan revision = SamplePlan();
  revision.set_state(v1::APPROVED);
  revision.set_revision(2);
  revision.set_revises(original.name());
  auto created = plans_.Create(scope_, tenant_, revision, "");
  ASSERT_THAT(created, IsOk());
  EXPECT_EQ(created->revises(), original.name());
  auto published =
      plans_.Mutate(scope_, tenant_, Id(*created), "", [&](v1::Plan& p, PlanEffects& e) {
        p.set_state(v1::PUBLISHED);
        e.supersede_plan_id = Id(original);
        return absl::OkStatus();
      });
  ASSERT_THAT(published, IsOk());
  EXPECT_TRUE(published->has_publish_time());
  auto old = plans_.Get(scope_, tenant_, Id(original));
  EXPECT_EQ(old->state(), v1::SUPERSEDED);
  EXPECT_EQ(old->superseded_by(), published->name());
}

TEST_F(PlanStoreTest, DeleteHonoursTheRuleAndTheEtag) {
  v1::Plan plan = Stored();
  auto refuse = [](const v1::Plan&) { return absl::FailedPreconditionError("not a draft"); };
  auto allow = [](const v1::Plan&) { return absl::OkStatus(); };
  EXPECT_THAT(plans_.Delete(scope_, tenant_, Id(plan), "", refuse),
              StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(plans_.Delete(scope_, tenant_, Id(plan), "7", allow), StatusIs(StatusCode::kAborted));
  EXPECT_THAT(plans_.Delete(scope_, tenant_, Id(plan), plan.etag(), allow), IsOk());
  EXPECT_THAT(plans_.Get(scope_, tenant_, Id(plan)), StatusIs(StatusCode::kNotFound));
  EXPECT_EQ(AdminQuery(absl::StrCat("SELECT count(*) FROM planning.plan_tasks WHERE tenant_id = '",
                                    tenant_, "'")),
            "0");
}

TEST_F(PlanStoreTest, ListsTasksDueSoonAndOverdueAcrossPlans) {
  Stored(2026, v1::APPROVED);   // tasks due 2026-04-10, 2026-04-13, 2026-05-05
  Stored(2027, v1::PUBLISHED);  // 2027-04-10, 2027-04-13, 2027-05-05
  Stored(2026, v1::DRAFT);      // drafts have no live tasks
  TaskQuery query;
  query.as_of_date = "2026-04-12";
  query.overdue_only = true;
  auto overdue = plans_.ListTasks(scope_, tenant_, query);
  ASSERT_THAT(overdue, IsOk());
  ASSERT_EQ(overdue->tasks.size(), 1u);
  EXPECT_EQ(overdue->tasks[0].task().id(), "phieu");
  EXPECT_TRUE(overdue->tasks[0].overdue());
  EXPECT_EQ(overdue->tasks[0].plan_year(), 2026);

  query.overdue_only = false;
  query.due_within_days = 10;
  auto soon = plans_.ListTasks(scope_, tenant_, query);
  ASSERT_EQ(soon->tasks.size(), 1u);
  EXPECT_EQ(soon->tasks[0].task().id(), "thong-bao");

  TaskQuery all;
  all.as_of_date = "2026-01-01";
  all.page_size = 4;
  auto first = plans_.ListTasks(scope_, tenant_, all);
  ASSERT_EQ(first->tasks.size(), 4u);
  all.page_token = first->next_page_token;
  auto second = plans_.ListTasks(scope_, tenant_, all);
  ASSERT_EQ(second->tasks.size(), 2u);
  EXPECT_TRUE(second->next_page_token.empty());
  EXPECT_EQ(second->tasks[1].task().resolved_due_date(), "2027-05-05");
}

TEST_F(PlanStoreTest, TenantsAndProvincesAreStoredWithDefaultRules) {
  auto tenant = tenants_.GetTenant(tenant_);
  ASSERT_THAT(tenant, IsOk());
  EXPECT_EQ(tenant->province(), absl::StrCat("provinces/", province_.id));
  EXPECT_EQ(tenant->rules().announcement_lead_days(), 7);
  EXPECT_EQ(tenant->rules().conclusion_notice_working_days(), 10);
  EXPECT_EQ(tenant->rules().conclusion_notice_extended_working_days(), 15);
  EXPECT_EQ(tenant->rules().agency_report_working_days(), 7);

  v1::Tenant change = *tenant;
  change.mutable_rules()->set_announcement_lead_days(5);
  change.add_hamlets()->set_id("an-son");
  auto updated = tenants_.UpdateTenant(change, {"rules", "hamlets"});
  ASSERT_THAT(updated, IsOk());
  EXPECT_EQ(updated->rules().announcement_lead_days(), 5);
  EXPECT_EQ(updated->hamlets_size(), 1);
  EXPECT_THAT(tenants_.UpdateTenant(change, {}), StatusIs(StatusCode::kAborted, "ETAG_MISMATCH"));

  auto listed = tenants_.ListTenants(province_.id, 10, "");
  ASSERT_THAT(listed, IsOk());
  EXPECT_EQ(listed->size(), 2u);
  v1::Province again;
  again.set_display_name("x");
  EXPECT_THAT(tenants_.CreateProvince(province_.id, again), StatusIs(StatusCode::kAlreadyExists));
  auto provinces = tenants_.ListProvinces();
  ASSERT_THAT(provinces, IsOk());
  EXPECT_GE(provinces->size(), 1u);
  EXPECT_THAT(tenants_.GetTenant("no-such-commune"), StatusIs(StatusCode::kNotFound));
}

}  // namespace
}  // namespace dialogue::planning
