#include "store.h"

#include <google/protobuf/util/time_util.h>

#include <map>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "dialogue/calendar/dates.h"
#include "dialogue/common/json.h"
#include "dialogue/common/status.h"
#include "dialogue/events/outbox.h"
#include "dialogue/rpc/call.h"
#include "supervision_rules.h"

namespace dialogue::supervision {
namespace {

using google::protobuf::util::TimeUtil;

constexpr char kColumns[] =
    "c.id::text, c.state, c.doc::text, c.version, coalesce(c.due_date::text, ''),"
    " c.report_due_date::text, c.report_due_final, coalesce(c.resolve_date::text, ''),"
    " coalesce(c.resolved_on_time, false), c.reopen_requested, c.agency,"
    " (extract(epoch FROM c.create_time) * 1000000)::bigint,"
    " (extract(epoch FROM c.update_time) * 1000000)::bigint, coalesce(c.report_date::text, '')";

constexpr char kOpen[] = "supervision.is_open(c.state)";
// Commitment.report_late, in SQL: reported after the due date, or not yet and past it ($3).
constexpr char kReportLate[] =
    "c.report_date > c.report_due_date OR (c.state = 'COMMITMENT_ASSIGNED'"
    " AND c.report_due_date < $3::date)";

// What the doc column holds: the commitment without what has columns of its own or is
// derived.
std::string Doc(const v1::Commitment& c) {
  v1::Commitment doc = c;
  for (int field :
       {v1::Commitment::kNameFieldNumber, v1::Commitment::kStateFieldNumber,
        v1::Commitment::kEtagFieldNumber, v1::Commitment::kCreateTimeFieldNumber,
        v1::Commitment::kUpdateTimeFieldNumber, v1::Commitment::kOverdueFieldNumber,
        v1::Commitment::kReportOverdueFieldNumber, v1::Commitment::kDueDateFieldNumber,
        v1::Commitment::kReportDueDateFieldNumber, v1::Commitment::kReportDueProvisionalFieldNumber,
        v1::Commitment::kResolveDateFieldNumber, v1::Commitment::kResolvedOnTimeFieldNumber,
        v1::Commitment::kReopenRequestedFieldNumber, v1::Commitment::kAgencyFieldNumber,
        v1::Commitment::kReportDateFieldNumber, v1::Commitment::kReportLateFieldNumber}) {
    doc.GetReflection()->ClearField(&doc, doc.GetDescriptor()->FindFieldByNumber(field));
  }
  return common::StoredJson(doc);
}

v1::Commitment FromRow(const std::string& tenant, const pqxx::row& row, int at,
                       absl::CivilDay as_of) {
  v1::Commitment c;
  common::FromStoredJson(row[at + 2].as<std::string>(), &c);
  c.set_name(CommitmentName(tenant, row[at].as<std::string>()));
  v1::CommitmentState state;
  if (v1::CommitmentState_Parse(row[at + 1].as<std::string>(), &state)) c.set_state(state);
  c.set_etag(row[at + 3].as<std::string>());
  c.set_due_date(row[at + 4].as<std::string>());
  c.set_report_due_date(row[at + 5].as<std::string>());
  c.set_report_due_provisional(!row[at + 6].as<bool>());
  c.set_resolve_date(row[at + 7].as<std::string>());
  c.set_resolved_on_time(row[at + 8].as<bool>());
  c.set_reopen_requested(row[at + 9].as<bool>());
  c.set_agency(row[at + 10].as<std::string>());
  *c.mutable_create_time() = TimeUtil::MicrosecondsToTimestamp(row[at + 11].as<int64_t>());
  *c.mutable_update_time() = TimeUtil::MicrosecondsToTimestamp(row[at + 12].as<int64_t>());
  c.set_report_date(row[at + 13].as<std::string>());
  DeriveOverdue(c, as_of);
  return c;
}

std::vector<v1::Commitment> FromRows(const std::string& tenant, const pqxx::result& rows,
                                     absl::CivilDay as_of) {
  std::vector<v1::Commitment> out;
  out.reserve(rows.size());
  for (const auto& row : rows) out.push_back(FromRow(tenant, row, 0, as_of));
  return out;
}

absl::Status NotFound(const std::string& tenant, const std::string& id) {
  return common::Error(absl::StatusCode::kNotFound, "COMMITMENT_NOT_FOUND",
                       absl::StrCat(CommitmentName(tenant, id), " does not exist"));
}

void InsertChange(pqxx::dbtransaction& txn, const std::string& tenant, const std::string& id,
                  const v1::CommitmentChange& change) {
  txn.exec_params(
      "INSERT INTO supervision.changes (tenant_id, commitment_id, change)"
      " VALUES ($1, $2::uuid, $3::jsonb)",
      tenant, id, common::StoredJson(change));
}

v1::CommitmentChange Stamped(v1::CommitmentChange change, const std::string& actor) {
  change.set_actor(actor);
  *change.mutable_time() = TimeUtil::GetCurrentTime();
  return change;
}

// What a petitioner is shown of a change: an agency's report or reason, nothing else.
std::string PublicNote(const v1::CommitmentChange& change) {
  if (change.kind() == v1::CHANGE_UPPER_ANSWER) return change.note();
  if (change.kind() != v1::CHANGE_PROGRESS) return "";
  return change.reason().empty() ? change.note() : change.reason();
}

// Tells intake, which tells the petitioners of `c`'s opinions, of a change they would see
// on the follow page: the commitment made, an agency's progress, a check that reopened it.
void AnnounceChange(pqxx::dbtransaction& txn, const std::string& tenant, const v1::Commitment& c,
                    const v1::CommitmentChange& change, v1::CommitmentState from,
                    const std::string& traceparent) {
  if (c.opinions().empty()) return;
  if (change.kind() != v1::CHANGE_CREATED && change.kind() != v1::CHANGE_PROGRESS &&
      change.kind() != v1::CHANGE_UPPER_ANSWER && !change.reopened()) {
    return;
  }
  v1::CommitmentChanged changed;
  changed.set_commitment(c.name());
  *changed.mutable_opinions() = c.opinions();
  changed.set_kind(change.kind());
  changed.set_from_state(from);
  changed.set_to_state(c.state());
  changed.set_summary(c.summary());
  changed.set_action(c.action());
  changed.set_agency(c.agency());
  changed.set_due_date(c.due_date());
  changed.set_conference_date(c.conference_date());
  changed.set_date(c.state() == v1::COMMITMENT_RESOLVED && !c.resolve_date().empty()
                       ? c.resolve_date()
                       : calendar::FormatDate(calendar::TodayInVietnam(absl::Now())));
  changed.set_note(PublicNote(change));
  events::AppendToOutbox(txn, "supervision.outbox", tenant,
                         rpc::NewEvent(tenant, "supervision", changed, traceparent));
}

// What a petitioner sees of a commitment: its agency's reports and results, no actors.
v1::PublicCommitment Public(const std::string& tenant, const std::string& code,
                            const v1::Commitment& c,
                            const std::vector<v1::CommitmentChange>& history) {
  v1::PublicCommitment p;
  p.set_name(absl::StrCat("tenants/", tenant, "/receipts/", code, "/commitments/",
                          c.name().substr(c.name().rfind('/') + 1)));
  p.set_summary(c.summary());
  p.set_action(c.action());
  p.set_agency(c.agency());
  p.set_state(c.state());
  p.set_due_date(c.due_date());
  p.set_overdue(c.overdue());
  p.set_resolve_date(c.resolve_date());
  p.set_reopen_requested(c.reopen_requested());
  for (const auto& change : history) {
    if (change.kind() != v1::CHANGE_CREATED && change.kind() != v1::CHANGE_PROGRESS &&
        change.kind() != v1::CHANGE_UPPER_ANSWER && !change.reopened()) {
      continue;
    }
    v1::PublicStep* step = p.add_progress();
    step->set_state(change.to_state());
    step->set_date(calendar::FormatDate(
        calendar::TodayInVietnam(absl::FromUnixSeconds(change.time().seconds()))));
    step->set_note(PublicNote(change));
  }
  return p;
}

std::vector<v1::CommitmentChange> HistoryOf(pqxx::dbtransaction& txn, const std::string& tenant,
                                            const std::string& id) {
  auto rows = txn.exec_params(
      "SELECT change::text FROM supervision.changes WHERE tenant_id = $1"
      " AND commitment_id = $2::uuid ORDER BY seq",
      tenant, id);
  std::vector<v1::CommitmentChange> out;
  for (const auto& row : rows) {
    v1::CommitmentChange change;
    common::FromStoredJson(row[0].as<std::string>(), &change);
    out.push_back(std::move(change));
  }
  return out;
}

// The petitioner's own feedback, if any, on the public view.
void AddFeedback(pqxx::dbtransaction& txn, const std::string& tenant, const std::string& id,
                 const std::string& code, v1::PublicCommitment& p) {
  auto rows = txn.exec_params(
      "SELECT satisfied FROM supervision.feedback WHERE tenant_id = $1"
      " AND commitment_id = $2::uuid AND receipt_code = $3",
      tenant, id, code);
  if (rows.empty()) return;
  p.set_feedback_given(true);
  p.set_satisfied(rows[0][0].as<bool>());
}

}  // namespace

std::string CommitmentName(const std::string& tenant, const std::string& id) {
  return absl::StrCat("tenants/", tenant, "/commitments/", id);
}

void SupervisionStore::RecordPlan(pqxx::dbtransaction& txn, const std::string& tenant,
                                  const v1::PlanPublished& plan) {
  txn.exec_params(
      "INSERT INTO supervision.plans (tenant_id, plan, year, conferences) VALUES ($1, $2, $3, $4)"
      " ON CONFLICT (tenant_id, plan) DO UPDATE SET year = excluded.year,"
      " conferences = excluded.conferences",
      tenant, plan.plan(), plan.year(), plan.conference_ids_size());
  if (!plan.revises().empty()) {
    txn.exec_params(
        "UPDATE supervision.plans SET replaced = true WHERE tenant_id = $1 AND plan = $2", tenant,
        plan.revises());
  }
}

std::optional<absl::CivilDay> SupervisionStore::RecordConference(
    pqxx::dbtransaction& txn, const std::string& tenant, const v1::SessionConcluded& concluded,
    absl::CivilDay notice_due) {
  auto rows = txn.exec_params(
      "INSERT INTO supervision.conferences (tenant_id, session, year, conference_date, title,"
      " notice_due_date) VALUES ($1, $2, extract(year FROM $3::date), $3::date, $4, $5::date)"
      " ON CONFLICT (tenant_id, session) DO UPDATE SET year = excluded.year,"
      " conference_date = excluded.conference_date, title = excluded.title,"
      " notice_due_date = excluded.notice_due_date"
      " RETURNING coalesce(notice_issue_date::text, '')",
      tenant, concluded.session(), concluded.date(), concluded.title(),
      calendar::FormatDate(notice_due));
  auto issued = calendar::ParseDate(rows[0][0].as<std::string>());
  if (!issued.ok()) return std::nullopt;
  return *issued;
}

bool SupervisionStore::InsertCommitment(pqxx::dbtransaction& txn, const std::string& tenant,
                                        const v1::Commitment& c, absl::CivilDay report_due,
                                        bool report_due_final, const std::string& traceparent) {
  auto rows = txn.exec_params(
      "INSERT INTO supervision.commitments (tenant_id, session, item_id, year, conference_date,"
      " agency, due_date, report_due_date, report_due_final, state, opinions, doc)"
      " VALUES ($1, $2, $3, extract(year FROM $4::date), $4::date, $5, nullif($6, '')::date,"
      " $7::date, $8, $9, string_to_array($10, ','), $11::jsonb)"
      " ON CONFLICT (tenant_id, session, item_id) DO NOTHING RETURNING id::text",
      tenant, c.session(), c.item_id(), c.conference_date(), c.agency(), c.due_date(),
      calendar::FormatDate(report_due), report_due_final, v1::CommitmentState_Name(c.state()),
      absl::StrJoin(c.opinions(), ","), Doc(c));
  if (rows.empty()) return false;
  v1::CommitmentChange created;
  created.set_kind(v1::CHANGE_CREATED);
  created.set_to_state(c.state());
  created.set_note(
      absl::StrCat("Từ kết luận hội nghị \"", c.session_title(), "\" ngày ", c.conference_date()));
  if (c.beyond_commune()) created.set_reason("Vượt thẩm quyền cấp xã: chuyển cấp trên");
  InsertChange(txn, tenant, rows[0][0].as<std::string>(), Stamped(created, "supervision"));
  v1::Commitment named = c;
  named.set_name(CommitmentName(tenant, rows[0][0].as<std::string>()));
  AnnounceChange(txn, tenant, named, created, v1::COMMITMENT_STATE_UNSPECIFIED, traceparent);
  return true;
}

int SupervisionStore::RecordNoticeIssued(pqxx::dbtransaction& txn, const std::string& tenant,
                                         const std::string& session, absl::CivilDay issued,
                                         absl::CivilDay due, absl::CivilDay report_due) {
  txn.exec_params(
      "INSERT INTO supervision.conferences (tenant_id, session, notice_due_date,"
      " notice_issue_date) VALUES ($1, $2, $3::date, $4::date)"
      " ON CONFLICT (tenant_id, session) DO UPDATE SET notice_issue_date = "
      "excluded.notice_issue_date,"
      " notice_due_date = coalesce(supervision.conferences.notice_due_date, "
      "excluded.notice_due_date)",
      tenant, session, calendar::FormatDate(due), calendar::FormatDate(issued));
  auto rows = txn.exec_params(
      "UPDATE supervision.commitments SET report_due_date = $3::date, report_due_final = true,"
      " version = version + 1, update_time = now()"
      " WHERE tenant_id = $1 AND session = $2 AND NOT report_due_final RETURNING id::text",
      tenant, session, calendar::FormatDate(report_due));
  v1::CommitmentChange change;
  change.set_kind(v1::CHANGE_REPORT_DUE);
  change.set_note(absl::StrCat("Thông báo kết luận ban hành ngày ", calendar::FormatDate(issued),
                               ": hạn báo cáo ", calendar::FormatDate(report_due)));
  change = Stamped(change, "supervision");
  for (const auto& row : rows) InsertChange(txn, tenant, row[0].as<std::string>(), change);
  return static_cast<int>(rows.size());
}

absl::StatusOr<v1::Commitment> SupervisionStore::Get(const db::TenantScope& scope,
                                                     const std::string& tenant,
                                                     const std::string& id, absl::CivilDay as_of) {
  return pool_.InTransaction(scope, "supervision.commitments",
                             [&](pqxx::dbtransaction& txn) -> absl::StatusOr<v1::Commitment> {
                               auto rows = txn.exec_params(
                                   absl::StrCat("SELECT ", kColumns,
                                                " FROM supervision.commitments c"
                                                " WHERE c.tenant_id = $1 AND c.id = $2::uuid"),
                                   tenant, id);
                               if (rows.empty()) return NotFound(tenant, id);
                               return FromRow(tenant, rows[0], 0, as_of);
                             });
}

absl::StatusOr<std::pair<std::vector<v1::Commitment>, bool>> SupervisionStore::List(
    const db::TenantScope& scope, const std::string& tenant, const CommitmentFilter& filter,
    absl::CivilDay as_of) {
  using Page = std::pair<std::vector<v1::Commitment>, bool>;
  return pool_.InTransaction(
      scope, "supervision.commitments", [&](pqxx::dbtransaction& txn) -> absl::StatusOr<Page> {
        auto rows = txn.exec_params(
            absl::StrCat("SELECT ", kColumns,
                         " FROM supervision.commitments c WHERE c.tenant_id = $1"
                         " AND ($2 = '' OR c.state = $2) AND ($3 = '' OR c.agency = $3)"
                         " AND ($4 = '' OR c.session = $4) AND ($5 = 0 OR c.year = $5)"
                         " AND (NOT $6 OR (",
                         kOpen,
                         " AND c.due_date < $7::date))"
                         " ORDER BY c.conference_date DESC, c.session, c.item_id"
                         " LIMIT $8 OFFSET $9"),
            tenant,
            filter.state == v1::COMMITMENT_STATE_UNSPECIFIED
                ? ""
                : v1::CommitmentState_Name(filter.state),
            filter.agency, filter.session, filter.year, filter.overdue_only,
            calendar::FormatDate(as_of), filter.page_size + 1, filter.offset);
        Page page{FromRows(tenant, rows, as_of), false};
        if (static_cast<int>(page.first.size()) > filter.page_size) {
          page.first.pop_back();
          page.second = true;
        }
        return page;
      });
}

absl::StatusOr<std::vector<v1::CommitmentChange>> SupervisionStore::History(
    const db::TenantScope& scope, const std::string& tenant, const std::string& id) {
  using Result = std::vector<v1::CommitmentChange>;
  return pool_.InTransaction(
      scope, "supervision.commitments", [&](pqxx::dbtransaction& txn) -> absl::StatusOr<Result> {
        auto found = txn.exec_params(
            "SELECT 1 FROM supervision.commitments WHERE tenant_id = $1 AND id = $2::uuid", tenant,
            id);
        if (found.empty()) return NotFound(tenant, id);
        return HistoryOf(txn, tenant, id);
      });
}

absl::StatusOr<v1::Commitment> SupervisionStore::Update(
    const db::TenantScope& scope, const std::string& tenant, const std::string& id,
    const std::string& etag, const std::string& actor, const std::string& traceparent,
    absl::CivilDay as_of, const Change& change) {
  return pool_.InTransaction(
      scope, "supervision.commitments",
      [&](pqxx::dbtransaction& txn) -> absl::StatusOr<v1::Commitment> {
        auto rows = txn.exec_params(absl::StrCat("SELECT ", kColumns,
                                                 " FROM supervision.commitments c WHERE c.tenant_id"
                                                 " = $1 AND c.id = $2::uuid FOR UPDATE"),
                                    tenant, id);
        if (rows.empty()) return NotFound(tenant, id);
        v1::Commitment c = FromRow(tenant, rows[0], 0, as_of);
        RETURN_IF_ERROR(common::CheckEtag(etag, c.etag(), "the commitment"));
        const v1::CommitmentState before = c.state();
        v1::CommitmentChange described;
        RETURN_IF_ERROR(change(c, described));
        auto written = txn.exec_params(
            absl::StrCat("UPDATE supervision.commitments c SET state = $3, due_date = nullif($4, "
                         "'')::date, resolve_date = nullif($5, '')::date, resolved_on_time = CASE"
                         " WHEN $5 = '' THEN NULL ELSE $6::boolean END, reopen_requested = $7,"
                         " doc = $8::jsonb, report_date = nullif($9, '')::date,"
                         " version = version + 1, update_time = now()"
                         " WHERE c.tenant_id = $1 AND c.id = $2::uuid RETURNING ",
                         kColumns),
            tenant, id, v1::CommitmentState_Name(c.state()), c.due_date(), c.resolve_date(),
            c.resolved_on_time(), c.reopen_requested(), Doc(c), c.report_date());
        InsertChange(txn, tenant, id, Stamped(described, actor));
        v1::Commitment after = FromRow(tenant, written[0], 0, as_of);
        AnnounceChange(txn, tenant, after, described, before, traceparent);
        return after;
      });
}

absl::StatusOr<std::vector<v1::PublicCommitment>> SupervisionStore::ForOpinion(
    const db::TenantScope& scope, const std::string& tenant, const std::string& opinion,
    const std::string& code, absl::CivilDay as_of) {
  using Result = std::vector<v1::PublicCommitment>;
  return pool_.InTransaction(
      scope, "supervision.commitments", [&](pqxx::dbtransaction& txn) -> absl::StatusOr<Result> {
        auto rows = txn.exec_params(
            absl::StrCat(
                "SELECT ", kColumns,
                " FROM supervision.commitments c WHERE c.tenant_id = $1"
                " AND c.opinions @> ARRAY[$2::text] ORDER BY c.conference_date, c.item_id"),
            tenant, opinion);
        Result out;
        for (const v1::Commitment& c : FromRows(tenant, rows, as_of)) {
          const std::string id = c.name().substr(c.name().rfind('/') + 1);
          out.push_back(Public(tenant, code, c, HistoryOf(txn, tenant, id)));
          AddFeedback(txn, tenant, id, code, out.back());
        }
        return out;
      });
}

absl::StatusOr<v1::PublicCommitment> SupervisionStore::Feedback(
    const db::TenantScope& scope, const std::string& tenant, const std::string& id,
    const std::string& opinion, const std::string& code, const v1::GiveFeedbackRequest& feedback,
    absl::CivilDay as_of) {
  return pool_.InTransaction(
      scope, "supervision.feedback",
      [&](pqxx::dbtransaction& txn) -> absl::StatusOr<v1::PublicCommitment> {
        auto rows = txn.exec_params(absl::StrCat("SELECT ", kColumns,
                                                 " FROM supervision.commitments c WHERE c.tenant_id"
                                                 " = $1 AND c.id = $2::uuid AND c.opinions @>"
                                                 " ARRAY[$3::text] FOR UPDATE"),
                                    tenant, id, opinion);
        if (rows.empty()) {
          return common::Error(absl::StatusCode::kNotFound, "COMMITMENT_NOT_FOUND",
                               "no commitment with this name was made on this receipt's opinion");
        }
        v1::Commitment c = FromRow(tenant, rows[0], 0, as_of);
        if (IsOpen(c.state())) {
          return common::Error(absl::StatusCode::kFailedPrecondition, "NO_RESULT_YET",
                               "feedback is given on a result; this commitment is still being "
                               "worked on");
        }
        txn.exec_params(
            "INSERT INTO supervision.feedback (tenant_id, commitment_id, receipt_code, satisfied,"
            " reopen_requested, comment) VALUES ($1, $2::uuid, $3, $4, $5, $6)"
            " ON CONFLICT (tenant_id, commitment_id, receipt_code) DO UPDATE SET"
            " satisfied = excluded.satisfied, reopen_requested = excluded.reopen_requested,"
            " comment = excluded.comment, update_time = now()",
            tenant, id, code, feedback.satisfied(), feedback.request_reopen(), feedback.comment());
        auto counts = txn.exec_params(
            "SELECT count(*) FILTER (WHERE satisfied), count(*) FILTER (WHERE NOT satisfied)"
            " FROM supervision.feedback WHERE tenant_id = $1 AND commitment_id = $2::uuid",
            tenant, id);
        c.set_satisfied_count(counts[0][0].as<int>());
        c.set_not_satisfied_count(counts[0][1].as<int>());
        if (feedback.request_reopen()) c.set_reopen_requested(true);
        txn.exec_params(
            "UPDATE supervision.commitments SET doc = $3::jsonb, reopen_requested = $4,"
            " version = version + 1, update_time = now() WHERE tenant_id = $1 AND id = $2::uuid",
            tenant, id, Doc(c), c.reopen_requested());
        v1::CommitmentChange change;
        change.set_kind(v1::CHANGE_FEEDBACK);
        change.set_from_state(c.state());
        change.set_to_state(c.state());
        change.set_note(feedback.comment());
        change.set_satisfied(feedback.satisfied());
        change.set_reopen_requested(feedback.request_reopen());
        InsertChange(txn, tenant, id, Stamped(change, "citizen"));
        v1::PublicCommitment p = Public(tenant, code, c, HistoryOf(txn, tenant, id));
        p.set_feedback_given(true);
        p.set_satisfied(feedback.satisfied());
        return p;
      });
}

absl::StatusOr<v1::CommuneReport> SupervisionStore::CommuneReport(const db::TenantScope& scope,
                                                                  const std::string& tenant,
                                                                  int year, absl::CivilDay as_of) {
  return pool_.InTransaction(
      scope, [&](pqxx::dbtransaction& txn) -> absl::StatusOr<v1::CommuneReport> {
        const std::string day = calendar::FormatDate(as_of);
        ASSIGN_OR_RETURN(TenantInfo info, db::ReadCommune(txn, tenant));
        v1::CommuneReport r;
        r.set_tenant("tenants/" + tenant);
        r.set_display_name(info.display_name);
        r.set_year(year);
        r.set_as_of(day);
        r.set_conferences_planned(
            txn.exec_params("SELECT coalesce(sum(conferences), 0)::int FROM supervision.plans"
                            " WHERE tenant_id = $1 AND year = $2 AND NOT replaced",
                            tenant, year)[0][0]
                .as<int>());
        for (const auto& row : txn.exec_params(
                 "SELECT f.session, f.title, f.conference_date::text,"
                 " coalesce(f.notice_due_date::text, ''), coalesce(f.notice_issue_date::text, ''),"
                 " coalesce(f.notice_issue_date <= f.notice_due_date, false),"
                 " (SELECT count(*) FROM supervision.commitments c WHERE c.tenant_id = f.tenant_id"
                 "  AND c.session = f.session)::int"
                 " FROM supervision.conferences f WHERE f.tenant_id = $1 AND f.year = $2"
                 " ORDER BY f.conference_date",
                 tenant, year)) {
          v1::ConferenceRecord* f = r.add_conferences();
          f->set_session(row[0].as<std::string>());
          f->set_title(row[1].as<std::string>());
          f->set_date(row[2].as<std::string>());
          f->set_notice_due_date(row[3].as<std::string>());
          f->set_notice_issue_date(row[4].as<std::string>());
          f->set_notice_on_time(row[5].as<bool>());
          f->set_commitments(row[6].as<int>());
        }
        for (const auto& row :
             txn.exec_params("SELECT state, count(*)::int FROM supervision.commitments"
                             " WHERE tenant_id = $1 AND year = $2 GROUP BY state ORDER BY state",
                             tenant, year)) {
          v1::CommitmentState state;
          if (!v1::CommitmentState_Parse(row[0].as<std::string>(), &state)) continue;
          v1::StateCount* count = r.add_by_state();
          count->set_state(state);
          count->set_count(row[1].as<int>());
          r.set_commitments(r.commitments() + count->count());
        }
        for (const auto& row : txn.exec_params(
                 absl::StrCat(
                     "SELECT c.agency, count(*)::int, count(*) FILTER (WHERE ", kOpen,
                     ")::int, count(*) FILTER (WHERE c.state = 'COMMITMENT_RESOLVED')::int,"
                     " count(*) FILTER (WHERE c.state = 'COMMITMENT_RESOLVED'"
                     " AND c.resolved_on_time)::int, count(*) FILTER (WHERE ",
                     kOpen, " AND c.due_date < $3::date)::int, count(*) FILTER (WHERE ",
                     kReportLate,
                     ")::int FROM supervision.commitments c"
                     " WHERE c.tenant_id = $1 AND c.year = $2 GROUP BY c.agency"
                     " ORDER BY c.agency"),
                 tenant, year, day)) {
          v1::AgencyCount* a = r.add_by_agency();
          a->set_agency(row[0].as<std::string>());
          a->set_total(row[1].as<int>());
          a->set_open(row[2].as<int>());
          a->set_resolved(row[3].as<int>());
          a->set_resolved_on_time(row[4].as<int>());
          a->set_overdue(row[5].as<int>());
          a->set_reports_late(row[6].as<int>());
          r.set_reports_late(r.reports_late() + a->reports_late());
          r.set_resolved(r.resolved() + a->resolved());
          r.set_resolved_on_time(r.resolved_on_time() + a->resolved_on_time());
        }
        r.set_on_time_rate(
            r.resolved() == 0 ? 0.0 : static_cast<double>(r.resolved_on_time()) / r.resolved());
        // The report's four lists: the year's commitments matching `where`, in `order`, at
        // most 1,000 each. A `where` that names $3 is given the report's day.
        auto into = [&](google::protobuf::RepeatedPtrField<v1::Commitment>* out,
                        absl::string_view where, absl::string_view order,
                        const auto&... day_if_named) {
          auto rows =
              txn.exec_params(absl::StrCat("SELECT ", kColumns,
                                           " FROM supervision.commitments c WHERE c.tenant_id = $1"
                                           " AND c.year = $2 AND ",
                                           where, " ORDER BY ", order, ", c.item_id LIMIT 1000"),
                              tenant, year, day_if_named...);
          for (auto& c : FromRows(tenant, rows, as_of)) *out->Add() = std::move(c);
        };
        into(r.mutable_overdue(), absl::StrCat(kOpen, " AND c.due_date < $3::date"), "c.due_date",
             day);
        into(r.mutable_report_overdue(),
             "c.state = 'COMMITMENT_ASSIGNED' AND c.report_due_date < $3::date",
             "c.report_due_date", day);
        into(r.mutable_reported_late(), "c.report_date > c.report_due_date", "c.report_due_date");
        into(r.mutable_escalated(), "c.state = 'COMMITMENT_ESCALATED'", "c.conference_date");
        return r;
      });
}

absl::StatusOr<std::pair<std::vector<v1::Escalation>, bool>> SupervisionStore::Escalations(
    const db::TenantScope& scope, const std::vector<std::string>& tenants, bool include_answered,
    absl::CivilDay as_of, int limit, int offset) {
  using Page = std::pair<std::vector<v1::Escalation>, bool>;
  return pool_.InTransaction(scope, [&](pqxx::dbtransaction& txn) -> absl::StatusOr<Page> {
    auto rows = txn.exec_params(
        absl::StrCat("SELECT c.tenant_id, t.display_name, ", kColumns,
                     " FROM supervision.commitments c JOIN tenancy.tenants t ON t.id = c.tenant_id"
                     " WHERE c.tenant_id = ANY(string_to_array($1, ','))"
                     " AND (c.state = 'COMMITMENT_ESCALATED' AND NOT c.doc ? 'upperAnswer'"
                     "   OR $2 AND c.doc ? 'upperAnswer')"
                     " ORDER BY c.due_date NULLS LAST, c.conference_date, c.tenant_id, c.id"
                     " LIMIT $3 OFFSET $4"),
        absl::StrJoin(tenants, ","), include_answered, limit + 1, offset);
    Page page;
    page.second = static_cast<int>(rows.size()) > limit;
    for (int i = 0; i < static_cast<int>(rows.size()) && i < limit; ++i) {
      v1::Escalation e;
      *e.mutable_commitment() = FromRow(rows[i][0].as<std::string>(), rows[i], 2, as_of);
      e.set_commune(rows[i][1].as<std::string>());
      e.set_session_title(e.commitment().session_title());
      e.set_reason(!e.commitment().reason().empty()  ? e.commitment().reason()
                   : e.commitment().beyond_commune() ? "Vượt thẩm quyền cấp xã"
                                                     : "");
      page.first.push_back(std::move(e));
    }
    return page;
  });
}

absl::StatusOr<std::string> SupervisionStore::ProvinceName(const std::string& province) {
  // Names of provinces are public (tenancy's policy reads them for every scope).
  return pool_.InTransaction(
      db::TenantScope(), [&](pqxx::dbtransaction& txn) -> absl::StatusOr<std::string> {
        auto rows =
            txn.exec_params("SELECT display_name FROM tenancy.provinces WHERE id = $1", province);
        return rows.empty() ? std::string() : rows[0][0].as<std::string>();
      });
}

absl::StatusOr<v1::ProvinceReport> SupervisionStore::ProvinceReport(
    const db::TenantScope& scope, const std::vector<std::string>& tenants, int year,
    absl::CivilDay as_of) {
  return pool_.InTransaction(
      scope, [&](pqxx::dbtransaction& txn) -> absl::StatusOr<v1::ProvinceReport> {
        v1::ProvinceReport r;
        r.set_year(year);
        r.set_as_of(calendar::FormatDate(as_of));
        const std::string joined = absl::StrJoin(tenants, ",");
        std::map<std::string, v1::CommuneSummary> rows;
        for (const auto& row : txn.exec_params("SELECT id, display_name FROM tenancy.tenants WHERE "
                                               "id = ANY(string_to_array($1, ','))"
                                               " ORDER BY id",
                                               joined)) {
          v1::CommuneSummary& s = rows[row[0].as<std::string>()];
          s.set_tenant("tenants/" + row[0].as<std::string>());
          s.set_display_name(row[1].as<std::string>());
        }
        auto summary = [&](const pqxx::row& row) -> v1::CommuneSummary* {
          auto it = rows.find(row[0].as<std::string>());
          return it == rows.end() ? nullptr : &it->second;
        };
        for (const auto& row : txn.exec_params(
                 "SELECT tenant_id, sum(conferences)::int FROM supervision.plans"
                 " WHERE tenant_id = ANY(string_to_array($1, ',')) AND year = $2 AND NOT "
                 "replaced GROUP BY tenant_id",
                 joined, year)) {
          if (auto* s = summary(row)) s->set_conferences_planned(row[1].as<int>());
        }
        for (const auto& row : txn.exec_params(
                 "SELECT tenant_id, count(*)::int, count(notice_issue_date)::int,"
                 " count(*) FILTER (WHERE notice_issue_date <= notice_due_date)::int"
                 " FROM supervision.conferences WHERE tenant_id = ANY(string_to_array($1, "
                 "',')) AND year = $2"
                 " GROUP BY tenant_id",
                 joined, year)) {
          if (auto* s = summary(row)) {
            s->set_conferences_held(row[1].as<int>());
            s->set_conclusion_notices_issued(row[2].as<int>());
            s->set_conclusion_notices_on_time(row[3].as<int>());
          }
        }
        for (const auto& row : txn.exec_params(
                 "SELECT tenant_id, sum(n)::int,"
                 " coalesce(sum(n) FILTER (WHERE state = 'COMMITMENT_RESOLVED'), 0)::int,"
                 " coalesce(sum(n) FILTER (WHERE state = 'COMMITMENT_RESOLVED' AND on_time), "
                 "0)::int,"
                 " coalesce(sum(n) FILTER (WHERE supervision.is_open(state)), 0)::int,"
                 " coalesce(sum(n) FILTER (WHERE state = 'COMMITMENT_ESCALATED'), 0)::int"
                 " FROM supervision.state_tallies WHERE tenant_id = ANY(string_to_array($1, ',')) "
                 "AND "
                 "year = $2"
                 " GROUP BY tenant_id",
                 joined, year)) {
          if (auto* s = summary(row)) {
            s->set_commitments(row[1].as<int>());
            s->set_resolved(row[2].as<int>());
            s->set_resolved_on_time(row[3].as<int>());
            s->set_open(row[4].as<int>());
            s->set_escalated(row[5].as<int>());
          }
        }
        for (const auto& row :
             txn.exec_params("SELECT tenant_id, sum(n)::int FROM supervision.due_tallies"
                             " WHERE tenant_id = ANY(string_to_array($1, ',')) AND year = $2 AND "
                             "due_date < $3::date GROUP BY tenant_id",
                             joined, year, calendar::FormatDate(as_of))) {
          if (auto* s = summary(row)) s->set_overdue(row[1].as<int>());
        }
        v1::CommuneSummary& totals = *r.mutable_totals();
        totals.set_display_name("Tổng cộng");
        for (auto& [tenant, s] : rows) {
          s.set_not_yet_held(s.conferences_held() == 0);
          if (s.not_yet_held()) r.add_not_yet_held(s.tenant());
          totals.set_conferences_planned(totals.conferences_planned() + s.conferences_planned());
          totals.set_conferences_held(totals.conferences_held() + s.conferences_held());
          totals.set_conclusion_notices_issued(totals.conclusion_notices_issued() +
                                               s.conclusion_notices_issued());
          totals.set_conclusion_notices_on_time(totals.conclusion_notices_on_time() +
                                                s.conclusion_notices_on_time());
          totals.set_commitments(totals.commitments() + s.commitments());
          totals.set_resolved(totals.resolved() + s.resolved());
          totals.set_resolved_on_time(totals.resolved_on_time() + s.resolved_on_time());
          totals.set_open(totals.open() + s.open());
          totals.set_overdue(totals.overdue() + s.overdue());
          totals.set_escalated(totals.escalated() + s.escalated());
          *r.add_communes() = std::move(s);
        }
        return r;
      });
}

absl::StatusOr<std::vector<SupervisionStore::Open>> SupervisionStore::DueBy(absl::CivilDay until) {
  using Result = std::vector<Open>;
  return pool_.InTransaction(
      db::TenantScope{}, "supervision.commitments",
      [&](pqxx::dbtransaction& txn) -> absl::StatusOr<Result> {
        txn.exec("SELECT set_config('app.sweep', 'on', true)");
        auto rows = txn.exec_params(
            absl::StrCat("SELECT c.tenant_id, ", kColumns, " FROM supervision.commitments c WHERE ",
                         kOpen,
                         " AND (c.due_date <= $1::date OR (c.state = 'COMMITMENT_ASSIGNED'"
                         " AND c.report_due_date <= $1::date)) ORDER BY c.tenant_id LIMIT 10000"),
            calendar::FormatDate(until));
        Result out;
        for (const auto& row : rows) {
          std::string tenant = row[0].as<std::string>();
          v1::Commitment c = FromRow(tenant, row, 1, until);
          out.push_back({std::move(tenant), std::move(c)});
        }
        return out;
      });
}

absl::StatusOr<bool> SupervisionStore::Remind(const std::string& tenant,
                                              const std::string& commitment_id,
                                              v1::CommitmentDueKind kind, absl::CivilDay about,
                                              const v1::Event& event) {
  return pool_.InTransaction(
      db::TenantScope::Of(tenant), "supervision.reminders",
      [&](pqxx::dbtransaction& txn) -> absl::StatusOr<bool> {
        auto rows = txn.exec_params(
            "INSERT INTO supervision.reminders (tenant_id, commitment_id, kind, about)"
            " VALUES ($1, $2::uuid, $3, $4::date) ON CONFLICT DO NOTHING RETURNING 1",
            tenant, commitment_id, v1::CommitmentDueKind_Name(kind), calendar::FormatDate(about));
        if (rows.empty()) return false;
        events::AppendToOutbox(txn, "supervision.outbox", tenant, event);
        return true;
      });
}

}  // namespace dialogue::supervision
