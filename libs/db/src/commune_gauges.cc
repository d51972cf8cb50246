#include "dialogue/db/commune_gauges.h"

#include "absl/strings/str_cat.h"
#include "dialogue/telemetry/metrics.h"

namespace dialogue::db {

CommuneGauges::CommuneGauges(PoolOptions pool, CommuneGaugeOptions options)
    : pool_(std::move(pool)),
      options_(std::move(options)),
      family_(prometheus::BuildGauge()
                  .Name(options_.metric)
                  .Help(options_.help)
                  .Register(telemetry::Metrics())),
      worker_(options_.interval,
              common::PeriodicWorker::Logged(absl::StrCat(options_.metric, " not refreshed"),
                                             [this] { return RefreshOnce(); })) {}

absl::Status CommuneGauges::RefreshOnce() {
  return pool_.InTransaction(
      TenantScope{},
      [&](pqxx::dbtransaction& txn) -> absl::Status {
        for (const auto& row : txn.exec(absl::StrCat("SELECT * FROM ", options_.function, "()"))) {
          family_.Add({{"tenant", row[0].as<std::string>()}}).Set(row[1].as<double>());
        }
        return absl::OkStatus();
      },
      "CommuneGauges");
}

}  // namespace dialogue::db
