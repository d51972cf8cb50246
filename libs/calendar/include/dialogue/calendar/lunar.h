// The Vietnamese lunisolar calendar (âm lịch): solar <-> lunar conversion with leap
// months, computed astronomically for a time zone. Vietnam uses UTC+7; China's calendar
// (UTC+8) differs in some years (Tết 1985: 21 January in Vietnam, 20 February in China).
// Valid for 1900-2100.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"

namespace dialogue::calendar {

constexpr double kVietnamUtcOffsetHours = 7.0;

struct LunarDate {
  int year = 0;
  int month = 0;  // 1-12
  int day = 0;    // 1-30
  bool leap_month = false;

  bool operator==(const LunarDate& o) const {
    return year == o.year && month == o.month && day == o.day && leap_month == o.leap_month;
  }
};

LunarDate SolarToLunar(absl::CivilDay day, double utc_offset_hours = kVietnamUtcOffsetHours);

// INVALID_ARGUMENT for a date that does not exist (a leap month the year lacks, day 30
// of a 29-day month, a year outside 1900-2100).
absl::StatusOr<absl::CivilDay> LunarToSolar(const LunarDate& date,
                                            double utc_offset_hours = kVietnamUtcOffsetHours);

// Mùng 1 Tết of lunar year `year`.
absl::CivilDay LunarNewYear(int year, double utc_offset_hours = kVietnamUtcOffsetHours);

// The sexagenary name of a lunar year, e.g. 2026 -> "Bính Ngọ".
std::string CanChiYear(int year);

}  // namespace dialogue::calendar
