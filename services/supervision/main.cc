// The supervision program: SupervisionService, the consumer of plans', sessions' and
// notices' events, the due-date sweep and the outbox relay. The one composition root: it
// reads config, builds them, and serves until SIGTERM.
#include <grpcpp/grpcpp.h>

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "consumed_events.h"
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
#include "store.h"
#include "supervision_service.h"
#include "sweep.h"

using dialogue::common::Log;
using dialogue::common::LogLevel;
using dialogue::common::StartupFailed;

int main(int argc, char** argv) {
  dialogue::rpc::PrepareProcess();
  auto parsed = dialogue::common::Config::FromArgs(argc, argv);
  if (!parsed.ok()) return StartupFailed(parsed.status());
  dialogue::common::Config config = *std::move(parsed);
  dialogue::telemetry::ProgramTelemetry telemetry(config, "supervision", "127.0.0.1:9105");

  dialogue::db::PoolOptions pool_options;
  pool_options.uri = config.String("supervision-pg-uri",
                                   "postgresql://dialogue_supervision@127.0.0.1:5432/dialogue",
                                   "PostgreSQL URI of the supervision role");
  auto pool_size = config.Int("pool-size", 8, "database connections at most");
  dialogue::rpc::ServerOptions server_options;
  server_options.address =
      config.String("supervision-listen", "127.0.0.1:7005", "gRPC listen address (host:port)");
  std::string redis_uri = config.String("redis-uri", "redis://127.0.0.1:6379",
                                        "Redis: events in, the outbox relay's events out");
  std::string intake_addr = config.String("intake-addr", "127.0.0.1:7002",
                                          "the intake service (what a receipt code stands for)");
  std::string consumer_name =
      config.String("consumer-name", dialogue::events::DefaultConsumerName(),
                    "this process's name in the event consumer group (unique per replica)");
  auto soon_days = config.Int("due-soon-days", 3,
                              "commitments due within this many days (or overdue) are announced");
  auto sweep_minutes = config.Int("sweep-every-minutes", 60, "how often the sweep runs");
  auto verifier = dialogue::auth::VerifierFromConfig(config);
  auto commune_seconds = config.Int("commune-metrics-seconds", 60,
                                    "how often the per-commune deadline figures are counted");
  std::string holidays = config.String("holidays-file", "libs/calendar/data/vn_holidays.json",
                                       "the government's yearly holiday decisions (JSON)");
  if (config.Has("help")) {
    std::printf("supervision: SupervisionService\n\nOptions:\n%s", config.Usage().c_str());
    return 0;
  }
  for (const auto* value : {&pool_size, &soon_days, &sweep_minutes}) {
    if (!value->ok()) return StartupFailed(value->status());
  }
  if (!verifier.ok()) return StartupFailed(verifier.status());
  if (!commune_seconds.ok()) return StartupFailed(commune_seconds.status());
  if (auto started = telemetry.Start(); !started.ok()) return StartupFailed(started);
  auto redis = dialogue::events::ParseRedisUri(redis_uri);
  if (!redis.ok()) return StartupFailed(redis.status());
  const dialogue::events::RedisAddress readiness_address = *redis;
  pool_options.size = *pool_size;
  pool_options.audit_outbox = "supervision.outbox";  // staff changes leave an audit record
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
  dialogue::supervision::SupervisionStore store(pool);
  dialogue::supervision::SupervisionService supervision(
      store, authenticator, directory, dialogue::rpc::BalancedChannel(intake_addr));

  // Background work, each on connections of its own.
  dialogue::events::ServiceRelay relay(pool_options.uri, *redis, "supervision.outbox");

  dialogue::db::ConnectionPool consumer_pool(pool_options.ForLoop("consumer"));
  auto consumer_options = dialogue::events::ServiceConsumerOptions(
      "supervision", consumer_name, dialogue::supervision::ConsumedEventTypes());
  dialogue::events::Consumer consumer(
      consumer_pool, *redis, consumer_options,
      [&](pqxx::dbtransaction& txn, const dialogue::v1::Event& event) {
        return dialogue::supervision::ApplyEvent(txn, event, **calendar_source);
      });
  consumer.Start();

  dialogue::db::ConnectionPool sweep_pool(pool_options.ForLoop("sweep"));
  dialogue::supervision::SupervisionStore sweep_store(sweep_pool);
  dialogue::supervision::DueSweep sweep(sweep_store, *soon_days,
                                        std::chrono::minutes(*sweep_minutes));
  sweep.Start();

  dialogue::db::CommuneGauges commune_figures(
      pool_options.ForLoop("metrics"),
      {"supervision.overdue_commitments_by_tenant", "dialogue_commitments_overdue",
       "Open commitments past their due date, per commune.",
       std::chrono::seconds(*commune_seconds)});
  commune_figures.Start();

  auto server = dialogue::rpc::StartServer(server_options, {&supervision});
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
