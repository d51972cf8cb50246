// The outbox relay each service runs: it publishes the rows of the service's outbox table
// to the event stream in id order and marks them sent.
//
// A row is marked sent in the transaction that read it, after Redis accepted it; when
// Redis is down the transaction rolls back, the rows wait, and the relay tries again with
// backoff. A crash between XADD and COMMIT publishes the row again on the next pass: a
// consumer may see an event twice and must apply it once (see consumer.h). One replica
// of a service relays at a time (a transaction-scoped advisory lock), so the order holds.
//
// The relay wakes on NOTIFY <schema>_outbox (an AFTER INSERT trigger on the outbox sends
// it at commit) and polls every `idle_poll` besides, in case a notification was missed.
// After a pass that published something it lingers a few milliseconds, so that under load
// one pass carries many commits' events.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "dialogue/db/pool.h"
#include "dialogue/events/redis.h"
#include "dialogue/telemetry/span.h"
#include "dialogue/v1/events.pb.h"

namespace dialogue::events {
namespace internal {
struct RelayMetrics;
}

// The stream every service publishes to, and where consumers park what keeps failing.
inline constexpr char kEventStream[] = "dialogue:events";
inline constexpr char kDeadLetterStream[] = "dialogue:events:dead";

struct RelayOptions {
  std::string outbox;  // e.g. "intake.outbox"
  std::string pg_uri;  // for the LISTEN connection (the pool's connections come and go)
  std::string stream = kEventStream;
  int batch = 500;
  std::chrono::milliseconds idle_poll{500};
  std::chrono::milliseconds linger{5};  // after a pass that published, before the next
  std::chrono::milliseconds max_backoff{5000};
  // XADD MAXLEN ~: how many events the stream keeps. Consumers further behind than this
  // lose events, so it is sized for days of a province's traffic.
  long max_stream_length = 5'000'000;
  // Sent rows older than this are deleted from the outbox (checked once an hour).
  std::chrono::hours keep_sent{24 * 7};
};

class OutboxRelay {
 public:
  OutboxRelay(db::ConnectionPool& pool, RedisAddress redis, RelayOptions options);
  ~OutboxRelay();  // stops the background loop if it was started
  OutboxRelay(const OutboxRelay&) = delete;
  OutboxRelay& operator=(const OutboxRelay&) = delete;

  // Runs the loop on a thread of its own until destruction.
  void Start();

  // One pass: publishes up to `batch` waiting rows. Returns how many were published
  // (0 when nothing waits or another replica holds the relay lock), or UNAVAILABLE when
  // Redis or PostgreSQL could not be reached (nothing was marked).
  absl::StatusOr<int> RelayOnce();

  // Deletes sent rows older than `keep_sent`; returns how many.
  absl::StatusOr<int> PurgeSent();

  // Counts the rows waiting and the age of the oldest into the metrics.
  absl::Status MeasureBacklog();

 private:
  void Run();
  void Sleep(std::chrono::milliseconds d);
  telemetry::Span PublishSpan(const v1::Event& event, size_t batch) const;

  db::ConnectionPool& pool_;
  RedisClient redis_;
  RelayOptions options_;
  std::string channel_;  // NOTIFY channel, "<schema>_outbox"
  std::unique_ptr<internal::RelayMetrics> metrics_;
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::condition_variable wake_;
  std::thread thread_;
};

// The relay as a service runs it, started: on a connection of its own (requests never wait
// for it, nor it for them), publishing `outbox` to the event stream until destruction.
class ServiceRelay {
 public:
  ServiceRelay(const std::string& pg_uri, RedisAddress redis, const std::string& outbox);

 private:
  db::ConnectionPool pool_;
  OutboxRelay relay_;
};

}  // namespace dialogue::events
