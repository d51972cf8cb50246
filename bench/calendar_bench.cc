// AddWorkingDays over a decade of start dates (2020-2029), ten working days each: the
// prefix-table implementation beside day-by-day stepping, measured in the same run.
#include <benchmark/benchmark.h>

#include <vector>

#include "dialogue/calendar/holidays.h"
#include "dialogue/calendar/lunar.h"
#include "dialogue/calendar/working_days.h"

namespace {

using dialogue::calendar::NationalCalendar;
using dialogue::calendar::WorkingDayCalendar;

std::shared_ptr<const NationalCalendar> Calendar() {
  static auto cal =
      *NationalCalendar::Load(DIALOGUE_SOURCE_DIR "/libs/calendar/data/vn_holidays.json");
  return cal;
}

std::vector<absl::CivilDay> Decade() {
  std::vector<absl::CivilDay> days;
  for (absl::CivilDay d(2020, 1, 1); d < absl::CivilDay(2030, 1, 1); d += 1) days.push_back(d);
  return days;
}

// The baseline: step one day at a time, asking whether each is a working day.
absl::CivilDay DayByDay(const WorkingDayCalendar& cal, absl::CivilDay start, int n) {
  absl::CivilDay d = start;
  while (n > 0) {
    d += 1;
    if (cal.IsWorkingDay(d)) --n;
  }
  return d;
}

void BM_AddWorkingDays_DayByDay(benchmark::State& state) {
  WorkingDayCalendar cal(Calendar());
  auto days = Decade();
  for (auto _ : state) {
    for (auto d : days) benchmark::DoNotOptimize(DayByDay(cal, d, 10));
  }
  state.SetItemsProcessed(state.iterations() * days.size());
}
BENCHMARK(BM_AddWorkingDays_DayByDay);

void BM_AddWorkingDays(benchmark::State& state) {
  WorkingDayCalendar cal(Calendar());
  auto days = Decade();
  for (auto _ : state) {
    for (auto d : days) benchmark::DoNotOptimize(cal.AddWorkingDays(d, 10));
  }
  state.SetItemsProcessed(state.iterations() * days.size());
}
BENCHMARK(BM_AddWorkingDays);

void BM_AddWorkingDays_WithTenantDaysOff(benchmark::State& state) {
  std::set<absl::CivilDay> own;
  for (int y = 2020; y < 2030; ++y) own.insert(absl::CivilDay(y, 10, 20));
  WorkingDayCalendar cal(Calendar(), own);
  auto days = Decade();
  for (auto _ : state) {
    for (auto d : days) benchmark::DoNotOptimize(cal.AddWorkingDays(d, 10));
  }
  state.SetItemsProcessed(state.iterations() * days.size());
}
BENCHMARK(BM_AddWorkingDays_WithTenantDaysOff);

void BM_SolarToLunar(benchmark::State& state) {
  auto days = Decade();
  for (auto _ : state) {
    for (auto d : days) benchmark::DoNotOptimize(dialogue::calendar::SolarToLunar(d));
  }
  state.SetItemsProcessed(state.iterations() * days.size());
}
BENCHMARK(BM_SolarToLunar);

// What a service pays at start-up or on reload: every year 1901-2099.
void BM_BuildNationalCalendar(benchmark::State& state) {
  dialogue::v1::HolidayDecisions none;
  for (auto _ : state) benchmark::DoNotOptimize(NationalCalendar::Build(none));
}
BENCHMARK(BM_BuildNationalCalendar)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
