// The intake program: IntakeService, the consumer of sessions' conclusions and the outbox
// relay. The one composition root: it reads config, builds the pool, store, batcher and
// service, and serves until SIGTERM.

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "consumed_events.h"
#include "create_batcher.h"
#include "dialogue/calendar/calendar_source.h"
#include "dialogue/common/config.h"
#include "dialogue/common/log.h"
#include "dialogue/db/commune_gauges.h"
#include "dialogue/db/migrations.h"
#include "dialogue/db/pool.h"
#include "dialogue/db/tenant_directory.h"
#include "dialogue/events/consumer.h"
#include "dialogue/events/redis.h"
#include "dialogue/events/relay.h"
#include "dialogue/rpc/call.h"
#include "dialogue/rpc/channel.h"
#include "dialogue/rpc/readiness.h"
#include "dialogue/rpc/server.h"
#include "dialogue/telemetry/program.h"
#include "intake_service.h"
#include "store.h"

using dialogue::common::Log;
using dialogue::common::LogLevel;
using dialogue::common::StartupFailed;

int main(int argc, char** argv) {
  dialogue::rpc::PrepareProcess();
  auto parsed = dialogue::common::Config::FromArgs(argc, argv);
  if (!parsed.ok()) return StartupFailed(parsed.status());
  dialogue::common::Config config = *std::move(parsed);
  dialogue::telemetry::ProgramTelemetry telemetry(config, "intake", "127.0.0.1:9102");

  dialogue::db::PoolOptions pool_options;
  pool_options.uri =
      config.String("intake-pg-uri", "postgresql://dialogue_intake@127.0.0.1:5432/dialogue",
                    "PostgreSQL URI of the intake role");
  auto pool_size = config.Int("pool-size", 8, "database connections at most");
  auto writers =
      config.Int("create-writers", 3, "transactions at most that write batched creates at once");
  dialogue::rpc::ServerOptions server_options;
  server_options.address =
      config.String("intake-listen", "127.0.0.1:7002", "gRPC listen address (host:port)");
  std::string redis_uri = config.String("redis-uri", "redis://127.0.0.1:6379",
                                        "Redis: events in, the outbox relay's events out");
  std::string planning_addr = config.String("planning-addr", "127.0.0.1:7001",
                                            "the planning service (a round's plan and dates)");
  std::string consumer_name =
      config.String("consumer-name", dialogue::events::DefaultConsumerName(),
                    "this process's name in the event consumer group (unique per replica)");
  auto verifier = dialogue::auth::VerifierFromConfig(config);
  auto commune_seconds = config.Int("commune-metrics-seconds", 60,
                                    "how often the per-commune deadline figures are counted");
  std::string holidays = config.String("holidays-file", "libs/calendar/data/vn_holidays.json",
                                       "the government's yearly holiday decisions (JSON)");
  if (config.Has("help")) {
    std::printf("intake: IntakeService\n\nOptions:\n%s", config.Usage().c_str());
    return 0;
  }
  if (!pool_size.ok()) return StartupFailed(pool_size.status());
  if (!writers.ok()) return StartupFailed(writers.status());
  if (!verifier.ok()) return StartupFailed(verifier.status());
  if (!commune_seconds.ok()) return StartupFailed(commune_seconds.status());
  if (auto started = telemetry.Start(); !started.ok()) return StartupFailed(started);
  auto redis = dialogue::events::ParseRedisUri(redis_uri);
  if (!redis.ok()) return StartupFailed(redis.status());
  const dialogue::events::RedisAddress readiness_address = *redis;
  pool_options.size = *pool_size;
  pool_options.audit_outbox = "intake.outbox";  // staff changes leave an audit record
  auto calendar_source = dialogue::calendar::CalendarSource::Open(holidays);
  if (!calendar_source.ok()) return StartupFailed(calendar_source.status());

  dialogue::db::ConnectionPool pool(pool_options);
  // Rolled out beside the migrations Job: serve once the schema this build needs is there.
  if (auto schema = dialogue::db::AwaitSchema(pool, DIALOGUE_SCHEMA_SERVICE, DIALOGUE_SCHEMA_FILE,
                                              absl::Minutes(5));
      !schema.ok()) {
    return StartupFailed(schema);
  }
  dialogue::db::TenantDirectory directory(pool);
  dialogue::rpc::Authenticator authenticator(*std::move(verifier), directory);
  dialogue::intake::IntakeStore store(pool);
  dialogue::intake::CreateBatcher creates(store, *writers);
  dialogue::intake::IntakeService intake(store, creates, **calendar_source, authenticator,
                                         dialogue::rpc::BalancedChannel(planning_addr));

  // Background work, each on connections of its own.
  dialogue::events::ServiceRelay relay(pool_options.uri, *redis, "intake.outbox");

  dialogue::db::ConnectionPool consumer_pool(pool_options.ForLoop("consumer"));
  auto consumer_options = dialogue::events::ServiceConsumerOptions(
      "intake", consumer_name, dialogue::intake::ConsumedEventTypes());
  dialogue::events::Consumer consumer(consumer_pool, *redis, consumer_options,
                                      dialogue::intake::ApplyEvent);
  consumer.Start();

  dialogue::db::CommuneGauges commune_figures(
      pool_options.ForLoop("metrics"),
      {"intake.unanswered_past_due_by_tenant", "dialogue_opinions_past_answer_date",
       "Opinions not answered by their answer date, per commune.",
       std::chrono::seconds(*commune_seconds)});
  commune_figures.Start();

  auto server = dialogue::rpc::StartServer(server_options, {&intake});
  if (!server.ok()) return StartupFailed(server.status());
  // Ready while PostgreSQL and Redis answer, on connections of its own.
  dialogue::db::ConnectionPool readiness_pool(pool_options.ForLoop("readiness"));
  dialogue::events::RedisClient readiness_redis(readiness_address);
  dialogue::rpc::Readiness readiness((*server)->server(),
                                     {{"postgresql", [&] { return readiness_pool.Ping(); }},
                                      {"redis", [&] { return readiness_redis.Ping(); }}});
  (*server)->WaitForTermination();
  Log(LogLevel::kInfo, "stopped");
  return 0;
}
