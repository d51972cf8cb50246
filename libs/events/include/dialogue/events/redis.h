// A small synchronous Redis client over hiredis: one connection, commands as argument
// vectors (binary-safe), pipelines, and reconnection after the server went away.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

struct redisContext;

namespace dialogue::events {

// A copy of a hiredis reply, so it outlives the connection's buffers.
struct RedisReply {
  enum class Type { kNil, kString, kStatus, kInteger, kArray, kError };
  Type type = Type::kNil;
  std::string str;  // kString, kStatus, kError
  long long integer = 0;
  std::vector<RedisReply> elements;

  bool is_error() const { return type == Type::kError; }
};

struct RedisAddress {
  std::string host;
  int port = 6379;
  std::string user;      // ACL user (Redis 6); empty: the default user
  std::string password;  // sent with AUTH on every connect; empty: no AUTH
  int database = 0;      // chosen with SELECT on every connect

  // host:port and the database, never the password (for logs and errors).
  std::string Describe() const;
};

// The fields of a stream entry reply [id, [field, value, ...]] by name (empty when the
// entry was trimmed away).
std::map<std::string, std::string> EntryFields(const RedisReply& entry);

// Accepts redis://[[user]:password@]host[:port][/database] (the form DIALOGUE_REDIS_URI
// takes; user and password percent-encoded) and host:port. rediss:// (TLS) is refused with
// the reason: Debian bookworm's hiredis 0.14 has no TLS, so TLS to a managed Redis goes
// through a tunnel beside the program (deploy/README.md).
absl::StatusOr<RedisAddress> ParseRedisUri(const std::string& uri);

class RedisClient {
 public:
  explicit RedisClient(RedisAddress address);
  ~RedisClient();
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // Sends one command and waits for its reply, at most `timeout` (blocking commands need
  // a timeout longer than their BLOCK). An error reply from Redis is a reply of type
  // kError; a status is returned only when the connection failed (UNAVAILABLE), after
  // which the next command connects again.
  // OK when Redis answers PING.
  absl::Status Ping();

  absl::StatusOr<RedisReply> Command(const std::vector<std::string>& args,
                                     std::chrono::milliseconds timeout = kDefaultTimeout);

  // Sends every command, then reads every reply, in one round trip.
  absl::StatusOr<std::vector<RedisReply>> Pipeline(
      const std::vector<std::vector<std::string>>& commands,
      std::chrono::milliseconds timeout = kDefaultTimeout);

  static constexpr std::chrono::milliseconds kDefaultTimeout{2000};

 private:
  absl::Status EnsureConnected(std::chrono::milliseconds timeout);
  absl::Status Fail(const char* what);

  absl::Status Handshake();

  RedisAddress address_;
  redisContext* context_ = nullptr;
};

}  // namespace dialogue::events
