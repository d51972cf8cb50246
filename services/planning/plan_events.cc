#include "plan_events.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "audit_events.h"
#include "dialogue/calendar/dates.h"
#include "dialogue/common/names.h"
#include "dialogue/common/status.h"
#include "dialogue/v1/notices.pb.h"
#include "plan_rules.h"
#include "store.h"

namespace dialogue::planning {

const std::set<std::string>& ConsumedEventTypes() {
  static const auto* types = new std::set<std::string>{
      v1::AuditRecorded::descriptor()->full_name(), v1::SessionAnnounced::descriptor()->full_name(),
      v1::NoticeIssued::descriptor()->full_name(), v1::SessionConcluded::descriptor()->full_name()};
  return *types;
}

namespace {

// The id of a resource of this commune named by an event, by `pattern`
// ("tenants/{tenant}/plans/{id:uuid}"); empty when the name is another commune's or malformed.
std::string OwnId(absl::string_view name, const char* pattern, const std::string& tenant) {
  auto parts = common::ParseName(name, pattern, "name");
  if (!parts.ok() || (*parts)["tenant"] != tenant) return "";
  return (*parts)["id"];
}

absl::Status SessionAnnounced(pqxx::dbtransaction& txn, const std::string& tenant,
                              const v1::SessionAnnounced& announced) {
  // Both the plan and the session must be the commune's own: a session of one commune
  // never dates another's plan.
  const std::string plan_id = OwnId(announced.plan(), "tenants/{tenant}/plans/{id:uuid}", tenant);
  if (plan_id.empty() || announced.conference_id().empty() ||
      OwnId(announced.session(), "tenants/{tenant}/sessions/{id:uuid}", tenant).empty()) {
    return absl::OkStatus();
  }
  auto changed = PlanStore::MutateIn(txn, tenant, plan_id, "", [&](v1::Plan& plan, PlanEffects&) {
    RecordSession(plan, announced.conference_id(), announced.session(), announced.date());
    return absl::OkStatus();
  });
  // A plan deleted since is nothing to date; anything else is tried again.
  if (!changed.ok() && !absl::IsNotFound(changed.status())) return changed.status();
  return absl::OkStatus();
}

// Marks the tasks of `kinds` done in every plan whose conference records `session`.
absl::Status WorkDone(pqxx::dbtransaction& txn, const std::string& tenant,
                      const std::string& session, const std::set<v1::TaskKind>& kinds,
                      const std::string& note) {
  for (const std::string& plan_id : PlanStore::PlansHoldingSession(txn, tenant, session)) {
    RETURN_IF_ERROR(
        PlanStore::MutateIn(txn, tenant, plan_id, "", [&](v1::Plan& plan, PlanEffects&) {
          CompleteTasksByWork(plan, ConferenceOfSession(plan, session), kinds, note);
          return absl::OkStatus();
        }).status());
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ApplyEvent(pqxx::dbtransaction& txn, const v1::Event& event) {
  if (event.payload().Is<v1::AuditRecorded>()) return RecordAuditEvent(txn, event);
  const std::string tenant(absl::StripPrefix(event.tenant(), "tenants/"));
  v1::SessionAnnounced announced;
  v1::NoticeIssued issued;
  v1::SessionConcluded concluded;
  if (event.payload().UnpackTo(&announced)) return SessionAnnounced(txn, tenant, announced);
  if (event.payload().UnpackTo(&issued)) {
    if (issued.session().empty()) return absl::OkStatus();
    const std::string when = calendar::WrittenDate(issued.issue_date());
    if (issued.kind() == v1::NOTICE_ANNOUNCEMENT) {
      return WorkDone(
          txn, tenant, issued.session(), {v1::ANNOUNCEMENT},
          absl::StrCat("Đã ban hành thông báo số ", issued.document_number(), " ngày ", when, "."));
    }
    if (issued.kind() == v1::NOTICE_INVITATION) {
      return WorkDone(
          txn, tenant, issued.session(), {v1::INVITATION},
          absl::StrCat("Đã phát hành giấy mời số ", issued.document_number(), " ngày ", when, "."));
    }
    return absl::OkStatus();
  }
  if (event.payload().UnpackTo(&concluded)) {
    return WorkDone(
        txn, tenant, concluded.session(), {v1::VENUE},
        absl::StrCat("Hội nghị đã tổ chức ngày ", calendar::WrittenDate(concluded.date()), "."));
  }
  return absl::DataLossError(
      absl::StrCat("an event of type ", event.type(), " that does not parse"));
}

}  // namespace dialogue::planning
