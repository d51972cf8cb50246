// Drafts are tracked until issued: a sweep finds the drafts due within `soon` days or
// overdue (every commune's) and issues one REMINDER a day for each, to the office, with a
// NoticeIssued event. Safe to run twice and on several replicas: a reminder is keyed by
// its draft and day.
#pragma once

#include <chrono>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "dialogue/common/periodic_worker.h"
#include "store.h"

namespace dialogue::notices {

class ReminderSweep {
 public:
  ReminderSweep(NoticeStore& store, int soon_days, std::chrono::milliseconds every);
  ReminderSweep(const ReminderSweep&) = delete;
  ReminderSweep& operator=(const ReminderSweep&) = delete;

  void Start() { worker_.Start(); }
  // Reminds of the drafts due by today + soon_days; returns how many reminders are new.
  absl::StatusOr<int> RunOnce(absl::CivilDay today);

 private:
  NoticeStore& store_;
  int soon_days_;
  common::PeriodicWorker worker_;  // last: stopped before the rest goes
};

}  // namespace dialogue::notices
