// A commune's name, deadline rules, hamlets and own days off, as the services that draft and
// count read them from tenancy (planning writes it) inside their own transactions.
#pragma once

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>

#include <pqxx/pqxx>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "dialogue/db/pool.h"
#include "dialogue/v1/tenants.pb.h"

namespace dialogue::db {

struct Commune {
  std::string display_name;
  v1::TenantRules rules;
  std::map<std::string, std::string> hamlet_names;  // hamlet id -> its display name
  std::set<absl::CivilDay> days_off;  // the commune's own, on top of the national calendar

  // The name of hamlet `id`, or the id itself when the commune lists no such hamlet.
  std::string HamletName(const std::string& id) const;
};

// NOT_FOUND "TENANT_NOT_FOUND" when there is no such tenant.
absl::StatusOr<Commune> ReadCommune(pqxx::dbtransaction& txn, const std::string& tenant);

// The commune's own days off (tenancy.tenant_days_off), as far as the transaction's scope
// lets it see them.
std::set<absl::CivilDay> ReadDaysOff(pqxx::dbtransaction& txn, const std::string& tenant);

// The same kept for `ttl`, for reads that lay a commune's name out on every call.
class CommuneCache {
 public:
  explicit CommuneCache(ConnectionPool& pool, absl::Duration ttl = absl::Minutes(1))
      : pool_(pool), ttl_(ttl) {}

  absl::StatusOr<Commune> Get(const TenantScope& scope, const std::string& tenant);

 private:
  ConnectionPool& pool_;
  absl::Duration ttl_;
  std::mutex mu_;
  std::map<std::string, std::pair<absl::Time, Commune>> read_;  // read at, commune
};

}  // namespace dialogue::db
