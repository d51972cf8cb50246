// Which province each tenant belongs to, read from tenancy.tenants and cached, so that a
// request can be authorised before any of its data is touched.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "dialogue/db/pool.h"

namespace dialogue::db {

class TenantDirectory {
 public:
  TenantDirectory(ConnectionPool& pool, absl::Duration ttl = absl::Seconds(30));

  // The province id of `tenant_id`; NOT_FOUND if no such tenant exists.
  absl::StatusOr<std::string> ProvinceOf(const std::string& tenant_id);
  // Every tenant id of `province_id`, as the database holds them now (not cached).
  absl::StatusOr<std::vector<std::string>> TenantsOf(const std::string& province_id);

  // Forget the cache (after a tenant is created or moved).
  void Invalidate();

 private:
  absl::Status RefreshLocked(bool force);

  ConnectionPool& pool_;
  absl::Duration ttl_;
  std::mutex mu_;
  absl::Time loaded_at_ = absl::InfinitePast();
  std::map<std::string, std::string> province_of_;
};

}  // namespace dialogue::db
