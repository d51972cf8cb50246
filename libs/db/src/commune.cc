#include "dialogue/db/commune.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "dialogue/common/json.h"
#include "dialogue/common/status.h"

namespace dialogue::db {

absl::StatusOr<Commune> ReadCommune(pqxx::dbtransaction& txn, const std::string& tenant) {
  auto rows = txn.exec_params(
      "SELECT display_name, coalesce(rules::text, '{}'), coalesce(hamlets::text, '[]')"
      " FROM tenancy.tenants WHERE id = $1",
      tenant);
  if (rows.empty()) {
    return common::Error(absl::StatusCode::kNotFound, "TENANT_NOT_FOUND",
                         absl::StrCat("there is no tenant ", tenant));
  }
  Commune commune;
  commune.display_name = rows[0][0].as<std::string>();
  common::FromStoredJson(rows[0][1].as<std::string>(), &commune.rules);
  v1::Tenant listed;
  common::FromStoredJson(absl::StrCat("{\"hamlets\":", rows[0][2].as<std::string>(), "}"), &listed);
  for (const auto& h : listed.hamlets()) {
    commune.hamlet_names[h.id()] = h.display_name().empty() ? h.id() : h.display_name();
  }
  commune.days_off = ReadDaysOff(txn, tenant);
  return commune;
}

std::set<absl::CivilDay> ReadDaysOff(pqxx::dbtransaction& txn, const std::string& tenant) {
  std::set<absl::CivilDay> days;
  for (const auto& row : txn.exec_params(
           "SELECT day::text FROM tenancy.tenant_days_off WHERE tenant_id = $1", tenant)) {
    absl::CivilDay day;
    if (absl::ParseCivilTime(row[0].as<std::string>(), &day)) days.insert(day);
  }
  return days;
}

std::string Commune::HamletName(const std::string& id) const {
  auto it = hamlet_names.find(id);
  return it == hamlet_names.end() ? id : it->second;
}

absl::StatusOr<Commune> CommuneCache::Get(const TenantScope& scope, const std::string& tenant) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = read_.find(tenant);
    if (it != read_.end() && absl::Now() - it->second.first < ttl_) return it->second.second;
  }
  ASSIGN_OR_RETURN(Commune commune,
                   pool_.InTransaction(scope, "tenancy.tenants", [&](pqxx::dbtransaction& txn) {
                     return ReadCommune(txn, tenant);
                   }));
  std::lock_guard<std::mutex> lock(mu_);
  read_[tenant] = {absl::Now(), commune};
  return commune;
}

}  // namespace dialogue::db
