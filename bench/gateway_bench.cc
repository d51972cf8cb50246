// The gateway's cost: the same read (GetPlan), a read that touches no database
// (ConvertDate), the same create (CreatePlan) and a health check, each called directly over
// gRPC and through the gateway over HTTP/1.1 keep-alive, interleaved in one run against one
// stack. Prints latency percentiles and the gateway's added p50/p99, then GetPlan's
// throughput under concurrency both ways with their ratio and, given the programs' pids,
// the CPU each spends per call. Beside them, the limits measured in the same run: a gRPC
// server built from the same gRPC that answers GetPlan with a copy of the plan and does
// nothing else ("gateway_bench echo", started by bench/run as a process of its own), and
// pgbench running the statements a GetPlan makes (BENCH_PGBENCH_US, BENCH_PGBENCH_TPS).
// Run by bench/run gateway.
#include <curl/curl.h>
#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "bench_support.h"
#include "dialogue/auth/token.h"
#include "dialogue/v1/calendar.grpc.pb.h"
#include "dialogue/v1/planning.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace {

namespace v1 = dialogue::v1;
using namespace dialogue::bench;  // NOLINT(build/namespaces): the benchmarks' helpers

// The limit gRPC sets: GetPlan answered with the same plan, touching nothing else.
class EchoPlanning final : public v1::PlanningService::Service {
 public:
  explicit EchoPlanning(v1::Plan plan) : plan_(std::move(plan)) {}
  grpc::Status GetPlan(grpc::ServerContext*, const v1::GetPlanRequest*, v1::Plan* out) override {
    *out = plan_;
    return grpc::Status::OK;
  }

 private:
  const v1::Plan plan_;
};

// Serves `plan` on a port of its own, writes that port to `port_file`, and stops after
// ten minutes (bench/run stops it sooner).
int ServeEcho(const v1::Plan& plan, const char* port_file) {
  EchoPlanning echo(plan);
  int port = 0;
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&echo);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr) return 1;
  std::ofstream(port_file) << port << "\n";
  std::this_thread::sleep_for(std::chrono::minutes(10));
  server->Shutdown();
  return 0;
}

double EnvNumber(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? 0 : std::atof(value);
}

v1::Plan SmallPlan() {
  v1::Plan plan;
  plan.set_issuing_body(v1::PEOPLES_COMMITTEE);
  plan.set_year(2027);
  plan.set_title("Kế hoạch đo tốc độ");
  auto* c = plan.add_conferences();
  c->set_id("1");
  c->set_window_start_date("2027-04-20");
  c->set_window_end_date("2027-04-30");
  return plan;
}

}  // namespace

int main(int argc, char** argv) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  const std::string grpc_addr = Env("DIALOGUE_PLANNING_ADDR");
  const std::string gateway = Env("DIALOGUE_GATEWAY_URL");
  dialogue::auth::TokenRequest request;
  request.principal = {
      "bench", "dien-chau", "", {dialogue::auth::Role::kPartyOffice, dialogue::auth::Role::kChair}};
  const std::string token = *dialogue::auth::IssueHs256(request, Env("DIALOGUE_TOKEN_SECRET"));
  auto channel = grpc::CreateChannel(grpc_addr, grpc::InsecureChannelCredentials());
  auto stub = v1::PlanningService::NewStub(channel);

  // A direct call carries what the gateway's call carries: the token, a trace context and a
  // deadline (the gateway's default route timeout), so both ask the service the same.
  auto context = [&](grpc::ClientContext& c) {
    c.AddMetadata("authorization", "Bearer " + token);
    c.AddMetadata("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    c.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  };
  v1::ListPlansRequest list;
  list.set_parent("tenants/dien-chau");
  v1::ListPlansResponse plans;
  {
    grpc::ClientContext c;
    context(c);
    if (!stub->ListPlans(&c, list, &plans).ok() || plans.plans_size() == 0) {
      std::fprintf(stderr, "no demo plan to read\n");
      return 1;
    }
  }
  const std::string name = plans.plans(0).name();
  v1::GetPlanRequest get;
  get.set_name(name);
  if (argc == 3 && std::string(argv[1]) == "echo") {
    grpc::ClientContext c;
    context(c);
    v1::Plan plan;
    if (!stub->GetPlan(&c, get, &plan).ok()) return 1;
    return ServeEcho(plan, argv[2]);
  }
  if (std::getenv("BENCH_GRPC_ECHO_ADDR") == nullptr) {
    std::fprintf(stderr, "BENCH_GRPC_ECHO_ADDR: start 'gateway_bench echo PORT_FILE' first\n");
    return 2;
  }
  auto echo_channel =
      grpc::CreateChannel(Env("BENCH_GRPC_ECHO_ADDR"), grpc::InsecureChannelCredentials());
  v1::CreatePlanRequest create;
  create.set_parent("tenants/dien-chau");
  *create.mutable_plan() = SmallPlan();
  std::string create_json;
  (void)google::protobuf::util::MessageToJsonString(create.plan(), &create_json);

  // GetPlan on `on`: the planning service, or the echo server.
  auto get_plan = [&](std::shared_ptr<grpc::Channel> on) {
    return [&, on]() -> std::function<bool()> {
      auto s = std::shared_ptr<v1::PlanningService::Stub>(v1::PlanningService::NewStub(on));
      return [s, &get, &context] {
        grpc::ClientContext c;
        context(c);
        v1::Plan out;
        return s->GetPlan(&c, get, &out).ok();
      };
    };
  };
  auto direct_get = get_plan(channel);
  auto echo_get = get_plan(echo_channel);
  auto http_get = [&]() -> std::function<bool()> {
    auto client = std::make_shared<HttpClient>(token);
    std::string url = absl::StrCat(gateway, "/v1/", name);
    return [client, url] { return client->Get(url); };
  };
  auto direct_create = [&]() -> std::function<bool()> {
    return [&] {
      grpc::ClientContext c;
      context(c);
      v1::Plan out;
      return stub->CreatePlan(&c, create, &out).ok();
    };
  };
  auto http_create = [&]() -> std::function<bool()> {
    auto client = std::make_shared<HttpClient>(token);
    std::string url = absl::StrCat(gateway, "/v1/tenants/dien-chau/plans");
    return [client, url, &create_json] { return client->Post(url, create_json); };
  };

  auto calendar = v1::CalendarService::NewStub(channel);
  v1::ConvertDateRequest convert;
  convert.set_solar_date("2026-02-17");
  auto direct_convert = [&]() -> std::function<bool()> {
    return [&] {
      grpc::ClientContext c;
      context(c);
      v1::ConvertDateResponse out;
      return calendar->ConvertDate(&c, convert, &out).ok();
    };
  };
  auto http_convert = [&]() -> std::function<bool()> {
    auto client = std::make_shared<HttpClient>(token);
    std::string url = absl::StrCat(gateway, "/v1/calendar:convert?solarDate=2026-02-17");
    return [client, url] { return client->Get(url); };
  };
  auto health = grpc::health::v1::Health::NewStub(channel);
  auto direct_health = [&]() -> std::function<bool()> {
    return [&] {
      grpc::ClientContext c;
      grpc::health::v1::HealthCheckRequest check;
      grpc::health::v1::HealthCheckResponse out;
      return health->Check(&c, check, &out).ok();
    };
  };
  auto http_health = [&]() -> std::function<bool()> {
    auto client = std::make_shared<HttpClient>(token);
    std::string url = absl::StrCat(gateway, "/healthz");
    return [client, url] { return client->Get(url); };
  };

  const int n = 3000;
  const Pair limit = MeasurePair("GetPlan", n, echo_get(), direct_get());
  struct Row {
    const char* name;
    Pair pair;
  };
  std::vector<Row> rows = {
      {"GetPlan (a database read)", MeasurePair("GetPlan", n, direct_get(), http_get())},
      {"ConvertDate (no database)",
       MeasurePair("ConvertDate", n, direct_convert(), http_convert())},
      {"CreatePlan (a write)", MeasurePair("CreatePlan", n / 4, direct_create(), http_create())},
      {"health (gRPC) / healthz", MeasurePair("health", n, direct_health(), http_health())},
  };
  std::printf(
      "Sequential calls on one keep-alive connection each, direct and through the gateway\n"
      "interleaved (%d of each; CreatePlan %d), microseconds\n",
      n, n / 4);
  std::printf("%-28s %9s %9s | %9s %9s | %9s %9s\n", "", "direct", "p99", "gateway", "p99", "added",
              "p99");
  for (const auto& row : rows) {
    std::printf("%-28s %9.0f %9.0f | %9.0f %9.0f | %9.0f %9.0f\n", row.name, row.pair.a.p50,
                row.pair.a.p99, row.pair.b.p50, row.pair.b.p99, row.pair.b.p50 - row.pair.a.p50,
                row.pair.b.p99 - row.pair.a.p99);
  }

  // Throughput: alternating one-second rounds, so that drift in the machine's load falls
  // on both alike. CPU is read from /proc for the gateway and the planning program.
  const int workers = 4, rounds = 5;
  double td = 0, tg = 0, planning_direct = 0, planning_gateway = 0, gateway_cpu = 0;
  for (int r = 0; r < rounds; ++r) {
    double p0 = CpuMicros("BENCH_PLANNING_PID");
    double calls = Throughput(workers, 1.0, direct_get);
    planning_direct += CpuMicros("BENCH_PLANNING_PID") - p0;
    td += calls;
    p0 = CpuMicros("BENCH_PLANNING_PID");
    double g0 = CpuMicros("BENCH_GATEWAY_PID");
    calls = Throughput(workers, 1.0, http_get);
    planning_gateway += CpuMicros("BENCH_PLANNING_PID") - p0;
    gateway_cpu += CpuMicros("BENCH_GATEWAY_PID") - g0;
    tg += calls;
  }
  std::printf("\nGetPlan throughput, %d concurrent callers, %d alternating 1 s rounds each\n",
              workers, rounds);
  std::printf("%-28s %9.0f calls/s\n", "direct gRPC", td / rounds);
  std::printf("%-28s %9.0f calls/s  (%.0f%% of direct)\n", "through the gateway", tg / rounds,
              100.0 * tg / td);
  if (gateway_cpu > 0) {
    std::printf(
        "CPU per call: the gateway %.0f us; the planning program %.0f us (direct), %.0f us "
        "(through the gateway)\n",
        gateway_cpu / tg, planning_direct / td, planning_gateway / tg);
  }

  // Against the limits: GetPlan can be no faster than gRPC carrying the same plan plus
  // PostgreSQL running its statements; 4 callers no faster than the echo.
  const double pg_us = EnvNumber("BENCH_PGBENCH_US"), pg_tps = EnvNumber("BENCH_PGBENCH_TPS");
  double echo_calls = 0, direct_calls = 0;
  for (int r = 0; r < rounds; ++r) {
    echo_calls += Throughput(workers, 1.0, echo_get);
    direct_calls += Throughput(workers, 1.0, direct_get);
  }
  std::printf("\nGetPlan against its limits, same run\n");
  std::printf("%-44s %9.0f us p50\n", "gRPC echo of the same plan", limit.a.p50);
  std::printf("%-44s %9.0f us mean\n", "pgbench, GetPlan's statements, 1 client", pg_us);
  std::printf("%-44s %9.0f us p50  (%.2fx the limit %.0f us)\n", "GetPlan direct", limit.b.p50,
              limit.b.p50 / (limit.a.p50 + pg_us), limit.a.p50 + pg_us);
  std::printf("%-44s %9.0f calls/s\n", "gRPC echo, 4 callers", echo_calls / rounds);
  std::printf("%-44s %9.0f txn/s\n", "pgbench, GetPlan's statements, 4 clients", pg_tps);
  std::printf("%-44s %9.0f calls/s  (%.2fx echo, %.2fx pgbench)\n", "GetPlan direct, 4 callers",
              direct_calls / rounds, direct_calls / echo_calls, direct_calls / rounds / pg_tps);
  return 0;
}
