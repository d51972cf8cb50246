#include "metrics.h"

#include "dialogue/telemetry/metrics.h"

namespace dialogue::events::internal {

RelayMetrics::RelayMetrics(const std::string& outbox) {
  static auto& published_family = prometheus::BuildCounter()
                                      .Name("dialogue_events_published_total")
                                      .Help("Outbox rows the relay published to the event stream.")
                                      .Register(telemetry::Metrics());
  static auto& backlog_family = prometheus::BuildGauge()
                                    .Name("dialogue_outbox_backlog")
                                    .Help("Outbox rows not yet published (measured every 5 s).")
                                    .Register(telemetry::Metrics());
  static auto& oldest_family =
      prometheus::BuildGauge()
          .Name("dialogue_outbox_oldest_unsent_seconds")
          .Help("Age of the oldest outbox row not yet published: the relay's lag, in seconds.")
          .Register(telemetry::Metrics());
  published = &published_family.Add({{"outbox", outbox}});
  backlog = &backlog_family.Add({{"outbox", outbox}});
  oldest_seconds = &oldest_family.Add({{"outbox", outbox}});
}

ConsumerMetrics::ConsumerMetrics(const std::string& group, const std::string& stream,
                                 const std::string& dead_letter_stream) {
  static auto& consumed = prometheus::BuildCounter()
                              .Name("dialogue_events_consumed_total")
                              .Help("Events a consumer group read, by what became of them.")
                              .Register(telemetry::Metrics());
  static auto& lags =
      prometheus::BuildGauge()
          .Name("dialogue_consumer_lag")
          .Help("Events on the stream the consumer group has not read yet (every 5 s).")
          .Register(telemetry::Metrics());
  static auto& pendings =
      prometheus::BuildGauge()
          .Name("dialogue_consumer_pending")
          .Help("Events the consumer group read and has not acknowledged (every 5 s).")
          .Register(telemetry::Metrics());
  static auto& dead = prometheus::BuildGauge()
                          .Name("dialogue_events_dead_letters")
                          .Help("Events parked in the dead-letter stream (every 5 s).")
                          .Register(telemetry::Metrics());
  applied = &consumed.Add({{"group", group}, {"result", "applied"}});
  skipped = &consumed.Add({{"group", group}, {"result", "skipped"}});
  failed = &consumed.Add({{"group", group}, {"result", "failed"}});
  parked = &consumed.Add({{"group", group}, {"result", "parked"}});
  lag = &lags.Add({{"group", group}, {"stream", stream}});
  pending = &pendings.Add({{"group", group}, {"stream", stream}});
  dead_letters = &dead.Add({{"stream", dead_letter_stream}});
}

void CountRedisError(const char* what) {
  static auto& errors = prometheus::BuildCounter()
                            .Name("dialogue_redis_errors_total")
                            .Help("Redis operations that failed: no connection, or it was lost.")
                            .Register(telemetry::Metrics());
  errors.Add({{"error", what}}).Increment();
}

}  // namespace dialogue::events::internal
