// A background loop: a step on a thread of its own, run again after a period until the
// worker stops. Stopping wakes the thread at once, so a program shuts down without waiting
// out the period. The services' sweeps, the delivery worker and the commune gauges are
// each one of these.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "absl/status/status.h"

namespace dialogue::common {

class PeriodicWorker {
 public:
  // One pass of the loop. It returns true when it left work behind (a full batch) and
  // wants to run again at once rather than after the period.
  using Step = std::function<bool()>;

  PeriodicWorker(std::chrono::milliseconds period, Step step)
      : period_(period), step_(std::move(step)) {}
  ~PeriodicWorker() { Stop(); }
  PeriodicWorker(const PeriodicWorker&) = delete;
  PeriodicWorker& operator=(const PeriodicWorker&) = delete;

  // A step that runs `pass` and logs its failure as a warning `what` (the loop goes on:
  // the next pass may succeed); it never asks to run again at once.
  static Step Logged(std::string what, std::function<absl::Status()> pass);

  // Runs the first pass at once, on the worker's thread. Call once.
  void Start();
  // Wakes the thread and waits for the pass in progress, if any, to end. Safe to call twice.
  void Stop();

 private:
  const std::chrono::milliseconds period_;
  const Step step_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace dialogue::common
