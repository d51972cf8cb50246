#include "dialogue/common/periodic_worker.h"

#include <atomic>
#include <chrono>
#include <thread>

#include "test_support.h"

namespace dialogue::common {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Waits (at most 10 s) until `done` holds; returns whether it did.
template <typename F>
bool Eventually(F done) {
  for (auto until = Clock::now() + 10s; Clock::now() < until; std::this_thread::sleep_for(1ms)) {
    if (done()) return true;
  }
  return done();
}

TEST(PeriodicWorker, RunsAtOnceAndAgainAfterEachPeriod) {
  std::atomic<int> runs{0};
  PeriodicWorker worker(20ms, [&] {
    ++runs;
    return false;
  });
  worker.Start();
  EXPECT_TRUE(Eventually([&] { return runs >= 3; }));
}

// A step that left work behind (a full batch) runs again without waiting out the period.
TEST(PeriodicWorker, AStepThatLeftWorkRunsAgainAtOnce) {
  std::atomic<int> runs{0};
  PeriodicWorker worker(std::chrono::hours(1), [&] { return ++runs < 5; });
  worker.Start();
  EXPECT_TRUE(Eventually([&] { return runs == 5; }));
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(runs, 5);  // the fifth left nothing: the worker waits for the hour
}

TEST(PeriodicWorker, StoppingWakesItWithoutWaitingOutThePeriod) {
  std::atomic<int> runs{0};
  PeriodicWorker worker(std::chrono::hours(1), [&] {
    ++runs;
    return false;
  });
  worker.Start();
  ASSERT_TRUE(Eventually([&] { return runs == 1; }));
  const auto before = Clock::now();
  worker.Stop();
  EXPECT_LT(Clock::now() - before, 5s);
  worker.Stop();  // a second stop is harmless
  EXPECT_EQ(runs, 1);
}

TEST(PeriodicWorker, AWorkerNeverStartedStopsAndGoes) {
  bool ran = false;
  {
    PeriodicWorker worker(1ms, [&] {
      ran = true;
      return false;
    });
  }
  EXPECT_FALSE(ran);
}

// A failing pass is logged and the loop goes on after the period, not at once.
TEST(PeriodicWorker, ALoggedStepRunsItsPassAndWaitsAfterAFailure) {
  int passes = 0;
  PeriodicWorker::Step step = PeriodicWorker::Logged("test pass failed", [&] {
    ++passes;
    return absl::UnavailableError("the database is away");
  });
  EXPECT_FALSE(step());
  EXPECT_FALSE(step());
  EXPECT_EQ(passes, 2);
}

}  // namespace
}  // namespace dialogue::common
