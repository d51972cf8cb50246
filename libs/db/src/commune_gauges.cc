#include "dialogue/db/commune_gauges.h"

#include "absl/strings/str_cat.h"
#include "dialogue/common/log.h"
#include "dialogue/telemetry/metrics.h"

namespace dialogue::db {

CommuneGauges::CommuneGauges(PoolOptions pool, CommuneGaugeOptions options)
    : pool_(std::move(pool)),
      options_(std::move(options)),
      family_(prometheus::BuildGauge()
                  .Name(options_.metric)
                  .Help(options_.help)
                  .Register(telemetry::Metrics())) {}

CommuneGauges::~CommuneGauges() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void CommuneGauges::Start() {
  thread_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(mu_);
    while (!stopping_) {
      lock.unlock();
      absl::Status refreshed = RefreshOnce();
      if (!refreshed.ok()) {
        common::Log(common::LogLevel::kWarning, "commune figures not refreshed",
                    {{"metric", options_.metric}, {"error", std::string(refreshed.message())}});
      }
      lock.lock();
      wake_.wait_for(lock, options_.interval, [&] { return stopping_; });
    }
  });
}

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
