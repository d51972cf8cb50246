#include "store.h"

#include <google/protobuf/util/json_util.h>
#include <google/protobuf/util/message_differencer.h>
#include <google/protobuf/util/time_util.h>

#include <limits>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "dialogue/common/status.h"
#include "dialogue/events/outbox.h"
#include "plan_rules.h"

namespace dialogue::planning {
namespace {

using google::protobuf::util::TimeUtil;

constexpr int kMaxPageSize = 500;

// Columns every plan read selects, in the order PlanFromRow expects. The document comes as
// its binary copy (kBinaryColumn) when there is one, and as JSON (kJsonColumn) only when
// there is not.
constexpr const char* kPlanColumns =
    "id::text, state, revision, coalesce(revises::text, ''), coalesce(superseded_by::text, ''),"
    " cancel_reason, version, CASE WHEN body_pb IS NULL THEN body::text END,"
    " (extract(epoch FROM create_time) * 1000000)::bigint,"
    " (extract(epoch FROM update_time) * 1000000)::bigint,"
    " coalesce((extract(epoch FROM approve_time) * 1000000)::bigint, 0),"
    " coalesce((extract(epoch FROM publish_time) * 1000000)::bigint, 0), body_pb";
constexpr int kPlanColumnCount = 13;
constexpr int kJsonColumn = 7;
constexpr int kBinaryColumn = 12;

std::string ToJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string out;
  // Serialising a well-formed message cannot fail.
  (void)google::protobuf::util::MessageToJsonString(message, &out, options);
  return out;
}

absl::Status FromJson(const std::string& json, google::protobuf::Message* message) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;  // rows written by a newer version stay readable
  auto status = google::protobuf::util::JsonStringToMessage(json, message, options);
  if (!status.ok()) {
    return absl::InternalError(absl::StrCat("stored JSON does not parse: ", status.ToString()));
  }
  return absl::OkStatus();
}

std::string PlanName(const std::string& tenant, const std::string& id) {
  return absl::StrCat("tenants/", tenant, "/plans/", id);
}

absl::StatusOr<v1::Plan> PlanFromRow(const std::string& tenant, const pqxx::row& row) {
  v1::Plan plan;
  if (!row[kBinaryColumn].is_null()) {
    if (!plan.ParseFromString(pqxx::binarystring(row[kBinaryColumn]).str())) {
      return absl::InternalError("stored plan body_pb does not parse");
    }
  } else {
    RETURN_IF_ERROR(FromJson(row[kJsonColumn].as<std::string>(), &plan));
  }
  std::string id = row[0].as<std::string>();
  plan.set_name(PlanName(tenant, id));
  v1::PlanState state = v1::PLAN_STATE_UNSPECIFIED;
  v1::PlanState_Parse(row[1].as<std::string>(), &state);
  plan.set_state(state);
  plan.set_revision(row[2].as<int>());
  std::string revises = row[3].as<std::string>();
  plan.set_revises(revises.empty() ? "" : PlanName(tenant, revises));
  std::string superseded_by = row[4].as<std::string>();
  plan.set_superseded_by(superseded_by.empty() ? "" : PlanName(tenant, superseded_by));
  plan.set_cancel_reason(row[5].as<std::string>());
  plan.set_etag(row[6].as<std::string>());
  *plan.mutable_create_time() = TimeUtil::MicrosecondsToTimestamp(row[8].as<int64_t>());
  *plan.mutable_update_time() = TimeUtil::MicrosecondsToTimestamp(row[9].as<int64_t>());
  if (row[10].as<int64_t>() != 0) {
    *plan.mutable_approve_time() = TimeUtil::MicrosecondsToTimestamp(row[10].as<int64_t>());
  }
  if (row[11].as<int64_t>() != 0) {
    *plan.mutable_publish_time() = TimeUtil::MicrosecondsToTimestamp(row[11].as<int64_t>());
  }
  return plan;
}

// The document as stored, JSON for SQL and binary for reading back: everything but the
// fields the columns hold.
struct StoredBody {
  std::string json;
  std::string binary_hex;
};

StoredBody BodyOf(v1::Plan plan) {
  ClearServerFields(plan);
  return {ToJson(plan), absl::BytesToHexString(plan.SerializeAsString())};
}

void ProjectTasks(pqxx::dbtransaction& txn, const std::string& tenant, const std::string& plan_id,
                  const std::string& body) {
  txn.exec_params("DELETE FROM planning.plan_tasks WHERE tenant_id = $1 AND plan_id = $2", tenant,
                  plan_id);
  txn.exec_params(
      "INSERT INTO planning.plan_tasks (tenant_id, plan_id, task_id, due_date, done, task)"
      " SELECT $1, $2::uuid, t->>'id', nullif(t->>'resolved_due_date', '')::date,"
      "        coalesce((t->>'done')::boolean, false), t"
      " FROM jsonb_array_elements($3::jsonb -> 'tasks') AS t",
      tenant, plan_id, body);
}

void WriteEvents(pqxx::dbtransaction& txn, const std::string& tenant,
                 const std::vector<v1::Event>& events) {
  for (const auto& event : events) events::AppendToOutbox(txn, "planning.outbox", tenant, event);
}

absl::Status NotFound(const std::string& tenant, const std::string& plan_id) {
  return common::Error(absl::StatusCode::kNotFound, "PLAN_NOT_FOUND",
                       absl::StrCat("there is no plan ", PlanName(tenant, plan_id)));
}

// Reads a plan under a row lock for a change; NOT_FOUND, or ABORTED when `etag` is given
// and stale.
absl::StatusOr<v1::Plan> LockPlan(pqxx::dbtransaction& txn, const std::string& tenant,
                                  const std::string& plan_id, const std::string& etag) {
  auto rows = txn.exec_params(
      absl::StrCat("SELECT ", kPlanColumns,
                   " FROM planning.plans WHERE tenant_id = $1 AND id = $2::uuid FOR UPDATE"),
      tenant, plan_id);
  if (rows.empty()) return NotFound(tenant, plan_id);
  ASSIGN_OR_RETURN(v1::Plan plan, PlanFromRow(tenant, rows[0]));
  RETURN_IF_ERROR(common::CheckEtag(etag, plan.etag(), "the plan"));
  return plan;
}

absl::Status BadPageToken() {
  return common::InvalidField("page_token", "PAGE_TOKEN_INVALID",
                              "the page token is not one this list returned");
}

int ClampPageSize(int size, int fallback) {
  if (size <= 0) return fallback;
  return size > kMaxPageSize ? kMaxPageSize : size;
}

}  // namespace

absl::StatusOr<PlanFilter> ParsePlanFilter(const std::string& text) {
  PlanFilter filter;
  if (absl::StripAsciiWhitespace(text).empty()) return filter;
  for (absl::string_view term : absl::StrSplit(text, " AND ")) {
    std::vector<absl::string_view> sides = absl::StrSplit(term, '=');
    if (sides.size() != 2) {
      return common::InvalidField("filter", "FILTER_INVALID",
                                  absl::StrCat("'", term, "' is not a 'field = value' condition"));
    }
    absl::string_view field = absl::StripAsciiWhitespace(sides[0]);
    absl::string_view value = absl::StripAsciiWhitespace(sides[1]);
    if (field == "year") {
      int year = 0;
      if (!absl::SimpleAtoi(value, &year)) {
        return common::InvalidField("filter", "FILTER_INVALID",
                                    absl::StrCat("year must be a number, got '", value, "'"));
      }
      filter.year = year;
    } else if (field == "state") {
      v1::PlanState state;
      if (!v1::PlanState_Parse(std::string(value), &state) || state == v1::PLAN_STATE_UNSPECIFIED) {
        return common::InvalidField("filter", "FILTER_INVALID",
                                    absl::StrCat("'", value, "' is not a plan state"));
      }
      filter.state = state;
    } else {
      return common::InvalidField(
          "filter", "FILTER_INVALID",
          absl::StrCat("plans can be filtered by year and state, not '", field, "'"));
    }
  }
  return filter;
}

absl::StatusOr<v1::Plan> PlanStore::Create(const db::TenantScope& scope, const std::string& tenant,
                                           const v1::Plan& plan, const std::string& request_id) {
  return pool_.InTransaction(
      scope, "planning.plans", [&](pqxx::dbtransaction& txn) -> absl::StatusOr<v1::Plan> {
        StoredBody body = BodyOf(plan);
        std::string revises =
            plan.revises().empty()
                ? std::string()
                : std::string(absl::StripPrefix(plan.revises(),
                                                absl::StrCat("tenants/", tenant, "/plans/")));
        auto inserted = txn.exec_params(
            absl::StrCat(
                "INSERT INTO planning.plans (tenant_id, year, title, state, revision, revises, "
                "body, body_pb, request_id) VALUES ($1, $2, $3, $4, $5, nullif($6, '')::uuid,"
                " $7::jsonb, decode($8, 'hex'), nullif($9, ''))"
                " ON CONFLICT (tenant_id, request_id) DO NOTHING RETURNING ",
                kPlanColumns),
            tenant, plan.year(), plan.title(), v1::PlanState_Name(plan.state()),
            plan.revision() > 0 ? plan.revision() : 1, revises, body.json, body.binary_hex,
            request_id);
        if (inserted.empty()) {
          // The same request was made before: answer with what it created.
          auto existing = txn.exec_params(
              absl::StrCat("SELECT ", kPlanColumns,
                           " FROM planning.plans WHERE tenant_id = $1 AND request_id = $2"),
              tenant, request_id);
          if (existing.empty()) return absl::AbortedError("concurrent create; retry");
          return PlanFromRow(tenant, existing[0]);
        }
        ProjectTasks(txn, tenant, inserted[0][0].as<std::string>(), body.json);
        return PlanFromRow(tenant, inserted[0]);
      });
}

absl::StatusOr<v1::Plan> PlanStore::Get(const db::TenantScope& scope, const std::string& tenant,
                                        const std::string& plan_id) {
  return pool_.InTransaction(
      scope, "planning.plans", [&](pqxx::dbtransaction& txn) -> absl::StatusOr<v1::Plan> {
        auto rows = txn.exec_params(
            absl::StrCat("SELECT ", kPlanColumns,
                         " FROM planning.plans WHERE tenant_id = $1 AND id = $2::uuid"),
            tenant, plan_id);
        if (rows.empty()) return NotFound(tenant, plan_id);
        return PlanFromRow(tenant, rows[0]);
      });
}

absl::StatusOr<PlanPage> PlanStore::List(const db::TenantScope& scope, const std::string& tenant,
                                         const PlanFilter& filter, int page_size,
                                         const std::string& page_token) {
  // Order: newest year first, then id. The token is the last (year, id) returned.
  int after_year = 10000;
  std::string after_id = "00000000-0000-0000-0000-000000000000";
  if (!page_token.empty()) {
    std::string decoded;
    std::vector<std::string> parts;
    if (absl::WebSafeBase64Unescape(page_token, &decoded)) parts = absl::StrSplit(decoded, '|');
    if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &after_year) || parts[1].size() != 36) {
      return BadPageToken();
    }
    after_id = parts[1];
  }
  const int limit = ClampPageSize(page_size, 50);
  return pool_.InTransaction(
      scope, "planning.plans", [&](pqxx::dbtransaction& txn) -> absl::StatusOr<PlanPage> {
        auto rows = txn.exec_params(
            absl::StrCat("SELECT ", kPlanColumns, ", year FROM planning.plans WHERE tenant_id = $1",
                         " AND ($2 = 0 OR year = $2) AND ($3 = '' OR state = $3)",
                         " AND (year < $4 OR (year = $4 AND id > $5::uuid))",
                         " ORDER BY year DESC, id LIMIT $6"),
            tenant, filter.year.value_or(0),
            filter.state ? v1::PlanState_Name(*filter.state) : std::string(), after_year, after_id,
            limit + 1);
        PlanPage page;
        for (int i = 0; i < static_cast<int>(rows.size()) && i < limit; ++i) {
          ASSIGN_OR_RETURN(v1::Plan plan, PlanFromRow(tenant, rows[i]));
          page.plans.push_back(std::move(plan));
        }
        if (static_cast<int>(rows.size()) > limit) {
          const auto& last = rows[limit - 1];
          page.next_page_token = absl::WebSafeBase64Escape(
              absl::StrCat(last[kPlanColumnCount].as<int>(), "|", last[0].as<std::string>()));
        }
        return page;
      });
}

absl::StatusOr<v1::Plan> PlanStore::Mutate(const db::TenantScope& scope, const std::string& tenant,
                                           const std::string& plan_id, const std::string& etag,
                                           const Change& change) {
  return pool_.InTransaction(scope, "planning.plans",
                             [&](pqxx::dbtransaction& txn) -> absl::StatusOr<v1::Plan> {
                               return MutateIn(txn, tenant, plan_id, etag, change);
                             });
}

absl::StatusOr<v1::Plan> PlanStore::MutateIn(pqxx::dbtransaction& txn, const std::string& tenant,
                                             const std::string& plan_id, const std::string& etag,
                                             const Change& change) {
  ASSIGN_OR_RETURN(v1::Plan plan, LockPlan(txn, tenant, plan_id, etag));
  const v1::Plan before = plan;
  PlanEffects effects;
  RETURN_IF_ERROR(change(plan, effects));
  // A change that changes nothing writes nothing: the version and etag stay.
  if (effects.events.empty() && effects.supersede_plan_id.empty() &&
      google::protobuf::util::MessageDifferencer::Equals(before, plan)) {
    return plan;
  }
  StoredBody body = BodyOf(plan);
  auto updated = txn.exec_params(
      absl::StrCat(
          "UPDATE planning.plans SET year = $3, title = $4, state = $5, cancel_reason = $6,"
          " body = $7::jsonb, body_pb = decode($8, 'hex'), version = version + 1,"
          " update_time = now(),"
          " approve_time = CASE WHEN $5 = 'APPROVED' THEN now() ELSE approve_time END,"
          " publish_time = CASE WHEN $5 = 'PUBLISHED' AND publish_time IS NULL THEN now()"
          "                     ELSE publish_time END"
          " WHERE tenant_id = $1 AND id = $2::uuid RETURNING ",
          kPlanColumns),
      tenant, plan_id, plan.year(), plan.title(), v1::PlanState_Name(plan.state()),
      plan.cancel_reason(), body.json, body.binary_hex);
  ProjectTasks(txn, tenant, plan_id, body.json);
  if (!effects.supersede_plan_id.empty()) {
    txn.exec_params(
        "UPDATE planning.plans SET state = 'SUPERSEDED', superseded_by = $3::uuid,"
        " version = version + 1, update_time = now()"
        " WHERE tenant_id = $1 AND id = $2::uuid AND state = 'PUBLISHED'",
        tenant, effects.supersede_plan_id, plan_id);
  }
  WriteEvents(txn, tenant, effects.events);
  return PlanFromRow(tenant, updated[0]);
}

std::vector<std::string> PlanStore::PlansHoldingSession(pqxx::dbtransaction& txn,
                                                        const std::string& tenant,
                                                        const std::string& session) {
  std::vector<std::string> ids;
  for (const auto& row :
       txn.exec_params("SELECT id::text FROM planning.plans WHERE tenant_id = $1"
                       " AND body -> 'conferences' @> "
                       "jsonb_build_array(jsonb_build_object('session', $2::text))"
                       " ORDER BY create_time",
                       tenant, session)) {
    ids.push_back(row[0].as<std::string>());
  }
  return ids;
}

absl::Status PlanStore::Delete(const db::TenantScope& scope, const std::string& tenant,
                               const std::string& plan_id, const std::string& etag,
                               const std::function<absl::Status(const v1::Plan&)>& allowed) {
  return pool_.InTransaction(
      scope, "planning.plans", [&](pqxx::dbtransaction& txn) -> absl::Status {
        ASSIGN_OR_RETURN(v1::Plan plan, LockPlan(txn, tenant, plan_id, etag));
        RETURN_IF_ERROR(allowed(plan));
        txn.exec_params("DELETE FROM planning.plans WHERE tenant_id = $1 AND id = $2::uuid", tenant,
                        plan_id);
        return absl::OkStatus();
      });
}

absl::StatusOr<TaskPage> PlanStore::ListTasks(const db::TenantScope& scope,
                                              const std::string& tenant, const TaskQuery& query) {
  std::string after_due = "0001-01-01", after_plan = "00000000-0000-0000-0000-000000000000",
              after_task;
  if (!query.page_token.empty()) {
    std::string decoded;
    std::vector<std::string> parts;
    if (absl::WebSafeBase64Unescape(query.page_token, &decoded)) {
      parts = absl::StrSplit(decoded, absl::MaxSplits('|', 2));
    }
    if (parts.size() != 3 || parts[0].size() != 10 || parts[1].size() != 36) return BadPageToken();
    after_due = parts[0];
    after_plan = parts[1];
    after_task = parts[2];
  }
  const int limit = ClampPageSize(query.page_size, 100);
  return pool_.InTransaction(
      scope, "planning.plan_tasks", [&](pqxx::dbtransaction& txn) -> absl::StatusOr<TaskPage> {
        auto rows = txn.exec_params(
            "SELECT t.plan_id::text, t.task_id, t.task::text, p.title, p.year, t.due_date::text,"
            "       (t.due_date < $2::date AND NOT t.done) AS overdue"
            " FROM planning.plan_tasks t"
            " JOIN planning.plans p ON p.tenant_id = t.tenant_id AND p.id = t.plan_id"
            " WHERE t.tenant_id = $1 AND p.state IN ('APPROVED', 'PUBLISHED')"
            "   AND t.due_date IS NOT NULL"
            "   AND ($3 OR NOT t.done)"
            "   AND (NOT $4 OR (t.due_date < $2::date AND NOT t.done))"
            "   AND ($5 < 0 OR t.due_date BETWEEN $2::date AND $2::date + $5)"
            "   AND (t.due_date, t.plan_id, t.task_id) > ($6::date, $7::uuid, $8)"
            " ORDER BY t.due_date, t.plan_id, t.task_id LIMIT $9",
            tenant, query.as_of_date, query.include_done, query.overdue_only, query.due_within_days,
            after_due, after_plan, after_task, limit + 1);
        TaskPage page;
        for (int i = 0; i < static_cast<int>(rows.size()) && i < limit; ++i) {
          const auto& row = rows[i];
          v1::TaskView view;
          RETURN_IF_ERROR(FromJson(row[2].as<std::string>(), view.mutable_task()));
          view.set_name(absl::StrCat(PlanName(tenant, row[0].as<std::string>()), "/tasks/",
                                     row[1].as<std::string>()));
          view.set_plan_title(row[3].as<std::string>());
          view.set_plan_year(row[4].as<int>());
          view.set_overdue(row[6].as<bool>());
          page.tasks.push_back(std::move(view));
        }
        if (static_cast<int>(rows.size()) > limit) {
          const auto& last = rows[limit - 1];
          page.next_page_token = absl::WebSafeBase64Escape(
              absl::StrCat(last[5].as<std::string>(), "|", last[0].as<std::string>(), "|",
                           last[1].as<std::string>()));
        }
        return page;
      });
}

// ---- Tenancy ----------------------------------------------------------------------------

namespace {

db::TenantScope AdminScope() {
  db::TenantScope scope;
  scope.admin = true;
  return scope;
}

constexpr const char* kTenantColumns =
    "id, province_id, display_name, kind, hamlets::text, voter_count, rules::text, version,"
    " (extract(epoch FROM create_time) * 1000000)::bigint,"
    " (extract(epoch FROM update_time) * 1000000)::bigint, coalesce(parent_id, '')";

absl::StatusOr<v1::Tenant> TenantFromRow(const pqxx::row& row) {
  v1::Tenant tenant;
  tenant.set_name(absl::StrCat("tenants/", row[0].as<std::string>()));
  tenant.set_province(absl::StrCat("provinces/", row[1].as<std::string>()));
  tenant.set_display_name(row[2].as<std::string>());
  v1::TenantKind kind = v1::TENANT_KIND_UNSPECIFIED;
  v1::TenantKind_Parse(row[3].as<std::string>(), &kind);
  tenant.set_kind(kind);
  v1::Tenant hamlets;  // JsonStringToMessage clears its target: parse aside, then move in
  RETURN_IF_ERROR(FromJson(absl::StrCat("{\"hamlets\":", row[4].as<std::string>(), "}"), &hamlets));
  tenant.mutable_hamlets()->Swap(hamlets.mutable_hamlets());
  tenant.set_voter_count(row[5].as<int>());
  RETURN_IF_ERROR(FromJson(row[6].as<std::string>(), tenant.mutable_rules()));
  *tenant.mutable_rules() = WithDefaults(tenant.rules());
  tenant.set_etag(row[7].as<std::string>());
  *tenant.mutable_create_time() = TimeUtil::MicrosecondsToTimestamp(row[8].as<int64_t>());
  *tenant.mutable_update_time() = TimeUtil::MicrosecondsToTimestamp(row[9].as<int64_t>());
  if (!row[10].is_null() && !row[10].as<std::string>().empty()) {
    tenant.set_parent(absl::StrCat("tenants/", row[10].as<std::string>()));
  }
  return tenant;
}

std::string HamletsJson(const v1::Tenant& tenant) {
  v1::Tenant only;
  *only.mutable_hamlets() = tenant.hamlets();
  std::string json = ToJson(only);  // {"hamlets":[...]} or {}
  auto start = json.find('[');
  return start == std::string::npos ? "[]" : json.substr(start, json.rfind(']') - start + 1);
}

}  // namespace

absl::Status CalendarStore::AddDayOff(const db::TenantScope& scope, const std::string& tenant,
                                      const std::string& date, const std::string& reason) {
  absl::Status status = pool_.InTransaction(
      scope, "tenancy.tenant_days_off", [&](pqxx::dbtransaction& txn) -> absl::Status {
        txn.exec_params(
            "INSERT INTO tenancy.tenant_days_off (tenant_id, day, reason) VALUES ($1, $2::date, "
            "$3)",
            tenant, date, reason);
        return absl::OkStatus();
      });
  if (status.code() == absl::StatusCode::kAlreadyExists) {
    return common::Error(absl::StatusCode::kAlreadyExists, "DAY_OFF_EXISTS",
                         absl::StrCat(date, " is already a day off of this commune"));
  }
  return status;
}

absl::Status CalendarStore::RemoveDayOff(const db::TenantScope& scope, const std::string& tenant,
                                         const std::string& date) {
  return pool_.InTransaction(
      scope, "tenancy.tenant_days_off", [&](pqxx::dbtransaction& txn) -> absl::Status {
        auto rows = txn.exec_params(
            "DELETE FROM tenancy.tenant_days_off WHERE tenant_id = $1 AND day = $2::date", tenant,
            date);
        if (rows.affected_rows() == 0) {
          return common::Error(absl::StatusCode::kNotFound, "DAY_OFF_NOT_FOUND",
                               absl::StrCat(date, " is not a day off of this commune"));
        }
        return absl::OkStatus();
      });
}

absl::StatusOr<std::vector<std::pair<std::string, std::string>>> CalendarStore::DaysOff(
    const db::TenantScope& scope, const std::string& tenant, const std::string& from,
    const std::string& to) {
  using Days = std::vector<std::pair<std::string, std::string>>;
  return pool_.InTransaction(
      scope, "tenancy.tenant_days_off", [&](pqxx::dbtransaction& txn) -> absl::StatusOr<Days> {
        Days out;
        for (const auto& row : txn.exec_params(
                 "SELECT day::text, reason FROM tenancy.tenant_days_off"
                 " WHERE tenant_id = $1 AND day BETWEEN $2::date AND $3::date ORDER BY day",
                 tenant, from, to)) {
          out.emplace_back(row[0].as<std::string>(), row[1].as<std::string>());
        }
        return out;
      });
}

v1::TenantRules WithDefaults(v1::TenantRules rules) {
  if (rules.announcement_lead_days() <= 0) rules.set_announcement_lead_days(7);
  if (rules.conclusion_notice_working_days() <= 0) rules.set_conclusion_notice_working_days(10);
  if (rules.conclusion_notice_extended_working_days() <= 0) {
    rules.set_conclusion_notice_extended_working_days(15);
  }
  if (rules.agency_report_working_days() <= 0) rules.set_agency_report_working_days(7);
  if (rules.dialogue_request_threshold_percent() <= 0) {
    rules.set_dialogue_request_threshold_percent(10);
  }
  if (rules.results_publication_days() <= 0) rules.set_results_publication_days(10);
  return rules;
}

absl::StatusOr<v1::Province> TenantStore::CreateProvince(const std::string& id,
                                                         const v1::Province& province) {
  return pool_.InTransaction(
      AdminScope(), "tenancy.provinces",
      [&](pqxx::dbtransaction& txn) -> absl::StatusOr<v1::Province> {
        txn.exec_params("INSERT INTO tenancy.provinces (id, display_name) VALUES ($1, $2)", id,
                        province.display_name());
        v1::Province out = province;
        out.set_name(absl::StrCat("provinces/", id));
        return out;
      });
}

absl::StatusOr<std::vector<v1::Province>> TenantStore::ListProvinces(const std::string& only) {
  return pool_.InTransaction(
      db::TenantScope{}, "tenancy.provinces",
      [&](pqxx::dbtransaction& txn) -> absl::StatusOr<std::vector<v1::Province>> {
        std::vector<v1::Province> out;
        for (const auto& row : txn.exec_params("SELECT id, display_name FROM tenancy.provinces"
                                               " WHERE $1 = '' OR id = $1 ORDER BY id",
                                               only)) {
          v1::Province p;
          p.set_name(absl::StrCat("provinces/", row[0].as<std::string>()));
          p.set_display_name(row[1].as<std::string>());
          out.push_back(std::move(p));
        }
        return out;
      });
}

absl::StatusOr<v1::Tenant> TenantStore::CreateTenant(const std::string& id,
                                                     const v1::Tenant& tenant) {
  return pool_.InTransaction(
      AdminScope(), "tenancy.tenants", [&](pqxx::dbtransaction& txn) -> absl::StatusOr<v1::Tenant> {
        std::string province(absl::StripPrefix(tenant.province(), "provinces/"));
        std::string parent(absl::StripPrefix(tenant.parent(), "tenants/"));
        if (!parent.empty()) {
          // The upper level must be a district of the same province (the database's trigger
          // holds the same rule; here it gets a field and a reason).
          auto upper = txn.exec_params(
              "SELECT kind, province_id FROM tenancy.tenants WHERE id = $1", parent);
          if (upper.empty() || upper[0][0].as<std::string>() != "DISTRICT" ||
              upper[0][1].as<std::string>() != province) {
            return common::InvalidField("tenant.parent", "PARENT_NOT_A_DISTRICT",
                                        absl::StrCat("'", tenant.parent().substr(0, 80),
                                                     "' is not a district of ", tenant.province()));
          }
        }
        auto rows = txn.exec_params(
            absl::StrCat(
                "INSERT INTO tenancy.tenants (id, province_id, display_name, kind, hamlets,"
                " voter_count, rules, parent_id)"
                " VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7::jsonb, nullif($8, ''))"
                " RETURNING ",
                kTenantColumns),
            id, province, tenant.display_name(), v1::TenantKind_Name(tenant.kind()),
            HamletsJson(tenant), tenant.voter_count(), ToJson(WithDefaults(tenant.rules())),
            parent);
        return TenantFromRow(rows[0]);
      });
}

absl::StatusOr<v1::Tenant> TenantStore::GetTenant(const std::string& id) {
  return pool_.InTransaction(
      db::TenantScope{}, "tenancy.tenants",
      [&](pqxx::dbtransaction& txn) -> absl::StatusOr<v1::Tenant> {
        auto rows = txn.exec_params(
            absl::StrCat("SELECT ", kTenantColumns, " FROM tenancy.tenants WHERE id = $1"), id);
        if (rows.empty()) {
          return common::Error(absl::StatusCode::kNotFound, "TENANT_NOT_FOUND",
                               absl::StrCat("there is no commune 'tenants/", id, "'"));
        }
        return TenantFromRow(rows[0]);
      });
}

absl::StatusOr<std::vector<std::string>> TenantStore::ListChildren(const std::string& id) {
  return pool_.InTransaction(
      db::TenantScope{}, "tenancy.tenants",
      [&](pqxx::dbtransaction& txn) -> absl::StatusOr<std::vector<std::string>> {
        std::vector<std::string> out;
        for (const auto& row : txn.exec_params(
                 "SELECT id FROM tenancy.tenants WHERE parent_id = $1 ORDER BY id", id)) {
          out.push_back(absl::StrCat("tenants/", row[0].as<std::string>()));
        }
        return out;
      });
}

absl::StatusOr<std::vector<v1::Tenant>> TenantStore::ListTenants(const std::string& province_id,
                                                                 int page_size,
                                                                 const std::string& after_id) {
  return pool_.InTransaction(
      db::TenantScope{}, "tenancy.tenants",
      [&](pqxx::dbtransaction& txn) -> absl::StatusOr<std::vector<v1::Tenant>> {
        auto rows = txn.exec_params(
            absl::StrCat("SELECT ", kTenantColumns,
                         " FROM tenancy.tenants WHERE ($1 = '' OR province_id = $1) AND id > $2"
                         " ORDER BY id LIMIT $3"),
            province_id, after_id, ClampPageSize(page_size, 100) + 1);
        std::vector<v1::Tenant> out;
        for (const auto& row : rows) {
          ASSIGN_OR_RETURN(v1::Tenant tenant, TenantFromRow(row));
          out.push_back(std::move(tenant));
        }
        return out;
      });
}

absl::StatusOr<v1::Tenant> TenantStore::UpdateTenant(const v1::Tenant& tenant,
                                                     const std::vector<std::string>& paths) {
  std::string id(absl::StripPrefix(tenant.name(), "tenants/"));
  auto wants = [&](absl::string_view path) {
    if (paths.empty()) return true;
    for (const auto& p : paths) {
      if (p == path || absl::StartsWith(p, absl::StrCat(path, "."))) return true;
    }
    return false;
  };
  return pool_.InTransaction(
      AdminScope(), "tenancy.tenants", [&](pqxx::dbtransaction& txn) -> absl::StatusOr<v1::Tenant> {
        auto rows = txn.exec_params(absl::StrCat("SELECT ", kTenantColumns,
                                                 " FROM tenancy.tenants WHERE id = $1 FOR UPDATE"),
                                    id);
        if (rows.empty()) {
          return common::Error(absl::StatusCode::kNotFound, "TENANT_NOT_FOUND",
                               absl::StrCat("there is no commune '", tenant.name(), "'"));
        }
        ASSIGN_OR_RETURN(v1::Tenant current, TenantFromRow(rows[0]));
        RETURN_IF_ERROR(common::CheckEtag(tenant.etag(), current.etag(), "the commune"));
        if (wants("display_name")) current.set_display_name(tenant.display_name());
        if (wants("hamlets")) *current.mutable_hamlets() = tenant.hamlets();
        if (wants("voter_count")) current.set_voter_count(tenant.voter_count());
        if (wants("rules")) *current.mutable_rules() = WithDefaults(tenant.rules());
        auto updated = txn.exec_params(
            absl::StrCat("UPDATE tenancy.tenants SET display_name = $2, hamlets = $3::jsonb,"
                         " voter_count = $4, rules = $5::jsonb, version = version + 1,"
                         " update_time = now() WHERE id = $1 RETURNING ",
                         kTenantColumns),
            id, current.display_name(), HamletsJson(current), current.voter_count(),
            ToJson(current.rules()));
        return TenantFromRow(updated[0]);
      });
}

// ---- Accounts ----------------------------------------------------------------------------

namespace {

constexpr const char* kAccountColumns =
    "username, display_name, coalesce(tenant_id, ''), coalesce(province_id, ''),"
    " array_to_string(roles, ','), department,"
    " coalesce((extract(epoch FROM create_time) * 1000000)::bigint, 0),"
    " coalesce((extract(epoch FROM last_sign_in_time) * 1000000)::bigint, 0),"
    " coalesce(oidc_subject, '')";

// Reads kAccountColumns, but for the last, from `row`, starting at column `at`.
v1::Account AccountFromRow(const pqxx::row& row, int at = 0) {
  v1::Account account;
  account.set_username(row[at].as<std::string>());
  account.set_display_name(row[at + 1].as<std::string>());
  std::string tenant = row[at + 2].as<std::string>();
  if (!tenant.empty()) account.set_tenant(absl::StrCat("tenants/", tenant));
  std::string province = row[at + 3].as<std::string>();
  if (!province.empty()) account.set_province(absl::StrCat("provinces/", province));
  for (absl::string_view role :
       absl::StrSplit(row[at + 4].as<std::string>(), ',', absl::SkipEmpty())) {
    account.add_roles(std::string(role));
  }
  account.set_department(row[at + 5].as<std::string>());
  *account.mutable_create_time() = TimeUtil::MicrosecondsToTimestamp(row[at + 6].as<int64_t>());
  if (int64_t last = row[at + 7].as<int64_t>(); last != 0) {
    *account.mutable_last_sign_in_time() = TimeUtil::MicrosecondsToTimestamp(last);
  }
  return account;
}

// Reads kAccountColumns, all of them, from `row`.
v1::Account AccountWithSubject(const pqxx::row& row) {
  v1::Account account = AccountFromRow(row);
  account.set_oidc_subject(row[8].as<std::string>());
  return account;
}

absl::optional<absl::Time> OptionalTime(const pqxx::field& field) {
  if (field.is_null()) return absl::nullopt;
  return absl::FromUnixMicros(field.as<int64_t>());
}

std::string ArrayLiteral(const google::protobuf::RepeatedPtrField<std::string>& items) {
  std::string out = "{";
  for (const auto& item : items) {
    if (out.size() > 1) out += ",";
    absl::StrAppend(&out, "\"", item, "\"");  // role names: letters and '_' only
  }
  return out + "}";
}

}  // namespace

absl::StatusOr<v1::Account> AccountStore::Create(const db::TenantScope& scope,
                                                 const v1::Account& account,
                                                 const std::string& password_hash,
                                                 const std::string& actor,
                                                 const std::string& client) {
  std::string tenant(absl::StripPrefix(account.tenant(), "tenants/"));
  std::string province(absl::StripPrefix(account.province(), "provinces/"));
  auto created = pool_.InTransaction(
      scope, "accounts.accounts", [&](pqxx::dbtransaction& txn) -> absl::StatusOr<v1::Account> {
        auto rows = txn.exec_params(
            absl::StrCat("INSERT INTO accounts.accounts (username, tenant_id, province_id,"
                         " display_name, roles, department, password_hash, oidc_subject)"
                         " VALUES ($1, nullif($2, ''), nullif($3, ''), $4, $5::text[], $6, $7,"
                         " nullif($8, '')) RETURNING ",
                         kAccountColumns),
            account.username(), tenant, province, account.display_name(),
            ArrayLiteral(account.roles()), account.department(), password_hash,
            account.oidc_subject());
        txn.exec_params(
            "INSERT INTO accounts.audit_events (tenant_id, actor, action, target, client)"
            " VALUES ($1, $2, 'ACCOUNT_CREATED', $3, left($4, 100))",
            tenant, actor, account.username(), client);
        return AccountWithSubject(rows[0]);
      });
  if (created.status().code() == absl::StatusCode::kAlreadyExists) {
    return common::Error(absl::StatusCode::kAlreadyExists, "USERNAME_TAKEN",
                         absl::StrCat("the name \"", account.username(), "\" is taken"));
  }
  return created;
}

absl::StatusOr<std::vector<v1::Account>> AccountStore::List(const db::TenantScope& scope,
                                                            const std::string& tenant_id) {
  return pool_.InTransaction(
      scope, "accounts.accounts",
      [&](pqxx::dbtransaction& txn) -> absl::StatusOr<std::vector<v1::Account>> {
        auto rows = txn.exec_params(
            absl::StrCat("SELECT ", kAccountColumns,
                         ", locked_until > now(), totp_enabled FROM accounts.accounts"
                         " WHERE tenant_id = $1 ORDER BY username LIMIT 1000"),
            tenant_id);
        std::vector<v1::Account> out;
        for (const auto& row : rows) {
          out.push_back(AccountWithSubject(row));
          out.back().set_locked(!row[9].is_null() && row[9].as<bool>());
          out.back().set_totp_enabled(row[10].as<bool>());
        }
        return out;
      });
}

absl::StatusOr<v1::Account> AccountStore::ResetPassword(
    const db::TenantScope& scope, const std::string& username, const std::string& password_hash,
    const std::string& tenant, const std::string& actor, const std::string& client) {
  return pool_.InTransaction(
      scope, "accounts.accounts", [&](pqxx::dbtransaction& txn) -> absl::StatusOr<v1::Account> {
        auto reset =
            txn.exec_params("SELECT accounts.reset_password($1, $2, nullif($3, ''), $4, $5)",
                            username, password_hash, tenant, actor, client);
        if (!reset[0][0].as<bool>()) {
          return common::Error(absl::StatusCode::kNotFound, "ACCOUNT_NOT_FOUND",
                               absl::StrCat("no account \"", username, "\" here"));
        }
        auto rows = txn.exec_params(
            absl::StrCat("SELECT ", kAccountColumns, " FROM accounts.accounts WHERE username = $1"),
            username);
        v1::Account account;
        if (!rows.empty()) account = AccountWithSubject(rows[0]);
        if (rows.empty()) account.set_username(username);  // beyond the caller's reading
        return account;
      });
}

absl::StatusOr<AccountStore::Credentials> AccountStore::LookUp(const std::string& username) {
  return pool_.InTransaction(
      db::TenantScope(), "accounts.accounts",
      [&](pqxx::dbtransaction& txn) -> absl::StatusOr<Credentials> {
        auto rows = txn.exec_params(
            "SELECT password_hash, (extract(epoch FROM locked_until) * 1000000)::bigint"
            " FROM accounts.sign_in_lookup($1)",
            username);
        Credentials out;
        if (rows.empty()) return out;
        out.found = true;
        out.password_hash = rows[0][0].as<std::string>();
        out.locked_until = OptionalTime(rows[0][1]);
        return out;
      });
}

absl::StatusOr<AccountStore::OidcAccount> AccountStore::LookUpOidc(const std::string& subject) {
  return pool_.InTransaction(
      db::TenantScope(), "accounts.accounts",
      [&](pqxx::dbtransaction& txn) -> absl::StatusOr<OidcAccount> {
        auto rows = txn.exec_params(
            "SELECT username, (extract(epoch FROM locked_until) * 1000000)::bigint"
            " FROM accounts.oidc_lookup($1)",
            subject);
        OidcAccount out;
        if (rows.empty()) return out;
        out.username = rows[0][0].as<std::string>();
        out.locked_until = OptionalTime(rows[0][1]);
        return out;
      });
}

absl::StatusOr<absl::optional<absl::Time>> AccountStore::SignInFailed(const std::string& username,
                                                                      const std::string& client,
                                                                      bool locked_now,
                                                                      int lock_after,
                                                                      absl::Duration lock_for) {
  return pool_.InTransaction(
      db::TenantScope(), "accounts.accounts",
      [&](pqxx::dbtransaction& txn) -> absl::StatusOr<absl::optional<absl::Time>> {
        auto rows = txn.exec_params(
            "SELECT (extract(epoch FROM accounts.sign_in_failed($1, $2, $3, $4, $5))"
            " * 1000000)::bigint",
            username, client, locked_now, lock_after,
            static_cast<int>(absl::ToInt64Minutes(lock_for)));
        return OptionalTime(rows[0][0]);
      });
}

absl::StatusOr<absl::Time> AccountStore::SignInSucceeded(
    const std::string& username, const std::string& token_hash_hex, const std::string& csrf_token,
    const std::string& client, const std::string& user_agent, absl::Duration lifetime,
    const std::string& method) {
  return pool_.InTransaction(
      db::TenantScope(), "accounts.sessions",
      [&](pqxx::dbtransaction& txn) -> absl::StatusOr<absl::Time> {
        auto rows = txn.exec_params(
            "SELECT (extract(epoch FROM accounts.sign_in_succeeded($1, decode($2, 'hex'), $3, $4,"
            " $5, $6, $7)) * 1000000)::bigint",
            username, token_hash_hex, csrf_token, client, user_agent,
            static_cast<int>(absl::ToInt64Seconds(lifetime)), method);
        return absl::FromUnixMicros(rows[0][0].as<int64_t>());
      });
}

absl::StatusOr<AccountStore::Totp> AccountStore::TotpOf(const std::string& username) {
  return pool_.InTransaction(db::TenantScope(), "accounts.accounts",
                             [&](pqxx::dbtransaction& txn) -> absl::StatusOr<Totp> {
                               auto rows = txn.exec_params(
                                   "SELECT coalesce(encode(secret, 'hex'), ''), enabled, last_step"
                                   " FROM accounts.totp_lookup($1)",
                                   username);
                               Totp out;
                               if (rows.empty()) return out;
                               out.secret = absl::HexStringToBytes(rows[0][0].as<std::string>());
                               out.enabled = rows[0][1].as<bool>();
                               out.last_step = rows[0][2].as<int64_t>();
                               return out;
                             });
}

absl::StatusOr<bool> AccountStore::TotpUsed(const std::string& username, int64_t step) {
  return pool_.InTransaction(
      db::TenantScope(), "accounts.accounts",
      [&](pqxx::dbtransaction& txn) -> absl::StatusOr<bool> {
        return txn.exec_params("SELECT accounts.totp_used($1, $2)", username, step)[0][0]
            .as<bool>();
      });
}

absl::StatusOr<bool> AccountStore::BeginTotp(const std::string& username,
                                             const std::string& secret) {
  return pool_.InTransaction(db::TenantScope(), "accounts.accounts",
                             [&](pqxx::dbtransaction& txn) -> absl::StatusOr<bool> {
                               return txn
                                   .exec_params("SELECT accounts.totp_begin($1, decode($2, 'hex'))",
                                                username, absl::BytesToHexString(secret))[0][0]
                                   .as<bool>();
                             });
}

absl::StatusOr<bool> AccountStore::ConfirmTotp(const std::string& username, int64_t step,
                                               const std::string& client) {
  return pool_.InTransaction(db::TenantScope(), "accounts.accounts",
                             [&](pqxx::dbtransaction& txn) -> absl::StatusOr<bool> {
                               return txn
                                   .exec_params("SELECT accounts.totp_confirm($1, $2, $3)",
                                                username, step, client)[0][0]
                                   .as<bool>();
                             });
}

absl::StatusOr<AccountStore::LiveSession> AccountStore::Resolve(const std::string& token_hash_hex,
                                                                absl::Duration idle) {
  return pool_.InTransaction(
      db::TenantScope(), "accounts.sessions",
      [&](pqxx::dbtransaction& txn) -> absl::StatusOr<LiveSession> {
        auto rows = txn.exec_params(
            "SELECT username, display_name, coalesce(tenant_id, ''), coalesce(province_id, ''),"
            " array_to_string(roles, ','), department,"
            " coalesce((extract(epoch FROM create_time) * 1000000)::bigint, 0),"
            " coalesce((extract(epoch FROM last_sign_in_time) * 1000000)::bigint, 0),"
            " csrf_token, (extract(epoch FROM expire_time) * 1000000)::bigint"
            " FROM accounts.resolve_session(decode($1, 'hex'), $2)",
            token_hash_hex, static_cast<int>(absl::ToInt64Seconds(idle)));
        if (rows.empty()) {
          return common::Error(absl::StatusCode::kNotFound, "SESSION_NOT_FOUND",
                               "no live session has this token");
        }
        LiveSession out;
        out.account = AccountFromRow(rows[0]);
        out.csrf_token = rows[0][8].as<std::string>();
        out.expire_time = absl::FromUnixMicros(rows[0][9].as<int64_t>());
        return out;
      });
}

absl::StatusOr<bool> AccountStore::End(const std::string& token_hash_hex,
                                       const std::string& client) {
  return pool_.InTransaction(db::TenantScope(), "accounts.sessions",
                             [&](pqxx::dbtransaction& txn) -> absl::StatusOr<bool> {
                               auto rows = txn.exec_params(
                                   "SELECT accounts.end_session(decode($1, 'hex'), $2)",
                                   token_hash_hex, client);
                               return rows[0][0].as<bool>();
                             });
}

absl::StatusOr<AccountStore::AuditPage> AccountStore::ListAudit(const db::TenantScope& scope,
                                                                const std::string& tenant_id,
                                                                int page_size,
                                                                const std::string& page_token) {
  int64_t before = std::numeric_limits<int64_t>::max();
  if (!page_token.empty() && !absl::SimpleAtoi(page_token, &before)) {
    return common::InvalidField("page_token", "PAGE_TOKEN_INVALID",
                                "pass the next_page_token of the previous page unchanged");
  }
  if (page_size <= 0 || page_size > kMaxPageSize) page_size = page_size <= 0 ? 50 : kMaxPageSize;
  return pool_.InTransaction(
      scope, "accounts.audit_events", [&](pqxx::dbtransaction& txn) -> absl::StatusOr<AuditPage> {
        // Keyset paging on (time, id); the token is the last entry's id.
        auto rows = txn.exec_params(
            absl::StrCat("SELECT id, (extract(epoch FROM time) * 1000000)::bigint, actor, action,"
                         " target, client FROM accounts.audit_events WHERE tenant_id = $1",
                         page_token.empty() ? " AND $2::bigint IS NOT NULL"
                                            : " AND (time, id) < (SELECT time, id FROM"
                                              " accounts.audit_events WHERE tenant_id = $1"
                                              " AND id = $2)",
                         " ORDER BY time DESC, id DESC LIMIT $3"),
            tenant_id, before, page_size + 1);
        AuditPage page;
        for (const auto& row : rows) {
          if (static_cast<int>(page.events.size()) == page_size) {
            page.next_page_token = absl::StrCat(before);
            break;
          }
          v1::AuditEvent event;
          *event.mutable_time() = TimeUtil::MicrosecondsToTimestamp(row[1].as<int64_t>());
          event.set_actor(row[2].as<std::string>());
          event.set_action(row[3].as<std::string>());
          event.set_target(row[4].as<std::string>());
          event.set_client(row[5].as<std::string>());
          page.events.push_back(std::move(event));
          before = row[0].as<int64_t>();
        }
        return page;
      });
}

}  // namespace dialogue::planning
