// The national calendar of days off: public holidays of the Labour Code 2019 (art. 112)
// with lunar dates, compensatory days for holidays on a weekend, and the government's
// yearly decisions (Tết placement, swapped days, make-up Saturdays) read from a data file
// an operator edits without a rebuild.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "dialogue/v1/calendar.pb.h"

namespace dialogue::calendar {

namespace v1 = ::dialogue::v1;

constexpr int kFirstYear = 1901;
constexpr int kLastYear = 2099;

struct DayOffEntry {
  absl::CivilDay day;
  v1::DayOffKind kind;
  std::string name;
};

// Immutable once built; share it with std::shared_ptr<const NationalCalendar>.
class NationalCalendar {
 public:
  // Builds every year from kFirstYear to kLastYear from the defaults and `decisions`.
  // INVALID_ARGUMENT naming the year and date when a decision is malformed.
  static absl::StatusOr<std::shared_ptr<const NationalCalendar>> Build(
      const v1::HolidayDecisions& decisions);
  // Reads the JSON data file (a HolidayDecisions message); unknown fields are errors, so a
  // typo is caught at start-up and not silently ignored.
  static absl::StatusOr<std::shared_ptr<const NationalCalendar>> Load(const std::string& path);
  static absl::StatusOr<v1::HolidayDecisions> ParseDecisions(const std::string& json);

  bool IsWorkingDay(absl::CivilDay day) const;
  bool InRange(absl::CivilDay day) const { return day >= first_ && day <= last_; }
  absl::CivilDay first() const { return first_; }
  absl::CivilDay last() const { return last_; }

  // Weekdays off of a year, in date order.
  std::vector<DayOffEntry> DaysOff(int year) const;
  std::vector<absl::CivilDay> MakeUpWorkingDays(int year) const;
  // The decision a year follows, or "Labour Code 2019 defaults".
  std::string SourceOf(int year) const;

  // Counting support for WorkingDayCalendar: working days in [first(), day] ...
  int WorkingDaysUpTo(absl::CivilDay day) const;
  // ... and the n-th working day (1-based) counted from first().
  absl::CivilDay NthWorkingDay(int n) const;
  int TotalWorkingDays() const { return static_cast<int>(working_.size()); }

 private:
  NationalCalendar() = default;
  int Index(absl::CivilDay day) const { return static_cast<int>(day - first_); }

  absl::CivilDay first_{kFirstYear, 1, 1};
  absl::CivilDay last_{kLastYear, 12, 31};
  std::map<absl::CivilDay, DayOffEntry> days_off_;  // weekdays off
  std::vector<absl::CivilDay> make_up_;             // weekend days worked
  std::map<int, std::string> sources_;
  std::vector<int> working_up_to_;       // per day index: working days in [first_, day]
  std::vector<absl::CivilDay> working_;  // every working day in order
};

}  // namespace dialogue::calendar
