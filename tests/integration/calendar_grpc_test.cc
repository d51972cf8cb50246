// CalendarService through a real server and stub, with the tenant's days off in the real
// PostgreSQL.
#include "planning_server.h"

namespace dialogue::planning {
namespace {

using absl::StatusCode;
using auth::Role;
using ::dialogue::testing::AdminQuery;
using ::dialogue::testing::CallWith;
using ::dialogue::testing::IsOk;
using ::dialogue::testing::StatusIs;
using ::dialogue::testing::Token;
using ::testing::HasSubstr;

class CalendarGrpcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    stub_ = v1::CalendarService::NewStub(server_.channel());
    province_ = testing::NewProvince(2);
    a_ = province_.tenants[0];
    office_ = Token(a_, {Role::kGovernmentOffice});
  }
  template <typename Request, typename Response, typename Method>
  absl::Status Call(Method method, const std::string& token, const Request& request,
                    Response* out) {
    return CallWith(*stub_, method, token, request, out);
  }
  absl::Status AddDayOff(const std::string& token, const std::string& date,
                         const std::string& reason) {
    v1::AddTenantDayOffRequest request;
    request.set_tenant("tenants/" + a_);
    request.mutable_day_off()->set_date(date);
    request.mutable_day_off()->set_reason(reason);
    v1::TenantDayOff out;
    return Call(&v1::CalendarService::Stub::AddTenantDayOff, token, request, &out);
  }
  absl::StatusOr<v1::DueDate> Due(v1::DeadlineRule rule, const std::string& start) {
    v1::ComputeDueDateRequest request;
    request.set_tenant("tenants/" + a_);
    request.set_rule(rule);
    request.set_start_date(start);
    v1::DueDate out;
    RETURN_IF_ERROR(Call(&v1::CalendarService::Stub::ComputeDueDate, office_, request, &out));
    return out;
  }

  testing::PlanningServer server_;
  std::unique_ptr<v1::CalendarService::Stub> stub_;
  testing::Province province_;
  std::string a_, office_;
};

TEST_F(CalendarGrpcTest, ListsAYearsDaysOffWithTheCommunesOwn) {
  ASSERT_THAT(AddDayOff(office_, "2026-10-20", "Bão số 5"), IsOk());
  v1::GetYearCalendarRequest request;
  request.set_tenant("tenants/" + a_);
  request.set_year(2026);
  v1::YearCalendar year;
  ASSERT_THAT(Call(&v1::CalendarService::Stub::GetYearCalendar, office_, request, &year), IsOk());
  std::vector<std::string> dates;
  for (const auto& d : year.days_off()) dates.push_back(d.date());
  EXPECT_EQ(dates,
            (std::vector<std::string>{"2026-01-01", "2026-02-16", "2026-02-17", "2026-02-18",
                                      "2026-02-19", "2026-02-20", "2026-04-27", "2026-04-30",
                                      "2026-05-01", "2026-09-02", "2026-09-03", "2026-10-20"}));
  EXPECT_EQ(year.days_off(6).kind(), v1::COMPENSATORY);
  EXPECT_EQ(year.days_off(11).kind(), v1::TENANT_DAY_OFF);
  EXPECT_EQ(year.days_off(11).name(), "Bão số 5");
  EXPECT_EQ(year.lunar_new_year(), "2026-02-17");
  EXPECT_EQ(year.working_days(), 261 - 12);  // 261 weekdays in 2026, 12 of them off
  EXPECT_THAT(year.source(), HasSubstr("Bính Ngọ"));
}

TEST_F(CalendarGrpcTest, DueDatesSkipHolidaysAndTheCommunesDaysOff) {
  auto due = Due(v1::DEADLINE_CONCLUSION_NOTICE, "2026-04-24");
  ASSERT_THAT(due, IsOk());
  EXPECT_EQ(due->due_date(), "2026-05-13");
  ASSERT_THAT(AddDayOff(office_, "2026-05-12", "Lễ hội địa phương"), IsOk());
  EXPECT_EQ(Due(v1::DEADLINE_CONCLUSION_NOTICE, "2026-04-24")->due_date(), "2026-05-14");
  // Removing it brings the answer back: due dates are computed, never stored stale.
  v1::RemoveTenantDayOffRequest remove;
  remove.set_tenant("tenants/" + a_);
  remove.set_date("2026-05-12");
  v1::RemoveTenantDayOffResponse removed;
  ASSERT_THAT(Call(&v1::CalendarService::Stub::RemoveTenantDayOff, office_, remove, &removed),
              IsOk());
  EXPECT_EQ(Due(v1::DEADLINE_CONCLUSION_NOTICE, "2026-04-24")->due_date(), "2026-05-13");
  EXPECT_THAT(Call(&v1::CalendarService::Stub::RemoveTenantDayOff, office_, remove, &removed),
              StatusIs(StatusCode::kNotFound, "DAY_OFF_NOT_FOUND"));
}

TEST_F(CalendarGrpcTest, UsesTheTenantsOwnRules) {
  ASSERT_TRUE(
      AdminQuery(
          "UPDATE tenancy.tenants SET rules = '{\"announcement_lead_days\": 5}' WHERE id = '" + a_ +
          "' RETURNING id") == a_);
  EXPECT_EQ(Due(v1::DEADLINE_ANNOUNCEMENT, "2026-04-24")->due_date(), "2026-04-19");
}

TEST_F(CalendarGrpcTest, RefusesBadInputNamingTheField) {
  EXPECT_THAT(Due(v1::DEADLINE_CONCLUSION_NOTICE, "24/04/2026"),
              StatusIs(StatusCode::kInvalidArgument, "DATE_INVALID"));
  EXPECT_THAT(Due(v1::DEADLINE_RULE_UNSPECIFIED, "2026-04-24"),
              StatusIs(StatusCode::kInvalidArgument, "RULE_REQUIRED"));
  EXPECT_THAT(Due(v1::DEADLINE_WORKING_DAYS, "2026-04-24"),
              StatusIs(StatusCode::kInvalidArgument, "WORKING_DAYS_OUT_OF_RANGE"));
  EXPECT_THAT(Due(v1::DEADLINE_CONCLUSION_NOTICE, "2150-01-01"),
              StatusIs(StatusCode::kInvalidArgument, "DATE_OUT_OF_RANGE"));
  EXPECT_THAT(AddDayOff(office_, "2026-02-17", "Tết"),
              StatusIs(StatusCode::kFailedPrecondition, "NOT_A_WORKING_DAY"));
  EXPECT_THAT(AddDayOff(office_, "2026-10-21", ""),
              StatusIs(StatusCode::kInvalidArgument, "REASON_REQUIRED"));
  ASSERT_THAT(AddDayOff(office_, "2026-10-21", "Bão"), IsOk());
  EXPECT_THAT(AddDayOff(office_, "2026-10-21", "Bão"),
              StatusIs(StatusCode::kAlreadyExists, "DAY_OFF_EXISTS"));
  v1::GetYearCalendarRequest request;
  request.set_tenant("tenants/" + a_);
  request.set_year(1800);
  v1::YearCalendar year;
  EXPECT_THAT(Call(&v1::CalendarService::Stub::GetYearCalendar, office_, request, &year),
              StatusIs(StatusCode::kInvalidArgument, "YEAR_OUT_OF_RANGE"));
}

TEST_F(CalendarGrpcTest, OnlyTheCommunesOfficesSetItsDaysOff) {
  std::string other = Token(province_.tenants[1], {Role::kGovernmentOffice});
  EXPECT_THAT(AddDayOff(other, "2026-10-22", "x"),
              StatusIs(StatusCode::kPermissionDenied, "TENANT_FORBIDDEN"));
  EXPECT_THAT(AddDayOff(Token(a_, {Role::kFront}), "2026-10-22", "x"),
              StatusIs(StatusCode::kPermissionDenied, "ROLE_FORBIDDEN"));
  EXPECT_THAT(AddDayOff(Token("", {Role::kProvince}, province_.id), "2026-10-22", "x"),
              StatusIs(StatusCode::kPermissionDenied, "PROVINCE_READ_ONLY"));
  EXPECT_EQ(
      AdminQuery("SELECT count(*) FROM tenancy.tenant_days_off WHERE tenant_id = '" + a_ + "'"),
      "0");
  // Province readers read the commune's calendar.
  v1::GetYearCalendarRequest request;
  request.set_tenant("tenants/" + a_);
  request.set_year(2025);
  v1::YearCalendar year;
  EXPECT_THAT(Call(&v1::CalendarService::Stub::GetYearCalendar,
                   Token("", {Role::kProvince}, province_.id), request, &year),
              IsOk());
  EXPECT_EQ(year.make_up_working_days_size(), 1);
}

TEST_F(CalendarGrpcTest, ConvertsBetweenSolarAndLunarDates) {
  v1::ConvertDateRequest request;
  request.set_solar_date("2026-04-26");
  v1::ConvertDateResponse out;
  ASSERT_THAT(Call(&v1::CalendarService::Stub::ConvertDate, office_, request, &out), IsOk());
  EXPECT_EQ(out.lunar().month(), 3);
  EXPECT_EQ(out.lunar().day(), 10);
  EXPECT_EQ(out.can_chi_year(), "Bính Ngọ");
  request.mutable_lunar()->set_year(2025);
  request.mutable_lunar()->set_month(6);
  request.mutable_lunar()->set_day(1);
  request.mutable_lunar()->set_leap_month(true);
  ASSERT_THAT(Call(&v1::CalendarService::Stub::ConvertDate, office_, request, &out), IsOk());
  EXPECT_EQ(out.solar_date(), "2025-07-25");
  request.mutable_lunar()->set_year(2026);
  EXPECT_THAT(Call(&v1::CalendarService::Stub::ConvertDate, office_, request, &out),
              StatusIs(StatusCode::kInvalidArgument, "LUNAR_DATE_INVALID"));
  // A public route: no account needed, but a forged token is still refused.
  request.mutable_lunar()->set_year(2025);
  EXPECT_THAT(Call(&v1::CalendarService::Stub::ConvertDate, std::string(), request, &out), IsOk());
  EXPECT_THAT(Call(&v1::CalendarService::Stub::ConvertDate, std::string("x.y.z"), request, &out),
              StatusIs(StatusCode::kUnauthenticated, "TOKEN_MALFORMED"));
}

}  // namespace
}  // namespace dialogue::planning
