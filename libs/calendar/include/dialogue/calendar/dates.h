// Dates as the contract writes them ("YYYY-MM-DD") and today's date in Vietnam.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace dialogue::calendar {

// "YYYY-MM-DD" <-> a civil day. ParseDate rejects impossible dates such as 2026-02-30.
absl::StatusOr<absl::CivilDay> ParseDate(absl::string_view text);
std::string FormatDate(absl::CivilDay day);
// "dd/mm/yyyy", as documents and messages write a date: "2026-04-05" -> "05/04/2026"; any
// other text as it is.
std::string WrittenDate(absl::string_view iso);
// Deadlines are Vietnamese days: the date in UTC+7.
absl::CivilDay TodayInVietnam(absl::Time now);

// The one rule for a date that follows a conference (a notice of its conclusion, progress
// on what it concluded): not before the day it was held. INVALID_ARGUMENT
// DATE_BEFORE_CONFERENCE on `field`, saying what is dated (`what`) and both days.
absl::Status CheckNotBeforeConference(absl::string_view field, absl::string_view what,
                                      absl::CivilDay day, absl::CivilDay held);

}  // namespace dialogue::calendar
