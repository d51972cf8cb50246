// gRPC handlers of CalendarService: a tenant's year of days off, due dates of deadline
// rules under the calendar as it is now, lunar dates, and the tenant's own days off.
#pragma once

#include "dialogue/calendar/calendar_source.h"
#include "dialogue/calendar/working_days.h"
#include "dialogue/rpc/call.h"
#include "dialogue/v1/calendar.grpc.pb.h"
#include "store.h"

namespace dialogue::planning {

class CalendarService final : public v1::CalendarService::Service {
 public:
  CalendarService(calendar::CalendarSource& source, CalendarStore& days, TenantStore& tenants,
                  rpc::Authenticator& authenticator)
      : source_(source), days_(days), tenants_(tenants), auth_(authenticator) {}

  grpc::Status GetYearCalendar(grpc::ServerContext* context,
                               const v1::GetYearCalendarRequest* request,
                               v1::YearCalendar* response) override;
  grpc::Status ComputeDueDate(grpc::ServerContext* context,
                              const v1::ComputeDueDateRequest* request,
                              v1::DueDate* response) override;
  grpc::Status ConvertDate(grpc::ServerContext* context, const v1::ConvertDateRequest* request,
                           v1::ConvertDateResponse* response) override;
  grpc::Status AddTenantDayOff(grpc::ServerContext* context,
                               const v1::AddTenantDayOffRequest* request,
                               v1::TenantDayOff* response) override;
  grpc::Status RemoveTenantDayOff(grpc::ServerContext* context,
                                  const v1::RemoveTenantDayOffRequest* request,
                                  v1::RemoveTenantDayOffResponse* response) override;

 private:
  struct Target {
    std::string tenant;
    db::TenantScope scope;
  };
  absl::StatusOr<Target> Authorize(const rpc::RequestContext& request, const std::string& name,
                                   auth::Access access);
  // The national calendar now, with the tenant's own days off; `reasons` (if given)
  // receives each own day's reason.
  absl::StatusOr<calendar::WorkingDayCalendar> TenantCalendar(
      const Target& target, std::map<absl::CivilDay, std::string>* reasons = nullptr);

  calendar::CalendarSource& source_;
  CalendarStore& days_;
  TenantStore& tenants_;
  rpc::Authenticator& auth_;
};

}  // namespace dialogue::planning
