// Opinion intake under load, in the modes bench/run intake calls:
//   intake_bench load grpc|http CLIENTS SECONDS   creates per second, p50 and p99 (µs)
//   intake_bench import ROWS                      seconds to import ROWS survey forms
//   intake_bench copyfile ROWS FILE               the same rows as COPY text, for the baseline
// The stack, tenant and round come from the environment bench/run sets.
#include <curl/curl.h>
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "dialogue/auth/token.h"
#include "dialogue/common/log.h"
#include "dialogue/common/names.h"
#include "dialogue/common/receipt_code.h"
#include "dialogue/v1/intake.grpc.pb.h"
#include "opinion_rules.h"

namespace {

namespace v1 = dialogue::v1;
using Clock = std::chrono::steady_clock;

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr) {
    std::fprintf(stderr, "%s is not set; run bench/run intake\n", name);
    std::exit(2);
  }
  return v;
}

size_t Sink(char*, size_t size, size_t n, void*) { return size * n; }

std::string Text(long i) {
  static const char* kTexts[] = {
      "Đề nghị bê tông hóa tuyến đường liên thôn, hiện đường xuống cấp, mùa mưa lầy lội",
      "Việc cấp giấy chứng nhận quyền sử dụng đất còn chậm, đề nghị xã đẩy nhanh",
      "Trạm y tế thiếu thuốc bảo hiểm y tế, người dân phải mua ngoài",
      "Đề nghị lắp đèn chiếu sáng công cộng đoạn qua khu dân cư",
  };
  return absl::StrCat(kTexts[i % 4], " (phiếu số ", i, ")");
}

struct Result {
  double rate, p50, p99;
};

// `clients` callers, each with its own connection, for `seconds`; every call a new opinion.
Result Load(int clients, double seconds, const std::function<std::function<bool(long)>()>& make) {
  std::atomic<long> next{0};
  std::atomic<bool> stop{false}, failed{false};
  std::mutex mu;
  std::vector<double> all;
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&] {
      auto call = make();
      std::vector<double> mine;
      while (!stop) {
        auto t0 = Clock::now();
        if (!call(next++)) {
          failed = true;
          break;
        }
        mine.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
      }
      std::lock_guard<std::mutex> lock(mu);
      all.insert(all.end(), mine.begin(), mine.end());
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& t : threads) t.join();
  if (failed || all.empty()) {
    std::fprintf(stderr, "a create failed\n");
    std::exit(1);
  }
  std::sort(all.begin(), all.end());
  return {all.size() / seconds, all[all.size() / 2], all[all.size() * 99 / 100]};
}

std::vector<v1::OpinionRow> Rows(long n) {
  std::vector<v1::OpinionRow> rows(n);
  for (long i = 0; i < n; ++i) {
    rows[i].set_hamlet(i % 2 ? "thon-1" : "thon-2");
    rows[i].set_text(Text(i));
    rows[i].set_submitter_name(absl::StrCat("Hộ gia đình số ", i));
  }
  return rows;
}

// COPY text format: tab-separated, backslash escapes.
std::string CopyField(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == '\t' || c == '\n' || c == '\r') out.push_back('\\');
    out.push_back(c == '\n' ? 'n' : c == '\r' ? 'r' : c == '\t' ? 't' : c);
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr,
                 "usage: intake_bench load grpc|http CLIENTS SECONDS | import ROWS | "
                 "copyfile ROWS FILE\n");
    return 2;
  }
  const std::string mode = argv[1];
  const std::string tenant = Env("BENCH_TENANT");
  const std::string round = absl::StrCat("tenants/", tenant, "/rounds/", Env("BENCH_ROUND"));
  dialogue::auth::TokenRequest request;
  request.principal = {"bench", tenant, "", {dialogue::auth::Role::kFront}};
  request.ttl = absl::Hours(2);
  const std::string token = *dialogue::auth::IssueHs256(request, Env("DIALOGUE_TOKEN_SECRET"));

  if (mode == "copyfile" && argc == 4) {
    long n = std::atol(argv[2]);
    std::vector<v1::RowError> errors;
    auto rows = dialogue::intake::CheckRows(Rows(n), "copy", {}, dialogue::intake::DefaultTopics(),
                                            &errors);
    std::ofstream out(argv[3]);
    for (const auto& r : rows) {
      out << tenant << '\t' << dialogue::common::NewUuid() << '\t' << Env("BENCH_COPY_ROUND")
          << '\t' << dialogue::common::ReceiptCode::New().text() << '\t' << r.fields.hamlet()
          << "\tSURVEY_FORM\t" << CopyField(r.fields.text()) << '\t' << CopyField(r.normalized)
          << '\t' << CopyField(r.fields.submitter_name()) << "\tRECEIVED\t" << r.suggestion.topic
          << '\t' << r.key << '\n';
    }
    return 0;
  }

  grpc::ChannelArguments args;
  args.SetMaxSendMessageSize(64 << 20);
  if (mode == "import") {
    long n = std::atol(argv[2]);
    auto rows = Rows(n);
    auto stub = v1::IntakeService::NewStub(grpc::CreateCustomChannel(
        Env("DIALOGUE_INTAKE_ADDR"), grpc::InsecureChannelCredentials(), args));
    auto t0 = Clock::now();
    long stored = 0;
    const long chunk = 5000;
    for (long start = 0; start < n; start += chunk) {
      v1::ImportOpinionsRequest import;
      import.set_parent(absl::StrCat("tenants/", tenant));
      import.set_round(round);
      for (long i = start; i < std::min(n, start + chunk); ++i) *import.add_rows() = rows[i];
      grpc::ClientContext c;
      c.AddMetadata("authorization", "Bearer " + token);
      v1::ImportOpinionsResponse response;
      grpc::Status status = stub->ImportOpinions(&c, import, &response);
      if (!status.ok() || response.errors_size() > 0) {
        std::fprintf(stderr, "import failed: %s\n", status.error_message().c_str());
        return 1;
      }
      stored += response.stored();
    }
    double s = std::chrono::duration<double>(Clock::now() - t0).count();
    std::printf("%.3f %ld\n", s, stored);
    return stored == n ? 0 : 1;
  }

  if (mode == "load" && argc == 5) {
    const std::string via = argv[2];
    int clients = std::atoi(argv[3]);
    double seconds = std::atof(argv[4]);
    std::string addr = Env("DIALOGUE_INTAKE_ADDR");
    std::string url =
        absl::StrCat(Env("DIALOGUE_GATEWAY_URL"), "/v1/tenants/", tenant, "/opinions");
    curl_global_init(CURL_GLOBAL_DEFAULT);
    auto grpc_client = [&]() -> std::function<bool(long)> {
      // A channel per client, as separate offices would have.
      grpc::ChannelArguments own;
      own.SetInt("grpc.channel_id", std::rand());
      auto stub = std::shared_ptr<v1::IntakeService::Stub>(v1::IntakeService::NewStub(
          grpc::CreateCustomChannel(addr, grpc::InsecureChannelCredentials(), own)));
      return [stub, &tenant, &round, &token](long i) {
        v1::CreateOpinionRequest create;
        create.set_parent(absl::StrCat("tenants/", tenant));
        v1::Opinion* o = create.mutable_opinion();
        o->set_round(round);
        o->set_hamlet(i % 2 ? "thon-1" : "thon-2");
        o->set_channel(v1::SURVEY_FORM);
        o->set_text(Text(i));
        grpc::ClientContext c;
        c.AddMetadata("authorization", "Bearer " + token);
        v1::Opinion out;
        return stub->CreateOpinion(&c, create, &out).ok();
      };
    };
    auto http_client = [&]() -> std::function<bool(long)> {
      struct Conn {
        CURL* curl = curl_easy_init();
        curl_slist* headers = nullptr;
        ~Conn() {
          curl_slist_free_all(headers);
          curl_easy_cleanup(curl);
        }
      };
      auto conn = std::make_shared<Conn>();
      conn->headers = curl_slist_append(conn->headers, ("Authorization: Bearer " + token).c_str());
      conn->headers = curl_slist_append(conn->headers, "Content-Type: application/json");
      curl_easy_setopt(conn->curl, CURLOPT_HTTPHEADER, conn->headers);
      curl_easy_setopt(conn->curl, CURLOPT_WRITEFUNCTION, Sink);
      curl_easy_setopt(conn->curl, CURLOPT_NOPROXY, "*");
      curl_easy_setopt(conn->curl, CURLOPT_TCP_NODELAY, 1L);
      curl_easy_setopt(conn->curl, CURLOPT_URL, url.c_str());
      return [conn, &round](long i) {
        std::string body =
            absl::StrCat("{\"round\":\"", round, "\",\"hamlet\":\"", i % 2 ? "thon-1" : "thon-2",
                         "\",\"channel\":\"SURVEY_FORM\",\"text\":\"",
                         dialogue::common::JsonEscape(Text(i)), "\"}");
        curl_easy_setopt(conn->curl, CURLOPT_POSTFIELDS, body.c_str());
        curl_easy_setopt(conn->curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
        long status = 0;
        if (curl_easy_perform(conn->curl) != CURLE_OK) return false;
        curl_easy_getinfo(conn->curl, CURLINFO_RESPONSE_CODE, &status);
        return status == 200;
      };
    };
    Result r =
        via == "grpc" ? Load(clients, seconds, grpc_client) : Load(clients, seconds, http_client);
    std::printf("%.1f %.0f %.0f\n", r.rate, r.p50, r.p99);
    return 0;
  }
  std::fprintf(stderr, "bad arguments\n");
  return 2;
}
