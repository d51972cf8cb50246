#include "dialogue/calendar/calendar_source.h"

#include <sys/stat.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "dialogue/common/log.h"

namespace dialogue::calendar {
namespace {

int64_t ModifiedNanos(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return -1;
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
}

}  // namespace

absl::StatusOr<std::unique_ptr<CalendarSource>> CalendarSource::Open(std::string path,
                                                                     absl::Duration check_every) {
  std::unique_ptr<CalendarSource> source(new CalendarSource(std::move(path), check_every));
  source->loaded_mtime_ns_ = ModifiedNanos(source->path_);
  auto calendar = NationalCalendar::Load(source->path_);
  if (!calendar.ok()) return calendar.status();
  source->current_ = *std::move(calendar);
  source->checked_at_ = absl::Now();
  return source;
}

std::shared_ptr<const NationalCalendar> CalendarSource::Current() {
  std::lock_guard<std::mutex> lock(mu_);
  absl::Time now = absl::Now();
  if (now - checked_at_ < check_every_) return current_;
  checked_at_ = now;
  int64_t mtime = ModifiedNanos(path_);
  if (mtime == loaded_mtime_ns_) return current_;
  auto calendar = NationalCalendar::Load(path_);
  loaded_mtime_ns_ = mtime;
  if (calendar.ok()) {
    current_ = *std::move(calendar);
  } else {
    common::Log(common::LogLevel::kError, "holiday data not reloaded; the previous calendar stays",
                {{"file", path_}, {"error", std::string(calendar.status().message())}});
  }
  return current_;
}

}  // namespace dialogue::calendar
