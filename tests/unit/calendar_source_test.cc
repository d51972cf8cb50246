#include "dialogue/calendar/calendar_source.h"

#include <filesystem>
#include <fstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "test_support.h"

namespace dialogue::calendar {
namespace {

using ::dialogue::testing::IsOk;
using ::dialogue::testing::StatusIs;

void Write(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
  // Make the change visible to an mtime check even within the same clock tick.
  auto t = std::filesystem::last_write_time(path);
  std::filesystem::last_write_time(path, t + std::chrono::seconds(1));
}

TEST(CalendarSource, PicksUpAnEditedFileAndKeepsTheOldOneWhenTheEditIsBroken) {
  std::string path = absl::StrCat(std::filesystem::temp_directory_path().string(), "/holidays-",
                                  std::rand(), ".json");
  Write(path, R"({"years":[]})");
  auto source = CalendarSource::Open(path, absl::ZeroDuration());
  ASSERT_THAT(source, IsOk());
  absl::CivilDay day(2027, 6, 15);
  EXPECT_TRUE((*source)->Current()->IsWorkingDay(day));

  Write(path, R"({"years":[{"year":2027,"swappedDaysOff":["2027-06-15"]}]})");
  EXPECT_FALSE((*source)->Current()->IsWorkingDay(day));

  Write(path, R"({"years":[{"year":2027,"swappedDaysOf":["2027-06-16"]}]})");  // a typo
  EXPECT_FALSE((*source)->Current()->IsWorkingDay(day));  // previous decision stays
  EXPECT_TRUE((*source)->Current()->IsWorkingDay(day + 1));
  std::filesystem::remove(path);
}

TEST(CalendarSource, RefusesToOpenAMissingOrBrokenFile) {
  EXPECT_THAT(CalendarSource::Open("/no/such/holidays.json"),
              StatusIs(absl::StatusCode::kNotFound));
  std::string path = absl::StrCat(std::filesystem::temp_directory_path().string(), "/broken-",
                                  std::rand(), ".json");
  Write(path, "{not json");
  EXPECT_THAT(CalendarSource::Open(path), StatusIs(absl::StatusCode::kInvalidArgument));
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace dialogue::calendar
