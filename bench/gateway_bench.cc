// The gateway's cost: the same read (GetPlan) and the same create (CreatePlan), called
// directly over gRPC and through the gateway over HTTP/1.1 keep-alive, in one run against
// one stack. Prints latency percentiles, the gateway's added p50/p99, and the throughput
// of each under concurrency with their ratio. Run by bench/run gateway.
#include <curl/curl.h>
#include <google/protobuf/util/json_util.h>
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "dialogue/auth/token.h"
#include "dialogue/v1/planning.grpc.pb.h"

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

Percentiles Measure(const char* what, int n, const std::function<bool()>& call) {
  for (int i = 0; i < n / 10; ++i) call();  // warm up
  std::vector<double> us;
  us.reserve(n);
  for (int i = 0; i < n; ++i) {
    auto t0 = Clock::now();
    if (!call()) {
      std::fprintf(stderr, "%s: a call failed\n", what);
      std::exit(1);
    }
    us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
  }
  std::sort(us.begin(), us.end());
  return {us[us.size() / 2], us[us.size() * 99 / 100]};
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

  auto context = [&](grpc::ClientContext& c) { c.AddMetadata("authorization", "Bearer " + token); };
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

  const int n = 2000;
  Percentiles gd = Measure("GetPlan direct", n, direct_get());
  Percentiles gh = Measure("GetPlan through the gateway", n, http_get());
  Percentiles cd = Measure("CreatePlan direct", n / 4, direct_create());
  Percentiles ch = Measure("CreatePlan through the gateway", n / 4, http_create());
  const int workers = 4;
  double td = Throughput(workers, 4.0, direct_get), th = Throughput(workers, 4.0, http_get);

  std::printf(
      "GetPlan and CreatePlan, %d sequential calls each (create: %d), one keep-alive connection\n",
      n, n / 4);
  std::printf("%-28s %10s %10s\n", "", "p50 (us)", "p99 (us)");
  std::printf("%-28s %10.0f %10.0f\n", "GetPlan direct gRPC", gd.p50, gd.p99);
  std::printf("%-28s %10.0f %10.0f\n", "GetPlan through gateway", gh.p50, gh.p99);
  std::printf("%-28s %10.0f %10.0f\n", "  added by the gateway", gh.p50 - gd.p50, gh.p99 - gd.p99);
  std::printf("%-28s %10.0f %10.0f\n", "CreatePlan direct gRPC", cd.p50, cd.p99);
  std::printf("%-28s %10.0f %10.0f\n", "CreatePlan through gateway", ch.p50, ch.p99);
  std::printf("%-28s %10.0f %10.0f\n", "  added by the gateway", ch.p50 - cd.p50, ch.p99 - cd.p99);
  std::printf("\nGetPlan throughput, %d concurrent callers for 4 s each\n", workers);
  std::printf("%-28s %10.0f calls/s\n", "direct gRPC", td);
  std::printf("%-28s %10.0f calls/s  (%.0f%% of direct)\n", "through gateway", th, 100.0 * th / td);
  return 0;
}
