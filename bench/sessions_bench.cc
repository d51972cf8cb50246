// The live view's fan-out, as bench/run sessions calls it:
//   sessions_bench WATCHERS CHANGES
// WATCHERS gRPC streams watch the demo's announced session (WatchSession, as the screens
// at the venue and the gateway's SSE viewers do); the office then records CHANGES head
// counts one after another, each waiting until every watcher has seen it. Prints
//   p50_us p99_us baseline_p50_us baseline_p99_us
// where the latency runs from the RecordAttendance reply (its transaction committed) to
// the last watcher's view showing the count: trigger, NOTIFY, the listener, one read of
// the view, the fan-out, gRPC. The baseline is PostgreSQL alone in the same run: a
// committed NOTIFY from one connection heard by a LISTEN on another.
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <pqxx/pqxx>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "dialogue/auth/token.h"
#include "dialogue/v1/sessions.grpc.pb.h"

namespace {

namespace v1 = dialogue::v1;
using Clock = std::chrono::steady_clock;

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr) {
    std::fprintf(stderr, "%s is not set; run bench/run sessions\n", name);
    std::exit(2);
  }
  return v;
}

double Percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
}

// Committed NOTIFY to LISTEN, `rounds` times.
std::vector<double> NotifyBaseline(const std::string& uri, int rounds) {
  pqxx::connection listener(uri), sender(uri);
  struct Heard : pqxx::notification_receiver {
    explicit Heard(pqxx::connection_base& c) : pqxx::notification_receiver(c, "bench_live") {}
    void operator()(const std::string&, int) override { ++count; }
    int count = 0;
  } heard(listener);
  std::vector<double> us;
  for (int i = 0; i < rounds; ++i) {
    auto start = Clock::now();
    {
      pqxx::work txn(sender);
      txn.exec("NOTIFY bench_live, 'x'");
      txn.commit();
    }
    const int before = heard.count;
    while (heard.count == before) listener.await_notification(1, 0);
    us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
  }
  return us;
}

}  // namespace

int main(int argc, char** argv) {
  const int watchers = argc > 1 ? std::atoi(argv[1]) : 100;
  const int changes = argc > 2 ? std::atoi(argv[2]) : 100;
  const std::string tenant = "dien-chau";
  dialogue::auth::TokenRequest request;
  request.principal = {"bench", tenant, "", {dialogue::auth::Role::kSecretary}};
  request.ttl = absl::Hours(1);
  const std::string token = *dialogue::auth::IssueHs256(request, Env("DIALOGUE_TOKEN_SECRET"));
  auto channel =
      grpc::CreateChannel(Env("DIALOGUE_SESSIONS_ADDR"), grpc::InsecureChannelCredentials());
  auto stub = v1::SessionService::NewStub(channel);

  v1::ListSessionsRequest list;
  list.set_parent("tenants/" + tenant);
  v1::ListSessionsResponse sessions;
  {
    grpc::ClientContext c;
    c.AddMetadata("authorization", "Bearer " + token);
    if (!stub->ListSessions(&c, list, &sessions).ok() || sessions.sessions().empty()) {
      std::fprintf(stderr, "the demo session is missing\n");
      return 2;
    }
  }
  const v1::Session session = sessions.sessions(0);
  const std::string group = session.groups(0).name();

  // Every watcher records the highest head count it has seen.
  std::mutex mu;
  std::condition_variable cv;
  std::vector<int> seen(watchers, -1);
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  std::vector<std::thread> threads;
  for (int w = 0; w < watchers; ++w) {
    contexts.push_back(std::make_unique<grpc::ClientContext>());
    grpc::ClientContext* context = contexts.back().get();
    threads.emplace_back([&, w, context] {
      v1::WatchSessionRequest watch;
      watch.set_name(session.name());
      auto reader = stub->WatchSession(context, watch);
      v1::SessionLiveView view;
      while (reader->Read(&view)) {
        std::lock_guard<std::mutex> lock(mu);
        seen[w] = std::max(seen[w], view.present());
        cv.notify_all();
      }
    });
  }
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock,
            [&] { return std::all_of(seen.begin(), seen.end(), [](int s) { return s >= 0; }); });
  }

  int base = 0;
  {
    std::lock_guard<std::mutex> lock(mu);
    base = *std::max_element(seen.begin(), seen.end());
  }
  std::vector<double> us;
  for (int i = 1; i <= changes; ++i) {
    const int count = base + i;  // above anything recorded before
    v1::RecordAttendanceRequest record;
    record.set_name(session.name() + "/attendance");
    v1::GroupCount* c = record.add_counts();
    c->set_group(group);
    c->set_present(count);
    v1::Attendance out;
    grpc::ClientContext context;
    context.AddMetadata("authorization", "Bearer " + token);
    if (!stub->RecordAttendance(&context, record, &out).ok()) {
      std::fprintf(stderr, "RecordAttendance failed\n");
      return 1;
    }
    auto committed = Clock::now();
    std::unique_lock<std::mutex> lock(mu);
    bool all = cv.wait_for(lock, std::chrono::seconds(10), [&] {
      return std::all_of(seen.begin(), seen.end(), [&](int s) { return s >= count; });
    });
    if (!all) {
      std::fprintf(stderr, "not every watcher saw change %d within 10 s\n", i);
      return 1;
    }
    us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - committed).count());
  }
  for (auto& context : contexts) context->TryCancel();
  for (auto& t : threads) t.join();

  std::vector<double> notify = NotifyBaseline(Env("BENCH_PG_URI"), changes);
  std::printf("%.0f %.0f %.0f %.0f\n", Percentile(us, 0.5), Percentile(us, 0.99),
              Percentile(notify, 0.5), Percentile(notify, 0.99));
  return 0;
}
