// Commitments are tracked until kept: a sweep finds every commune's open commitments whose
// report or result is due within `soon_days` or overdue, and emits one CommitmentDue
// event for each (commitment, kind, due date), which notices turns into a reminder. Safe
// to run twice and on several replicas: what was announced is recorded first.
#pragma once

#include <chrono>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "dialogue/common/periodic_worker.h"
#include "store.h"

namespace dialogue::supervision {

class DueSweep {
 public:
  DueSweep(SupervisionStore& store, int soon_days, std::chrono::milliseconds every);
  DueSweep(const DueSweep&) = delete;
  DueSweep& operator=(const DueSweep&) = delete;

  void Start() { worker_.Start(); }
  // Returns how many events are new.
  absl::StatusOr<int> RunOnce(absl::CivilDay today);

 private:
  SupervisionStore& store_;
  int soon_days_;
  common::PeriodicWorker worker_;  // last: stopped before the rest goes
};

}  // namespace dialogue::supervision
