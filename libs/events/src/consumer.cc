#include "dialogue/events/consumer.h"

#include <unistd.h>
#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "dialogue/common/log.h"
#include "dialogue/common/status.h"
#include "metrics.h"

namespace dialogue::events {
namespace {

using common::Log;
using common::LogLevel;

absl::Status RedisError(const RedisReply& reply, const char* command) {
  return absl::UnavailableError(absl::StrCat("Redis refused ", command, ": ", reply.str));
}

}  // namespace

ConsumerOptions ServiceConsumerOptions(const std::string& service, const std::string& consumer,
                                       std::set<std::string> types) {
  ConsumerOptions options;
  options.group = service;
  options.consumer = consumer;
  options.processed_table = absl::StrCat(service, ".processed_events");
  options.types = std::move(types);
  return options;
}

std::string DefaultConsumerName() {
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) != 0 || host[0] == '\0') {
    return absl::StrCat("consumer-", getpid());
  }
  return absl::StrCat(host, "-", getpid());
}

Consumer::Consumer(db::ConnectionPool& pool, RedisAddress redis, ConsumerOptions options,
                   Handler handler)
    : pool_(pool),
      redis_(std::move(redis)),
      options_(std::move(options)),
      handler_(std::move(handler)),
      metrics_(std::make_unique<internal::ConsumerMetrics>(options_.group, options_.stream,
                                                           options_.dead_letter_stream)) {}

Consumer::~Consumer() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

void Consumer::Start() {
  thread_ = std::thread([this] { Run(); });
}

absl::Status Consumer::EnsureGroup() {
  if (group_ready_) return absl::OkStatus();
  // From the stream's first entry: events published before this group's first start
  // (the relay runs before any consumer) are not lost.
  auto reply =
      redis_.Command({"XGROUP", "CREATE", options_.stream, options_.group, "0", "MKSTREAM"});
  if (!reply.ok()) return reply.status();
  if (reply->is_error() && !absl::StartsWith(reply->str, "BUSYGROUP")) {
    return RedisError(*reply, "XGROUP CREATE");
  }
  group_ready_ = true;
  return absl::OkStatus();
}

absl::StatusOr<PollResult> Consumer::PollOnce() {
  RETURN_IF_ERROR(EnsureGroup());
  PollResult result;
  std::vector<RedisReply> entries;
  auto claimed = redis_.Command({"XAUTOCLAIM", options_.stream, options_.group, options_.consumer,
                                 absl::StrCat(options_.claim_idle.count()), claim_cursor_, "COUNT",
                                 absl::StrCat(options_.batch)});
  if (!claimed.ok()) return claimed.status();
  if (claimed->is_error()) {
    // NOGROUP: Redis lost the group (restarted without its data); create it again.
    if (absl::StartsWith(claimed->str, "NOGROUP")) group_ready_ = false;
    return RedisError(*claimed, "XAUTOCLAIM");
  }
  if (claimed->elements.size() >= 2) {
    claim_cursor_ = claimed->elements[0].str;
    entries = std::move(claimed->elements[1].elements);
  }
  if (entries.empty()) {
    auto read =
        redis_.Command({"XREADGROUP", "GROUP", options_.group, options_.consumer, "COUNT",
                        absl::StrCat(options_.batch), "BLOCK", absl::StrCat(options_.block.count()),
                        "STREAMS", options_.stream, ">"},
                       options_.block + RedisClient::kDefaultTimeout);
    if (!read.ok()) return read.status();
    if (read->is_error()) {
      if (absl::StartsWith(read->str, "NOGROUP")) group_ready_ = false;
      return RedisError(*read, "XREADGROUP");
    }
    if (read->type != RedisReply::Type::kArray || read->elements.empty()) return result;
    const RedisReply& stream = read->elements[0];
    if (stream.elements.size() < 2) return result;
    entries = std::move(read->elements[0].elements[1].elements);
  }
  // Each entry decoded once. The events of one tenant are applied in one transaction;
  // when that fails, they are applied one by one below, so that one bad event holds back
  // no other.
  std::vector<Entry> decoded;
  decoded.reserve(entries.size());
  std::map<std::string, std::vector<const Entry*>> by_tenant;
  for (const RedisReply& reply : entries) {
    if (reply.elements.empty()) continue;
    decoded.push_back(Decode(reply));
  }
  for (const Entry& entry : decoded) {
    if (entry.parsed && Handles(entry.event)) by_tenant[entry.tenant].push_back(&entry);
  }
  std::set<const Entry*> settled;
  for (const auto& [tenant, group] : by_tenant) {
    if (group.size() < 2) continue;
    auto applied = ApplyBatch(tenant, group);
    if (!applied.ok()) {
      if (absl::IsUnavailable(applied.status())) return applied.status();
      continue;
    }
    result.applied += *applied;
    result.skipped += static_cast<int>(group.size()) - *applied;
    settled.insert(group.begin(), group.end());
  }

  std::vector<std::string> ack = {"XACK", options_.stream, options_.group};
  absl::Status first_error;
  for (const Entry& entry : decoded) {
    if (settled.count(&entry)) {
      ack.push_back(entry.id);
      continue;
    }
    auto before = result;
    absl::Status s = Handle(entry, result);
    if (!s.ok()) {
      // PostgreSQL or Redis is away: stop the batch; the rest stays pending.
      first_error = s;
      break;
    }
    if (result.failed == before.failed) ack.push_back(entry.id);
  }
  if (ack.size() > 3) {
    auto acked = redis_.Command(ack);
    if (!acked.ok()) return acked.status();
  }
  metrics_->applied->Increment(result.applied);
  metrics_->skipped->Increment(result.skipped);
  metrics_->failed->Increment(result.failed);
  metrics_->parked->Increment(result.parked);
  if (!first_error.ok()) return first_error;
  return result;
}

absl::Status Consumer::Measure() {
  auto groups = redis_.Command({"XINFO", "GROUPS", options_.stream});
  if (!groups.ok()) return groups.status();
  for (const RedisReply& group : groups->elements) {
    std::map<std::string, const RedisReply*> fields;
    for (size_t i = 0; i + 1 < group.elements.size(); i += 2) {
      fields[group.elements[i].str] = &group.elements[i + 1];
    }
    if (fields.count("name") == 0 || fields["name"]->str != options_.group) continue;
    if (fields.count("pending")) metrics_->pending->Set(fields["pending"]->integer);
    // Redis 7 counts the entries the group has yet to read; nil when it cannot tell.
    if (fields.count("lag") && fields["lag"]->type == RedisReply::Type::kInteger) {
      metrics_->lag->Set(fields["lag"]->integer);
    }
  }
  auto dead = redis_.Command({"XLEN", options_.dead_letter_stream});
  if (!dead.ok()) return dead.status();
  metrics_->dead_letters->Set(dead->integer);
  return absl::OkStatus();
}

Consumer::Entry Consumer::Decode(const RedisReply& reply) {
  Entry entry;
  entry.id = reply.elements[0].str;
  auto fields = EntryFields(reply);
  entry.trimmed = fields.empty();
  entry.payload = std::move(fields["event"]);
  entry.parsed = entry.event.ParseFromString(entry.payload) && !entry.event.id().empty();
  absl::string_view tenant = entry.event.tenant();
  if (absl::ConsumePrefix(&tenant, "tenants/")) entry.tenant = std::string(tenant);
  return entry;
}

bool Consumer::Handles(const v1::Event& event) const {
  return options_.types.empty() || options_.types.count(event.type()) > 0;
}

absl::StatusOr<int> Consumer::ApplyBatch(const std::string& tenant,
                                         const std::vector<const Entry*>& group) {
  if (tenant.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "event ", group[0]->event.id(), " names no tenant (\"", group[0]->event.tenant(), "\")"));
  }
  std::string ids = "[";
  for (size_t i = 0; i < group.size(); ++i) {
    absl::StrAppend(&ids, i ? "," : "", "\"", common::JsonEscape(group[i]->event.id()), "\"");
  }
  ids += "]";
  // Each event's consumer span is a child of the request that committed it; the batch's
  // transaction runs under the first one's.
  std::vector<telemetry::Span> spans;
  spans.reserve(group.size());
  for (const Entry* member : group) spans.push_back(ConsumerSpan(*member, group.size()));
  telemetry::ActiveScope active(spans[0]);
  common::ScopedLogContext log_context(spans[0].context().trace_id, tenant);
  auto result = pool_.InTransaction(
      db::TenantScope::Of(tenant), options_.processed_table,
      [&](pqxx::dbtransaction& txn) -> absl::StatusOr<int> {
        auto fresh = txn.exec_params(absl::StrCat("INSERT INTO ", options_.processed_table,
                                                  " (tenant_id, event_id) SELECT $1, e"
                                                  " FROM jsonb_array_elements_text($2::jsonb) AS e"
                                                  " ON CONFLICT DO NOTHING RETURNING event_id"),
                                     tenant, ids);
        std::set<std::string> unapplied;
        for (const auto& row : fresh) unapplied.insert(row[0].as<std::string>());
        int applied = 0;
        for (size_t i = 0; i < group.size(); ++i) {
          // An id seen before, or twice in this batch, runs the handler once.
          if (unapplied.erase(group[i]->event.id()) == 0) {
            spans[i].SetBool("dialogue.event.duplicate", true);
            continue;
          }
          telemetry::ActiveScope member_active(spans[i]);
          RETURN_IF_ERROR(handler_(txn, group[i]->event));
          ++applied;
        }
        return applied;
      },
      "ApplyEvents");
  if (!result.ok()) {
    for (auto& span : spans) span.SetError(result.status().message());
  }
  return result;
}

telemetry::Span Consumer::ConsumerSpan(const Entry& entry, size_t batch) const {
  if (!telemetry::Recording()) return telemetry::Span();
  telemetry::Span span(absl::StrCat("process ", options_.stream), telemetry::SpanKind::kConsumer,
                       telemetry::ContinueTrace(entry.event.traceparent()));
  span.Set("messaging.system", "redis")
      .Set("messaging.destination.name", options_.stream)
      .Set("messaging.operation.type", "process")
      .Set("messaging.consumer.group.name", options_.group)
      .Set("messaging.message.id", entry.event.id())
      .Set("messaging.batch.message_count", static_cast<int64_t>(batch))
      .Set("dialogue.event.type", entry.event.type())
      .Set("dialogue.tenant", entry.tenant);
  return span;
}

absl::Status Consumer::Handle(const Entry& entry, PollResult& result) {
  const std::string& id = entry.id;
  const std::string& payload = entry.payload;
  const v1::Event& event = entry.event;
  if (entry.trimmed) {
    result.skipped++;  // trimmed from the stream before it was claimed: nothing to apply
    return absl::OkStatus();
  }
  if (!entry.parsed) {
    RETURN_IF_ERROR(Park(id, payload, "the entry is not a dialogue.v1.Event", 1));
    result.parked++;
    return absl::OkStatus();
  }
  if (!Handles(event)) {
    result.skipped++;
    return absl::OkStatus();
  }
  auto applied = ApplyBatch(entry.tenant, {&entry});
  if (applied.ok()) {
    (*applied ? result.applied : result.skipped)++;
    return absl::OkStatus();
  }
  if (absl::IsUnavailable(applied.status())) return applied.status();
  // The handler refused or failed: count the deliveries, park when they run out.
  auto pending = redis_.Command({"XPENDING", options_.stream, options_.group, id, id, "1"});
  if (!pending.ok()) return pending.status();
  long long deliveries = 1;
  if (!pending->elements.empty() && pending->elements[0].elements.size() >= 4) {
    deliveries = pending->elements[0].elements[3].integer;
  }
  const std::string error(applied.status().message());
  if (deliveries >= options_.max_deliveries) {
    RETURN_IF_ERROR(Park(id, payload, error, deliveries));
    result.parked++;
    return absl::OkStatus();
  }
  Log(LogLevel::kWarning, "event not applied; it will be tried again",
      {{"group", options_.group},
       {"event", event.id()},
       {"type", event.type()},
       {"deliveries", absl::StrCat(deliveries)},
       {"error", error}});
  result.failed++;
  return absl::OkStatus();
}

absl::Status Consumer::Park(const std::string& entry_id, const std::string& payload,
                            const std::string& error, long long deliveries) {
  Log(LogLevel::kError, "event parked in the dead-letter stream",
      {{"group", options_.group}, {"entry", entry_id}, {"error", error}});
  auto parked = redis_.Command({"XADD", options_.dead_letter_stream, "*", "event", payload, "group",
                                options_.group, "error", error, "deliveries",
                                absl::StrCat(deliveries), "entry", entry_id});
  if (!parked.ok()) return parked.status();
  if (parked->is_error()) return RedisError(*parked, "XADD");
  return absl::OkStatus();
}

void Consumer::Run() {
  auto backoff = std::chrono::milliseconds(100);
  bool failing = false;
  auto next_measure = std::chrono::steady_clock::now();
  while (!stopping_) {
    if (std::chrono::steady_clock::now() >= next_measure) {
      next_measure = std::chrono::steady_clock::now() + std::chrono::seconds(5);
      (void)Measure();  // Redis away: the poll below says so
    }
    auto polled = PollOnce();
    if (polled.ok()) {
      if (failing)
        Log(LogLevel::kInfo, "event consumer reading again", {{"group", options_.group}});
      failing = false;
      backoff = std::chrono::milliseconds(100);
      continue;
    }
    if (!failing) {
      Log(LogLevel::kWarning, "event consumer cannot read or apply; events wait",
          {{"group", options_.group}, {"error", std::string(polled.status().message())}});
    }
    failing = true;
    for (auto slept = std::chrono::milliseconds(0); slept < backoff && !stopping_;
         slept += std::chrono::milliseconds(50)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
  }
}

absl::StatusOr<std::vector<DeadLetter>> ListDeadLetters(RedisClient& redis, int count,
                                                        const std::string& dead_letter_stream) {
  auto range =
      redis.Command({"XRANGE", dead_letter_stream, "-", "+", "COUNT", absl::StrCat(count)});
  if (!range.ok()) return range.status();
  if (range->is_error()) return RedisError(*range, "XRANGE");
  std::vector<DeadLetter> letters;
  for (const auto& entry : range->elements) {
    if (entry.elements.empty()) continue;
    auto fields = EntryFields(entry);
    DeadLetter letter;
    letter.id = entry.elements[0].str;
    letter.group = fields["group"];
    letter.error = fields["error"];
    (void)absl::SimpleAtoi(fields["deliveries"], &letter.deliveries);
    (void)letter.event.ParseFromString(fields["event"]);
    letters.push_back(std::move(letter));
  }
  return letters;
}

absl::StatusOr<int> ReplayDeadLetters(RedisClient& redis, const std::vector<std::string>& ids,
                                      const std::string& stream,
                                      const std::string& dead_letter_stream) {
  std::vector<RedisReply> entries;
  if (ids.empty()) {
    auto range = redis.Command({"XRANGE", dead_letter_stream, "-", "+"});
    if (!range.ok()) return range.status();
    if (range->is_error()) return RedisError(*range, "XRANGE");
    entries = std::move(range->elements);
  } else {
    for (const auto& id : ids) {
      auto one = redis.Command({"XRANGE", dead_letter_stream, id, id});
      if (!one.ok()) return one.status();
      if (one->is_error()) return RedisError(*one, "XRANGE");
      if (one->elements.empty()) {
        return absl::NotFoundError(absl::StrCat("no parked event has the entry id ", id));
      }
      entries.push_back(std::move(one->elements[0]));
    }
  }
  int replayed = 0;
  for (const auto& entry : entries) {
    if (entry.elements.empty()) continue;
    auto fields = EntryFields(entry);
    v1::Event event;
    (void)event.ParseFromString(fields["event"]);
    auto replies = redis.Pipeline({{"XADD", stream, "*", "id", event.id(), "type", event.type(),
                                    "tenant", event.tenant(), "event", fields["event"]},
                                   {"XDEL", dead_letter_stream, entry.elements[0].str}});
    if (!replies.ok()) return replies.status();
    for (const auto& r : *replies) {
      if (r.is_error()) return RedisError(r, "XADD/XDEL");
    }
    ++replayed;
  }
  return replayed;
}

}  // namespace dialogue::events
