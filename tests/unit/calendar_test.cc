#include <random>

#include "absl/strings/str_cat.h"
#include "dialogue/calendar/holidays.h"
#include "dialogue/calendar/lunar.h"
#include "dialogue/calendar/working_days.h"
#include "test_support.h"

namespace dialogue::calendar {
namespace {

using absl::CivilDay;
using absl::StatusCode;
using ::dialogue::testing::IsOk;
using ::dialogue::testing::StatusIs;

std::string Fmt(CivilDay d) { return absl::FormatCivilTime(d); }

std::shared_ptr<const NationalCalendar> RepositoryCalendar() {
  static auto cal = NationalCalendar::Load(
      absl::StrCat(DIALOGUE_SOURCE_DIR, "/libs/calendar/data/vn_holidays.json"));
  EXPECT_THAT(cal, IsOk());
  return *cal;
}

// Mùng 1 Tết as published in Vietnam.
TEST(LunarCalendar, GivesVietnamsTetForFortyYears) {
  const std::map<int, CivilDay> tet = {
      {1985, CivilDay(1985, 1, 21)}, {1990, CivilDay(1990, 1, 27)}, {1991, CivilDay(1991, 2, 15)},
      {1992, CivilDay(1992, 2, 4)},  {1993, CivilDay(1993, 1, 23)}, {1994, CivilDay(1994, 2, 10)},
      {1995, CivilDay(1995, 1, 31)}, {1996, CivilDay(1996, 2, 19)}, {1997, CivilDay(1997, 2, 7)},
      {1998, CivilDay(1998, 1, 28)}, {1999, CivilDay(1999, 2, 16)}, {2000, CivilDay(2000, 2, 5)},
      {2001, CivilDay(2001, 1, 24)}, {2002, CivilDay(2002, 2, 12)}, {2003, CivilDay(2003, 2, 1)},
      {2004, CivilDay(2004, 1, 22)}, {2005, CivilDay(2005, 2, 9)},  {2006, CivilDay(2006, 1, 29)},
      {2007, CivilDay(2007, 2, 17)}, {2008, CivilDay(2008, 2, 7)},  {2009, CivilDay(2009, 1, 26)},
      {2010, CivilDay(2010, 2, 14)}, {2011, CivilDay(2011, 2, 3)},  {2012, CivilDay(2012, 1, 23)},
      {2013, CivilDay(2013, 2, 10)}, {2014, CivilDay(2014, 1, 31)}, {2015, CivilDay(2015, 2, 19)},
      {2016, CivilDay(2016, 2, 8)},  {2017, CivilDay(2017, 1, 28)}, {2018, CivilDay(2018, 2, 16)},
      {2019, CivilDay(2019, 2, 5)},  {2020, CivilDay(2020, 1, 25)}, {2021, CivilDay(2021, 2, 12)},
      {2022, CivilDay(2022, 2, 1)},  {2023, CivilDay(2023, 1, 22)}, {2024, CivilDay(2024, 2, 10)},
      {2025, CivilDay(2025, 1, 29)}, {2026, CivilDay(2026, 2, 17)}, {2027, CivilDay(2027, 2, 6)},
      {2028, CivilDay(2028, 1, 26)}, {2029, CivilDay(2029, 2, 13)}, {2030, CivilDay(2030, 2, 2)},
  };
  for (const auto& [year, day] : tet) {
    EXPECT_EQ(Fmt(LunarNewYear(year)), Fmt(day)) << year;
    EXPECT_EQ(SolarToLunar(day), (LunarDate{year, 1, 1, false})) << year;
    EXPECT_EQ(SolarToLunar(day - 1).year, year - 1) << year;
  }
}

TEST(LunarCalendar, DiffersFromTheChineseCalendarWhereVietnamsTimeZoneDoes) {
  // Tết 1985 and 2007 came a day or a month apart in the two countries.
  EXPECT_EQ(Fmt(LunarNewYear(1985, 7)), "1985-01-21");
  EXPECT_EQ(Fmt(LunarNewYear(1985, 8)), "1985-02-20");
  EXPECT_EQ(Fmt(LunarNewYear(2007, 7)), "2007-02-17");
  EXPECT_EQ(Fmt(LunarNewYear(2007, 8)), "2007-02-18");
  EXPECT_EQ(Fmt(LunarNewYear(1968, 7)), "1968-01-29");
  EXPECT_EQ(Fmt(LunarNewYear(1968, 8)), "1968-01-30");
  EXPECT_EQ(Fmt(LunarNewYear(2030, 7)), "2030-02-02");
  EXPECT_EQ(Fmt(LunarNewYear(2030, 8)), "2030-02-03");
}

TEST(LunarCalendar, PlacesHungKingsDay) {
  const std::map<int, CivilDay> gio_to = {
      {2016, CivilDay(2016, 4, 16)}, {2017, CivilDay(2017, 4, 6)},  {2018, CivilDay(2018, 4, 25)},
      {2019, CivilDay(2019, 4, 14)}, {2020, CivilDay(2020, 4, 2)},  {2021, CivilDay(2021, 4, 21)},
      {2022, CivilDay(2022, 4, 10)}, {2023, CivilDay(2023, 4, 29)}, {2024, CivilDay(2024, 4, 18)},
      {2025, CivilDay(2025, 4, 7)},  {2026, CivilDay(2026, 4, 26)},
  };
  for (const auto& [year, day] : gio_to) {
    auto solar = LunarToSolar({year, 3, 10, false});
    ASSERT_THAT(solar, IsOk());
    EXPECT_EQ(Fmt(*solar), Fmt(day)) << year;
  }
}

TEST(LunarCalendar, KnowsLeapMonths) {
  EXPECT_EQ(SolarToLunar(CivilDay(2020, 5, 23)), (LunarDate{2020, 4, 1, true}));
  EXPECT_EQ(SolarToLunar(CivilDay(2023, 3, 22)), (LunarDate{2023, 2, 1, true}));
  EXPECT_EQ(SolarToLunar(CivilDay(2025, 7, 25)), (LunarDate{2025, 6, 1, true}));
  EXPECT_EQ(Fmt(*LunarToSolar({2025, 6, 1, true})), "2025-07-25");
  EXPECT_THAT(LunarToSolar({2026, 6, 1, true}), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(LunarToSolar({2025, 5, 1, true}), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(LunarToSolar({2026, 13, 1, false}), StatusIs(StatusCode::kInvalidArgument));
}

TEST(LunarCalendar, RoundTripsEveryDayFrom1901To2099) {
  int months_of_30 = 0;
  for (CivilDay d(1901, 3, 1); d <= CivilDay(2099, 12, 31); d += 1) {
    LunarDate lunar = SolarToLunar(d);
    auto back = LunarToSolar(lunar);
    ASSERT_THAT(back, IsOk()) << Fmt(d);
    ASSERT_EQ(*back, d) << Fmt(d);
    if (lunar.day == 30) ++months_of_30;
  }
  EXPECT_GT(months_of_30, 1000);  // about half the months have 30 days
  // A day 30 that a month lacks is refused, not moved into the next month: tháng Chạp of
  // Ất Tỵ ends on 29 (16/2/2026; Tết Bính Ngọ is 17/2).
  EXPECT_EQ(Fmt(*LunarToSolar({2025, 12, 29, false})), "2026-02-16");
  EXPECT_THAT(LunarToSolar({2025, 12, 30, false}), StatusIs(StatusCode::kInvalidArgument));
}

TEST(LunarCalendar, NamesYears) {
  EXPECT_EQ(CanChiYear(2026), "Bính Ngọ");
  EXPECT_EQ(CanChiYear(2025), "Ất Tỵ");
  EXPECT_EQ(CanChiYear(1985), "Ất Sửu");
}

std::vector<std::string> DaysOffOf(const NationalCalendar& cal, int year) {
  std::vector<std::string> out;
  for (const auto& d : cal.DaysOff(year)) out.push_back(Fmt(d.day));
  return out;
}

TEST(NationalHolidays, Follow2026sDecisionAndTheDefaults) {
  auto cal = RepositoryCalendar();
  // Tết 16-20/2 by decision; Giỗ Tổ (26/4) is a Sunday: Monday 27/4 off instead.
  EXPECT_EQ(DaysOffOf(*cal, 2026),
            (std::vector<std::string>{"2026-01-01", "2026-02-16", "2026-02-17", "2026-02-18",
                                      "2026-02-19", "2026-02-20", "2026-04-27", "2026-04-30",
                                      "2026-05-01", "2026-09-02", "2026-09-03"}));
  EXPECT_FALSE(cal->IsWorkingDay(CivilDay(2026, 2, 16)));
  EXPECT_TRUE(cal->IsWorkingDay(CivilDay(2026, 2, 23)));
}

TEST(NationalHolidays, ApplySwappedDaysAndMakeUpSaturdays) {
  auto cal = RepositoryCalendar();
  EXPECT_FALSE(cal->IsWorkingDay(CivilDay(2025, 5, 2)));  // swapped Friday
  EXPECT_TRUE(cal->IsWorkingDay(CivilDay(2025, 4, 26)));  // made-up Saturday
  EXPECT_FALSE(cal->IsWorkingDay(CivilDay(2025, 4, 7)));  // Giỗ Tổ
  EXPECT_FALSE(cal->IsWorkingDay(CivilDay(2025, 9, 1)));  // adjacent day of Quốc khánh
  EXPECT_EQ(cal->SourceOf(2025).rfind("Công văn 8726/VPCP-KGVX", 0), 0u);
  EXPECT_EQ(cal->SourceOf(2031), "Labour Code 2019 defaults");
}

TEST(NationalHolidays, CompensateHolidaysOnAWeekend) {
  auto cal = RepositoryCalendar();
  // 2023: Giỗ Tổ on Saturday 29/4 and 30/4 on Sunday: off until Wednesday 3/5, as decided.
  for (CivilDay d : {CivilDay(2023, 5, 1), CivilDay(2023, 5, 2), CivilDay(2023, 5, 3)}) {
    EXPECT_FALSE(cal->IsWorkingDay(d)) << Fmt(d);
  }
  EXPECT_TRUE(cal->IsWorkingDay(CivilDay(2023, 5, 4)));
  // 2/9/2023 on a Saturday: Friday 1/9 and Monday 4/9 off.
  EXPECT_FALSE(cal->IsWorkingDay(CivilDay(2023, 9, 1)));
  EXPECT_FALSE(cal->IsWorkingDay(CivilDay(2023, 9, 4)));
  // A year with no decision: Tết 2030 (mùng 1 on Saturday 2/2) gets its weekend days back
  // on Wednesday and Thursday.
  std::vector<std::string> tet2030;
  for (const auto& d : cal->DaysOff(2030)) {
    if (d.day.month() == 2) tet2030.push_back(Fmt(d.day));
  }
  EXPECT_EQ(tet2030, (std::vector<std::string>{"2030-02-01", "2030-02-04", "2030-02-05",
                                               "2030-02-06", "2030-02-07"}));
}

TEST(NationalHolidays, RefuseAMalformedDataFile) {
  EXPECT_THAT(NationalCalendar::ParseDecisions(R"({"years":[{"year":2026,"tetDays":["x"]}]})"),
              StatusIs(StatusCode::kInvalidArgument));
  auto bad_date =
      NationalCalendar::ParseDecisions(R"({"years":[{"year":2026,"tetDaysOff":["2026-02-30"]}]})");
  ASSERT_THAT(bad_date, IsOk());
  EXPECT_THAT(NationalCalendar::Build(*bad_date), StatusIs(StatusCode::kInvalidArgument));
  auto twice = NationalCalendar::ParseDecisions(R"({"years":[{"year":2026},{"year":2026}]})");
  EXPECT_THAT(NationalCalendar::Build(*twice), StatusIs(StatusCode::kInvalidArgument));
  auto weekday = NationalCalendar::ParseDecisions(
      R"({"years":[{"year":2026,"makeUpWorkingDays":["2026-02-11"]}]})");
  EXPECT_THAT(NationalCalendar::Build(*weekday), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(NationalCalendar::Load("/no/such/file.json"), StatusIs(StatusCode::kNotFound));
}

TEST(WorkingDays, CountAcrossTetAndTheYearEnd) {
  WorkingDayCalendar cal(RepositoryCalendar());
  EXPECT_EQ(Fmt(*cal.AddWorkingDays(CivilDay(2026, 2, 12), 3)), "2026-02-24");
  EXPECT_EQ(Fmt(*cal.AddWorkingDays(CivilDay(2025, 12, 29), 5)), "2026-01-06");
  EXPECT_EQ(Fmt(*cal.AddWorkingDays(CivilDay(2026, 2, 23), -1)), "2026-02-13");
  EXPECT_EQ(Fmt(*cal.AddWorkingDays(CivilDay(2026, 2, 14), 1)), "2026-02-23");  // from a day off
  EXPECT_EQ(cal.WorkingDaysBetween(CivilDay(2026, 2, 13), CivilDay(2026, 2, 23)), 1);
  EXPECT_EQ(cal.WorkingDaysBetween(CivilDay(2026, 2, 23), CivilDay(2026, 2, 13)), -1);
  EXPECT_THAT(cal.AddWorkingDays(CivilDay(2100, 12, 1), 5), StatusIs(StatusCode::kOutOfRange));
  EXPECT_THAT(cal.AddWorkingDays(CivilDay(2099, 12, 30), 5), StatusIs(StatusCode::kOutOfRange));
}

TEST(WorkingDays, SkipTheTenantsOwnDaysOff) {
  WorkingDayCalendar national(RepositoryCalendar());
  WorkingDayCalendar storm(RepositoryCalendar(),
                           {CivilDay(2026, 5, 5), CivilDay(2026, 5, 6), CivilDay(2026, 5, 9)});
  EXPECT_FALSE(storm.IsWorkingDay(CivilDay(2026, 5, 5)));
  EXPECT_EQ(Fmt(*national.AddWorkingDays(CivilDay(2026, 5, 4), 3)), "2026-05-07");
  EXPECT_EQ(Fmt(*storm.AddWorkingDays(CivilDay(2026, 5, 4), 3)), "2026-05-11");
  EXPECT_EQ(Fmt(*storm.AddWorkingDays(CivilDay(2026, 5, 11), -3)), "2026-05-04");
  EXPECT_EQ(storm.WorkingDaysBetween(CivilDay(2026, 5, 4), CivilDay(2026, 5, 11)), 3);
}

// Day by day: the obviously right way, to check the fast way against.
CivilDay NaiveAdd(const WorkingDayCalendar& cal, CivilDay start, int n) {
  CivilDay d = start;
  for (int left = std::abs(n); left > 0;) {
    d += n > 0 ? 1 : -1;
    if (cal.IsWorkingDay(d)) --left;
  }
  return d;
}

TEST(WorkingDays, AddingThenCountingRoundTripsAndMatchesDayByDay) {
  std::mt19937 rng(20261122);
  std::uniform_int_distribution<int> day_of(0, 365 * 180);
  std::uniform_int_distribution<int> count(-400, 400);
  std::set<CivilDay> local;
  for (int i = 0; i < 200; ++i) local.insert(CivilDay(1950, 1, 1) + day_of(rng));
  for (const auto& cal : {WorkingDayCalendar(RepositoryCalendar()),
                          WorkingDayCalendar(RepositoryCalendar(), local)}) {
    for (int i = 0; i < 3000; ++i) {
      CivilDay start = CivilDay(1910, 1, 1) + day_of(rng);
      int n = count(rng);
      auto end = cal.AddWorkingDays(start, n);
      ASSERT_THAT(end, IsOk());
      ASSERT_EQ(*end, NaiveAdd(cal, start, n)) << Fmt(start) << " + " << n;
      if (n > 0) {
        ASSERT_EQ(cal.WorkingDaysBetween(start, *end), n) << Fmt(start) << " + " << n;
      } else if (n < 0) {
        ASSERT_EQ(cal.WorkingDaysBetween(*end - 1, start - 1), -n) << Fmt(start) << " + " << n;
      }
      if (n != 0) {
        ASSERT_TRUE(cal.IsWorkingDay(*end));
      }
    }
  }
}

TEST(DeadlineRules, ConclusionNoticeIsDueTenWorkingDaysAfterTheSession) {
  WorkingDayCalendar cal(RepositoryCalendar());
  v1::TenantRules rules;  // defaults of domain.md
  // Friday 24/4/2026; Giỗ Tổ's compensation day, 30/4 and 1/5 do not count.
  auto due = ComputeDueDate(cal, rules, v1::DEADLINE_CONCLUSION_NOTICE, CivilDay(2026, 4, 24));
  ASSERT_THAT(due, IsOk());
  EXPECT_EQ(due->due_date(), "2026-05-13");
  EXPECT_NE(due->explanation().find("27/4, 30/4, 1/5"), std::string::npos) << due->explanation();
  EXPECT_EQ(
      ComputeDueDate(cal, rules, v1::DEADLINE_CONCLUSION_NOTICE_EXTENDED, CivilDay(2026, 4, 24))
          ->due_date(),
      "2026-05-20");
  EXPECT_EQ(
      ComputeDueDate(cal, rules, v1::DEADLINE_AGENCY_REPORT, CivilDay(2026, 5, 13))->due_date(),
      "2026-05-22");
  EXPECT_EQ(
      ComputeDueDate(cal, rules, v1::DEADLINE_ANNOUNCEMENT, CivilDay(2026, 4, 24))->due_date(),
      "2026-04-17");
  rules.set_announcement_lead_days(5);  // seed 001
  EXPECT_EQ(
      ComputeDueDate(cal, rules, v1::DEADLINE_ANNOUNCEMENT, CivilDay(2026, 4, 24))->due_date(),
      "2026-04-19");
  EXPECT_EQ(ComputeDueDate(cal, rules, v1::DEADLINE_RESULTS_PUBLICATION, CivilDay(2026, 4, 24))
                ->due_date(),
            "2026-05-04");
  // A dialogue the voters required: 30 calendar days unless the commune says otherwise.
  EXPECT_EQ(
      ComputeDueDate(cal, rules, v1::DEADLINE_REQUIRED_DIALOGUE, CivilDay(2026, 4, 24))->due_date(),
      "2026-05-24");
  EXPECT_EQ(DeadlineDays(rules, v1::DEADLINE_REQUIRED_DIALOGUE), 30);
  EXPECT_EQ(
      ComputeDueDate(cal, rules, v1::DEADLINE_WORKING_DAYS, CivilDay(2026, 2, 12), 3)->due_date(),
      "2026-02-24");
  EXPECT_THAT(ComputeDueDate(cal, rules, v1::DEADLINE_WORKING_DAYS, CivilDay(2026, 2, 12), 0),
              StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ComputeDueDate(cal, rules, v1::DEADLINE_RULE_UNSPECIFIED, CivilDay(2026, 2, 12)),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST(DeadlineRules, FollowANewDecisionWhenTheCalendarIsReloaded) {
  // A storm decision gives 12/5/2026 off nationally: the same rule from the same start
  // now lands a day later. Nothing stored the old answer.
  auto decisions = NationalCalendar::ParseDecisions(
      R"({"years":[{"year":2026,"tetDaysOff":["2026-02-16","2026-02-17","2026-02-18","2026-02-19","2026-02-20"],"swappedDaysOff":["2026-05-12"]}]})");
  ASSERT_THAT(decisions, IsOk());
  auto updated = NationalCalendar::Build(*decisions);
  ASSERT_THAT(updated, IsOk());
  v1::TenantRules rules;
  EXPECT_EQ(ComputeDueDate(WorkingDayCalendar(RepositoryCalendar()), rules,
                           v1::DEADLINE_CONCLUSION_NOTICE, CivilDay(2026, 4, 24))
                ->due_date(),
            "2026-05-13");
  EXPECT_EQ(ComputeDueDate(WorkingDayCalendar(*updated), rules, v1::DEADLINE_CONCLUSION_NOTICE,
                           CivilDay(2026, 4, 24))
                ->due_date(),
            "2026-05-14");
}

}  // namespace
}  // namespace dialogue::calendar
