// The sessions program: SessionService, the live view's listener and the outbox relay.
// The one composition root: it reads config, builds them, and serves until SIGTERM.
#include <grpcpp/grpcpp.h>

#include <cstdio>

#include "dialogue/common/config.h"
#include "dialogue/common/log.h"
#include "dialogue/db/commune_gauges.h"
#include "dialogue/db/migrations.h"
#include "dialogue/db/pool.h"
#include "dialogue/db/tenant_directory.h"
#include "dialogue/events/redis.h"
#include "dialogue/events/relay.h"
#include "dialogue/rpc/call.h"
#include "dialogue/rpc/channel.h"
#include "dialogue/rpc/readiness.h"
#include "dialogue/rpc/server.h"
#include "dialogue/telemetry/program.h"
#include "live_sessions.h"
#include "session_service.h"
#include "store.h"

using dialogue::common::Log;
using dialogue::common::LogLevel;
using dialogue::common::StartupFailed;

int main(int argc, char** argv) {
  dialogue::rpc::PrepareProcess();
  auto parsed = dialogue::common::Config::FromArgs(argc, argv);
  if (!parsed.ok()) return StartupFailed(parsed.status());
  dialogue::common::Config config = *std::move(parsed);
  dialogue::telemetry::ProgramTelemetry telemetry(config, "sessions", "127.0.0.1:9104");

  dialogue::db::PoolOptions pool_options;
  pool_options.uri =
      config.String("sessions-pg-uri", "postgresql://dialogue_sessions@127.0.0.1:5432/dialogue",
                    "PostgreSQL URI of the sessions role");
  auto pool_size = config.Int("pool-size", 8, "database connections at most");
  dialogue::rpc::ServerOptions server_options;
  server_options.address =
      config.String("sessions-listen", "127.0.0.1:7004", "gRPC listen address (host:port)");
  std::string redis_uri =
      config.String("redis-uri", "redis://127.0.0.1:6379", "Redis: the outbox relay's events out");
  std::string planning_addr = config.String("planning-addr", "127.0.0.1:7001",
                                            "the planning service (the plan's conferences)");
  std::string intake_addr = config.String("intake-addr", "127.0.0.1:7002",
                                          "the intake service (the synthesis report of opinions)");
  auto verifier = dialogue::auth::VerifierFromConfig(config);
  auto commune_seconds =
      config.Int("commune-metrics-seconds", 60, "how often the per-commune figures are counted");
  if (config.Has("help")) {
    std::printf("sessions: SessionService\n\nOptions:\n%s", config.Usage().c_str());
    return 0;
  }
  if (!pool_size.ok()) return StartupFailed(pool_size.status());
  if (!verifier.ok()) return StartupFailed(verifier.status());
  if (!commune_seconds.ok()) return StartupFailed(commune_seconds.status());
  if (auto started = telemetry.Start(); !started.ok()) return StartupFailed(started);
  auto redis = dialogue::events::ParseRedisUri(redis_uri);
  if (!redis.ok()) return StartupFailed(redis.status());
  const dialogue::events::RedisAddress readiness_address = *redis;
  pool_options.size = *pool_size;
  pool_options.audit_outbox = "sessions.outbox";  // staff changes leave an audit record

  dialogue::db::ConnectionPool pool(pool_options);
  // Rolled out beside the migrations Job: serve once the schema this build needs is there.
  if (auto schema = dialogue::db::AwaitSchema(pool, DIALOGUE_SCHEMA_SERVICE, DIALOGUE_SCHEMA_FILE,
                                              absl::Minutes(5));
      !schema.ok()) {
    return StartupFailed(schema);
  }
  dialogue::db::TenantDirectory directory(pool);
  dialogue::rpc::Authenticator authenticator(*std::move(verifier), directory);
  dialogue::sessions::SessionStore store(pool);
  dialogue::sessions::LiveSessions live(store, pool_options.uri);
  live.Start();
  dialogue::sessions::Upstreams upstreams;
  upstreams.planning = dialogue::rpc::BalancedChannel(planning_addr);
  upstreams.intake = dialogue::rpc::BalancedChannel(intake_addr);
  dialogue::sessions::SessionService sessions(store, authenticator, upstreams, &live);

  dialogue::events::ServiceRelay relay(pool_options.uri, *redis, "sessions.outbox");

  dialogue::db::CommuneGauges commune_figures(
      pool_options.ForLoop("metrics"),
      {"sessions.conferences_held_by_tenant", "dialogue_conferences_held",
       "Conferences held this year (concluded or closed), per commune.",
       std::chrono::seconds(*commune_seconds)});
  commune_figures.Start();

  auto server = dialogue::rpc::StartServer(server_options, {&sessions});
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
