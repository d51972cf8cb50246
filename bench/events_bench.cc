// The event backbone end to end, as bench/run events calls it:
//   events_bench WRITERS SECONDS
// WRITERS threads commit one event per transaction to an outbox for SECONDS; the relay
// publishes them to a stream of the bench's own and one consumer applies them (a
// processed-events row and an effect row per event, one transaction each). Prints
//   committed_per_second applied_per_second p50_us p99_us
// where the latency runs from just before the outbox INSERT's commit to the handler. When
// the writers commit faster than the consumer applies, the backlog is the latency.
// The schema (libs/events/sql/service_tables.sql as events_bench) and the stack come
// from bench/run.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

#include <google/protobuf/util/time_util.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "dialogue/common/names.h"
#include "dialogue/events/consumer.h"
#include "dialogue/events/relay.h"

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

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: events_bench WRITERS SECONDS\n");
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
      consume_pool, *redis, consume, [&](pqxx::work& txn, const v1::Event& event) {
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
        auto s =
            write_pool.InTransaction(dialogue::db::TenantScope::Of(tenant), [&](pqxx::work& txn) {
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
