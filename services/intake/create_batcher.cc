#include "create_batcher.h"

#include "dialogue/telemetry/span.h"

namespace dialogue::intake {
namespace {

bool SameScope(const db::TenantScope& a, const db::TenantScope& b) {
  return a.tenant == b.tenant && a.read_tenants == b.read_tenants && a.admin == b.admin;
}

}  // namespace

CreateBatcher::CreateBatcher(IntakeStore& store, int writers, int max_batch)
    : store_(store), max_batch_(static_cast<size_t>(std::max(1, max_batch))) {
  for (int i = 0; i < std::max(1, writers); ++i) writers_.emplace_back([this] { Run(); });
}

CreateBatcher::~CreateBatcher() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  ready_.notify_all();
  for (auto& t : writers_) t.join();
}

absl::StatusOr<v1::Opinion> CreateBatcher::Create(const db::TenantScope& scope,
                                                  const std::string& tenant, NewOpinion item) {
  auto pending = std::make_unique<Pending>();
  pending->scope = scope;
  pending->tenant = tenant;
  pending->item = std::move(item);
  if (const telemetry::TraceContext* trace = telemetry::ActiveTrace()) pending->trace = *trace;
  auto done = pending->done.get_future();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return absl::UnavailableError("the service is stopping; retry");
    queue_.push_back(std::move(pending));
  }
  ready_.notify_one();
  return done.get();
}

void CreateBatcher::Run() {
  for (;;) {
    std::vector<std::unique_ptr<Pending>> batch;
    {
      std::unique_lock<std::mutex> lock(mu_);
      ready_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and nothing left to write
      // The oldest call, and every queued call of the same tenant and scope after it.
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
      for (auto it = queue_.begin(); it != queue_.end() && batch.size() < max_batch_;) {
        if ((*it)->tenant == batch[0]->tenant && SameScope((*it)->scope, batch[0]->scope)) {
          batch.push_back(std::move(*it));
          it = queue_.erase(it);
        } else {
          ++it;
        }
      }
    }
    std::vector<NewOpinion> items;
    items.reserve(batch.size());
    for (auto& p : batch) items.push_back(std::move(p->item));
    // The batch's transaction is a span in the trace of its oldest call.
    std::optional<telemetry::ActiveScope> traced;
    if (batch[0]->trace) traced.emplace(*batch[0]->trace);
    auto results = store_.CreateOpinions(batch[0]->scope, batch[0]->tenant, items);
    for (size_t i = 0; i < batch.size(); ++i) batch[i]->done.set_value(std::move(results[i]));
  }
}

}  // namespace dialogue::intake
