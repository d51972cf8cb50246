// Group commit for creates: concurrent CreateOpinion calls of the same tenant share one
// transaction, so under load the database commits once per batch, not once per opinion.
// A lone call waits for nobody: a writer takes whatever is queued the moment it is free.
#pragma once

#include <condition_variable>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "dialogue/telemetry/trace_context.h"
#include "store.h"

namespace dialogue::intake {

class CreateBatcher {
 public:
  // `writers` transactions at most run at once (keep it below the pool's size).
  CreateBatcher(IntakeStore& store, int writers = 2, int max_batch = 128);
  ~CreateBatcher();
  CreateBatcher(const CreateBatcher&) = delete;
  CreateBatcher& operator=(const CreateBatcher&) = delete;

  // Blocks until the batch holding `item` is committed (or failed).
  absl::StatusOr<v1::Opinion> Create(const db::TenantScope& scope, const std::string& tenant,
                                     NewOpinion item);

 private:
  struct Pending {
    db::TenantScope scope;
    std::string tenant;
    NewOpinion item;
    std::optional<telemetry::TraceContext> trace;  // the caller's, for the transaction's span
    std::promise<absl::StatusOr<v1::Opinion>> done;
  };
  void Run();

  IntakeStore& store_;
  const size_t max_batch_;
  std::mutex mu_;
  std::condition_variable ready_;
  std::deque<std::unique_ptr<Pending>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> writers_;
};

}  // namespace dialogue::intake
