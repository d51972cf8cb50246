// The planning program: PlanningService, TenantService, CalendarService and AccountService. The one
// composition root: it reads config, builds the pool, stores and services, and serves until
// SIGTERM.

#include <cstdio>

#include "absl/strings/str_cat.h"

#include "account_service.h"
#include "calendar_service.h"
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
#include "dialogue/rpc/readiness.h"
#include "dialogue/rpc/server.h"
#include "dialogue/telemetry/program.h"
#include "plan_events.h"
#include "planning_service.h"
#include "store.h"
#include "tenant_service.h"

using dialogue::common::Log;
using dialogue::common::LogLevel;
using dialogue::common::StartupFailed;

int main(int argc, char** argv) {
  dialogue::rpc::PrepareProcess();
  auto parsed = dialogue::common::Config::FromArgs(argc, argv);
  if (!parsed.ok()) return StartupFailed(parsed.status());
  dialogue::common::Config config = *std::move(parsed);
  dialogue::telemetry::ProgramTelemetry telemetry(config, "planning", "127.0.0.1:9101");

  dialogue::db::PoolOptions pool_options;
  pool_options.uri =
      config.String("planning-pg-uri", "postgresql://dialogue_planning@127.0.0.1:5432/dialogue",
                    "PostgreSQL URI of the planning role");
  auto pool_size = config.Int("pool-size", 8, "database connections at most");
  dialogue::rpc::ServerOptions server_options;
  server_options.address =
      config.String("planning-listen", "127.0.0.1:7001", "gRPC listen address (host:port)");
  std::string redis_uri = config.String("redis-uri", "redis://127.0.0.1:6379",
                                        "Redis, where the outbox relay publishes events");
  std::string consumer_name =
      config.String("consumer-name", dialogue::events::DefaultConsumerName(),
                    "this process's name in the event consumer group (unique per replica)");
  auto verifier = dialogue::auth::VerifierFromConfig(config);
  auto issuer = dialogue::auth::TokenIssuer::FromConfig(config);
  auto oidc = dialogue::planning::OidcProvider::FromConfig(config);
  auto commune_seconds =
      config.Int("commune-metrics-seconds", 60, "how often the per-commune figures are counted");
  std::string holidays = config.String("holidays-file", "libs/calendar/data/vn_holidays.json",
                                       "the government's yearly holiday decisions (JSON)");
  if (config.Has("help")) {
    std::printf(
        "planning: PlanningService, TenantService, CalendarService and "
        "AccountService\n\nOptions:\n%s",
        config.Usage().c_str());
    return 0;
  }
  if (!pool_size.ok()) return StartupFailed(pool_size.status());
  if (!verifier.ok()) return StartupFailed(verifier.status());
  if (!issuer.ok()) return StartupFailed(issuer.status());
  if (!oidc.ok()) return StartupFailed(oidc.status());
  if (!commune_seconds.ok()) return StartupFailed(commune_seconds.status());
  if (auto started = telemetry.Start(); !started.ok()) return StartupFailed(started);
  auto redis = dialogue::events::ParseRedisUri(redis_uri);
  if (!redis.ok()) return StartupFailed(redis.status());
  const dialogue::events::RedisAddress readiness_address = *redis;
  pool_options.size = *pool_size;
  pool_options.audit_outbox = "planning.outbox";  // staff changes leave an audit record
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
  dialogue::planning::PlanStore plans(pool);
  dialogue::planning::TenantStore tenants(pool);
  dialogue::planning::PlanningService planning(plans, tenants, authenticator);
  dialogue::planning::TenantService tenant_service(tenants, directory, authenticator);
  dialogue::planning::AccountStore account_store(pool);
  dialogue::planning::AccountService accounts(account_store, authenticator, *std::move(issuer), {},
                                              oidc->get());
  dialogue::planning::CalendarStore days_off(pool);
  dialogue::planning::CalendarService calendar(**calendar_source, days_off, tenants, authenticator);

  dialogue::events::ServiceRelay relay(pool_options.uri, *redis, "planning.outbox");
  // Every service's AuditRecorded events into the audit log; sessions and notices into the
  // plans (plan_events.h).
  dialogue::db::ConnectionPool consumer_pool(pool_options.ForLoop("consumer"));
  auto consumer_options = dialogue::events::ServiceConsumerOptions(
      "planning", consumer_name, dialogue::planning::ConsumedEventTypes());
  dialogue::events::Consumer consumer(consumer_pool, *std::move(redis), consumer_options,
                                      dialogue::planning::ApplyEvent);
  consumer.Start();

  dialogue::db::CommuneGauges commune_figures(
      pool_options.ForLoop("metrics"),
      {"planning.conferences_planned_by_tenant", "dialogue_conferences_planned",
       "Conferences the published plans of this year schedule, per commune.",
       std::chrono::seconds(*commune_seconds)});
  commune_figures.Start();

  auto server = dialogue::rpc::StartServer(server_options,
                                           {&planning, &tenant_service, &calendar, &accounts});
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
