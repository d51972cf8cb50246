#include "dialogue/events/redis.h"

#include <hiredis/hiredis.h>
#include <sys/time.h>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "dialogue/common/status.h"
#include "metrics.h"

namespace dialogue::events {
namespace {

timeval ToTimeval(std::chrono::milliseconds d) {
  timeval tv;
  tv.tv_sec = static_cast<time_t>(d.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((d.count() % 1000) * 1000);
  return tv;
}

RedisReply Copy(const redisReply* r) {
  RedisReply out;
  switch (r->type) {
    case REDIS_REPLY_STRING:
      out.type = RedisReply::Type::kString;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = RedisReply::Type::kStatus;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = RedisReply::Type::kError;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::kInteger;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::kArray;
      out.elements.reserve(r->elements);
      for (size_t i = 0; i < r->elements; ++i) out.elements.push_back(Copy(r->element[i]));
      break;
    default:
      out.type = RedisReply::Type::kNil;
  }
  return out;
}

void Append(redisContext* c, const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  argv.reserve(args.size());
  lens.reserve(args.size());
  for (const auto& a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  redisAppendCommandArgv(c, static_cast<int>(args.size()), argv.data(), lens.data());
}

}  // namespace

std::map<std::string, std::string> EntryFields(const RedisReply& entry) {
  std::map<std::string, std::string> fields;
  if (entry.elements.size() < 2) return fields;
  const auto& flat = entry.elements[1].elements;
  for (size_t i = 0; i + 1 < flat.size(); i += 2) fields[flat[i].str] = flat[i + 1].str;
  return fields;
}

namespace {

absl::Status BadUri(absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(
      "the Redis address is not redis://[[user]:password@]host[:port][/database]: ", why));
}

// %XX escapes of a URI's user or password.
absl::StatusOr<std::string> PercentDecode(absl::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    int value = 0;
    if (i + 2 >= text.size() || !absl::SimpleHexAtoi(text.substr(i + 1, 2), &value)) {
      return BadUri("a % in the user or password is not followed by two hex digits");
    }
    out.push_back(static_cast<char>(value));
    i += 2;
  }
  return out;
}

}  // namespace

std::string RedisAddress::Describe() const {
  return absl::StrCat(host, ":", port, database == 0 ? "" : absl::StrCat("/", database));
}

absl::StatusOr<RedisAddress> ParseRedisUri(const std::string& uri) {
  absl::string_view rest = uri;
  if (absl::StartsWith(rest, "rediss://")) {
    return absl::InvalidArgumentError(
        "rediss:// (TLS) is not supported by this build's hiredis 0.14: connect through a TLS "
        "tunnel beside the program (deploy/README.md) and give its redis:// address");
  }
  absl::ConsumePrefix(&rest, "redis://");
  RedisAddress address;
  if (size_t at = rest.rfind('@'); at != absl::string_view::npos) {
    absl::string_view credentials = rest.substr(0, at);
    rest.remove_prefix(at + 1);
    size_t colon = credentials.find(':');
    if (colon == absl::string_view::npos) return BadUri("the part before @ has no ':password'");
    ASSIGN_OR_RETURN(address.user, PercentDecode(credentials.substr(0, colon)));
    ASSIGN_OR_RETURN(address.password, PercentDecode(credentials.substr(colon + 1)));
  }
  if (size_t slash = rest.find('/'); slash != absl::string_view::npos) {
    absl::string_view database = rest.substr(slash + 1);
    rest = rest.substr(0, slash);
    if (!database.empty() && (!absl::SimpleAtoi(database, &address.database) ||
                              address.database < 0 || address.database > 1000000)) {
      return BadUri(absl::StrCat("the database \"", database, "\" is not a number"));
    }
  }
  size_t colon = rest.rfind(':');
  address.host = std::string(rest.substr(0, colon));
  if (colon != absl::string_view::npos &&
      (!absl::SimpleAtoi(rest.substr(colon + 1), &address.port) || address.port <= 0 ||
       address.port > 65535)) {
    return BadUri(absl::StrCat("the port \"", rest.substr(colon + 1), "\" is not 1-65535"));
  }
  if (address.host.empty()) return BadUri("there is no host");
  return address;
}

RedisClient::RedisClient(RedisAddress address) : address_(std::move(address)) {}

RedisClient::~RedisClient() {
  if (context_ != nullptr) redisFree(context_);
}

absl::Status RedisClient::Fail(const char* what) {
  internal::CountRedisError(what);
  std::string detail = context_ != nullptr && context_->err ? context_->errstr : "no reply";
  if (context_ != nullptr) redisFree(context_);
  context_ = nullptr;
  return absl::UnavailableError(
      absl::StrCat("Redis at ", address_.Describe(), ": ", what, ": ", detail));
}

absl::Status RedisClient::EnsureConnected(std::chrono::milliseconds timeout) {
  if (context_ == nullptr) {
    context_ = redisConnectWithTimeout(address_.host.c_str(), address_.port,
                                       ToTimeval(std::chrono::milliseconds(1000)));
    if (context_ == nullptr || context_->err) return Fail("cannot connect");
    if (redisSetTimeout(context_, ToTimeval(timeout)) != REDIS_OK) {
      return Fail("cannot set timeout");
    }
    return Handshake();
  }
  if (redisSetTimeout(context_, ToTimeval(timeout)) != REDIS_OK) return Fail("cannot set timeout");
  return absl::OkStatus();
}

// AUTH and SELECT on a new connection, before any command of the caller's.
absl::Status RedisClient::Handshake() {
  std::vector<std::vector<std::string>> commands;
  if (!address_.password.empty()) {
    commands.push_back(address_.user.empty()
                           ? std::vector<std::string>{"AUTH", address_.password}
                           : std::vector<std::string>{"AUTH", address_.user, address_.password});
  }
  if (address_.database != 0) {
    commands.push_back({"SELECT", absl::StrCat(address_.database)});
  }
  for (const auto& args : commands) Append(context_, args);
  for (const auto& args : commands) {
    void* raw = nullptr;
    if (redisGetReply(context_, &raw) != REDIS_OK || raw == nullptr) return Fail("lost");
    RedisReply reply = Copy(static_cast<redisReply*>(raw));
    freeReplyObject(raw);
    if (reply.is_error()) {
      // Dropped, so that the next command connects and tries again (a password rotated
      // in the secret store reaches Redis before the programs restart).
      std::string what =
          absl::StrCat(args[0] == "AUTH" ? "AUTH refused" : "SELECT refused", ": ", reply.str);
      redisFree(context_);
      context_ = nullptr;
      internal::CountRedisError(args[0] == "AUTH" ? "auth" : "select");
      return absl::UnavailableError(absl::StrCat("Redis at ", address_.Describe(), ": ", what));
    }
  }
  return absl::OkStatus();
}

absl::Status RedisClient::Ping() {
  auto reply = Command({"PING"});
  if (!reply.ok()) return reply.status();
  if (reply->is_error()) return absl::UnavailableError(absl::StrCat("Redis: ", reply->str));
  return absl::OkStatus();
}

absl::StatusOr<RedisReply> RedisClient::Command(const std::vector<std::string>& args,
                                                std::chrono::milliseconds timeout) {
  auto replies = Pipeline({args}, timeout);
  if (!replies.ok()) return replies.status();
  return std::move((*replies)[0]);
}

absl::StatusOr<std::vector<RedisReply>> RedisClient::Pipeline(
    const std::vector<std::vector<std::string>>& commands, std::chrono::milliseconds timeout) {
  if (auto s = EnsureConnected(timeout); !s.ok()) return s;
  for (const auto& args : commands) Append(context_, args);
  std::vector<RedisReply> replies;
  replies.reserve(commands.size());
  for (size_t i = 0; i < commands.size(); ++i) {
    void* raw = nullptr;
    if (redisGetReply(context_, &raw) != REDIS_OK || raw == nullptr) return Fail("lost");
    replies.push_back(Copy(static_cast<redisReply*>(raw)));
    freeReplyObject(raw);
  }
  return replies;
}

}  // namespace dialogue::events
