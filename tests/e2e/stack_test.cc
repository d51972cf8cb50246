// The deployed stack as scripts/up or scripts/test started it: real processes on their
// ports, the demo data loaded through the API.
#include <grpcpp/grpcpp.h>

#include <cstdio>
#include <map>
#include <memory>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "dialogue/events/redis.h"
#include "dialogue/events/relay.h"
#include "dialogue/v1/events.pb.h"
#include "dialogue/v1/planning.grpc.pb.h"
#include "dialogue/v1/tenants.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "test_support.h"

namespace dialogue {
namespace {

using auth::Role;
using ::dialogue::testing::IsOk;
using ::dialogue::testing::StackEnv;
using ::dialogue::testing::StatusIs;
using ::dialogue::testing::Token;

class StackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    channel_ =
        grpc::CreateChannel(StackEnv("DIALOGUE_PLANNING_ADDR"), grpc::InsecureChannelCredentials());
    planning_ = v1::PlanningService::NewStub(channel_);
    tenants_ = v1::TenantService::NewStub(channel_);
  }
  std::unique_ptr<grpc::ClientContext> Context(const std::string& token) {
    auto context = std::make_unique<grpc::ClientContext>();
    context->AddMetadata("authorization", "Bearer " + token);
    context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    return context;
  }
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::PlanningService::Stub> planning_;
  std::unique_ptr<v1::TenantService::Stub> tenants_;
};

TEST_F(StackTest, EveryServiceReportsServing) {
  auto health = grpc::health::v1::Health::NewStub(channel_);
  grpc::ClientContext context;
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  ASSERT_TRUE(health->Check(&context, request, &response).ok());
  EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING);
}

// The demo published plans (planning) and imported opinions (intake): each service's
// outbox relay has put those events on the stack's Redis stream, tenant and trace kept.
TEST_F(StackTest, EveryServicePublishesItsEventsToTheStream) {
  auto address = events::ParseRedisUri(StackEnv("DIALOGUE_REDIS_URI"));
  ASSERT_THAT(address.status(), IsOk());
  events::RedisClient redis(*address);
  // Other tests write to the same outboxes: look for the demo's events among them.
  auto published = [&](const std::string& type, const std::string& tenant) {
    auto range = redis.Command({"XRANGE", events::kEventStream, "-", "+"});
    EXPECT_THAT(range.status(), IsOk());
    if (!range.ok()) return std::string();
    for (const auto& entry : range->elements) {
      auto fields = events::EntryFields(entry);
      v1::Event event;
      if (event.ParseFromString(fields["event"]) && event.type() == type &&
          event.tenant() == tenant) {
        return event.source();
      }
    }
    return std::string();
  };
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  std::string planning, intake;
  while ((planning.empty() || intake.empty()) && std::chrono::steady_clock::now() < until) {
    planning = published("dialogue.v1.PlanPublished", "tenants/dien-chau");
    intake = published("dialogue.v1.OpinionsImported", "tenants/bac-thanh-mien");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(planning, "planning") << "no PlanPublished of the demo on the stream";
  EXPECT_EQ(intake, "intake") << "no OpinionsImported of the demo on the stream";
}

TEST_F(StackTest, TheDemoProvinceHoldsTheSeedCommunes) {
  v1::ListTenantsRequest request;
  request.set_province("provinces/demo");
  v1::ListTenantsResponse response;
  auto context = Context(Token("", {Role::kProvince}, "demo"));
  ASSERT_THAT(common::FromGrpcStatus(tenants_->ListTenants(context.get(), request, &response)),
              IsOk());
  std::set<std::string> names;
  for (const auto& t : response.tenants()) names.insert(t.name());
  for (const char* expected :
       {"tenants/dien-chau", "tenants/hoai-thanh", "tenants/bac-thanh-mien"}) {
    EXPECT_EQ(names.count(expected), 1u) << expected;
  }
  // Seed 002's district and the four units its secretary meets, each naming it.
  std::map<std::string, const v1::Tenant*> by_name;
  for (const auto& t : response.tenants()) by_name[t.name()] = &t;
  ASSERT_EQ(by_name.count("tenants/tan-yen"), 1u);
  EXPECT_EQ(by_name["tenants/tan-yen"]->kind(), v1::DISTRICT);
  for (const char* unit :
       {"tenants/cao-xa", "tenants/cao-thuong", "tenants/lam-cot", "tenants/hop-duc"}) {
    ASSERT_EQ(by_name.count(unit), 1u) << unit;
    EXPECT_EQ(by_name[unit]->parent(), "tenants/tan-yen") << unit;
  }
  EXPECT_EQ(by_name["tenants/cao-thuong"]->kind(), v1::TOWNSHIP);
}

TEST_F(StackTest, TheSeedPlansAreLoadedInTheirStates) {
  struct Expect {
    const char* tenant;
    int year;
    v1::PlanState state;
  };
  for (const Expect& e :
       {Expect{"dien-chau", 2026, v1::PUBLISHED}, Expect{"xa-mau-001", 2025, v1::PUBLISHED},
        Expect{"tan-yen", 2018, v1::PUBLISHED}, Expect{"hoai-thanh", 2025, v1::PUBLISHED},
        Expect{"bac-thanh-mien", 2026, v1::PUBLISHED}}) {
    v1::ListPlansRequest request;
    request.set_parent(absl::StrCat("tenants/", e.tenant));
    v1::ListPlansResponse response;
    auto context = Context(Token(e.tenant, {Role::kGovernmentOffice}));
    ASSERT_THAT(common::FromGrpcStatus(planning_->ListPlans(context.get(), request, &response)),
                IsOk());
    ASSERT_GE(response.plans_size(), 1) << e.tenant;
    EXPECT_EQ(response.plans(0).year(), e.year) << e.tenant;
    EXPECT_EQ(response.plans(0).state(), e.state) << e.tenant;
  }
}

TEST_F(StackTest, TheTokenCommandOfTheEnvFileIssuesAWorkingToken) {
  std::string command = absl::StrCat(StackEnv("DIALOGUE_TOKEN_CMD"),
                                     " --tenant bac-thanh-mien --roles government_office");
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  char buffer[4096] = {0};
  std::string token = fgets(buffer, sizeof(buffer), pipe) ? buffer : "";
  ASSERT_EQ(pclose(pipe), 0);
  while (!token.empty() && token.back() == '\n') token.pop_back();
  v1::ListTasksRequest request;
  request.set_parent("tenants/bac-thanh-mien");
  request.set_as_of_date("2026-04-01");
  request.set_due_within_days(30);
  v1::ListTasksResponse response;
  auto context = Context(token);
  ASSERT_THAT(common::FromGrpcStatus(planning_->ListTasks(context.get(), request, &response)),
              IsOk());
  // Seed 004: forms by 15/4, answers by 20/4, synthesis by 22/4, announcement 7 days ahead;
  // the hall, due the day before, was done when the demo held the conference on 23/4.
  std::set<std::string> ids;
  for (const auto& t : response.tasks()) ids.insert(t.task().id());
  EXPECT_EQ(ids, (std::set<std::string>{"phieu-hoi", "tra-loi", "tong-hop", "truyen-thanh"}));
  auto other = Context(token);
  request.set_parent("tenants/dien-chau");
  EXPECT_THAT(common::FromGrpcStatus(planning_->ListTasks(other.get(), request, &response)),
              StatusIs(absl::StatusCode::kPermissionDenied));
}

}  // namespace
}  // namespace dialogue
