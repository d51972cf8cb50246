// All SQL of the planning program: plans with their task projection and outbox, and the
// tenancy reference tables. Every method runs in a transaction scoped by a TenantScope,
// so Row Level Security bounds what any query can see or change.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/optional.h"
#include "dialogue/db/pool.h"
#include "dialogue/v1/accounts.pb.h"
#include "dialogue/v1/events.pb.h"
#include "dialogue/v1/planning.pb.h"
#include "dialogue/v1/tenants.pb.h"

namespace dialogue::planning {

namespace v1 = ::dialogue::v1;

struct PlanFilter {
  absl::optional<int> year;
  absl::optional<v1::PlanState> state;
};

// Parses "year = 2026 AND state = PUBLISHED"; INVALID_ARGUMENT naming `filter` otherwise.
absl::StatusOr<PlanFilter> ParsePlanFilter(const std::string& text);

struct PlanPage {
  std::vector<v1::Plan> plans;
  std::string next_page_token;
};

struct TaskQuery {
  std::string as_of_date;    // YYYY-MM-DD
  int due_within_days = -1;  // < 0: no upper bound
  bool overdue_only = false;
  bool include_done = false;
  int page_size = 100;
  std::string page_token;
};

struct TaskPage {
  std::vector<v1::TaskView> tasks;
  std::string next_page_token;
};

// What a change to a plan causes besides the plan itself, written in the same transaction.
struct PlanEffects {
  std::vector<v1::Event> events;
  std::string supersede_plan_id;  // a plan this one replaces on publication
};

class PlanStore {
 public:
  explicit PlanStore(db::ConnectionPool& pool) : pool_(pool) {}

  // Stores a new plan whose output fields (state, revision, revises) are already set. With a
  // request_id seen before, returns the plan created then and stores nothing.
  absl::StatusOr<v1::Plan> Create(const db::TenantScope& scope, const std::string& tenant,
                                  const v1::Plan& plan, const std::string& request_id);

  absl::StatusOr<v1::Plan> Get(const db::TenantScope& scope, const std::string& tenant,
                               const std::string& plan_id);

  absl::StatusOr<PlanPage> List(const db::TenantScope& scope, const std::string& tenant,
                                const PlanFilter& filter, int page_size,
                                const std::string& page_token);

  // Reads the plan under a row lock, checks `etag` when given (ABORTED on mismatch), lets
  // `change` edit it and name its effects, then writes plan, tasks and outbox together.
  using Change = std::function<absl::Status(v1::Plan& plan, PlanEffects& effects)>;
  absl::StatusOr<v1::Plan> Mutate(const db::TenantScope& scope, const std::string& tenant,
                                  const std::string& plan_id, const std::string& etag,
                                  const Change& change);
  // The same inside a transaction the caller holds (the event consumer's). A change that
  // leaves the plan as it was, with no effects, writes nothing.
  static absl::StatusOr<v1::Plan> MutateIn(pqxx::dbtransaction& txn, const std::string& tenant,
                                           const std::string& plan_id, const std::string& etag,
                                           const Change& change);
  // The ids of the tenant's plans with a conference that records `session`.
  static std::vector<std::string> PlansHoldingSession(pqxx::dbtransaction& txn,
                                                      const std::string& tenant,
                                                      const std::string& session);

  // Deletes the plan if `allowed` accepts it as read under lock.
  absl::Status Delete(const db::TenantScope& scope, const std::string& tenant,
                      const std::string& plan_id, const std::string& etag,
                      const std::function<absl::Status(const v1::Plan&)>& allowed);

  absl::StatusOr<TaskPage> ListTasks(const db::TenantScope& scope, const std::string& tenant,
                                     const TaskQuery& query);

 private:
  db::ConnectionPool& pool_;
};

class TenantStore {
 public:
  explicit TenantStore(db::ConnectionPool& pool) : pool_(pool) {}

  absl::StatusOr<v1::Province> CreateProvince(const std::string& id, const v1::Province& province);
  // Every province, or only the one whose id is `only`.
  absl::StatusOr<std::vector<v1::Province>> ListProvinces(const std::string& only = "");
  absl::StatusOr<v1::Tenant> CreateTenant(const std::string& id, const v1::Tenant& tenant);
  absl::StatusOr<v1::Tenant> GetTenant(const std::string& id);
  absl::StatusOr<std::vector<v1::Tenant>> ListTenants(const std::string& province_id, int page_size,
                                                      const std::string& after_id);
  // The names of the communes whose parent is `id` ("tenants/cao-xa"), in id order.
  absl::StatusOr<std::vector<std::string>> ListChildren(const std::string& id);
  // Replaces the fields named in `paths` (all when empty); ABORTED if `etag` is stale.
  absl::StatusOr<v1::Tenant> UpdateTenant(const v1::Tenant& tenant,
                                          const std::vector<std::string>& paths);

 private:
  db::ConnectionPool& pool_;
};

// The tenant's own days off (tenancy.tenant_days_off).
class CalendarStore {
 public:
  explicit CalendarStore(db::ConnectionPool& pool) : pool_(pool) {}

  // ALREADY_EXISTS when the day is recorded already.
  absl::Status AddDayOff(const db::TenantScope& scope, const std::string& tenant,
                         const std::string& date, const std::string& reason);
  // NOT_FOUND when the day is not one of the tenant's days off.
  absl::Status RemoveDayOff(const db::TenantScope& scope, const std::string& tenant,
                            const std::string& date);
  // Days off (date, reason) in [from, to], in date order.
  absl::StatusOr<std::vector<std::pair<std::string, std::string>>> DaysOff(
      const db::TenantScope& scope, const std::string& tenant, const std::string& from,
      const std::string& to);

 private:
  db::ConnectionPool& pool_;
};

// Accounts, sign-in sessions and the audit log (schema accounts). Sessions are found by
// the sha256 of their token, hex-encoded; the token itself is never stored.
class AccountStore {
 public:
  explicit AccountStore(db::ConnectionPool& pool) : pool_(pool) {}

  // Stores the account and writes ACCOUNT_CREATED by `actor` from `client` to the log of
  // its commune. ALREADY_EXISTS "USERNAME_TAKEN" when the name is in use.
  absl::StatusOr<v1::Account> Create(const db::TenantScope& scope, const v1::Account& account,
                                     const std::string& password_hash, const std::string& actor,
                                     const std::string& client);
  absl::StatusOr<std::vector<v1::Account>> List(const db::TenantScope& scope,
                                                const std::string& tenant_id);

  // Sets `password_hash`, lifts the lock, ends every session and logs PASSWORD_RESET, in one
  // transaction. `tenant` empty: any account (an administrator's request); otherwise only
  // an account of that commune. NOT_FOUND "ACCOUNT_NOT_FOUND" when there is none such.
  absl::StatusOr<v1::Account> ResetPassword(const db::TenantScope& scope,
                                            const std::string& username,
                                            const std::string& password_hash,
                                            const std::string& tenant, const std::string& actor,
                                            const std::string& client);

  struct Credentials {
    bool found = false;
    std::string password_hash;
    absl::optional<absl::Time> locked_until;
  };
  absl::StatusOr<Credentials> LookUp(const std::string& username);
  // The account mapped to a subject of the province's OpenID Connect provider; `username`
  // empty when none is.
  struct OidcAccount {
    std::string username;
    absl::optional<absl::Time> locked_until;
  };
  absl::StatusOr<OidcAccount> LookUpOidc(const std::string& subject);
  // A refused sign-in, counted and logged; the lock's end when the account is now locked.
  absl::StatusOr<absl::optional<absl::Time>> SignInFailed(const std::string& username,
                                                          const std::string& client,
                                                          bool locked_now, int lock_after,
                                                          absl::Duration lock_for);
  // Starts a session and logs SIGN_IN with `method` ("" for the password, "oidc") as its
  // target; returns the session's end.
  absl::StatusOr<absl::Time> SignInSucceeded(const std::string& username,
                                             const std::string& token_hash_hex,
                                             const std::string& csrf_token,
                                             const std::string& client,
                                             const std::string& user_agent, absl::Duration lifetime,
                                             const std::string& method = "");

  // The second factor of an account (TOTP), read only by the functions made for it.
  struct Totp {
    bool enabled = false;
    std::string secret;  // empty before enrolling
    int64_t last_step = 0;
  };
  absl::StatusOr<Totp> TotpOf(const std::string& username);
  // Keeps `step` as the last used; false when it (or a later one) was used already.
  absl::StatusOr<bool> TotpUsed(const std::string& username, int64_t step);
  // A new secret, not yet in use; false while the account has one in use.
  absl::StatusOr<bool> BeginTotp(const std::string& username, const std::string& secret);
  // Turns the second factor on, with `step` used, and logs TOTP_ENABLED; false when there
  // is no secret being enrolled.
  absl::StatusOr<bool> ConfirmTotp(const std::string& username, int64_t step,
                                   const std::string& client);

  struct LiveSession {
    v1::Account account;
    std::string csrf_token;
    absl::Time expire_time;
  };
  // NOT_FOUND when no live session has this hash.
  absl::StatusOr<LiveSession> Resolve(const std::string& token_hash_hex, absl::Duration idle);
  // False when the session had ended already (or never was).
  absl::StatusOr<bool> End(const std::string& token_hash_hex, const std::string& client);

  struct AuditPage {
    std::vector<v1::AuditEvent> events;
    std::string next_page_token;
  };
  absl::StatusOr<AuditPage> ListAudit(const db::TenantScope& scope, const std::string& tenant_id,
                                      int page_size, const std::string& page_token);

 private:
  db::ConnectionPool& pool_;
};

// The rules with the defaults of domain.md filled in where the tenant left a zero.
v1::TenantRules WithDefaults(v1::TenantRules rules);

}  // namespace dialogue::planning
