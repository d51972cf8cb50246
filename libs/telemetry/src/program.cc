#include "dialogue/telemetry/program.h"

namespace dialogue::telemetry {

ProgramTelemetry::ProgramTelemetry(common::Config& config, std::string program,
                                   std::string metrics_default)
    : program_(std::move(program)),
      metrics_listen_(config.String("metrics-listen", metrics_default,
                                    "Prometheus metrics (/metrics) address, apart from the "
                                    "public one; empty: none")) {}

absl::Status ProgramTelemetry::Start() {
  auto options = OptionsFromEnvironment(program_);
  if (!options.ok()) return options.status();
  tracing_ = std::make_unique<Tracing>(*std::move(options));
  if (!metrics_listen_.empty()) {
    auto metrics = MetricsEndpoint::Start(metrics_listen_);
    if (!metrics.ok()) return metrics.status();
    metrics_ = *std::move(metrics);
  }
  return absl::OkStatus();
}

}  // namespace dialogue::telemetry
