// A redis-server of a test's own on a free local port, durable (append-only file, fsync on
// every write) so that a crash loses nothing it acknowledged, as in production. The test
// can kill it as a crash would and start it again on the same port and files.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

#include "dialogue/events/redis.h"

namespace dialogue::testing {

class RedisServer {
 public:
  // `arguments` go to redis-server after the defaults ("--requirepass", "s3cret", ...).
  // `address` is how the test's own clients reach it (user, password, database).
  explicit RedisServer(std::vector<std::string> arguments = {},
                       events::RedisAddress address = {"127.0.0.1", 0, "", "", 0});
  ~RedisServer();
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  // Starts it and waits until it answers PING (a test failure after 5 s).
  void Start();
  // As a crash would: no chance to write anything more.
  void Kill();

  int port() const { return address_.port; }
  events::RedisAddress address() const { return address_; }

 private:
  std::vector<std::string> arguments_;
  events::RedisAddress address_;
  std::filesystem::path dir_;
  pid_t pid_ = -1;
};

}  // namespace dialogue::testing
