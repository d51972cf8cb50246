// Which province (and district) each tenant belongs to, read from tenancy.tenants and cached, so
// that a request can be authorised before any of its data is touched.
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

  // Where a tenant sits: its province, and the district it is under ("" for none).
  struct Place {
    std::string province;
    std::string parent;
  };
  // The place of `tenant_id`, from the cache or, for a tenant it does not hold yet, read once
  // more; NOT_FOUND if no such tenant exists.
  absl::StatusOr<Place> PlaceOf(const std::string& tenant_id);
  // The province id of `tenant_id`; NOT_FOUND if no such tenant exists.
  absl::StatusOr<std::string> ProvinceOf(const std::string& tenant_id);
  // Every tenant id of `province_id`, as the database holds them now (not cached).
  absl::StatusOr<std::vector<std::string>> TenantsOf(const std::string& province_id);
  // Every tenant id under the district `parent_id`, as the database holds them now.
  absl::StatusOr<std::vector<std::string>> ChildrenOf(const std::string& parent_id);

  // Forget the cache (after a tenant is created or moved).
  void Invalidate();

 private:
  absl::Status RefreshLocked(bool force);
  // Tenant ids where `column` (province_id or parent_id) is `value`, read now.
  absl::StatusOr<std::vector<std::string>> TenantsWhere(const char* column,
                                                        const std::string& value);

  ConnectionPool& pool_;
  absl::Duration ttl_;
  std::mutex mu_;
  absl::Time loaded_at_ = absl::InfinitePast();
  std::map<std::string, Place> place_of_;
};

}  // namespace dialogue::db
