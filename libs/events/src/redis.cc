#include "dialogue/events/redis.h"

#include <hiredis/hiredis.h>
#include <sys/time.h>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
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

absl::StatusOr<RedisAddress> ParseRedisUri(const std::string& uri) {
  absl::string_view rest = uri;
  absl::ConsumePrefix(&rest, "redis://");
  rest = rest.substr(0, rest.find('/'));
  RedisAddress address;
  size_t colon = rest.rfind(':');
  address.host = std::string(rest.substr(0, colon));
  if (colon != absl::string_view::npos &&
      (!absl::SimpleAtoi(rest.substr(colon + 1), &address.port) || address.port <= 0 ||
       address.port > 65535)) {
    address.host.clear();
  }
  if (address.host.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("Redis address \"", uri, "\" is not redis://host:port"));
  }
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
      absl::StrCat("Redis at ", address_.host, ":", address_.port, ": ", what, ": ", detail));
}

absl::Status RedisClient::EnsureConnected(std::chrono::milliseconds timeout) {
  if (context_ == nullptr) {
    context_ = redisConnectWithTimeout(address_.host.c_str(), address_.port,
                                       ToTimeval(std::chrono::milliseconds(1000)));
    if (context_ == nullptr || context_->err) return Fail("cannot connect");
  }
  if (redisSetTimeout(context_, ToTimeval(timeout)) != REDIS_OK) return Fail("cannot set timeout");
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
