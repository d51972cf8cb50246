// What tracing costs: the same calls through the stack's gateway to planning, every program
// exporting spans to the stack's collector, with a caller's traceparent that says
// "sampled" (flag 01: every span recorded and exported, as at 100% sampling) or "not
// sampled" (flag 00: the context travels, nothing is recorded, as with tracing off),
// interleaved call by call in one run on the same processes. Prints p50/p99 both ways
// and the added p50, throughput in alternating rounds with its ratio, the CPU the gateway
// and planning spend per call, and the spans exported and dropped. Run by bench/run tracing.
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
  const std::string gateway = Env("DIALOGUE_GATEWAY_URL");
  dialogue::auth::TokenRequest request;
  request.principal = {"bench", "dien-chau", "", {dialogue::auth::Role::kPartyOffice}};
  const std::string token = *dialogue::auth::IssueHs256(request, Env("DIALOGUE_TOKEN_SECRET"));
  const std::string plan = Env("BENCH_PLAN");
  const std::string sampled =
      "traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  const std::string unsampled =
      "traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00";

  auto call = [&](const std::string& path, const std::string& header) {
    return [&, path, header]() -> std::function<bool()> {
      auto client = std::make_shared<HttpClient>(token, header);
      std::string url = absl::StrCat(gateway, path);
      return [client, url] { return client->Get(url); };
    };
  };
  const std::string get_plan = absl::StrCat("/v1/", plan);
  const std::string convert = "/v1/calendar:convert?solarDate=2026-02-17";

  const int n = 3000;
  struct Row {
    const char* name;
    Pair pair;
  };
  std::vector<Row> rows = {
      {"GetPlan (HTTP, gRPC, SQL)",
       MeasurePair("GetPlan", n, call(get_plan, unsampled)(), call(get_plan, sampled)())},
      {"ConvertDate (HTTP, gRPC)",
       MeasurePair("ConvertDate", n, call(convert, unsampled)(), call(convert, sampled)())},
  };
  std::printf(
      "Sequential calls on one keep-alive connection each, not sampled (off) and sampled\n"
      "(on: every span exported) interleaved, %d of each, microseconds\n",
      n);
  std::printf("%-28s %9s %9s | %9s %9s | %9s\n", "", "off p50", "p99", "on p50", "p99",
              "added p50");
  for (const auto& row : rows) {
    std::printf("%-28s %9.0f %9.0f | %9.0f %9.0f | %9.1f\n", row.name, row.pair.a.p50,
                row.pair.a.p99, row.pair.b.p50, row.pair.b.p99, row.pair.b.p50 - row.pair.a.p50);
  }

  // Throughput in alternating rounds; CPU of the gateway and planning from /proc (spans of
  // an "on" round may be exported early in the next round: rounds of 2 s keep that small).
  const int workers = 4, rounds = 6;
  const double seconds = 2.0;
  double off = 0, on = 0, cpu_off = 0, cpu_on = 0, planning_off = 0, planning_on = 0;
  for (int r = 0; r < rounds; ++r) {
    double g0 = CpuMicros("BENCH_GATEWAY_PID"), p0 = CpuMicros("BENCH_PLANNING_PID");
    off += Throughput(workers, seconds, call(get_plan, unsampled)) * seconds;
    cpu_off += CpuMicros("BENCH_GATEWAY_PID") - g0;
    planning_off += CpuMicros("BENCH_PLANNING_PID") - p0;
    g0 = CpuMicros("BENCH_GATEWAY_PID"), p0 = CpuMicros("BENCH_PLANNING_PID");
    on += Throughput(workers, seconds, call(get_plan, sampled)) * seconds;
    cpu_on += CpuMicros("BENCH_GATEWAY_PID") - g0;
    planning_on += CpuMicros("BENCH_PLANNING_PID") - p0;
  }
  std::printf("\nGetPlan throughput, %d concurrent callers, %d alternating %.0f s rounds each\n",
              workers, rounds, seconds);
  std::printf("%-28s %9.0f calls/s\n", "not sampled (off)", off / (rounds * seconds));
  std::printf("%-28s %9.0f calls/s  (%.1f%% of off)\n", "sampled (on)", on / (rounds * seconds),
              100.0 * on / off);
  std::printf("CPU per call, off / on: the gateway %.1f / %.1f us; planning %.1f / %.1f us\n",
              cpu_off / off, cpu_on / on, planning_off / off, planning_on / on);
  std::printf("Spans of the gateway: %.0f exported, %.0f dropped; planning: %.0f, %.0f\n",
              Metric(Env("DIALOGUE_GATEWAY_METRICS_ADDR"), "dialogue_spans_exported_total"),
              Metric(Env("DIALOGUE_GATEWAY_METRICS_ADDR"), "dialogue_spans_dropped_total"),
              Metric(Env("DIALOGUE_PLANNING_METRICS_ADDR"), "dialogue_spans_exported_total"),
              Metric(Env("DIALOGUE_PLANNING_METRICS_ADDR"), "dialogue_spans_dropped_total"));
  return 0;
}
