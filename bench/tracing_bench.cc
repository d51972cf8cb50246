// What tracing costs: the same calls through two gateways in front of two planning
// programs on one database, one pair exporting every span (100% sampling) to the stack's
// collector and one with tracing off, interleaved in one run. Prints p50/p99 of each and
// the added p50, throughput both ways with its ratio, the CPU each program spends per
// call, and the spans the traced programs exported and dropped. Run by bench/run tracing.
#include <curl/curl.h>

#include <cstdio>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "bench_support.h"
#include "dialogue/auth/token.h"

namespace {

using namespace dialogue::bench;  // NOLINT(build/namespaces): the benchmarks' helpers

size_t Append(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

// The value of an unlabelled series in a program's /metrics, or -1.
double Metric(const std::string& metrics_addr, const std::string& name) {
  std::string body;
  CURL* curl = curl_easy_init();
  curl_easy_setopt(curl, CURLOPT_URL, absl::StrCat("http://", metrics_addr, "/metrics").c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Append);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  CURLcode rc = curl_easy_perform(curl);
  curl_easy_cleanup(curl);
  if (rc != CURLE_OK) return -1;
  for (absl::string_view line : absl::StrSplit(body, '\n')) {
    if (line.substr(0, name.size() + 1) != name + " ") continue;
    double value = -1;
    (void)absl::SimpleAtod(line.substr(name.size() + 1), &value);
    return value;
  }
  return -1;
}

}  // namespace

int main() {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  const std::string traced = Env("BENCH_TRACED_URL");
  const std::string plain = Env("BENCH_PLAIN_URL");
  dialogue::auth::TokenRequest request;
  request.principal = {"bench", "dien-chau", "", {dialogue::auth::Role::kPartyOffice}};
  const std::string token = *dialogue::auth::IssueHs256(request, Env("DIALOGUE_TOKEN_SECRET"));
  const std::string plan = Env("BENCH_PLAN");

  auto get = [&](const std::string& base) {
    return [&, base]() -> std::function<bool()> {
      auto client = std::make_shared<HttpClient>(token);
      std::string url = absl::StrCat(base, "/v1/", plan);
      return [client, url] { return client->Get(url); };
    };
  };
  auto convert = [&](const std::string& base) {
    return [&, base]() -> std::function<bool()> {
      auto client = std::make_shared<HttpClient>(token);
      std::string url = absl::StrCat(base, "/v1/calendar:convert?solarDate=2026-02-17");
      return [client, url] { return client->Get(url); };
    };
  };

  const int n = 3000;
  struct Row {
    const char* name;
    Pair pair;
  };
  std::vector<Row> rows = {
      {"GetPlan (HTTP, gRPC, SQL)", MeasurePair("GetPlan", n, get(plain)(), get(traced)())},
      {"ConvertDate (HTTP, gRPC)",
       MeasurePair("ConvertDate", n, convert(plain)(), convert(traced)())},
  };
  std::printf(
      "Sequential calls on one keep-alive connection each, tracing off and on (every span\n"
      "exported) interleaved, %d of each, microseconds\n",
      n);
  std::printf("%-28s %9s %9s | %9s %9s | %9s\n", "", "off p50", "p99", "on p50", "p99",
              "added p50");
  for (const auto& row : rows) {
    std::printf("%-28s %9.0f %9.0f | %9.0f %9.0f | %9.1f\n", row.name, row.pair.a.p50,
                row.pair.a.p99, row.pair.b.p50, row.pair.b.p99, row.pair.b.p50 - row.pair.a.p50);
  }

  // Throughput in alternating one-second rounds; CPU of each program from /proc.
  const int workers = 4, rounds = 5;
  double off = 0, on = 0, cpu_off = 0, cpu_on = 0, planning_off = 0, planning_on = 0;
  for (int r = 0; r < rounds; ++r) {
    double g0 = CpuMicros("BENCH_PLAIN_GATEWAY_PID"), p0 = CpuMicros("BENCH_PLAIN_PLANNING_PID");
    off += Throughput(workers, 1.0, get(plain));
    cpu_off += CpuMicros("BENCH_PLAIN_GATEWAY_PID") - g0;
    planning_off += CpuMicros("BENCH_PLAIN_PLANNING_PID") - p0;
    g0 = CpuMicros("BENCH_TRACED_GATEWAY_PID"), p0 = CpuMicros("BENCH_TRACED_PLANNING_PID");
    on += Throughput(workers, 1.0, get(traced));
    cpu_on += CpuMicros("BENCH_TRACED_GATEWAY_PID") - g0;
    planning_on += CpuMicros("BENCH_TRACED_PLANNING_PID") - p0;
  }
  std::printf("\nGetPlan throughput, %d concurrent callers, %d alternating 1 s rounds each\n",
              workers, rounds);
  std::printf("%-28s %9.0f calls/s\n", "tracing off", off / rounds);
  std::printf("%-28s %9.0f calls/s  (%.1f%% of off)\n", "tracing on (100%)", on / rounds,
              100.0 * on / off);
  std::printf("CPU per call, off / on: the gateway %.0f / %.0f us; planning %.0f / %.0f us\n",
              cpu_off / off, cpu_on / on, planning_off / off, planning_on / on);
  std::printf("Spans of the traced gateway: %.0f exported, %.0f dropped; planning: %.0f, %.0f\n",
              Metric(Env("BENCH_TRACED_GATEWAY_METRICS"), "dialogue_spans_exported_total"),
              Metric(Env("BENCH_TRACED_GATEWAY_METRICS"), "dialogue_spans_dropped_total"),
              Metric(Env("BENCH_TRACED_PLANNING_METRICS"), "dialogue_spans_exported_total"),
              Metric(Env("BENCH_TRACED_PLANNING_METRICS"), "dialogue_spans_dropped_total"));
  return 0;
}
