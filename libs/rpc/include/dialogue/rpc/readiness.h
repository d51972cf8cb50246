// Readiness that reflects the program's dependencies: each is checked every `interval`;
// once one has failed for longer than `grace`, the server's grpc.health.v1 status turns
// NOT_SERVING (Kubernetes stops sending it traffic, the gateway's /readyz says so), and
// SERVING again as soon as every check passes. dialogue_dependency_up shows each check.
#pragma once

#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"

namespace dialogue::rpc {

struct Dependency {
  std::string name;                     // "postgresql", "redis"
  std::function<absl::Status()> check;  // called from the watch's own thread only
};

struct ReadinessOptions {
  std::chrono::milliseconds interval{1000};
  std::chrono::milliseconds grace{3000};
};

class Readiness {
 public:
  Readiness(grpc::Server& server, std::vector<Dependency> dependencies,
            ReadinessOptions options = {});
  ~Readiness();  // stops watching
  Readiness(const Readiness&) = delete;
  Readiness& operator=(const Readiness&) = delete;

  bool serving() const { return serving_; }

 private:
  void Run();

  grpc::Server& server_;
  std::vector<Dependency> dependencies_;
  ReadinessOptions options_;
  std::atomic<bool> serving_{true};
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace dialogue::rpc
