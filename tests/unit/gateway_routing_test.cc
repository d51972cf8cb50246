#include "dialogue/v1/calendar.pb.h"
#include "google/api/annotations.pb.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "openapi.h"
#include "path_template.h"
#include "routes.h"
#include "test_support.h"
#include "transcoder.h"

namespace dialogue::gateway {
namespace {

namespace v1 = ::dialogue::v1;

using ::dialogue::testing::IsOk;
using ::dialogue::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

// Matches `path` against `t`, binding into `b`.
bool Matches(const PathTemplate& t, const std::string& path, Bindings* b) {
  std::vector<std::string> segments;
  std::string verb;
  EXPECT_THAT(SplitPath(path, &segments, &verb), IsOk());
  return t.Match(segments, verb, b);
}

TEST(PathTemplate, BindsNestedVariablesAndCustomVerbs) {
  auto t = PathTemplate::Parse("/v1/{name=tenants/*/plans/*}:approve");
  ASSERT_THAT(t, IsOk());
  Bindings b;
  EXPECT_TRUE(Matches(*t, "/v1/tenants/dien-chau/plans/p1:approve", &b));
  EXPECT_THAT(b, ElementsAre(Pair("name", "tenants/dien-chau/plans/p1")));
  b.clear();
  EXPECT_FALSE(Matches(*t, "/v1/tenants/dien-chau/plans/p1", &b));
  EXPECT_FALSE(Matches(*t, "/v1/tenants/dien-chau/plans/p1:publish", &b));
  EXPECT_FALSE(Matches(*t, "/v1/tenants/dien-chau/sessions/p1:approve", &b));
  EXPECT_EQ(t->OpenApiPath(), "/v1/tenants/{tenant}/plans/{plan}:approve");
}

TEST(PathTemplate, HandlesPlainVariablesDoubleStarsAndEscapes) {
  auto t = PathTemplate::Parse("/v1/{tenant=tenants/*}/calendar/{year}");
  ASSERT_THAT(t, IsOk());
  Bindings b;
  EXPECT_TRUE(Matches(*t, "/v1/tenants/x/calendar/2026", &b));
  EXPECT_THAT(b, ElementsAre(Pair("tenant", "tenants/x"), Pair("year", "2026")));
  auto files = PathTemplate::Parse("/static/{path=**}");
  ASSERT_THAT(files, IsOk());
  b.clear();
  EXPECT_TRUE(Matches(*files, "/static/a/b%20c.js", &b));
  EXPECT_THAT(b, ElementsAre(Pair("path", "a/b c.js")));
  std::vector<std::string> s;
  std::string verb;
  EXPECT_THAT(SplitPath("/v1/%zz", &s, &verb), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(PathTemplate::Parse("v1/x"), StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(PathTemplate::Parse("/v1/{name=tenants/*"),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

class RouteTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto table = RouteTable::FromGeneratedPool();
    ASSERT_THAT(table, IsOk());
    table_ = *std::move(table);
  }
  RouteTable table_;
};

TEST_F(RouteTableTest, ComesFromEveryAnnotatedMethodOfTheContract) {
  int annotated = 0;
  for (const char* service :
       {"dialogue.v1.PlanningService", "dialogue.v1.TenantService", "dialogue.v1.CalendarService",
        "dialogue.v1.IntakeService", "dialogue.v1.NoticeService", "dialogue.v1.SessionService",
        "dialogue.v1.SupervisionService", "dialogue.v1.AccountService"}) {
    const auto* s = google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(service);
    ASSERT_NE(s, nullptr) << service;
    // Every binding of every method with an HTTP rule; the gateway's own calls (sign-in)
    // have none.
    for (int i = 0; i < s->method_count(); ++i) {
      const auto& options = s->method(i)->options();
      if (!options.HasExtension(google::api::http)) continue;
      annotated += 1 + options.GetExtension(google::api::http).additional_bindings_size();
    }
  }
  EXPECT_EQ(static_cast<int>(table_.routes().size()), annotated);
  EXPECT_EQ(table_.Programs(),
            (std::vector<std::string>{"intake", "notices", "planning", "sessions", "supervision"}));
  const Route* route = nullptr;
  Bindings b;
  std::string allowed;
  ASSERT_EQ(table_.Match("POST", "/v1/tenants/x/plans/y:publish", &route, &b, &allowed),
            RouteTable::Result::kFound);
  EXPECT_EQ(route->grpc_path, "/dialogue.v1.PlanningService/PublishPlan");
  EXPECT_EQ(route->body, "*");
  EXPECT_FALSE(route->is_public);
  ASSERT_EQ(table_.Match("GET", "/v1/calendar:convert", &route, &b, &allowed),
            RouteTable::Result::kFound);
  EXPECT_TRUE(route->is_public);
  ASSERT_EQ(table_.Match("GET", "/v1/tenants/x/receipts/ABCD-EFGH-JKMN", &route, &b, &allowed),
            RouteTable::Result::kFound);
  EXPECT_EQ(route->grpc_path, "/dialogue.v1.IntakeService/FollowOpinion");
  EXPECT_TRUE(route->is_public);
  ASSERT_EQ(table_.Match("POST", "/v1/tenants/x/opinions:importCsv", &route, &b, &allowed),
            RouteTable::Result::kFound);
  EXPECT_EQ(route->body, "csv");
  EXPECT_FALSE(route->is_public);
  // A custom verb after a literal inside a variable, and a public route of sessions.
  ASSERT_EQ(
      table_.Match("POST", "/v1/tenants/x/sessions/y/attendance:record", &route, &b, &allowed),
      RouteTable::Result::kFound);
  EXPECT_EQ(route->grpc_path, "/dialogue.v1.SessionService/RecordAttendance");
  EXPECT_THAT(b, ElementsAre(Pair("name", "tenants/x/sessions/y/attendance")));
  ASSERT_EQ(table_.Match("GET", "/v1/tenants/x/sessions/y:watch", &route, &b, &allowed),
            RouteTable::Result::kFound);
  EXPECT_EQ(route->grpc_path, "/dialogue.v1.SessionService/WatchSession");
  EXPECT_TRUE(route->is_public);
  ASSERT_EQ(table_.Match("GET", "/v1/tenants/x/sessions:ics", &route, &b, &allowed),
            RouteTable::Result::kFound);
  EXPECT_TRUE(route->is_public);
  ASSERT_EQ(table_.Match("GET", "/v1/tenants/x/sessions/y/speakers", &route, &b, &allowed),
            RouteTable::Result::kFound);
  EXPECT_FALSE(route->is_public);
  // A method's additional binding: the district's inbox beside the province's.
  ASSERT_EQ(table_.Match("GET", "/v1/tenants/tan-yen/escalations", &route, &b, &allowed),
            RouteTable::Result::kFound);
  EXPECT_EQ(route->grpc_path, "/dialogue.v1.SupervisionService/ListEscalations");
  EXPECT_THAT(b, ElementsAre(Pair("district", "tenants/tan-yen")));
  ASSERT_EQ(table_.Match("GET", "/v1/provinces/bac-giang/escalations", &route, &b, &allowed),
            RouteTable::Result::kFound);
  EXPECT_THAT(b, ElementsAre(Pair("province", "provinces/bac-giang")));
  EXPECT_EQ(table_.Match("DELETE", "/v1/tenants/x/plans", &route, &b, &allowed),
            RouteTable::Result::kMethodNotAllowed);
  EXPECT_EQ(allowed, "GET, POST");
  EXPECT_EQ(table_.Match("GET", "/v2/anything", &route, &b, &allowed),
            RouteTable::Result::kNotFound);
}

TEST_F(RouteTableTest, BuildsRequestsFromPathQueryAndBody) {
  const Route* route = nullptr;
  Bindings b;
  std::string allowed;
  ASSERT_EQ(table_.Match("PATCH", "/v1/tenants/x/plans/y", &route, &b, &allowed),
            RouteTable::Result::kFound);
  v1::UpdatePlanRequest update;
  ASSERT_THAT(
      BuildRequest(*route, b, "updateMask=title,year", R"({"title":"T","year":2027})", &update),
      IsOk());
  EXPECT_EQ(update.plan().name(), "tenants/x/plans/y");
  EXPECT_EQ(update.plan().title(), "T");
  EXPECT_EQ(update.plan().year(), 2027);
  EXPECT_THAT(update.update_mask().paths(), ElementsAre("title", "year"));

  b.clear();
  ASSERT_EQ(table_.Match("GET", "/v1/tenants/x/tasks", &route, &b, &allowed),
            RouteTable::Result::kFound);
  v1::ListTasksRequest tasks;
  ASSERT_THAT(
      BuildRequest(*route, b, "due_within_days=7&overdueOnly=true&asOfDate=2026-04-01", "", &tasks),
      IsOk());
  EXPECT_EQ(tasks.parent(), "tenants/x");
  EXPECT_EQ(tasks.due_within_days(), 7);
  EXPECT_TRUE(tasks.overdue_only());
  EXPECT_EQ(tasks.as_of_date(), "2026-04-01");
  EXPECT_THAT(BuildRequest(*route, b, "overdueOnly=maybe", "", &tasks),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(BuildRequest(*route, b, "colour=red", "", &tasks),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(BuildRequest(*route, b, "", "{\"x\":1}", &tasks),
              StatusIs(absl::StatusCode::kInvalidArgument));

  b.clear();
  ASSERT_EQ(table_.Match("GET", "/v1/calendar:convert", &route, &b, &allowed),
            RouteTable::Result::kFound);
  v1::ConvertDateRequest convert;
  ASSERT_THAT(
      BuildRequest(*route, b, "lunar.year=2025&lunar.month=6&lunar.day=1&lunar.leapMonth=true", "",
                   &convert),
      IsOk());
  EXPECT_TRUE(convert.lunar().leap_month());
  EXPECT_EQ(convert.lunar().month(), 6);
}

TEST(Transcoder, NamesTheFieldOfABadJsonBody) {
  auto table = RouteTable::FromGeneratedPool();
  const Route* route = nullptr;
  Bindings b;
  std::string allowed;
  ASSERT_EQ(table->Match("POST", "/v1/tenants/x/plans", &route, &b, &allowed),
            RouteTable::Result::kFound);
  v1::CreatePlanRequest create;
  absl::Status status = BuildRequest(*route, b, "", R"({"year":"soon"})", &create);
  EXPECT_THAT(common::FieldViolations(status), ElementsAre(HasSubstr("plan.year: ")));
  status = BuildRequest(*route, b, "", R"({"colour":"red"})", &create);
  EXPECT_THAT(common::FieldViolations(status), ElementsAre(HasSubstr("plan.colour: ")));
  EXPECT_THAT(BuildRequest(*route, b, "", R"({"title": )", &create),
              StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(Transcoder, MapsGrpcCodesToHttpAndKeepsTheDetails) {
  EXPECT_EQ(HttpStatusFor(grpc::StatusCode::NOT_FOUND), 404);
  EXPECT_EQ(HttpStatusFor(grpc::StatusCode::PERMISSION_DENIED), 403);
  EXPECT_EQ(HttpStatusFor(grpc::StatusCode::UNAUTHENTICATED), 401);
  EXPECT_EQ(HttpStatusFor(grpc::StatusCode::FAILED_PRECONDITION), 400);
  EXPECT_EQ(HttpStatusFor(grpc::StatusCode::ABORTED), 409);
  EXPECT_EQ(HttpStatusFor(grpc::StatusCode::UNAVAILABLE), 503);
  EXPECT_EQ(HttpStatusFor(grpc::StatusCode::DEADLINE_EXCEEDED), 504);
  EXPECT_EQ(HttpStatusFor(grpc::StatusCode::RESOURCE_EXHAUSTED), 429);
  std::string json = ErrorJson(common::ToGrpcStatus(
      common::InvalidField("plan.title", "TITLE_REQUIRED", "the plan needs a title")));
  EXPECT_THAT(json, HasSubstr(R"("code":400,"status":"INVALID_ARGUMENT")"));
  EXPECT_THAT(json, HasSubstr(R"("reason":"TITLE_REQUIRED")"));
  EXPECT_THAT(json, HasSubstr(R"("field":"plan.title")"));
}

// The contract the web pages are typed from: a GET's query fields are in it, so a page
// that sends ?solarDate= type-checks, and one that sends a field the RPC lacks does not.
TEST(OpenApi, ListsTheQueryFieldsOfRoutesWithoutABody) {
  auto table = RouteTable::FromGeneratedPool();
  ASSERT_THAT(table.status(), IsOk());
  google::protobuf::Struct doc;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(OpenApiJson(*table), &doc).ok());
  auto parameters = [&](const std::string& path, const std::string& method) {
    std::vector<std::string> out;
    const auto& operation =
        doc.fields().at("paths").struct_value().fields().at(path).struct_value().fields().at(
            method);
    auto it = operation.struct_value().fields().find("parameters");
    if (it == operation.struct_value().fields().end()) return out;
    for (const auto& p : it->second.list_value().values()) {
      const auto& f = p.struct_value().fields();
      out.push_back(f.at("in").string_value() + ":" + f.at("name").string_value());
    }
    return out;
  };
  EXPECT_THAT(parameters("/v1/calendar:convert", "get"), ElementsAre("query:solarDate"));
  // A list: the tenant from the path, the rest from the query; none twice.
  std::vector<std::string> list = parameters("/v1/tenants/{tenant}/opinions", "get");
  EXPECT_THAT(list, ::testing::Contains("path:tenant"));
  EXPECT_THAT(list, ::testing::Contains("query:pageSize"));
  EXPECT_THAT(list, ::testing::Contains("query:filter"));
  EXPECT_THAT(list, ::testing::Not(::testing::Contains("query:parent")));
  // A body of "*" takes every field: nothing from the query.
  EXPECT_THAT(parameters("/v1/tenants/{tenant}/opinions:submit", "post"),
              ::testing::Each(::testing::StartsWith("path:")));
}

}  // namespace
}  // namespace dialogue::gateway
