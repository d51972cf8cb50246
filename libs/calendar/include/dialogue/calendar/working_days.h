// Working-day arithmetic for one tenant: the national calendar plus the tenant's own
// days off, and the due dates of the domain's deadline rules. Pure functions, no I/O.
#pragma once

#include <memory>
#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "dialogue/calendar/holidays.h"
#include "dialogue/v1/calendar.pb.h"
#include "dialogue/v1/tenants.pb.h"

namespace dialogue::calendar {

class WorkingDayCalendar {
 public:
  WorkingDayCalendar(std::shared_ptr<const NationalCalendar> national,
                     std::set<absl::CivilDay> tenant_days_off = {});

  bool IsWorkingDay(absl::CivilDay day) const;

  // The n-th working day after `start` (n > 0), or before it (n < 0); `start` itself is
  // never counted. n == 0 returns `start`. OUT_OF_RANGE past the calendar's years.
  absl::StatusOr<absl::CivilDay> AddWorkingDays(absl::CivilDay start, int n) const;

  // Working days in (from, to]; negative when `to` is before `from`.
  int WorkingDaysBetween(absl::CivilDay from, absl::CivilDay to) const;

  const NationalCalendar& national() const { return *national_; }
  const std::set<absl::CivilDay>& tenant_days_off() const { return tenant_days_off_; }

 private:
  // Working days in [national first day, day] for this tenant.
  int CountUpTo(absl::CivilDay day) const;

  std::shared_ptr<const NationalCalendar> national_;
  std::set<absl::CivilDay> tenant_days_off_;  // only those that are national working days
};

// How many days `rule` counts under the tenant's rules (domain.md's default where the
// tenant left a zero); 0 for DEADLINE_WORKING_DAYS, whose count the caller gives.
int DeadlineDays(const v1::TenantRules& rules, v1::DeadlineRule rule);

// The due date of `rule` counted from `start` under the tenant's rules (defaults of
// domain.md where the tenant left a zero). For WORKING_DAYS, `working_days` says how many.
absl::StatusOr<v1::DueDate> ComputeDueDate(const WorkingDayCalendar& calendar,
                                           const v1::TenantRules& rules, v1::DeadlineRule rule,
                                           absl::CivilDay start, int working_days = 0);

}  // namespace dialogue::calendar
