#include "dialogue/calendar/holidays.h"

#include <google/protobuf/util/json_util.h>

#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "dialogue/calendar/lunar.h"

namespace dialogue::calendar {
namespace {

bool IsWeekend(absl::CivilDay day) {
  auto wd = absl::GetWeekday(day);
  return wd == absl::Weekday::saturday || wd == absl::Weekday::sunday;
}

absl::StatusOr<absl::CivilDay> ParseDay(const std::string& text, int year) {
  int y = 0, m = 0, d = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' ||
      !absl::SimpleAtoi(text.substr(0, 4), &y) || !absl::SimpleAtoi(text.substr(5, 2), &m) ||
      !absl::SimpleAtoi(text.substr(8, 2), &d)) {
    return absl::InvalidArgumentError(
        absl::StrCat("year ", year, ": '", text, "' is not a date as YYYY-MM-DD"));
  }
  absl::CivilDay day(y, m, d);
  if (day.year() != y || day.month() != m || day.day() != d) {
    return absl::InvalidArgumentError(absl::StrCat("year ", year, ": '", text, "' is not a day"));
  }
  return day;
}

struct Holiday {
  absl::CivilDay day;
  std::string name;
};

// The statutory holidays of a year by the defaults of the Labour Code 2019, art. 112.
std::vector<Holiday> DefaultHolidays(int year, bool tet, bool national_day) {
  std::vector<Holiday> out = {{absl::CivilDay(year, 1, 1), "Tết Dương lịch"}};
  if (tet) {
    absl::CivilDay new_year = LunarNewYear(year);
    out.push_back({new_year - 1, "Tết Nguyên đán (cuối năm âm lịch)"});
    for (int i = 0; i < 4; ++i) {
      out.push_back({new_year + i, absl::StrCat("Tết Nguyên đán (mùng ", i + 1, ")")});
    }
  }
  out.push_back({*LunarToSolar(LunarDate{year, 3, 10, false}), "Giỗ Tổ Hùng Vương (10/3 âm lịch)"});
  out.push_back({absl::CivilDay(year, 4, 30), "Ngày Chiến thắng"});
  out.push_back({absl::CivilDay(year, 5, 1), "Ngày Quốc tế Lao động"});
  if (national_day) {
    absl::CivilDay sep2(year, 9, 2);
    out.push_back({sep2, "Quốc khánh"});
    // The adjacent day is set by each year's decision; without one, the day that joins
    // the holiday to a weekend where it can (as in 2022-2025).
    switch (absl::GetWeekday(sep2)) {
      case absl::Weekday::tuesday:
      case absl::Weekday::friday:
      case absl::Weekday::saturday:
        out.push_back({sep2 - 1, "Quốc khánh (ngày liền kề)"});
        break;
      default:
        out.push_back({sep2 + 1, "Quốc khánh (ngày liền kề)"});
    }
  }
  return out;
}

}  // namespace

absl::StatusOr<v1::HolidayDecisions> NationalCalendar::ParseDecisions(const std::string& json) {
  v1::HolidayDecisions decisions;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto status = google::protobuf::util::JsonStringToMessage(json, &decisions, options);
  if (!status.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("holiday data: ", status.ToString()));
  }
  return decisions;
}

absl::StatusOr<std::shared_ptr<const NationalCalendar>> NationalCalendar::Load(
    const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read the holiday data file ", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  auto decisions = ParseDecisions(buffer.str());
  if (!decisions.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", decisions.status().message()));
  }
  return Build(*decisions);
}

absl::StatusOr<std::shared_ptr<const NationalCalendar>> NationalCalendar::Build(
    const v1::HolidayDecisions& decisions) {
  std::shared_ptr<NationalCalendar> cal(new NationalCalendar());
  std::map<int, const v1::YearDecision*> by_year;
  for (const auto& d : decisions.years()) {
    if (d.year() < kFirstYear || d.year() > kLastYear) {
      return absl::InvalidArgumentError(absl::StrCat("holiday data: year ", d.year(),
                                                     " is outside ", kFirstYear, "-", kLastYear));
    }
    if (!by_year.emplace(d.year(), &d).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("holiday data: year ", d.year(), " appears twice"));
    }
  }

  std::set<absl::CivilDay> off;  // every day off, weekends included, for compensation
  auto add_off = [&](absl::CivilDay day, v1::DayOffKind kind, const std::string& name) {
    off.insert(day);
    if (!IsWeekend(day)) cal->days_off_.emplace(day, DayOffEntry{day, kind, name});
  };
  for (int year = kFirstYear; year <= kLastYear; ++year) {
    auto it = by_year.find(year);
    const v1::YearDecision* decision = it == by_year.end() ? nullptr : it->second;
    cal->sources_[year] = decision != nullptr && !decision->source().empty()
                              ? decision->source()
                              : "Labour Code 2019 defaults";
    bool own_tet = decision != nullptr && decision->tet_days_off_size() > 0;
    bool own_national = decision != nullptr && decision->national_day_days_off_size() > 0;
    // Statutory days; one on a weekend gives the next free weekday off (art. 111(3)).
    for (const Holiday& h : DefaultHolidays(year, !own_tet, !own_national)) {
      add_off(h.day, v1::PUBLIC_HOLIDAY, h.name);
    }
    for (const Holiday& h : DefaultHolidays(year, !own_tet, !own_national)) {
      if (!IsWeekend(h.day)) continue;
      absl::CivilDay comp = h.day + 1;
      while (IsWeekend(comp) || off.count(comp) > 0) comp += 1;
      add_off(comp, v1::COMPENSATORY, absl::StrCat("Nghỉ bù ", h.name));
    }
    if (decision == nullptr) continue;
    auto add_list = [&](const google::protobuf::RepeatedPtrField<std::string>& list,
                        v1::DayOffKind kind, const std::string& name) -> absl::Status {
      for (const auto& text : list) {
        auto day = ParseDay(text, year);
        if (!day.ok()) return day.status();
        add_off(*day, kind, name);
      }
      return absl::OkStatus();
    };
    auto status = add_list(decision->tet_days_off(), v1::PUBLIC_HOLIDAY, "Tết Nguyên đán");
    if (status.ok())
      status = add_list(decision->national_day_days_off(), v1::PUBLIC_HOLIDAY, "Quốc khánh");
    if (status.ok()) {
      status = add_list(decision->swapped_days_off(), v1::SWAPPED, "Nghỉ hoán đổi ngày làm việc");
    }
    if (!status.ok()) return status;
    for (const auto& text : decision->make_up_working_days()) {
      auto day = ParseDay(text, year);
      if (!day.ok()) return day.status();
      if (!IsWeekend(*day)) {
        return absl::InvalidArgumentError(
            absl::StrCat("year ", year, ": make-up working day ", text, " is not a weekend day"));
      }
      cal->make_up_.push_back(*day);
    }
  }
  std::sort(cal->make_up_.begin(), cal->make_up_.end());

  // Prefix counts: working days in [first_, day] for every day, and the list of them.
  const int days = static_cast<int>(cal->last_ - cal->first_) + 1;
  cal->working_up_to_.resize(days);
  std::set<absl::CivilDay> make_up(cal->make_up_.begin(), cal->make_up_.end());
  int count = 0;
  for (int i = 0; i < days; ++i) {
    absl::CivilDay day = cal->first_ + i;
    bool working = make_up.count(day) > 0 || (!IsWeekend(day) && cal->days_off_.count(day) == 0);
    if (working) {
      ++count;
      cal->working_.push_back(day);
    }
    cal->working_up_to_[i] = count;
  }
  return std::shared_ptr<const NationalCalendar>(std::move(cal));
}

bool NationalCalendar::IsWorkingDay(absl::CivilDay day) const {
  if (!InRange(day)) return false;
  int i = Index(day);
  return working_up_to_[i] != (i == 0 ? 0 : working_up_to_[i - 1]);
}

int NationalCalendar::WorkingDaysUpTo(absl::CivilDay day) const {
  if (day < first_) return 0;
  if (day > last_) return TotalWorkingDays();
  return working_up_to_[Index(day)];
}

absl::CivilDay NationalCalendar::NthWorkingDay(int n) const { return working_[n - 1]; }

std::vector<DayOffEntry> NationalCalendar::DaysOff(int year) const {
  std::vector<DayOffEntry> out;
  for (auto it = days_off_.lower_bound(absl::CivilDay(year, 1, 1));
       it != days_off_.end() && it->first.year() == year; ++it) {
    out.push_back(it->second);
  }
  return out;
}

std::vector<absl::CivilDay> NationalCalendar::MakeUpWorkingDays(int year) const {
  std::vector<absl::CivilDay> out;
  for (auto day : make_up_) {
    if (day.year() == year) out.push_back(day);
  }
  return out;
}

std::string NationalCalendar::SourceOf(int year) const {
  auto it = sources_.find(year);
  return it == sources_.end() ? "" : it->second;
}

}  // namespace dialogue::calendar
