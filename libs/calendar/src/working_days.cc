#include "dialogue/calendar/working_days.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace dialogue::calendar {

WorkingDayCalendar::WorkingDayCalendar(std::shared_ptr<const NationalCalendar> national,
                                       std::set<absl::CivilDay> tenant_days_off)
    : national_(std::move(national)) {
  for (auto day : tenant_days_off) {
    if (national_->IsWorkingDay(day)) tenant_days_off_.insert(day);
  }
}

bool WorkingDayCalendar::IsWorkingDay(absl::CivilDay day) const {
  return national_->IsWorkingDay(day) && tenant_days_off_.count(day) == 0;
}

int WorkingDayCalendar::CountUpTo(absl::CivilDay day) const {
  int own = 0;
  for (auto it = tenant_days_off_.begin(); it != tenant_days_off_.end() && *it <= day; ++it) ++own;
  return national_->WorkingDaysUpTo(day) - own;
}

int WorkingDayCalendar::WorkingDaysBetween(absl::CivilDay from, absl::CivilDay to) const {
  return CountUpTo(to) - CountUpTo(from);
}

absl::StatusOr<absl::CivilDay> WorkingDayCalendar::AddWorkingDays(absl::CivilDay start,
                                                                  int n) const {
  if (!national_->InRange(start)) {
    return absl::OutOfRangeError(absl::StrCat(absl::FormatCivilTime(start),
                                              " is outside the calendar's years ", kFirstYear, "-",
                                              kLastYear));
  }
  if (n == 0) return start;
  // One lookup in the national prefix table, moved on by the tenant's own days off that
  // fall inside the span until no more do (a handful at most).
  const int base =
      n > 0 ? national_->WorkingDaysUpTo(start) + n : national_->WorkingDaysUpTo(start - 1) + n + 1;
  for (int extra = 0;;) {
    const int index = n > 0 ? base + extra : base - extra;
    if (index < 1 || index > national_->TotalWorkingDays()) {
      return absl::OutOfRangeError(absl::StrCat(n, " working days from ",
                                                absl::FormatCivilTime(start),
                                                " falls outside the calendar's years"));
    }
    const absl::CivilDay candidate = national_->NthWorkingDay(index);
    int own = 0;
    for (auto day : tenant_days_off_) {
      if (n > 0 ? (day > start && day <= candidate) : (day >= candidate && day < start)) ++own;
    }
    if (own == extra) return candidate;
    extra = own;
  }
}

int DeadlineDays(const v1::TenantRules& rules, v1::DeadlineRule rule) {
  auto pick = [](int value, int fallback) { return value > 0 ? value : fallback; };
  switch (rule) {
    case v1::DEADLINE_CONCLUSION_NOTICE:
      return pick(rules.conclusion_notice_working_days(), 10);
    case v1::DEADLINE_CONCLUSION_NOTICE_EXTENDED:
      return pick(rules.conclusion_notice_extended_working_days(), 15);
    case v1::DEADLINE_AGENCY_REPORT:
      return pick(rules.agency_report_working_days(), 7);
    case v1::DEADLINE_ANNOUNCEMENT:
      return pick(rules.announcement_lead_days(), 7);
    case v1::DEADLINE_RESULTS_PUBLICATION:
      return pick(rules.results_publication_days(), 10);
    case v1::DEADLINE_REQUIRED_DIALOGUE:
      return pick(rules.required_dialogue_days(), 30);
    default:
      return 0;
  }
}

absl::StatusOr<v1::DueDate> ComputeDueDate(const WorkingDayCalendar& calendar,
                                           const v1::TenantRules& rules, v1::DeadlineRule rule,
                                           absl::CivilDay start, int working_days) {
  int days = DeadlineDays(rules, rule);
  bool working = true;
  bool before = false;
  std::string what;
  switch (rule) {
    case v1::DEADLINE_CONCLUSION_NOTICE:
      what = "conclusion notice after the conference";
      break;
    case v1::DEADLINE_CONCLUSION_NOTICE_EXTENDED:
      what = "conclusion notice (complex items) after the conference";
      break;
    case v1::DEADLINE_AGENCY_REPORT:
      what = "agency report after the conclusion notice";
      break;
    case v1::DEADLINE_ANNOUNCEMENT:
      working = false;
      before = true;
      what = "public announcement before the conference";
      break;
    case v1::DEADLINE_RESULTS_PUBLICATION:
      working = false;
      what = "results published after the conference";
      break;
    case v1::DEADLINE_REQUIRED_DIALOGUE:
      working = false;
      what = "a dialogue the voters required, after their requests";
      break;
    case v1::DEADLINE_WORKING_DAYS:
      if (working_days <= 0 || working_days > 366) {
        return absl::InvalidArgumentError("working_days must be between 1 and 366");
      }
      days = working_days;
      what = "working days after the start";
      break;
    default:
      return absl::InvalidArgumentError("say which deadline rule to compute");
  }
  v1::DueDate out;
  out.set_days(days);
  out.set_working(working);
  absl::CivilDay due = before ? start - days : start + days;
  if (working) {
    auto added = calendar.AddWorkingDays(start, days);
    if (!added.ok()) return added.status();
    due = *added;
  }
  std::vector<std::string> skipped;
  if (working) {
    for (absl::CivilDay d = start + 1; d < due; ++d) {
      auto wd = absl::GetWeekday(d);
      if (wd != absl::Weekday::saturday && wd != absl::Weekday::sunday &&
          !calendar.IsWorkingDay(d)) {
        skipped.push_back(absl::StrCat(d.day(), "/", d.month()));
      }
    }
  }
  out.set_due_date(absl::FormatCivilTime(due));
  out.set_explanation(absl::StrCat(
      days, working ? " working" : "", " days ", before ? "before " : "after ",
      absl::FormatCivilTime(start), " (", what, ")",
      skipped.empty() ? "" : absl::StrCat(", skipping days off ", absl::StrJoin(skipped, ", "))));
  return out;
}

}  // namespace dialogue::calendar
