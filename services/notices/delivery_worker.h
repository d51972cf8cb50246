// Sends queued deliveries to the tenant's webhooks: an HTTP POST of the notice as JSON,
// signed with the webhook's secret (X-Dialogue-Signature: sha256=HMAC of
// "<X-Dialogue-Timestamp>.<body>"), retried with growing delays until `max_attempts`.
// A receiver may see a delivery twice (a worker died after the POST): X-Dialogue-Delivery
// names it so that it can tell.
#pragma once

#include <chrono>

#include "absl/time/time.h"
#include "dialogue/common/periodic_worker.h"
#include "dialogue/telemetry/span.h"
#include "store.h"

namespace dialogue::notices {

struct DeliveryOptions {
  std::chrono::milliseconds poll{500};
  absl::Duration first_retry = absl::Seconds(30);
  int max_attempts = 6;
  absl::Duration timeout = absl::Seconds(10);
  int batch = 20;
};

class DeliveryWorker {
 public:
  DeliveryWorker(NoticeStore& store, DeliveryOptions options);
  DeliveryWorker(const DeliveryWorker&) = delete;
  DeliveryWorker& operator=(const DeliveryWorker&) = delete;

  void Start() { worker_.Start(); }
  // Sends what is due now; returns how many deliveries were attempted.
  absl::StatusOr<int> RunOnce();

 private:
  // The POST; OK on a 2xx answer.
  absl::Status Post(const DueDelivery& delivery);
  absl::Status Post(const DueDelivery& delivery, telemetry::Span& span);

  NoticeStore& store_;
  DeliveryOptions options_;
  common::PeriodicWorker worker_;  // last: stopped before the rest goes
};

}  // namespace dialogue::notices
