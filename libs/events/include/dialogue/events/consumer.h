// A consumer of the event stream, in a Redis consumer group: each event is applied once.
//
// Applying an event is a transaction, in the scope of the event's tenant, that records
// the event id in the service's processed-events table and runs the handler; the entry is
// acknowledged (XACK) after the commit. The events of one tenant read together share one
// transaction; if it fails they are applied one at a time, so a bad event delays no other. An event
// seen again (a relay or consumer crashed at the wrong moment) finds its id recorded and is
// acknowledged without running the handler. Entries a consumer read but never acknowledged (it
// died, or the handler failed) are claimed again after `claim_idle`; one that has failed
// `max_deliveries` times is parked in the dead-letter stream with its error and acknowledged, so it
// stops blocking nothing and can be replayed (ReplayDeadLetters) once the cause is fixed.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "dialogue/db/pool.h"
#include "dialogue/events/redis.h"
#include "dialogue/events/relay.h"
#include "dialogue/telemetry/span.h"
#include "dialogue/v1/events.pb.h"

namespace dialogue::events {
namespace internal {
struct ConsumerMetrics;
}

// Applies one event inside the consumer's transaction; a non-OK status rolls it back.
using Handler = std::function<absl::Status(pqxx::dbtransaction&, const v1::Event&)>;

struct ConsumerOptions {
  std::string group;            // one per consuming service, e.g. "notices"
  std::string consumer;         // unique per process, e.g. the pod name
  std::string processed_table;  // e.g. "notices.processed_events" (tenant_id, event_id)
  std::set<std::string> types;  // event types handled; others are acknowledged unread
  std::string stream = kEventStream;
  std::string dead_letter_stream = kDeadLetterStream;
  int batch = 100;
  int max_deliveries = 5;
  std::chrono::milliseconds block{500};         // XREADGROUP BLOCK
  std::chrono::milliseconds claim_idle{30000};  // pending this long: claimed again
};

// A service's consumer as deployed: group `service`, this process named `consumer`, each
// event applied once per commune as recorded in "<service>.processed_events".
ConsumerOptions ServiceConsumerOptions(const std::string& service, const std::string& consumer,
                                       std::set<std::string> types);

// This process's default name in a consumer group, "<host>-<pid>": unique per replica.
std::string DefaultConsumerName();

struct PollResult {
  int applied = 0;  // handler ran and committed
  int skipped = 0;  // already applied, or a type this consumer does not handle
  int failed = 0;   // left pending, to be tried again
  int parked = 0;   // moved to the dead-letter stream
};

class Consumer {
 public:
  Consumer(db::ConnectionPool& pool, RedisAddress redis, ConsumerOptions options, Handler handler);
  ~Consumer();  // stops the background loop if it was started
  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;

  // Runs PollOnce in a loop on a thread of its own until destruction; Redis being away
  // is waited out with backoff.
  void Start();

  // Claims entries idle longer than `claim_idle` (other consumers' and this one's failed
  // ones), or else reads new entries (waiting up to `block`), and applies them.
  absl::StatusOr<PollResult> PollOnce();

  // Reads the group's lag and pending count and the dead letters into the metrics.
  absl::Status Measure();

 private:
  // A stream entry, decoded once.
  struct Entry {
    std::string id;        // stream entry id
    std::string payload;   // the "event" field
    bool trimmed = false;  // no fields: trimmed from the stream before it was claimed
    bool parsed = false;   // payload is an Event with an id
    v1::Event event;
    std::string tenant;  // the event's tenant id, "" when it names none
  };

  absl::Status EnsureGroup();
  static Entry Decode(const RedisReply& reply);
  bool Handles(const v1::Event& event) const;
  absl::Status Handle(const Entry& entry, PollResult& result);
  // Applies events of one tenant in one transaction; returns how many ran the handler
  // (the others were applied before).
  absl::StatusOr<int> ApplyBatch(const std::string& tenant, const std::vector<const Entry*>& group);
  telemetry::Span ConsumerSpan(const Entry& entry, size_t batch) const;
  absl::Status Park(const std::string& entry_id, const std::string& payload,
                    const std::string& error, long long deliveries);
  void Run();

  db::ConnectionPool& pool_;
  RedisClient redis_;
  ConsumerOptions options_;
  Handler handler_;
  std::unique_ptr<internal::ConsumerMetrics> metrics_;
  bool group_ready_ = false;
  std::string claim_cursor_ = "0-0";
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

// An event parked in the dead-letter stream.
struct DeadLetter {
  std::string id;     // entry id in the dead-letter stream
  std::string group;  // the consumer group that gave up on it
  std::string error;
  long long deliveries = 0;
  v1::Event event;  // empty when the entry was not an Event at all
};

absl::StatusOr<std::vector<DeadLetter>> ListDeadLetters(
    RedisClient& redis, int count, const std::string& dead_letter_stream = kDeadLetterStream);

// Publishes the parked events `ids` (all of them when empty) to the event stream again and
// removes them from the dead-letter stream. Groups that applied an event already skip it.
// Returns how many were replayed.
absl::StatusOr<int> ReplayDeadLetters(RedisClient& redis, const std::vector<std::string>& ids,
                                      const std::string& stream = kEventStream,
                                      const std::string& dead_letter_stream = kDeadLetterStream);

}  // namespace dialogue::events
