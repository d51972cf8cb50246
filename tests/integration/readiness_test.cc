// Readiness against a real Redis that the test stops and starts again: the server's
// grpc.health.v1 status follows it, after the grace period and not before.
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <thread>

#include "absl/strings/str_cat.h"
#include "dialogue/events/redis.h"
#include "dialogue/rpc/readiness.h"
#include "dialogue/rpc/server.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "redis_server.h"
#include "test_support.h"

namespace dialogue::rpc {
namespace {

using grpc::health::v1::HealthCheckResponse;

HealthCheckResponse::ServingStatus Health(grpc::health::v1::Health::Stub& stub,
                                          const std::string& service = "") {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(2));
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(service);
  HealthCheckResponse response;
  grpc::Status status = stub.Check(&context, request, &response);
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
  testing::RedisServer redis;
  auto server = StartServer({"127.0.0.1:0"}, {});
  ASSERT_TRUE(server.ok()) << server.status();
  auto stub = grpc::health::v1::Health::NewStub(grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", (*server)->port()), grpc::InsecureChannelCredentials()));
  events::RedisClient client(redis.address());
  Readiness readiness((*server)->server(), {{"redis", [&] { return client.Ping(); }}},
                      {std::chrono::milliseconds(100), std::chrono::milliseconds(600)});
  EXPECT_EQ(Health(*stub), HealthCheckResponse::SERVING);

  redis.Kill();
  auto start = std::chrono::steady_clock::now();
  // Still serving through the grace period: a blip is no reason to take traffic away.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_EQ(Health(*stub), HealthCheckResponse::SERVING);
  Await(*stub, HealthCheckResponse::NOT_SERVING, std::chrono::seconds(5));
  EXPECT_EQ(Health(*stub), HealthCheckResponse::NOT_SERVING);
  // The liveness probe's name stays SERVING: restarting would not bring Redis back.
  EXPECT_EQ(Health(*stub, kLivenessService), HealthCheckResponse::SERVING);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(600));
  EXPECT_FALSE(readiness.serving());

  redis.Start();
  Await(*stub, HealthCheckResponse::SERVING, std::chrono::seconds(5));
  EXPECT_EQ(Health(*stub), HealthCheckResponse::SERVING);
  EXPECT_TRUE(readiness.serving());
}

}  // namespace
}  // namespace dialogue::rpc
