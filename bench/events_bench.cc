// The event backbone end to end, as bench/run events calls it:
//   events_bench WRITERS SECONDS
//   events_bench sse NOTICES
// WRITERS threads commit one event per transaction to an outbox for SECONDS; the relay
// publishes them to a stream of the bench's own and one consumer applies them (a
// processed-events row and an effect row per event, one transaction each). Prints
//   committed_per_second applied_per_second p50_us p99_us
// where the latency runs from just before the outbox INSERT's commit to the handler. When
// the writers commit faster than the consumer applies, the backlog is the latency.
// The schema (libs/events/sql/service_tables.sql as events_bench) and the stack come
// from bench/run.
//
// The sse mode issues NOTICES notices one after another through the notices service
// while a viewer holds the commune's live channel open through the gateway (SSE), and
// prints "p50_us p99_us" from the issue's reply (its transaction committed) to the
// notice's arrival at the viewer: outbox, relay, stream, live reader, gRPC stream,
// gateway, SSE.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

#include <curl/curl.h>
#include <google/protobuf/util/time_util.h>
#include <grpcpp/grpcpp.h>

#include <functional>
#include <map>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "dialogue/auth/token.h"
#include "dialogue/common/names.h"
#include "dialogue/events/consumer.h"
#include "dialogue/events/relay.h"
#include "dialogue/v1/notices.grpc.pb.h"

namespace {

namespace v1 = dialogue::v1;
namespace events = dialogue::events;
using google::protobuf::util::TimeUtil;
using Clock = std::chrono::steady_clock;

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr) {
    std::fprintf(stderr, "%s is not set; run bench/run events\n", name);
    std::exit(2);
  }
  return v;
}

}  // namespace

size_t Collect(char* data, size_t size, size_t n, void* sink) {
  auto* viewer = static_cast<std::function<void(const std::string&)>*>(sink);
  (*viewer)(std::string(data, size * n));
  return size * n;
}

int Sse(int notices) {
  const std::string tenant = Env("BENCH_TENANT");
  dialogue::auth::TokenRequest token_request;
  token_request.principal = {"bench", tenant, "", {dialogue::auth::Role::kGovernmentOffice}};
  token_request.ttl = absl::Hours(1);
  const std::string token =
      *dialogue::auth::IssueHs256(token_request, Env("DIALOGUE_TOKEN_SECRET"));
  auto stub = v1::NoticeService::NewStub(
      grpc::CreateChannel(Env("DIALOGUE_NOTICES_ADDR"), grpc::InsecureChannelCredentials()));

  std::mutex mu;
  std::map<std::string, Clock::time_point> issued, seen;
  std::atomic<bool> stop{false};
  std::function<void(const std::string&)> viewer = [&](const std::string& chunk) {
    auto now = Clock::now();
    std::lock_guard<std::mutex> lock(mu);
    for (size_t at = chunk.find("/notices/"); at != std::string::npos;
         at = chunk.find("/notices/", at + 1)) {
      std::string id = chunk.substr(at + 9, 36);
      if (!seen.count(id)) seen[id] = now;
    }
  };
  std::thread screen([&] {
    CURL* curl = curl_easy_init();
    std::string url =
        absl::StrCat(Env("DIALOGUE_GATEWAY_URL"), "/v1/tenants/", tenant, "/notices:watch");
    curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &viewer);
    curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(
        curl, CURLOPT_XFERINFOFUNCTION,
        +[](void* flag, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
          return static_cast<std::atomic<bool>*>(flag)->load() ? 1 : 0;
        });
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &stop);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_perform(curl);
    curl_easy_cleanup(curl);
  });
  std::this_thread::sleep_for(std::chrono::seconds(1));  // the watch is open
  for (int i = 0; i < notices; ++i) {
    v1::CreateNoticeRequest create;
    create.set_parent("tenants/" + tenant);
    v1::Notice* n = create.mutable_notice();
    n->set_kind(v1::NOTICE_GENERAL);
    n->set_title(absl::StrCat("Thông báo số ", i));
    n->set_body("Nội dung thông báo để đo độ trễ.");
    n->set_signer("CHỦ TỊCH");
    n->add_channels(v1::VIA_IN_APP);
    v1::Notice draft, done;
    grpc::ClientContext c1, c2;
    c1.AddMetadata("authorization", "Bearer " + token);
    c2.AddMetadata("authorization", "Bearer " + token);
    if (!stub->CreateNotice(&c1, create, &draft).ok()) return 1;
    v1::IssueNoticeRequest issue;
    issue.set_name(draft.name());
    issue.set_document_number(absl::StrCat(i, "/TB"));
    if (!stub->IssueNotice(&c2, issue, &done).ok()) return 1;
    auto at = Clock::now();
    std::string id = draft.name().substr(draft.name().rfind('/') + 1);
    {
      std::lock_guard<std::mutex> lock(mu);
      issued[id] = at;
    }
    // One at a time: wait for it to arrive (at most 5 s) before the next.
    for (int k = 0; k < 5000; ++k) {
      {
        std::lock_guard<std::mutex> lock(mu);
        if (seen.count(id)) break;
      }
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  }
  stop = true;
  screen.join();
  std::vector<double> latencies;
  for (const auto& [id, at] : issued) {
    auto it = seen.find(id);
    if (it == seen.end()) {
      std::fprintf(stderr, "notice %s never reached the viewer\n", id.c_str());
      return 1;
    }
    latencies.push_back(std::chrono::duration<double, std::micro>(it->second - at).count());
  }
  std::sort(latencies.begin(), latencies.end());
  std::printf("%.0f %.0f\n", latencies[latencies.size() / 2],
              latencies[latencies.size() * 99 / 100]);
  return 0;
}

int main(int argc, char** argv) {
  if (argc == 3 && std::string(argv[1]) == "sse") return Sse(std::atoi(argv[2]));
  if (argc != 3) {
    std::fprintf(stderr, "usage: events_bench WRITERS SECONDS | sse NOTICES\n");
    return 2;
  }
  const int writers = std::atoi(argv[1]);
  const double seconds = std::atof(argv[2]);
  const std::string uri = Env("BENCH_PG_URI");
  auto redis = events::ParseRedisUri(Env("DIALOGUE_REDIS_URI"));
  if (!redis.ok()) return 2;
  const std::string stream = absl::StrCat("bench:events:", dialogue::common::NewUuid());

  dialogue::db::ConnectionPool write_pool({uri, writers});
  dialogue::db::ConnectionPool relay_pool({uri, 1});
  dialogue::db::ConnectionPool consume_pool({uri, 1});

  std::mutex mu;
  std::vector<double> latencies;
  std::atomic<long> applied{0};
  events::ConsumerOptions consume;
  consume.group = "bench";
  consume.consumer = "bench-1";
  consume.processed_table = "events_bench.processed_events";
  consume.stream = stream;
  consume.block = std::chrono::milliseconds(50);
  events::Consumer consumer(
      consume_pool, *redis, consume, [&](pqxx::dbtransaction& txn, const v1::Event& event) {
        txn.exec_params(
            "INSERT INTO events_bench.effects (tenant_id, event_id, applied_by)"
            " VALUES (current_setting('app.tenant_id'), $1, 'bench')",
            event.id());
        double us = static_cast<double>(absl::ToUnixMicros(absl::Now()) -
                                        TimeUtil::TimestampToMicroseconds(event.time()));
        std::lock_guard<std::mutex> lock(mu);
        latencies.push_back(us);
        applied++;
        return absl::OkStatus();
      });
  events::RelayOptions relay_options;
  relay_options.outbox = "events_bench.outbox";
  relay_options.pg_uri = uri;
  relay_options.stream = stream;
  events::OutboxRelay relay(relay_pool, *redis, relay_options);
  relay.Start();
  consumer.Start();

  std::atomic<bool> stop{false};
  std::atomic<long> committed{0};
  std::vector<std::thread> threads;
  const auto start = Clock::now();
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&, w] {
      const std::string tenant = absl::StrCat("bench-", w % 4);
      while (!stop) {
        v1::Event event;
        event.set_id(dialogue::common::NewUuid());
        event.set_type("bench.Happened");
        event.set_tenant("tenants/" + tenant);
        event.set_source("events_bench");
        *event.mutable_time() = TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(absl::Now()));
        auto s = write_pool.InTransaction(
            dialogue::db::TenantScope::Of(tenant), [&](pqxx::dbtransaction& txn) {
              txn.exec_params(
                  "INSERT INTO events_bench.outbox (tenant_id, event_id, event_type, payload)"
                  " VALUES ($1, $2::uuid, $3, decode($4, 'hex'))",
                  tenant, event.id(), event.type(),
                  absl::BytesToHexString(event.SerializeAsString()));
              return absl::OkStatus();
            });
        if (!s.ok()) {
          std::fprintf(stderr, "write failed: %s\n", std::string(s.message()).c_str());
          std::exit(1);
        }
        committed++;
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& t : threads) t.join();
  const auto give_up = Clock::now() + std::chrono::seconds(60);
  while (applied < committed && Clock::now() < give_up) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  if (applied != committed) {
    std::fprintf(stderr, "%ld of %ld events applied\n", applied.load(), committed.load());
    return 1;
  }
  std::sort(latencies.begin(), latencies.end());
  std::printf("%.0f %.0f %.0f %.0f\n", committed / seconds, applied / elapsed,
              latencies[latencies.size() / 2], latencies[latencies.size() * 99 / 100]);
  return 0;
}
