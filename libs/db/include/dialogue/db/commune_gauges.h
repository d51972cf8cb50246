// A Prometheus gauge per commune, refreshed on a thread of its own from a SQL function of
// the service's schema that returns (tenant_id, value) for every commune at once, e.g.
// notices.overdue_drafts_by_tenant(). For the per-commune deadline dashboard and alerts.
#pragma once

#include <chrono>
#include <string>

#include "absl/status/status.h"
#include "dialogue/common/periodic_worker.h"
#include "dialogue/db/pool.h"

namespace prometheus {
class Gauge;
template <typename T>
class Family;
}  // namespace prometheus

namespace dialogue::db {

struct CommuneGaugeOptions {
  std::string function;  // schema-qualified, no arguments
  std::string metric;    // e.g. dialogue_notices_overdue
  std::string help;
  std::chrono::milliseconds interval{60000};
};

class CommuneGauges {
 public:
  CommuneGauges(PoolOptions pool, CommuneGaugeOptions options);
  CommuneGauges(const CommuneGauges&) = delete;
  CommuneGauges& operator=(const CommuneGauges&) = delete;

  // Refreshes every `interval` until destruction, the first time at once.
  void Start() { worker_.Start(); }
  // One refresh: every commune's value set.
  absl::Status RefreshOnce();

 private:
  ConnectionPool pool_;
  CommuneGaugeOptions options_;
  prometheus::Family<prometheus::Gauge>& family_;
  common::PeriodicWorker worker_;  // last: stopped before the rest goes
};

}  // namespace dialogue::db
