// Exporting spans as OTLP/HTTP (JSON encoding) to a collector: ended spans wait in a
// bounded queue and a background thread posts them in batches. A collector that is slow
// or down never slows a request: when the queue is full, spans are dropped and counted.
//
// Configured by the OpenTelemetry variables: OTEL_EXPORTER_OTLP_ENDPOINT (or
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT), OTEL_EXPORTER_OTLP_HEADERS, OTEL_EXPORTER_OTLP_TIMEOUT,
// OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, OTEL_TRACES_SAMPLER and
// OTEL_TRACES_SAMPLER_ARG, OTEL_SDK_DISABLED. Without an endpoint no span is recorded;
// the trace context still travels, so the next hop can record.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "dialogue/telemetry/span.h"
#include "dialogue/telemetry/trace_context.h"

namespace dialogue::telemetry {

struct ExportOptions {
  std::string endpoint;  // the traces URL, e.g. http://127.0.0.1:4318/v1/traces; "" = off
  std::vector<std::pair<std::string, std::string>> headers;   // sent with every batch
  std::vector<std::pair<std::string, std::string>> resource;  // service.name first
  Sampler sampler;
  size_t max_queue = 2048;                   // spans waiting at most; beyond it they are dropped
  size_t max_batch = 512;                    // spans per request at most
  std::chrono::milliseconds interval{1000};  // a partial batch waits this long at most
  std::chrono::milliseconds timeout{5000};   // per request to the collector
};

// Reads the OTEL_* variables through `getenv` (the process's environment by default);
// `service_name` applies when OTEL_SERVICE_NAME is unset. INVALID_ARGUMENT names a
// variable that cannot be understood.
absl::StatusOr<ExportOptions> OptionsFromEnvironment(
    const std::string& service_name,
    const std::function<const char*(const char*)>& getenv = nullptr);

// Counters since the process started.
struct ExportStats {
  uint64_t exported = 0;  // accepted by the collector
  uint64_t dropped = 0;   // lost: queue full, collector failed or unreachable
  uint64_t queued = 0;    // waiting now
};
ExportStats Stats();

// Exports spans while alive; one at a time per process (a program's main holds it).
// The destructor sends what waits, within the timeout, and stops recording.
class Tracing {
 public:
  explicit Tracing(ExportOptions options);
  ~Tracing();
  Tracing(const Tracing&) = delete;
  Tracing& operator=(const Tracing&) = delete;

  // Sends what waits now and returns when the collector answered (for tests and stop).
  void Flush();

 private:
  bool started_ = false;
};

// OTLP/HTTP JSON of `spans`, with the resource attributes; exposed for tests.
std::string EncodeOtlpJson(const std::vector<std::pair<std::string, std::string>>& resource,
                           const std::vector<SpanData>& spans);

// For span.cc: whether spans record now, and where an ended one goes.
namespace internal {
bool Recording();
void Enqueue(std::unique_ptr<SpanData> span);
}  // namespace internal

}  // namespace dialogue::telemetry
