// The gateway's cost: the same read (GetPlan), a read that touches no database
// (ConvertDate), the same create (CreatePlan) and a health check, each called directly over
// gRPC and through the gateway over HTTP/1.1 keep-alive, interleaved in one run against one
// stack. Prints latency percentiles and the gateway's added p50/p99, then GetPlan's
// throughput under concurrency both ways with their ratio and, given the programs' pids,
// the CPU each spends per call. Run by bench/run gateway.
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
#include "dialogue/auth/token.h"
#include "dialogue/v1/calendar.grpc.pb.h"
#include "dialogue/v1/planning.grpc.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace {

namespace v1 = dialogue::v1;
using Clock = std::chrono::steady_clock;

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr) {
    std::fprintf(stderr, "%s is not set; run bench/run gateway\n", name);
    std::exit(2);
  }
  return v;
}

size_t Sink(char*, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(size * n, ' ');
  return size * n;
}

// One keep-alive HTTP connection.
class HttpClient {
 public:
  explicit HttpClient(const std::string& token) : curl_(curl_easy_init()) {
    headers_ = curl_slist_append(headers_, ("Authorization: Bearer " + token).c_str());
    headers_ = curl_slist_append(headers_, "Content-Type: application/json");
    curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers_);
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, Sink);
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &body_);
    curl_easy_setopt(curl_, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(curl_, CURLOPT_TCP_NODELAY, 1L);
  }
  ~HttpClient() {
    curl_slist_free_all(headers_);
    curl_easy_cleanup(curl_);
  }
  bool Get(const std::string& url) { return Do("GET", url, ""); }
  bool Post(const std::string& url, const std::string& body) { return Do("POST", url, body); }

 private:
  bool Do(const char* method, const std::string& url, const std::string& body) {
    body_.clear();
    curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl_, CURLOPT_CUSTOMREQUEST, method);
    if (*method == 'P') {
      curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, body.c_str());
      curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    } else {
      curl_easy_setopt(curl_, CURLOPT_HTTPGET, 1L);
    }
    long status = 0;
    if (curl_easy_perform(curl_) != CURLE_OK) return false;
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &status);
    return status == 200;
  }
  CURL* curl_;
  curl_slist* headers_ = nullptr;
  std::string body_;
};

struct Percentiles {
  double p50, p99;
};

Percentiles Of(std::vector<double> us) {
  std::sort(us.begin(), us.end());
  return {us[us.size() / 2], us[us.size() * 99 / 100]};
}

double Time(const char* what, const std::function<bool()>& call) {
  auto t0 = Clock::now();
  if (!call()) {
    std::fprintf(stderr, "%s: a call failed\n", what);
    std::exit(1);
  }
  return std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
}

// The same call directly and through the gateway, interleaved (direct first on even
// rounds, the gateway first on odd ones), so that both see the same machine.
struct Pair {
  Percentiles direct, gateway;
};
Pair MeasurePair(const char* what, int n, const std::function<bool()>& direct,
                 const std::function<bool()>& gateway) {
  for (int i = 0; i < n / 10; ++i) Time(what, direct), Time(what, gateway);  // warm up
  std::vector<double> d, g;
  for (int i = 0; i < n; ++i) {
    if (i % 2 == 0) {
      d.push_back(Time(what, direct));
      g.push_back(Time(what, gateway));
    } else {
      g.push_back(Time(what, gateway));
      d.push_back(Time(what, direct));
    }
  }
  return {Of(d), Of(g)};
}

// Calls per second with `workers` concurrent callers for `seconds`.
double Throughput(int workers, double seconds, const std::function<std::function<bool()>()>& make) {
  std::atomic<long> done{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int w = 0; w < workers; ++w) {
    threads.emplace_back([&] {
      auto call = make();
      while (!stop) {
        if (call()) ++done;
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& t : threads) t.join();
  return done / seconds;
}

// CPU time (user + system) a process has used, in microseconds; 0 without a pid.
double CpuMicros(const char* pid_variable) {
  const char* pid = std::getenv(pid_variable);
  if (pid == nullptr) return 0;
  std::ifstream in(absl::StrCat("/proc/", pid, "/stat"));
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Fields after the command name (which may hold spaces): state is field 3, utime 14.
  std::vector<std::string> fields = absl::StrSplit(stat.substr(stat.rfind(')') + 2), ' ');
  if (fields.size() < 13) return 0;
  return (std::stod(fields[11]) + std::stod(fields[12])) * 1e6 /
         static_cast<double>(sysconf(_SC_CLK_TCK));
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

int main() {
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
  v1::CreatePlanRequest create;
  create.set_parent("tenants/dien-chau");
  *create.mutable_plan() = SmallPlan();
  std::string create_json;
  (void)google::protobuf::util::MessageToJsonString(create.plan(), &create_json);

  auto direct_get = [&]() -> std::function<bool()> {
    auto s = v1::PlanningService::NewStub(channel);
    return [s = std::shared_ptr<v1::PlanningService::Stub>(std::move(s)), &get, &context] {
      grpc::ClientContext c;
      context(c);
      v1::Plan out;
      return s->GetPlan(&c, get, &out).ok();
    };
  };
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
    std::printf("%-28s %9.0f %9.0f | %9.0f %9.0f | %9.0f %9.0f\n", row.name, row.pair.direct.p50,
                row.pair.direct.p99, row.pair.gateway.p50, row.pair.gateway.p99,
                row.pair.gateway.p50 - row.pair.direct.p50,
                row.pair.gateway.p99 - row.pair.direct.p99);
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
  return 0;
}
