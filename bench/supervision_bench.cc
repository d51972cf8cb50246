// The province report, as bench/run supervision calls it:
//   supervision_bench PROVINCE ROUNDS
// A province reader asks SupervisionService for GetProvinceReport of PROVINCE (every
// commune side by side) ROUNDS times, one after another; the baseline, in the same run on
// the same PostgreSQL, is a plain SELECT count(*) over the commitments table (as the
// administrator, without RLS). Prints
//   report_p50_ms report_p95_ms count_p50_ms count_p95_ms communes commitments
// and fails when the report's total disagrees with count(*).
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "dialogue/auth/token.h"
#include "dialogue/v1/supervision.grpc.pb.h"

namespace {

namespace v1 = dialogue::v1;
using Clock = std::chrono::steady_clock;

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr) {
    std::fprintf(stderr, "%s is not set; run bench/run supervision\n", name);
    std::exit(2);
  }
  return v;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
}

double Ms(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: supervision_bench PROVINCE ROUNDS\n");
    return 2;
  }
  const std::string province = argv[1];
  const int rounds = std::atoi(argv[2]);
  dialogue::auth::TokenRequest request;
  request.principal.subject = "bench-province";
  request.principal.province = province;
  request.principal.roles = {dialogue::auth::Role::kProvince};
  request.ttl = absl::Hours(1);
  const std::string token = *dialogue::auth::IssueHs256(request, Env("DIALOGUE_TOKEN_SECRET"));
  auto stub = v1::SupervisionService::NewStub(
      grpc::CreateChannel(Env("DIALOGUE_SUPERVISION_ADDR"), grpc::InsecureChannelCredentials()));

  v1::GetProvinceReportRequest get;
  get.set_province("provinces/" + province);
  get.set_year(2026);
  get.set_as_of("2026-11-23");
  std::vector<double> report_ms, count_ms;
  v1::ProvinceReport report;
  for (int i = 0; i < rounds + 3; ++i) {  // three to warm up
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer " + token);
    auto start = Clock::now();
    grpc::Status status = stub->GetProvinceReport(&context, get, &report);
    if (!status.ok()) {
      std::fprintf(stderr, "GetProvinceReport: %s\n", status.error_message().c_str());
      return 1;
    }
    if (i >= 3) report_ms.push_back(Ms(start));
  }
  pqxx::connection admin(Env("DIALOGUE_PG_URI"));
  long long counted = 0;
  for (int i = 0; i < rounds + 3; ++i) {
    auto start = Clock::now();
    pqxx::work txn(admin);
    counted = txn.exec("SELECT count(*) FROM supervision.commitments")[0][0].as<long long>();
    txn.commit();
    if (i >= 3) count_ms.push_back(Ms(start));
  }
  if (report.totals().commitments() != counted) {
    std::fprintf(stderr, "the report counts %d commitments, the table %lld\n",
                 report.totals().commitments(), counted);
    return 1;
  }
  std::printf("%.2f %.2f %.2f %.2f %d %lld\n", Percentile(report_ms, 0.5),
              Percentile(report_ms, 0.95), Percentile(count_ms, 0.5), Percentile(count_ms, 0.95),
              report.communes_size(), counted);
  return 0;
}
