#include "consumed_events.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "dialogue/calendar/dates.h"
#include "dialogue/calendar/working_days.h"
#include "dialogue/common/status.h"
#include "dialogue/v1/notices.pb.h"
#include "store.h"
#include "supervision_rules.h"

namespace dialogue::supervision {

const std::set<std::string>& ConsumedEventTypes() {
  static const auto* types = new std::set<std::string>{
      v1::PlanPublished::descriptor()->full_name(), v1::SessionConcluded::descriptor()->full_name(),
      v1::NoticeIssued::descriptor()->full_name()};
  return *types;
}

absl::Status ApplyEvent(pqxx::dbtransaction& txn, const v1::Event& event,
                        calendar::CalendarSource& calendar) {
  absl::string_view tenant_view = event.tenant();
  absl::ConsumePrefix(&tenant_view, "tenants/");
  const std::string tenant(tenant_view);
  v1::PlanPublished plan;
  v1::SessionConcluded concluded;
  v1::NoticeIssued issued;
  if (event.payload().UnpackTo(&plan) && event.type() == plan.GetTypeName()) {
    SupervisionStore::RecordPlan(txn, tenant, plan);
    return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(TenantInfo info, db::ReadCommune(txn, tenant));
  // The national calendar and the commune's own days off.
  calendar::WorkingDayCalendar days(calendar.Current(), info.days_off);
  if (event.payload().UnpackTo(&concluded) && event.type() == concluded.GetTypeName()) {
    ASSIGN_OR_RETURN(absl::CivilDay held, calendar::ParseDate(concluded.date()));
    ASSIGN_OR_RETURN(absl::CivilDay notice_due,
                     NoticeDue(days, info.rules, held, concluded.complex()));
    std::optional<absl::CivilDay> notice_issued =
        SupervisionStore::RecordConference(txn, tenant, concluded, notice_due);
    ASSIGN_OR_RETURN(absl::CivilDay report_due,
                     ReportDue(days, info.rules, notice_issued.value_or(notice_due)));
    for (const v1::ConclusionItem& item : concluded.items()) {
      if (auto commitment = CommitmentFromItem(concluded, item)) {
        SupervisionStore::InsertCommitment(txn, tenant, *commitment, report_due,
                                           notice_issued.has_value(), event.traceparent());
      }
    }
    return absl::OkStatus();
  }
  if (event.payload().UnpackTo(&issued) && event.type() == issued.GetTypeName()) {
    if (issued.kind() != v1::NOTICE_CONCLUSION || issued.session().empty()) {
      return absl::OkStatus();
    }
    absl::CivilDay on = calendar::TodayInVietnam(absl::FromUnixSeconds(event.time().seconds()));
    if (auto day = calendar::ParseDate(issued.issue_date()); day.ok()) on = *day;
    absl::CivilDay due = on;
    if (auto day = calendar::ParseDate(issued.due_date()); day.ok()) due = *day;
    ASSIGN_OR_RETURN(absl::CivilDay report_due, ReportDue(days, info.rules, on));
    SupervisionStore::RecordNoticeIssued(txn, tenant, issued.session(), on, due, report_due);
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(
      absl::StrCat("event ", event.id(), " of type ", event.type(), " has no usable payload"));
}

}  // namespace dialogue::supervision
