// The event pipeline's metrics (dialogue_outbox_*, dialogue_events_*, dialogue_consumer_*,
// dialogue_redis_*), shared by the relay, the consumers and the Redis client.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/gauge.h>

#include <string>

namespace dialogue::events::internal {

struct RelayMetrics {
  prometheus::Counter* published;
  prometheus::Gauge* backlog;
  prometheus::Gauge* oldest_seconds;
  explicit RelayMetrics(const std::string& outbox);
};

struct ConsumerMetrics {
  prometheus::Counter* applied;
  prometheus::Counter* skipped;
  prometheus::Counter* failed;
  prometheus::Counter* parked;
  prometheus::Gauge* lag;
  prometheus::Gauge* pending;
  prometheus::Gauge* dead_letters;
  ConsumerMetrics(const std::string& group, const std::string& stream,
                  const std::string& dead_letter_stream);
};

// A Redis operation that failed: the connection could not be made, or was lost.
void CountRedisError(const char* what);

}  // namespace dialogue::events::internal
