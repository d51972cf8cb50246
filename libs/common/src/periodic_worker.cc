#include "dialogue/common/periodic_worker.h"

#include "dialogue/common/log.h"

namespace dialogue::common {

PeriodicWorker::Step PeriodicWorker::Logged(std::string what, std::function<absl::Status()> pass) {
  return [what = std::move(what), pass = std::move(pass)] {
    absl::Status status = pass();
    if (!status.ok()) Log(LogLevel::kWarning, what, {{"error", std::string(status.message())}});
    return false;
  };
}

void PeriodicWorker::Start() {
  thread_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stopping_) {
      lock.unlock();
      const bool again = step_();
      lock.lock();
      if (!again) wake_.wait_for(lock, period_, [this] { return stopping_; });
    }
  });
}

void PeriodicWorker::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace dialogue::common
