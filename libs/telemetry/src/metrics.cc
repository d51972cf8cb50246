#include "dialogue/telemetry/metrics.h"

#include <prometheus/collectable.h>
#include <prometheus/exposer.h>
#include <prometheus/metric_family.h>

#include <exception>

#include "absl/strings/str_cat.h"
#include "dialogue/common/log.h"
#include "dialogue/telemetry/exporter.h"

namespace dialogue::telemetry {
namespace {

std::shared_ptr<prometheus::Registry>& Registry() {
  static auto* registry = new std::shared_ptr<prometheus::Registry>(
      std::make_shared<prometheus::Registry>());  // never destroyed: metrics outlive main
  return *registry;
}

// The exporter's counters, read at each scrape.
class SpanCounts : public prometheus::Collectable {
 public:
  std::vector<prometheus::MetricFamily> Collect() const override {
    ExportStats stats = Stats();
    return {
        Counter("dialogue_spans_exported_total", "Spans the trace collector accepted.",
                stats.exported),
        Counter("dialogue_spans_dropped_total",
                "Spans lost: the export queue was full or the collector failed.", stats.dropped),
        Gauge("dialogue_spans_queued", "Spans waiting to be exported.", stats.queued)};
  }

 private:
  static prometheus::MetricFamily Counter(const char* name, const char* help, uint64_t value) {
    prometheus::MetricFamily family{name, help, prometheus::MetricType::Counter, {}};
    prometheus::ClientMetric metric;
    metric.counter.value = static_cast<double>(value);
    family.metric.push_back(metric);
    return family;
  }
  static prometheus::MetricFamily Gauge(const char* name, const char* help, uint64_t value) {
    prometheus::MetricFamily family{name, help, prometheus::MetricType::Gauge, {}};
    prometheus::ClientMetric metric;
    metric.gauge.value = static_cast<double>(value);
    family.metric.push_back(metric);
    return family;
  }
};

}  // namespace

prometheus::Registry& Metrics() { return *Registry(); }

const prometheus::Histogram::BucketBoundaries& LatencyBuckets() {
  static const auto* buckets = new prometheus::Histogram::BucketBoundaries{
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  return *buckets;
}

RequestMetrics::RequestMetrics(const std::string& name, const std::string& what,
                               std::vector<std::string> key_labels, std::string outcome_label)
    : requests_(prometheus::BuildCounter()
                    .Name(name + "_requests_total")
                    .Help(absl::StrCat(what, " handled, by outcome."))
                    .Register(Metrics())),
      durations_(prometheus::BuildHistogram()
                     .Name(name + "_duration_seconds")
                     .Help(absl::StrCat("How long ", what, " took, in seconds."))
                     .Register(Metrics())),
      key_labels_(std::move(key_labels)),
      outcome_label_(std::move(outcome_label)) {}

void RequestMetrics::Record(const std::vector<absl::string_view>& key, absl::string_view outcome,
                            double seconds) {
  std::string id;
  for (absl::string_view part : key) absl::StrAppend(&id, part, "\x1f");
  prometheus::Histogram* duration;
  prometheus::Counter* requests;
  {
    absl::MutexLock lock(&mu_);
    std::unique_ptr<Series>& series = series_[id];
    if (series == nullptr) {
      series = std::make_unique<Series>();
      for (size_t i = 0; i < key_labels_.size() && i < key.size(); ++i) {
        series->labels[key_labels_[i]] = std::string(key[i]);
      }
      series->duration = &durations_.Add(series->labels, LatencyBuckets());
    }
    prometheus::Counter*& counter = series->requests[outcome];
    if (counter == nullptr) {
      prometheus::Labels labels = series->labels;
      labels[outcome_label_] = std::string(outcome);
      counter = &requests_.Add(labels);
    }
    duration = series->duration;
    requests = counter;
  }
  requests->Increment();
  duration->Observe(seconds);
}

absl::StatusOr<std::unique_ptr<MetricsEndpoint>> MetricsEndpoint::Start(
    const std::string& address) {
  static auto* span_counts = new std::shared_ptr<SpanCounts>(std::make_shared<SpanCounts>());
  std::unique_ptr<MetricsEndpoint> endpoint(new MetricsEndpoint());
  try {
    endpoint->exposer_ = std::make_unique<prometheus::Exposer>(address, 1);
  } catch (const std::exception& e) {
    return absl::UnavailableError(
        absl::StrCat("cannot serve metrics on ", address, ": ", e.what()));
  }
  endpoint->exposer_->RegisterCollectable(Registry());
  endpoint->exposer_->RegisterCollectable(*span_counts);
  auto ports = endpoint->exposer_->GetListeningPorts();
  endpoint->port_ = ports.empty() ? 0 : ports[0];
  common::Log(common::LogLevel::kInfo, "metrics listening",
              {{"address", address}, {"port", absl::StrCat(endpoint->port_)}});
  return endpoint;
}

MetricsEndpoint::~MetricsEndpoint() = default;

}  // namespace dialogue::telemetry
