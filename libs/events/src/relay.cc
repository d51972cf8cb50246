#include "dialogue/events/relay.h"

#include <memory>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/strip.h"
#include "dialogue/common/log.h"
#include "dialogue/v1/events.pb.h"
#include "metrics.h"

namespace dialogue::events {
namespace {

using common::Log;
using common::LogLevel;

// Counts NOTIFYs on one channel; the relay only needs to know one arrived.
class Wakeup : public pqxx::notification_receiver {
 public:
  Wakeup(pqxx::connection_base& c, const std::string& channel)
      : pqxx::notification_receiver(c, channel) {}
  void operator()(const std::string&, int) override {}
};

}  // namespace

OutboxRelay::OutboxRelay(db::ConnectionPool& pool, RedisAddress redis, RelayOptions options)
    : pool_(pool),
      redis_(std::move(redis)),
      options_(std::move(options)),
      channel_(absl::StrReplaceAll(options_.outbox, {{".", "_"}})),
      metrics_(std::make_unique<internal::RelayMetrics>(options_.outbox)) {}

OutboxRelay::~OutboxRelay() {
  stopping_ = true;
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void OutboxRelay::Start() {
  thread_ = std::thread([this] { Run(); });
}

absl::StatusOr<int> OutboxRelay::RelayOnce() {
  return pool_.InTransaction(
      db::TenantScope{}, options_.outbox, [&](pqxx::dbtransaction& txn) -> absl::StatusOr<int> {
        // The relay reads and marks every tenant's rows: the outbox's relay policy admits it.
        auto locked = txn.exec_params(
            "SELECT set_config('app.outbox_relay', 'on', true),"
            " pg_try_advisory_xact_lock(hashtext($1))",
            options_.outbox);
        if (!locked[0][1].as<bool>()) return 0;  // another replica is relaying
        auto rows = txn.exec_params(absl::StrCat("SELECT id, payload FROM ", options_.outbox,
                                                 " WHERE sent_time IS NULL ORDER BY id LIMIT $1"),
                                    options_.batch);
        if (rows.empty()) return 0;
        std::vector<std::vector<std::string>> commands;
        std::vector<std::string> ids;
        std::vector<telemetry::Span> spans;  // each event's publishing, in its request's trace
        commands.reserve(rows.size());
        const std::string max_length = absl::StrCat(options_.max_stream_length);
        for (const auto& row : rows) {
          std::string payload = pqxx::binarystring(row[1]).str();
          v1::Event event;
          if (!event.ParseFromString(payload)) {
            // Only this service writes its outbox; a row that is not an Event is a bug that
            // must not stop every later event. It is published for the dead-letter stream.
            Log(LogLevel::kError, "outbox row is not a dialogue.v1.Event",
                {{"outbox", options_.outbox}, {"row", row[0].c_str()}});
          }
          if (telemetry::Recording()) spans.push_back(PublishSpan(event, rows.size()));
          commands.push_back({"XADD", options_.stream, "MAXLEN", "~", max_length, "*", "id",
                              event.id(), "type", event.type(), "tenant", event.tenant(), "event",
                              std::move(payload)});
          ids.push_back(row[0].c_str());
        }
        auto replies = redis_.Pipeline(commands);
        if (!replies.ok()) {
          for (auto& span : spans) span.SetError(replies.status().message());
          return replies.status();
        }
        for (const auto& reply : *replies) {
          if (reply.is_error()) {
            for (auto& span : spans) span.SetError(reply.str);
            return absl::UnavailableError(absl::StrCat("Redis refused XADD: ", reply.str));
          }
        }
        txn.exec(absl::StrCat("UPDATE ", options_.outbox, " SET sent_time = now() WHERE id IN (",
                              absl::StrJoin(ids, ","), ") AND sent_time IS NULL"));
        metrics_->published->Increment(static_cast<double>(rows.size()));
        return static_cast<int>(rows.size());
      });
}

telemetry::Span OutboxRelay::PublishSpan(const v1::Event& event, size_t batch) const {
  telemetry::Span span(absl::StrCat("send ", options_.stream), telemetry::SpanKind::kProducer,
                       telemetry::ContinueTrace(event.traceparent()));
  span.Set("messaging.system", "redis")
      .Set("messaging.destination.name", options_.stream)
      .Set("messaging.operation.type", "send")
      .Set("messaging.operation.name", "XADD")
      .Set("messaging.message.id", event.id())
      .Set("messaging.batch.message_count", static_cast<int64_t>(batch))
      .Set("dialogue.event.type", event.type())
      .Set("dialogue.tenant", absl::StripPrefix(event.tenant(), "tenants/"));
  return span;
}

absl::Status OutboxRelay::MeasureBacklog() {
  return pool_.InTransaction(
      db::TenantScope{}, options_.outbox, [&](pqxx::dbtransaction& txn) -> absl::Status {
        txn.exec("SELECT set_config('app.outbox_relay', 'on', true)");
        auto row = txn.exec1(absl::StrCat(
            "SELECT count(*), coalesce(extract(epoch FROM now() - min(create_time)), 0) FROM ",
            options_.outbox, " WHERE sent_time IS NULL"));
        metrics_->backlog->Set(row[0].as<double>());
        metrics_->oldest_seconds->Set(row[1].as<double>());
        return absl::OkStatus();
      });
}

absl::StatusOr<int> OutboxRelay::PurgeSent() {
  return pool_.InTransaction(
      db::TenantScope{}, options_.outbox, [&](pqxx::dbtransaction& txn) -> absl::StatusOr<int> {
        txn.exec("SELECT set_config('app.outbox_relay', 'on', true)");
        auto deleted =
            txn.exec_params(absl::StrCat("DELETE FROM ", options_.outbox,
                                         " WHERE sent_time < now() - make_interval(hours => $1)"),
                            static_cast<int>(options_.keep_sent.count()));
        return static_cast<int>(deleted.affected_rows());
      });
}

void OutboxRelay::Sleep(std::chrono::milliseconds d) {
  std::unique_lock<std::mutex> lock(mu_);
  wake_.wait_for(lock, d, [&] { return stopping_.load(); });
}

void OutboxRelay::Run() {
  std::unique_ptr<pqxx::connection> listen;
  std::unique_ptr<Wakeup> wakeup;
  auto backoff = std::chrono::milliseconds(100);
  bool failing = false;
  auto next_purge = std::chrono::steady_clock::now() + std::chrono::minutes(1);
  auto next_measure = std::chrono::steady_clock::now();
  while (!stopping_) {
    if (std::chrono::steady_clock::now() >= next_measure) {
      next_measure = std::chrono::steady_clock::now() + std::chrono::seconds(5);
      (void)MeasureBacklog();  // PostgreSQL away: the pass below says so
    }
    if (listen == nullptr && !options_.pg_uri.empty()) {
      try {
        listen = std::make_unique<pqxx::connection>(options_.pg_uri);
        wakeup = std::make_unique<Wakeup>(*listen, channel_);
      } catch (const std::exception& e) {
        wakeup.reset();
        listen.reset();  // poll until PostgreSQL is back
      }
    }
    auto published = RelayOnce();
    if (!published.ok()) {
      if (!failing) {
        Log(LogLevel::kWarning, "outbox relay cannot publish; rows wait",
            {{"outbox", options_.outbox}, {"error", std::string(published.status().message())}});
      }
      failing = true;
      Sleep(backoff);
      backoff = std::min(backoff * 2, options_.max_backoff);
      continue;
    }
    if (failing)
      Log(LogLevel::kInfo, "outbox relay publishing again", {{"outbox", options_.outbox}});
    failing = false;
    backoff = std::chrono::milliseconds(100);
    if (std::chrono::steady_clock::now() >= next_purge) {
      next_purge = std::chrono::steady_clock::now() + std::chrono::hours(1);
      if (auto purged = PurgeSent(); purged.ok() && *purged > 0) {
        Log(LogLevel::kInfo, "sent outbox rows deleted",
            {{"outbox", options_.outbox}, {"rows", absl::StrCat(*purged)}});
      }
    }
    if (*published >= options_.batch) continue;  // more may wait
    // Under a steady flow, let a few milliseconds of events gather: one pass for many
    // commits costs the database far less than one pass for each.
    if (*published > 0) Sleep(options_.linger);
    if (listen == nullptr) {
      Sleep(options_.idle_poll);
      continue;
    }
    try {
      const long us = static_cast<long>(options_.idle_poll.count()) * 1000;
      listen->await_notification(us / 1000000, us % 1000000);
    } catch (const std::exception&) {
      wakeup.reset();
      listen.reset();
    }
  }
  wakeup.reset();
}

namespace {

RelayOptions ServiceRelayOptions(const std::string& pg_uri, const std::string& outbox) {
  RelayOptions options;
  options.outbox = outbox;
  options.pg_uri = pg_uri;
  return options;
}

}  // namespace

ServiceRelay::ServiceRelay(const std::string& pg_uri, RedisAddress redis, const std::string& outbox)
    : pool_(db::PoolOptions{pg_uri, 1, std::chrono::milliseconds(2000), "relay"}),
      relay_(pool_, std::move(redis), ServiceRelayOptions(pg_uri, outbox)) {
  relay_.Start();
}

}  // namespace dialogue::events
