// The planning program as deployed: started as a process, ready on its health check,
// and stopping cleanly on SIGTERM.
#include <fcntl.h>
#include <grpcpp/grpcpp.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <thread>

#include "absl/strings/str_cat.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "test_support.h"

namespace dialogue {
namespace {

using testing::FreePort;

bool Serving(const std::string& addr) {
  auto stub = grpc::health::v1::Health::NewStub(
      grpc::CreateChannel(addr, grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(500));
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  return stub->Check(&context, request, &response).ok() &&
         response.status() == grpc::health::v1::HealthCheckResponse::SERVING;
}

TEST(PlanningProcess, StopsCleanlyOnSigterm) {
  std::string addr = absl::StrCat("127.0.0.1:", FreePort());
  std::string pg = testing::PlanningPgUri();
  std::string secret = testing::TokenSecret();
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    setenv("DIALOGUE_PLANNING_LISTEN", addr.c_str(), 1);
    setenv("DIALOGUE_METRICS_LISTEN", "127.0.0.1:0", 1);
    setenv("DIALOGUE_PLANNING_PG_URI", pg.c_str(), 1);
    setenv("DIALOGUE_TOKEN_SECRET", secret.c_str(), 1);
    setenv("DIALOGUE_HOLIDAYS_FILE", DIALOGUE_SOURCE_DIR "/libs/calendar/data/vn_holidays.json", 1);
    execl(DIALOGUE_PLANNING_BINARY, "planning", static_cast<char*>(nullptr));
    _exit(127);
  }
  bool ready = false;
  for (int i = 0; i < 100 && !ready; ++i) {
    ready = Serving(addr);
    if (!ready) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(ready) << "planning did not become ready on " << addr;
  ASSERT_EQ(kill(pid, SIGTERM), 0);
  int status = 0;
  pid_t done = 0;
  for (int i = 0; i < 150 && done == 0; ++i) {  // at most 15 s
    done = waitpid(pid, &status, WNOHANG);
    if (done == 0) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (done == 0) kill(pid, SIGKILL);
  ASSERT_EQ(done, pid) << "planning did not stop within 15 s of SIGTERM";
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_FALSE(Serving(addr));
}

TEST(PlanningProcess, RefusesToStartWithoutATokenKey) {
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    unsetenv("DIALOGUE_TOKEN_SECRET");
    int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 2);
    execl(DIALOGUE_PLANNING_BINARY, "planning", "--planning-listen=127.0.0.1:0",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1);
}

}  // namespace
}  // namespace dialogue
