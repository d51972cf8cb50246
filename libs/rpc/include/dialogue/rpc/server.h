// Starting a gRPC server the same way in every program: health (grpc.health.v1),
// reflection, a chosen or free port, and a graceful stop on SIGTERM/SIGINT.
#pragma once

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace dialogue::rpc {

// The health service name that answers SERVING while the process runs, whatever its
// dependencies do (the liveness probe's); "" (readiness) follows PostgreSQL and Redis.
inline constexpr char kLivenessService[] = "liveness";

struct ServerOptions {
  std::string address = "127.0.0.1:0";  // port 0 picks a free port
  int max_message_bytes = 4 * 1024 * 1024;
  absl::Duration shutdown_grace = absl::Seconds(10);
  // Clients are asked to reconnect after this long (with `shutdown_grace` for the calls in
  // flight), so that balanced channels resolve again and spread onto new replicas.
  absl::Duration max_connection_age = absl::Minutes(5);
};

class RunningServer {
 public:
  RunningServer(std::unique_ptr<grpc::Server> server, int port, absl::Duration grace)
      : server_(std::move(server)), port_(port), grace_(grace) {}
  ~RunningServer() { Shutdown(); }

  int port() const { return port_; }
  grpc::Server& server() { return *server_; }
  // Marks every service NOT_SERVING, lets calls in flight finish within the grace period.
  void Shutdown();
  // Blocks until SIGTERM or SIGINT, then shuts down gracefully.
  void WaitForTermination();

 private:
  std::unique_ptr<grpc::Server> server_;
  int port_;
  absl::Duration grace_;
  bool stopped_ = false;
};

// Call first thing in main, before any thread starts. It blocks SIGTERM and SIGINT (every
// thread inherits the mask, so they reach WaitForTerminationSignal and nothing else), and
// turns off absl's lock-order checking, which Debian's build leaves on: in gRPC's locks it
// cost about 1% of the gateway's CPU and 2% of planning's request threads (perf, under
// bench/run gateway).
void PrepareProcess();

// Blocks until SIGTERM or SIGINT arrives (after PrepareProcess) and returns it.
int WaitForTerminationSignal();

// Services are not owned; they must outlive the server.
absl::StatusOr<std::unique_ptr<RunningServer>> StartServer(
    const ServerOptions& options, const std::vector<grpc::Service*>& services);

}  // namespace dialogue::rpc
