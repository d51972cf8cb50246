// Commitments are tracked until kept: a sweep finds every commune's open commitments whose
// report or result is due within `soon_days` or overdue, and emits one CommitmentDue
// event for each (commitment, kind, due date), which notices turns into a reminder. Safe
// to run twice and on several replicas: what was announced is recorded first.
#pragma once

#include <atomic>
#include <chrono>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "store.h"

namespace dialogue::supervision {

class DueSweep {
 public:
  DueSweep(SupervisionStore& store, int soon_days, std::chrono::milliseconds every)
      : store_(store), soon_days_(soon_days), every_(every) {}
  ~DueSweep();  // stops the loop if started
  DueSweep(const DueSweep&) = delete;
  DueSweep& operator=(const DueSweep&) = delete;

  void Start();
  // Returns how many events are new.
  absl::StatusOr<int> RunOnce(absl::CivilDay today);

 private:
  SupervisionStore& store_;
  int soon_days_;
  std::chrono::milliseconds every_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace dialogue::supervision
