#include "reminders.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "dialogue/calendar/dates.h"
#include "dialogue/common/names.h"
#include "notice_rules.h"

namespace dialogue::notices {

ReminderSweep::ReminderSweep(NoticeStore& store, int soon_days, std::chrono::milliseconds every)
    : store_(store),
      soon_days_(soon_days),
      worker_(every, common::PeriodicWorker::Logged("reminder sweep failed", [this] {
                return RunOnce(calendar::TodayInVietnam(absl::Now())).status();
              })) {}

absl::StatusOr<int> ReminderSweep::RunOnce(absl::CivilDay today) {
  auto due = store_.DueDrafts(today + soon_days_);
  if (!due.ok()) return due.status();
  int made = 0;
  for (const auto& [tenant, draft] : *due) {
    auto day = calendar::ParseDate(draft.due_date());
    if (!day.ok()) continue;
    const int left = static_cast<int>(*day - today);
    v1::Notice reminder;
    reminder.set_kind(v1::NOTICE_REMINDER);
    reminder.set_title(absl::StrCat("Nhắc việc: ", draft.title()));
    reminder.set_body(absl::StrCat("Văn bản \"", draft.title(), "\" (", draft.name(),
                                   ") chưa được ban hành. Hạn ban hành: ", draft.due_date(),
                                   left < 0 ? absl::StrCat(", đã quá hạn ", -left, " ngày.")
                                            : absl::StrCat(", còn ", left, " ngày.")));
    reminder.add_recipients()->set_name("Văn phòng HĐND và UBND");
    reminder.set_session(draft.session());
    reminder.set_issue_date(calendar::FormatDate(today));
    auto inserted = store_.InsertReminder(
        tenant, reminder, absl::StrCat("reminder:", draft.name(), ":", reminder.issue_date()),
        common::NewUuid());
    if (!inserted.ok()) return inserted.status();
    made += *inserted ? 1 : 0;
  }
  return made;
}

}  // namespace dialogue::notices
