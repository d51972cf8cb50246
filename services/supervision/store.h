// Commitments in PostgreSQL: created from events in the consumer's transaction, changed
// under a row lock with a history entry each time, read by petitioners through their
// opinion, and summed up for the commune and the province. Every call runs in a
// tenant-scoped transaction (RLS); the province report in a read-only scope of the
// province's communes, and the sweep with app.sweep (reads only).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "dialogue/db/commune.h"
#include "dialogue/db/pool.h"
#include "dialogue/v1/events.pb.h"
#include "dialogue/v1/supervision.pb.h"
#include "dialogue/v1/tenants.pb.h"

namespace dialogue::supervision {

namespace v1 = ::dialogue::v1;

// The commune's name and rules.
using TenantInfo = db::Commune;

struct CommitmentFilter {
  v1::CommitmentState state = v1::COMMITMENT_STATE_UNSPECIFIED;
  std::string agency;
  std::string session;
  bool overdue_only = false;
  int year = 0;
  int page_size = 100;
  int offset = 0;
};

std::string CommitmentName(const std::string& tenant, const std::string& id);

class SupervisionStore {
 public:
  explicit SupervisionStore(db::ConnectionPool& pool) : pool_(pool) {}

  // --- In the event consumer's transaction (the event's tenant scope).
  // The plan's conferences; a revision marks the plan it revises replaced.
  static void RecordPlan(pqxx::dbtransaction& txn, const std::string& tenant,
                         const v1::PlanPublished& plan);
  // A conference held, with its conclusion notice's due date. Returns the day the notice
  // was issued when that is already known (its event came first).
  static std::optional<absl::CivilDay> RecordConference(pqxx::dbtransaction& txn,
                                                        const std::string& tenant,
                                                        const v1::SessionConcluded& concluded,
                                                        absl::CivilDay notice_due);
  // Stores a commitment and its CHANGE_CREATED entry, and tells its petitioners
  // (CommitmentChanged); false (and nothing written) when the item already has one.
  static bool InsertCommitment(pqxx::dbtransaction& txn, const std::string& tenant,
                               const v1::Commitment& c, absl::CivilDay report_due,
                               bool report_due_final, const std::string& traceparent);
  // The conclusion notice of `session` was issued on `issued`: its conference records it and
  // the provisional report dates become `report_due`. Returns how many commitments changed.
  static int RecordNoticeIssued(pqxx::dbtransaction& txn, const std::string& tenant,
                                const std::string& session, absl::CivilDay issued,
                                absl::CivilDay due, absl::CivilDay report_due);

  // --- Staff.
  absl::StatusOr<v1::Commitment> Get(const db::TenantScope& scope, const std::string& tenant,
                                     const std::string& id, absl::CivilDay as_of);
  absl::StatusOr<std::pair<std::vector<v1::Commitment>, bool>> List(
      const db::TenantScope& scope, const std::string& tenant, const CommitmentFilter& filter,
      absl::CivilDay as_of);  // the page, and whether more follow
  absl::StatusOr<std::vector<v1::CommitmentChange>> History(const db::TenantScope& scope,
                                                            const std::string& tenant,
                                                            const std::string& id);
  // Reads the commitment under a row lock (ABORTED for a stale etag), lets `change` alter
  // it and describe the change, writes both. The change gets `actor` and the time; its
  // petitioners are told (CommitmentChanged, in the trace `traceparent`).
  using Change = std::function<absl::Status(v1::Commitment&, v1::CommitmentChange&)>;
  absl::StatusOr<v1::Commitment> Update(const db::TenantScope& scope, const std::string& tenant,
                                        const std::string& id, const std::string& etag,
                                        const std::string& actor, const std::string& traceparent,
                                        absl::CivilDay as_of, const Change& change);

  // --- Petitioners: the commitments on `opinion`, as `code`'s holder sees them.
  absl::StatusOr<std::vector<v1::PublicCommitment>> ForOpinion(const db::TenantScope& scope,
                                                               const std::string& tenant,
                                                               const std::string& opinion,
                                                               const std::string& code,
                                                               absl::CivilDay as_of);
  // Records (or replaces) `code`'s feedback on a RESOLVED or CANNOT_RESOLVE commitment on
  // `opinion`; NOT_FOUND when the commitment is not on that opinion.
  absl::StatusOr<v1::PublicCommitment> Feedback(const db::TenantScope& scope,
                                                const std::string& tenant, const std::string& id,
                                                const std::string& opinion, const std::string& code,
                                                const v1::GiveFeedbackRequest& feedback,
                                                absl::CivilDay as_of);

  // --- Reports.
  absl::StatusOr<v1::CommuneReport> CommuneReport(const db::TenantScope& scope,
                                                  const std::string& tenant, int year,
                                                  absl::CivilDay as_of);
  // `scope` reads every tenant in `tenants` (a province reader's).
  absl::StatusOr<v1::ProvinceReport> ProvinceReport(const db::TenantScope& scope,
                                                    const std::vector<std::string>& tenants,
                                                    int year, absl::CivilDay as_of);
  // The province's name ("Tỉnh Nghệ An"); empty when there is no such province.
  absl::StatusOr<std::string> ProvinceName(const std::string& province);

  // --- The upper level. What the communes `tenants` (read through `scope`) sent up, the
  // soonest due first (none last), from `offset`; at most `limit`, and whether more follow.
  // Answered ones (upper_answer set) only when `include_answered`.
  absl::StatusOr<std::pair<std::vector<v1::Escalation>, bool>> Escalations(
      const db::TenantScope& scope, const std::vector<std::string>& tenants, bool include_answered,
      absl::CivilDay as_of, int limit, int offset);

  // --- The sweep.
  struct Open {
    std::string tenant;
    v1::Commitment commitment;
  };
  // Open commitments of every commune due (or with the report due) by `until`.
  absl::StatusOr<std::vector<Open>> DueBy(absl::CivilDay until);
  // Records that `kind` was announced for the commitment's `about` day and writes `event`
  // to the outbox, once: false when it was already.
  absl::StatusOr<bool> Remind(const std::string& tenant, const std::string& commitment_id,
                              v1::CommitmentDueKind kind, absl::CivilDay about,
                              const v1::Event& event);

 private:
  db::ConnectionPool& pool_;
};

}  // namespace dialogue::supervision
