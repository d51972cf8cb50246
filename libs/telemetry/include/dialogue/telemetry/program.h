// What every program starts for its operators: span export (the OTEL_* variables, see
// exporter.h) and the Prometheus endpoint (--metrics-listen), kept until main returns.
#pragma once

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "dialogue/common/config.h"
#include "dialogue/telemetry/exporter.h"
#include "dialogue/telemetry/metrics.h"

namespace dialogue::telemetry {

class ProgramTelemetry {
 public:
  // Reads --metrics-listen (DIALOGUE_METRICS_LISTEN) into `config`'s usage: construct it
  // before answering --help.
  ProgramTelemetry(common::Config& config, std::string program, std::string metrics_default);

  // Starts exporting spans and serving metrics; INVALID_ARGUMENT for OTEL_* variables it
  // cannot read, UNAVAILABLE when the metrics address cannot be listened on.
  absl::Status Start();

  int metrics_port() const { return metrics_ == nullptr ? 0 : metrics_->port(); }

 private:
  std::string program_;
  std::string metrics_listen_;
  std::unique_ptr<Tracing> tracing_;
  std::unique_ptr<MetricsEndpoint> metrics_;
};

}  // namespace dialogue::telemetry
