#include "dialogue/rpc/readiness.h"

#include <grpcpp/health_check_service_interface.h>

#include "dialogue/common/log.h"
#include "dialogue/rpc/server.h"
#include "dialogue/telemetry/metrics.h"

namespace dialogue::rpc {

Readiness::Readiness(grpc::Server& server, std::vector<Dependency> dependencies,
                     ReadinessOptions options)
    : server_(server), dependencies_(std::move(dependencies)), options_(options) {
  thread_ = std::thread([this] { Run(); });
}

Readiness::~Readiness() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void Readiness::Run() {
  static auto& up = prometheus::BuildGauge()
                        .Name("dialogue_dependency_up")
                        .Help("1 when the program's last check of a dependency passed, else 0.")
                        .Register(telemetry::Metrics());
  std::vector<prometheus::Gauge*> gauges;
  std::vector<std::chrono::steady_clock::time_point> failing_since(dependencies_.size());
  std::vector<bool> failing(dependencies_.size(), false);
  for (const auto& d : dependencies_) gauges.push_back(&up.Add({{"dependency", d.name}}));
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    lock.unlock();
    auto now = std::chrono::steady_clock::now();
    bool ready = true;
    for (size_t i = 0; i < dependencies_.size(); ++i) {
      absl::Status status = dependencies_[i].check();
      gauges[i]->Set(status.ok() ? 1 : 0);
      if (status.ok()) {
        failing[i] = false;
        continue;
      }
      if (!failing[i]) {
        failing[i] = true;
        failing_since[i] = now;
      }
      if (now - failing_since[i] >= options_.grace) ready = false;
    }
    if (ready != serving_) {
      serving_ = ready;
      server_.GetHealthCheckService()->SetServingStatus(ready);
      // A database that is down is no reason to restart the program: liveness stays.
      server_.GetHealthCheckService()->SetServingStatus(kLivenessService, true);
      common::Log(ready ? common::LogLevel::kInfo : common::LogLevel::kWarning,
                  ready ? "ready again: every dependency answers"
                        : "not ready: a dependency has not answered for a while");
    }
    lock.lock();
    wake_.wait_for(lock, options_.interval, [&] { return stopping_; });
  }
}

}  // namespace dialogue::rpc
