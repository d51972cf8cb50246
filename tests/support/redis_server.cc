#include "redis_server.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "test_support.h"

namespace dialogue::testing {

RedisServer::RedisServer(std::vector<std::string> arguments, events::RedisAddress address)
    : arguments_(std::move(arguments)), address_(std::move(address)) {
  address_.port = FreePort();
  dir_ = std::filesystem::temp_directory_path() / absl::StrCat("test-redis-", address_.port);
  std::filesystem::remove_all(dir_);
  std::filesystem::create_directories(dir_);
  Start();
}

RedisServer::~RedisServer() {
  Kill();
  std::filesystem::remove_all(dir_);
}

void RedisServer::Start() {
  std::vector<std::string> args = {"redis-server",
                                   "--bind",
                                   "127.0.0.1",
                                   "--port",
                                   absl::StrCat(address_.port),
                                   "--dir",
                                   dir_.string(),
                                   "--appendonly",
                                   "yes",
                                   "--appendfsync",
                                   "always",
                                   "--save",
                                   "",
                                   "--loglevel",
                                   "warning"};
  args.insert(args.end(), arguments_.begin(), arguments_.end());
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_ = fork();
  if (pid_ == 0) {
    execvp("redis-server", argv.data());
    _exit(127);
  }
  events::RedisClient probe(address_);
  for (int i = 0; i < 100; ++i) {
    if (probe.Ping().ok()) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ADD_FAILURE() << "redis-server did not start on port " << address_.port;
}

void RedisServer::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

}  // namespace dialogue::testing
