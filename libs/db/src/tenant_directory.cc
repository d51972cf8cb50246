#include "dialogue/db/tenant_directory.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace dialogue::db {

TenantDirectory::TenantDirectory(ConnectionPool& pool, absl::Duration ttl)
    : pool_(pool), ttl_(ttl) {}

absl::Status TenantDirectory::RefreshLocked(bool force) {
  if (!force && absl::Now() - loaded_at_ < ttl_) return absl::OkStatus();
  std::map<std::string, Place> fresh;
  RETURN_IF_ERROR(pool_.InTransaction(
      TenantScope{}, "tenancy.tenants", [&](pqxx::dbtransaction& txn) -> absl::Status {
        for (const auto& row :
             txn.exec("SELECT id, province_id, coalesce(parent_id, '') FROM tenancy.tenants")) {
          fresh[row[0].as<std::string>()] = {row[1].as<std::string>(), row[2].as<std::string>()};
        }
        return absl::OkStatus();
      }));
  place_of_ = std::move(fresh);
  loaded_at_ = absl::Now();
  return absl::OkStatus();
}

absl::StatusOr<TenantDirectory::Place> TenantDirectory::PlaceOf(const std::string& tenant_id) {
  std::lock_guard<std::mutex> lock(mu_);
  RETURN_IF_ERROR(RefreshLocked(false));
  auto it = place_of_.find(tenant_id);
  if (it == place_of_.end()) {
    // A tenant created since the last load: look once more before saying no.
    RETURN_IF_ERROR(RefreshLocked(true));
    it = place_of_.find(tenant_id);
  }
  if (it == place_of_.end()) {
    return common::Error(absl::StatusCode::kNotFound, "TENANT_NOT_FOUND",
                         absl::StrCat("there is no commune 'tenants/", tenant_id, "'"));
  }
  return it->second;
}

absl::StatusOr<std::string> TenantDirectory::ProvinceOf(const std::string& tenant_id) {
  ASSIGN_OR_RETURN(Place place, PlaceOf(tenant_id));
  return place.province;
}

absl::StatusOr<std::vector<std::string>> TenantDirectory::TenantsWhere(const char* column,
                                                                       const std::string& value) {
  // Read each time, not from the cache: an upper level's pages must show a commune created a
  // moment ago, and they are read far less often than a single tenant is authorised.
  std::vector<std::string> out;
  RETURN_IF_ERROR(pool_.InTransaction(
      TenantScope{}, "tenancy.tenants", [&](pqxx::dbtransaction& txn) -> absl::Status {
        for (const auto& row : txn.exec_params(
                 absl::StrCat("SELECT id FROM tenancy.tenants WHERE ", column, " = $1 ORDER BY id"),
                 value)) {
          out.push_back(row[0].as<std::string>());
        }
        return absl::OkStatus();
      }));
  return out;
}

absl::StatusOr<std::vector<std::string>> TenantDirectory::TenantsOf(
    const std::string& province_id) {
  return TenantsWhere("province_id", province_id);
}

absl::StatusOr<std::vector<std::string>> TenantDirectory::ChildrenOf(const std::string& parent_id) {
  return TenantsWhere("parent_id", parent_id);
}

void TenantDirectory::Invalidate() {
  std::lock_guard<std::mutex> lock(mu_);
  loaded_at_ = absl::InfinitePast();
}

}  // namespace dialogue::db
