// Metrics: one Prometheus registry per program (prometheus-cpp), served as Prometheus
// text on an admin address of its own (/metrics), apart from the public listener.
//
// Names follow Prometheus' rules with the `dialogue_` prefix; label values are bounded
// sets (methods, routes, codes, groups), never ids or people's data, so that a series
// count stays small.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"

namespace prometheus {
class Exposer;
}

namespace dialogue::telemetry {

// The program's registry. Families are registered once and kept for the program's life.
prometheus::Registry& Metrics();

// Latency buckets in seconds, from 0.5 ms to 10 s: shared by RPC, HTTP and database
// histograms so that dashboards can put them side by side.
const prometheus::Histogram::BucketBoundaries& LatencyBuckets();

// Rate, errors and duration of requests: `<name>_requests_total` counted by the key
// labels and the outcome (a status code), and `<name>_duration_seconds` per key. Series are
// made on first use and found again through a cache, so a request costs one map lookup.
class RequestMetrics {
 public:
  RequestMetrics(const std::string& name, const std::string& what,
                 std::vector<std::string> key_labels, std::string outcome_label);

  // `key` holds one value per key label, in their order.
  void Record(const std::vector<absl::string_view>& key, absl::string_view outcome, double seconds);

 private:
  struct Series {
    prometheus::Histogram* duration = nullptr;
    absl::flat_hash_map<std::string, prometheus::Counter*> requests;  // by outcome
    prometheus::Labels labels;
  };

  prometheus::Family<prometheus::Counter>& requests_;
  prometheus::Family<prometheus::Histogram>& durations_;
  std::vector<std::string> key_labels_;
  std::string outcome_label_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::unique_ptr<Series>> series_ ABSL_GUARDED_BY(mu_);
};

// Serves the registry (and the spans' export counts) at http://ADDRESS/metrics.
class MetricsEndpoint {
 public:
  // `address` is HOST:PORT; port 0 picks a free port. UNAVAILABLE when it cannot listen.
  static absl::StatusOr<std::unique_ptr<MetricsEndpoint>> Start(const std::string& address);
  ~MetricsEndpoint();
  MetricsEndpoint(const MetricsEndpoint&) = delete;
  MetricsEndpoint& operator=(const MetricsEndpoint&) = delete;

  int port() const { return port_; }

 private:
  MetricsEndpoint() = default;
  std::unique_ptr<prometheus::Exposer> exposer_;
  int port_ = 0;
};

}  // namespace dialogue::telemetry
