// The national calendar as the data file says now: loaded at start-up and loaded again
// when an operator edits the file, so a newly published decision moves open deadlines
// without a rebuild or a restart.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "dialogue/calendar/holidays.h"

namespace dialogue::calendar {

class CalendarSource {
 public:
  // Fails when the file cannot be read or parsed: a service must not start without it.
  static absl::StatusOr<std::unique_ptr<CalendarSource>> Open(
      std::string path, absl::Duration check_every = absl::Seconds(30));

  // The current calendar. At most once per `check_every`, looks at the file's modification
  // time and reloads it if it changed; a file that no longer parses is logged and the
  // previous calendar stays in force.
  std::shared_ptr<const NationalCalendar> Current();

 private:
  CalendarSource(std::string path, absl::Duration check_every)
      : path_(std::move(path)), check_every_(check_every) {}

  std::string path_;
  absl::Duration check_every_;
  std::mutex mu_;
  std::shared_ptr<const NationalCalendar> current_;
  int64_t loaded_mtime_ns_ = 0;
  absl::Time checked_at_ = absl::InfinitePast();
};

}  // namespace dialogue::calendar
