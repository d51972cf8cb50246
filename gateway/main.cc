// The gateway program: HTTP/JSON in front of every service. The one composition root: it
// reads config, finds each program's address, and serves until SIGTERM.
#include <cstdio>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "dialogue/auth/token.h"
#include "dialogue/common/config.h"
#include "dialogue/common/log.h"
#include "dialogue/rpc/server.h"
#include "dialogue/telemetry/program.h"
#include "openapi.h"
#include "routes.h"
#include "server.h"

using dialogue::common::StartupFailed;

int main(int argc, char** argv) {
  dialogue::rpc::PrepareProcess();
  auto parsed = dialogue::common::Config::FromArgs(argc, argv);
  if (!parsed.ok()) return StartupFailed(parsed.status());
  dialogue::common::Config config = *std::move(parsed);
  dialogue::telemetry::ProgramTelemetry telemetry(config, "gateway", "127.0.0.1:9100");

  dialogue::gateway::GatewayOptions options;
  options.listen = config.String("gateway-listen", "127.0.0.1:8080", "HTTP listen address");
  auto body = config.Int("max-body-bytes", 1 << 20, "largest request body accepted");
  auto timeout = config.Int("route-timeout-ms", 10000, "deadline of each upstream call");
  auto threads = config.Int("gateway-threads", 2, "HTTP event loops, a thread each");
  auto call_threads =
      config.Int("gateway-call-threads", 1, "threads that write unary calls' answers");
  options.static_dir = config.String("static-dir", "", "folder of web pages to serve");
  options.public_url = config.String(
      "public-url", "",
      "the origin people reach the gateway at (https://...), for the OIDC provider's return "
      "address; empty: http:// and the request's Host");
  auto public_rate = config.Int("public-requests-per-second", 5, "per client address, no account");
  auto public_burst = config.Int("public-burst", 20, "requests a client address may make at once");
  auto trusted = dialogue::gateway::TrustedProxies::Parse(
      config.String("trusted-proxies", "",
                    "addresses and CIDR networks of the proxies (the Ingress) whose "
                    "X-Forwarded-For is believed"));
  auto tenant_rate = config.Int("tenant-requests-per-second", 200, "per commune (or province)");
  auto tenant_burst = config.Int("tenant-burst", 400, "requests a commune may make at once");
  auto routes = dialogue::gateway::RouteTable::FromGeneratedPool();
  if (routes.ok()) {
    for (const auto& program : routes->Programs()) {
      // DIALOGUE_PLANNING_ADDR and so on: the same names .run/env gives.
      std::string addr = config.String(absl::StrCat(program, "-addr"), "",
                                       absl::StrCat("gRPC address of the ", program, " program"));
      if (!addr.empty()) options.upstreams[program] = addr;
    }
  }
  auto verifier = dialogue::auth::VerifierFromConfig(config);
  if (config.Has("help")) {
    std::printf("gateway: HTTP/JSON for every service\n\nOptions:\n%s", config.Usage().c_str());
    return 0;
  }
  // The contract the web pages' typed client is generated from (web/, npm run api).
  if (config.Has("print-openapi")) {
    if (!routes.ok()) return StartupFailed(routes.status());
    std::printf("%s\n", dialogue::gateway::OpenApiJson(*routes).c_str());
    return 0;
  }
  for (const auto* value : {&body, &timeout, &threads, &call_threads, &public_rate, &public_burst,
                            &tenant_rate, &tenant_burst}) {
    if (!value->ok()) return StartupFailed(value->status());
  }
  if (!routes.ok()) return StartupFailed(routes.status());
  if (!trusted.ok()) return StartupFailed(trusted.status());
  if (!verifier.ok()) return StartupFailed(verifier.status());
  if (auto started = telemetry.Start(); !started.ok()) return StartupFailed(started);
  options.max_body_bytes = static_cast<size_t>(*body);
  options.route_timeout = std::chrono::milliseconds(*timeout);
  options.threads = *threads;
  options.call_threads = *call_threads;
  options.public_per_second = *public_rate;
  options.trusted_proxies = *std::move(trusted);
  options.public_burst = *public_burst;
  options.tenant_per_second = *tenant_rate;
  options.tenant_burst = *tenant_burst;

  auto gateway = dialogue::gateway::Gateway::Start(std::move(options), *std::move(verifier));
  if (!gateway.ok()) return StartupFailed(gateway.status());
  dialogue::rpc::WaitForTerminationSignal();
  (*gateway)->Stop();
  dialogue::common::Log(dialogue::common::LogLevel::kInfo, "stopped");
  return 0;
}
