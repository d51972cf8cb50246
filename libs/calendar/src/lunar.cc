#include "dialogue/calendar/lunar.h"

#include <cmath>

#include "absl/strings/str_cat.h"

namespace dialogue::calendar {
namespace {

// The astronomical method used for Vietnamese calendars (Hồ Ngọc Đức, after Meeus'
// "Astronomical Algorithms"): a lunar month starts on the day of a new moon; month 11
// holds the winter solstice; a year of 13 months repeats the first month with no major
// solar term. Days are Julian day numbers.

constexpr double kPi = 3.14159265358979323846;

int Floor(double x) { return static_cast<int>(std::floor(x)); }

int JulianDay(absl::CivilDay day) {
  return static_cast<int>(day - absl::CivilDay(2000, 1, 1)) + 2451545;
}

absl::CivilDay FromJulianDay(int jd) { return absl::CivilDay(2000, 1, 1) + (jd - 2451545); }

// Julian date of the k-th new moon after 1900-01-01.
double NewMoon(int k) {
  const double t = k / 1236.85;
  const double t2 = t * t, t3 = t2 * t, dr = kPi / 180;
  double jd1 = 2415020.75933 + 29.53058868 * k + 0.0001178 * t2 - 0.000000155 * t3;
  jd1 += 0.00033 * std::sin((166.56 + 132.87 * t - 0.009173 * t2) * dr);
  const double m = 359.2242 + 29.10535608 * k - 0.0000333 * t2 - 0.00000347 * t3;
  const double mpr = 306.0253 + 385.81691806 * k + 0.0107306 * t2 + 0.00001236 * t3;
  const double f = 21.2964 + 390.67050646 * k - 0.0016528 * t2 - 0.00000239 * t3;
  double c1 = (0.1734 - 0.000393 * t) * std::sin(m * dr) + 0.0021 * std::sin(2 * dr * m);
  c1 = c1 - 0.4068 * std::sin(mpr * dr) + 0.0161 * std::sin(dr * 2 * mpr);
  c1 = c1 - 0.0004 * std::sin(dr * 3 * mpr);
  c1 = c1 + 0.0104 * std::sin(dr * 2 * f) - 0.0051 * std::sin(dr * (m + mpr));
  c1 = c1 - 0.0074 * std::sin(dr * (m - mpr)) + 0.0004 * std::sin(dr * (2 * f + m));
  c1 = c1 - 0.0004 * std::sin(dr * (2 * f - m)) - 0.0006 * std::sin(dr * (2 * f + mpr));
  c1 = c1 + 0.0010 * std::sin(dr * (2 * f - mpr)) + 0.0005 * std::sin(dr * (2 * mpr + m));
  const double delta_t =
      t < -11 ? 0.001 + 0.000839 * t + 0.0002261 * t2 - 0.00000845 * t3 - 0.000000081 * t * t3
              : -0.000278 + 0.000265 * t + 0.000262 * t2;
  return jd1 + c1 - delta_t;
}

// The sun's apparent longitude (radians, 0..2π) at Julian date `jdn`.
double SunLongitude(double jdn) {
  const double t = (jdn - 2451545.0) / 36525;
  const double t2 = t * t, dr = kPi / 180;
  const double m = 357.52910 + 35999.05030 * t - 0.0001559 * t2 - 0.00000048 * t * t2;
  const double l0 = 280.46645 + 36000.76983 * t + 0.0003032 * t2;
  double dl = (1.914600 - 0.004817 * t - 0.000014 * t2) * std::sin(dr * m);
  dl += (0.019993 - 0.000101 * t) * std::sin(dr * 2 * m) + 0.000290 * std::sin(dr * 3 * m);
  double l = (l0 + dl) * dr;
  return l - kPi * 2 * std::floor(l / (kPi * 2));
}

int NewMoonDay(int k, double tz) { return Floor(NewMoon(k) + 0.5 + tz / 24); }

// Which of the 12 major solar-term sectors the sun is in at the start of `day` (local).
int SunSector(int day, double tz) { return Floor(SunLongitude(day - 0.5 - tz / 24) / kPi * 6); }

// The first day of the lunar month that holds the winter solstice of solar year `year`.
int LunarMonth11(int year, double tz) {
  const int off = JulianDay(absl::CivilDay(year, 12, 31)) - 2415021;
  const int k = Floor(off / 29.530588853);
  int nm = NewMoonDay(k, tz);
  if (SunSector(nm, tz) >= 9) nm = NewMoonDay(k - 1, tz);
  return nm;
}

// In a 13-month year starting at month 11 `a11`: the offset of the leap month.
int LeapMonthOffset(int a11, double tz) {
  const int k = Floor((a11 - 2415021.076998695) / 29.530588853 + 0.5);
  int last = 0, i = 1;
  int arc = SunSector(NewMoonDay(k + i, tz), tz);
  do {
    last = arc;
    ++i;
    arc = SunSector(NewMoonDay(k + i, tz), tz);
  } while (arc != last && i < 14);
  return i - 1;
}

constexpr const char* kCan[] = {"Giáp", "Ất",   "Bính", "Đinh", "Mậu",
                                "Kỷ",   "Canh", "Tân",  "Nhâm", "Quý"};
constexpr const char* kChi[] = {"Tý",  "Sửu", "Dần",  "Mão", "Thìn", "Tỵ",
                                "Ngọ", "Mùi", "Thân", "Dậu", "Tuất", "Hợi"};

}  // namespace

LunarDate SolarToLunar(absl::CivilDay day, double tz) {
  const int day_number = JulianDay(day);
  // The new moon that starts the day's month: the estimate can be one lunation off either
  // way near a new moon, so settle it by looking at both neighbours.
  int k = Floor((day_number - 2415021.076998695) / 29.530588853);
  while (NewMoonDay(k, tz) > day_number) --k;
  while (NewMoonDay(k + 1, tz) <= day_number) ++k;
  const int month_start = NewMoonDay(k, tz);
  int a11 = LunarMonth11(static_cast<int>(day.year()), tz);
  int b11 = a11;
  LunarDate out;
  if (a11 >= month_start) {
    out.year = static_cast<int>(day.year());
    a11 = LunarMonth11(out.year - 1, tz);
  } else {
    out.year = static_cast<int>(day.year()) + 1;
    b11 = LunarMonth11(out.year, tz);
  }
  out.day = day_number - month_start + 1;
  const int diff = Floor((month_start - a11) / 29.0);
  out.month = diff + 11;
  if (b11 - a11 > 365) {
    const int leap_diff = LeapMonthOffset(a11, tz);
    if (diff >= leap_diff) {
      out.month = diff + 10;
      out.leap_month = diff == leap_diff;
    }
  }
  if (out.month > 12) out.month -= 12;
  if (out.month >= 11 && diff < 4) out.year -= 1;
  return out;
}

absl::StatusOr<absl::CivilDay> LunarToSolar(const LunarDate& date, double tz) {
  if (date.year < 1900 || date.year > 2100 || date.month < 1 || date.month > 12 || date.day < 1 ||
      date.day > 30) {
    return absl::InvalidArgumentError(
        absl::StrCat("lunar date ", date.day, "/", date.month, "/", date.year,
                     " is outside the calendar (years 1900-2100, months 1-12, days 1-30)"));
  }
  int a11, b11;
  if (date.month < 11) {
    a11 = LunarMonth11(date.year - 1, tz);
    b11 = LunarMonth11(date.year, tz);
  } else {
    a11 = LunarMonth11(date.year, tz);
    b11 = LunarMonth11(date.year + 1, tz);
  }
  const int k = Floor(0.5 + (a11 - 2415021.076998695) / 29.530588853);
  int off = date.month - 11;
  if (off < 0) off += 12;
  bool has_leap = false;
  if (b11 - a11 > 365) {
    const int leap_off = LeapMonthOffset(a11, tz);
    int leap_month = leap_off - 2;
    if (leap_month < 0) leap_month += 12;
    has_leap = date.leap_month && date.month == leap_month;
    if (date.leap_month && !has_leap) {
      return absl::InvalidArgumentError(
          absl::StrCat("lunar year ", date.year, " has no leap month ", date.month));
    }
    if (date.leap_month || off >= leap_off) off += 1;
  } else if (date.leap_month) {
    return absl::InvalidArgumentError(absl::StrCat("lunar year ", date.year, " has no leap month"));
  }
  const int month_start = NewMoonDay(k + off, tz);
  absl::CivilDay solar = FromJulianDay(month_start + date.day - 1);
  // Day 30 of a 29-day month would land in the next month.
  if (!(SolarToLunar(solar, tz) == date)) {
    return absl::InvalidArgumentError(
        absl::StrCat("lunar month ", date.month, " of ", date.year, " has only 29 days"));
  }
  return solar;
}

absl::CivilDay LunarNewYear(int year, double tz) {
  return *LunarToSolar(LunarDate{year, 1, 1, false}, tz);
}

std::string CanChiYear(int year) {
  return absl::StrCat(kCan[((year + 6) % 10 + 10) % 10], " ", kChi[((year + 8) % 12 + 12) % 12]);
}

}  // namespace dialogue::calendar
