// Readiness against a real Redis that the test stops and starts again: the server's
// grpc.health.v1 status follows it, after the grace period and not before.
#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "absl/strings/str_cat.h"
#include "dialogue/events/redis.h"
#include "dialogue/rpc/readiness.h"
#include "dialogue/rpc/server.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "test_support.h"

namespace dialogue::rpc {
namespace {

using grpc::health::v1::HealthCheckResponse;

// A redis-server of the test's own on `port`, in the foreground of a child process.
pid_t StartRedis(int port) {
  pid_t pid = fork();
  if (pid == 0) {
    execlp("redis-server", "redis-server", "--bind", "127.0.0.1", "--port",
           std::to_string(port).c_str(), "--save", "", "--appendonly", "no", "--loglevel",
           "warning", static_cast<char*>(nullptr));
    _exit(127);
  }
  events::RedisClient client(events::RedisAddress{"127.0.0.1", port});
  for (int i = 0; i < 100 && !client.Ping().ok(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return pid;
}

void Stop(pid_t pid) {
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
}

HealthCheckResponse::ServingStatus Health(grpc::health::v1::Health::Stub& stub) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
  HealthCheckResponse response;
  grpc::Status status = stub.Check(&context, {}, &response);
  return status.ok() ? response.status() : HealthCheckResponse::UNKNOWN;
}

// Waits up to `limit` for `want`; how long it took.
std::chrono::milliseconds Await(grpc::health::v1::Health::Stub& stub,
                                HealthCheckResponse::ServingStatus want,
                                std::chrono::milliseconds limit) {
  auto start = std::chrono::steady_clock::now();
  while (Health(stub) != want && std::chrono::steady_clock::now() - start < limit) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               start);
}

TEST(Readiness, FollowsADependencyThatGoesAwayAndComesBack) {
  const int port = testing::FreePort();
  pid_t redis = StartRedis(port);
  auto server = StartServer({"127.0.0.1:0"}, {});
  ASSERT_TRUE(server.ok()) << server.status();
  auto stub = grpc::health::v1::Health::NewStub(grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", (*server)->port()), grpc::InsecureChannelCredentials()));
  events::RedisClient client(events::RedisAddress{"127.0.0.1", port});
  Readiness readiness((*server)->server(), {{"redis", [&] { return client.Ping(); }}},
                      {std::chrono::milliseconds(100), std::chrono::milliseconds(600)});
  EXPECT_EQ(Health(*stub), HealthCheckResponse::SERVING);

  Stop(redis);
  auto start = std::chrono::steady_clock::now();
  // Still serving through the grace period: a blip is no reason to take traffic away.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(Health(*stub), HealthCheckResponse::SERVING);
  Await(*stub, HealthCheckResponse::NOT_SERVING, std::chrono::seconds(5));
  EXPECT_EQ(Health(*stub), HealthCheckResponse::NOT_SERVING);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(600));
  EXPECT_FALSE(readiness.serving());

  redis = StartRedis(port);
  Await(*stub, HealthCheckResponse::SERVING, std::chrono::seconds(5));
  EXPECT_EQ(Health(*stub), HealthCheckResponse::SERVING);
  EXPECT_TRUE(readiness.serving());
  Stop(redis);
}

}  // namespace
}  // namespace dialogue::rpc
