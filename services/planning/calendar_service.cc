#include "calendar_service.h"

#include "absl/strings/str_cat.h"
#include "dialogue/calendar/lunar.h"
#include "dialogue/common/names.h"
#include "plan_rules.h"

namespace dialogue::planning {
namespace {

using auth::Role;

absl::StatusOr<absl::CivilDay> DateField(const std::string& text, absl::string_view field) {
  auto day = ParseDate(text);
  if (!day.ok()) return common::InvalidField(field, "DATE_INVALID", day.status().message());
  if (day->year() < calendar::kFirstYear || day->year() > calendar::kLastYear) {
    return common::InvalidField(
        field, "DATE_OUT_OF_RANGE",
        absl::StrCat("the calendar covers ", calendar::kFirstYear, "-", calendar::kLastYear));
  }
  return *day;
}

}  // namespace

absl::StatusOr<CalendarService::Target> CalendarService::Authorize(
    const rpc::RequestContext& request, const std::string& name, auth::Access access) {
  ASSIGN_OR_RETURN(auto parts, common::ParseName(name, "tenants/{tenant}", "tenant"));
  rpc::NoteAuditTarget(name);
  Target target{parts["tenant"], {}};
  ASSIGN_OR_RETURN(target.scope, auth_.ScopeFor(request.principal, target.tenant, access));
  if (access == auth::Access::kWrite &&
      !request.principal.HasAny(
          {Role::kAdmin, Role::kGovernmentOffice, Role::kPartyOffice, Role::kChair})) {
    return common::Error(absl::StatusCode::kPermissionDenied, "ROLE_FORBIDDEN",
                         "only the commune's offices and chair set its days off");
  }
  return target;
}

absl::StatusOr<calendar::WorkingDayCalendar> CalendarService::TenantCalendar(
    const Target& target, std::map<absl::CivilDay, std::string>* reasons) {
  ASSIGN_OR_RETURN(auto days,
                   days_.DaysOff(target.scope, target.tenant, "1901-01-01", "2099-12-31"));
  std::set<absl::CivilDay> own;
  for (const auto& [date, reason] : days) {
    absl::CivilDay day = *ParseDate(date);
    own.insert(day);
    if (reasons != nullptr) (*reasons)[day] = reason;
  }
  return calendar::WorkingDayCalendar(source_.Current(), std::move(own));
}

grpc::Status CalendarService::GetYearCalendar(grpc::ServerContext* context,
                                              const v1::GetYearCalendarRequest* request,
                                              v1::YearCalendar* response) {
  return rpc::Serve(
      context, auth_, "GetYearCalendar", [&](const rpc::RequestContext& rc) -> absl::Status {
        ASSIGN_OR_RETURN(Target target, Authorize(rc, request->tenant(), auth::Access::kRead));
        const int year = request->year();
        if (year < calendar::kFirstYear || year > calendar::kLastYear) {
          return common::InvalidField(
              "year", "YEAR_OUT_OF_RANGE",
              absl::StrCat("the calendar covers ", calendar::kFirstYear, "-", calendar::kLastYear));
        }
        std::map<absl::CivilDay, std::string> own;
        ASSIGN_OR_RETURN(calendar::WorkingDayCalendar cal, TenantCalendar(target, &own));
        std::map<absl::CivilDay, v1::DayOff> days;
        for (const auto& entry : cal.national().DaysOff(year)) {
          v1::DayOff& d = days[entry.day];
          d.set_date(FormatDate(entry.day));
          d.set_kind(entry.kind);
          d.set_name(entry.name);
        }
        for (const auto& [day, reason] : own) {
          if (day.year() != year || days.count(day) > 0) continue;
          v1::DayOff& d = days[day];
          d.set_date(FormatDate(day));
          d.set_kind(v1::TENANT_DAY_OFF);
          d.set_name(reason);
        }
        response->set_tenant(request->tenant());
        response->set_year(year);
        for (auto& [day, d] : days) {
          auto wd = absl::GetWeekday(day);
          if (wd != absl::Weekday::saturday && wd != absl::Weekday::sunday)
            *response->add_days_off() = d;
        }
        for (auto day : cal.national().MakeUpWorkingDays(year))
          response->add_make_up_working_days(FormatDate(day));
        response->set_working_days(
            cal.WorkingDaysBetween(absl::CivilDay(year, 1, 1) - 1, absl::CivilDay(year, 12, 31)));
        response->set_lunar_new_year(FormatDate(calendar::LunarNewYear(year)));
        response->set_source(cal.national().SourceOf(year));
        return absl::OkStatus();
      });
}

grpc::Status CalendarService::ComputeDueDate(grpc::ServerContext* context,
                                             const v1::ComputeDueDateRequest* request,
                                             v1::DueDate* response) {
  return rpc::Serve(
      context, auth_, "ComputeDueDate", [&](const rpc::RequestContext& rc) -> absl::Status {
        ASSIGN_OR_RETURN(Target target, Authorize(rc, request->tenant(), auth::Access::kRead));
        ASSIGN_OR_RETURN(absl::CivilDay start, DateField(request->start_date(), "start_date"));
        if (request->rule() == v1::DEADLINE_RULE_UNSPECIFIED) {
          return common::InvalidField("rule", "RULE_REQUIRED",
                                      "say which deadline rule to compute");
        }
        if (request->rule() == v1::DEADLINE_WORKING_DAYS &&
            (request->working_days() < 1 || request->working_days() > 366)) {
          return common::InvalidField("working_days", "WORKING_DAYS_OUT_OF_RANGE",
                                      "give a number of working days from 1 to 366");
        }
        ASSIGN_OR_RETURN(v1::Tenant tenant, tenants_.GetTenant(target.tenant));
        ASSIGN_OR_RETURN(calendar::WorkingDayCalendar cal, TenantCalendar(target));
        ASSIGN_OR_RETURN(*response, calendar::ComputeDueDate(cal, tenant.rules(), request->rule(),
                                                             start, request->working_days()));
        return absl::OkStatus();
      });
}

grpc::Status CalendarService::ConvertDate(grpc::ServerContext* context,
                                          const v1::ConvertDateRequest* request,
                                          v1::ConvertDateResponse* response) {
  return rpc::ServePublic(
      context, auth_, "ConvertDate", [&](const rpc::RequestContext&) -> absl::Status {
        absl::CivilDay solar;
        if (request->has_lunar()) {
          const auto& l = request->lunar();
          auto converted = calendar::LunarToSolar({l.year(), l.month(), l.day(), l.leap_month()});
          if (!converted.ok()) {
            return common::InvalidField("lunar", "LUNAR_DATE_INVALID",
                                        converted.status().message());
          }
          solar = *converted;
        } else {
          ASSIGN_OR_RETURN(solar, DateField(request->solar_date(), "solar_date"));
        }
        calendar::LunarDate lunar = calendar::SolarToLunar(solar);
        response->set_solar_date(FormatDate(solar));
        response->mutable_lunar()->set_year(lunar.year);
        response->mutable_lunar()->set_month(lunar.month);
        response->mutable_lunar()->set_day(lunar.day);
        response->mutable_lunar()->set_leap_month(lunar.leap_month);
        response->set_can_chi_year(calendar::CanChiYear(lunar.year));
        return absl::OkStatus();
      });
}

grpc::Status CalendarService::AddTenantDayOff(grpc::ServerContext* context,
                                              const v1::AddTenantDayOffRequest* request,
                                              v1::TenantDayOff* response) {
  return rpc::Serve(
      context, auth_, "AddTenantDayOff", [&](const rpc::RequestContext& rc) -> absl::Status {
        ASSIGN_OR_RETURN(Target target, Authorize(rc, request->tenant(), auth::Access::kWrite));
        ASSIGN_OR_RETURN(absl::CivilDay day, DateField(request->day_off().date(), "day_off.date"));
        if (request->day_off().reason().empty()) {
          return common::InvalidField("day_off.reason", "REASON_REQUIRED",
                                      "say why the commune does not work that day");
        }
        if (!source_.Current()->IsWorkingDay(day)) {
          return common::Error(absl::StatusCode::kFailedPrecondition, "NOT_A_WORKING_DAY",
                               absl::StrCat(FormatDate(day), " is already a day off nationally"));
        }
        RETURN_IF_ERROR(days_.AddDayOff(target.scope, target.tenant, FormatDate(day),
                                        request->day_off().reason()));
        response->set_date(FormatDate(day));
        response->set_reason(request->day_off().reason());
        return absl::OkStatus();
      });
}

grpc::Status CalendarService::RemoveTenantDayOff(grpc::ServerContext* context,
                                                 const v1::RemoveTenantDayOffRequest* request,
                                                 v1::RemoveTenantDayOffResponse*) {
  return rpc::Serve(
      context, auth_, "RemoveTenantDayOff", [&](const rpc::RequestContext& rc) -> absl::Status {
        ASSIGN_OR_RETURN(Target target, Authorize(rc, request->tenant(), auth::Access::kWrite));
        ASSIGN_OR_RETURN(absl::CivilDay day, DateField(request->date(), "date"));
        return days_.RemoveDayOff(target.scope, target.tenant, FormatDate(day));
      });
}

}  // namespace dialogue::planning
