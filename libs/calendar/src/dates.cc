#include "dialogue/calendar/dates.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "dialogue/common/status.h"

namespace dialogue::calendar {

absl::StatusOr<absl::CivilDay> ParseDate(absl::string_view text) {
  int y = 0, m = 0, d = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' ||
      !absl::SimpleAtoi(text.substr(0, 4), &y) || !absl::SimpleAtoi(text.substr(5, 2), &m) ||
      !absl::SimpleAtoi(text.substr(8, 2), &d)) {
    return absl::InvalidArgumentError(absl::StrCat("'", text, "' is not a date as YYYY-MM-DD"));
  }
  absl::CivilDay day(y, m, d);
  if (day.year() != y || day.month() != m || day.day() != d) {
    return absl::InvalidArgumentError(absl::StrCat("'", text, "' is not a day of the calendar"));
  }
  return day;
}

std::string FormatDate(absl::CivilDay day) { return absl::FormatCivilTime(day); }

std::string WrittenDate(absl::string_view iso) {
  auto day = ParseDate(iso);
  if (!day.ok()) return std::string(iso);
  return absl::StrFormat("%02d/%02d/%04d", day->day(), day->month(), day->year());
}

absl::CivilDay TodayInVietnam(absl::Time now) {
  return absl::ToCivilDay(now, absl::FixedTimeZone(7 * 3600));
}

absl::Status CheckNotBeforeConference(absl::string_view field, absl::string_view what,
                                      absl::CivilDay day, absl::CivilDay held) {
  if (day >= held) return absl::OkStatus();
  return common::InvalidField(field, "DATE_BEFORE_CONFERENCE",
                              absl::StrCat(what, " cannot be dated ", FormatDate(day),
                                           ", before the conference held on ", FormatDate(held)));
}

}  // namespace dialogue::calendar
