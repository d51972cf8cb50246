#include "supervision_rules.h"

#include <map>
#include <set>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "dialogue/calendar/dates.h"
#include "dialogue/common/status.h"
#include "dialogue/common/text.h"

namespace dialogue::supervision {
namespace {

using auth::Role;

constexpr int kMaxNote = 5000;

// Where each state may go by RecordProgress; RESOLVED and CANNOT_RESOLVE go nowhere
// (only the Front reopens them).
const std::map<v1::CommitmentState, std::set<v1::CommitmentState>>& Transitions() {
  static const auto* table = new std::map<v1::CommitmentState, std::set<v1::CommitmentState>>{
      {v1::COMMITMENT_ASSIGNED,
       {v1::COMMITMENT_REPORTED, v1::COMMITMENT_ESCALATED, v1::COMMITMENT_CANNOT_RESOLVE}},
      {v1::COMMITMENT_REPORTED,
       {v1::COMMITMENT_IN_PROGRESS, v1::COMMITMENT_RESOLVED, v1::COMMITMENT_ESCALATED,
        v1::COMMITMENT_CANNOT_RESOLVE}},
      {v1::COMMITMENT_IN_PROGRESS,
       {v1::COMMITMENT_RESOLVED, v1::COMMITMENT_ESCALATED, v1::COMMITMENT_CANNOT_RESOLVE}},
      // The upper level answered, or sent it back to the commune.
      {v1::COMMITMENT_ESCALATED,
       {v1::COMMITMENT_IN_PROGRESS, v1::COMMITMENT_RESOLVED, v1::COMMITMENT_CANNOT_RESOLVE}},
  };
  return *table;
}

std::string StateName(v1::CommitmentState state) {
  return v1::CommitmentState_Name(state).substr(sizeof("COMMITMENT_") - 1);
}

absl::Status Required(absl::string_view field, absl::string_view what) {
  return common::InvalidField(field, "FIELD_REQUIRED", what);
}

std::string CsvField(const std::string& value) {
  if (value.find_first_of(",\"\r\n") == std::string::npos) return value;
  return absl::StrCat("\"", absl::StrReplaceAll(value, {{"\"", "\"\""}}), "\"");
}

// The due date on the calendar. Past the years the holiday file covers (a year's Tết
// holidays are decided late the year before), Monday to Friday are counted, so that an
// event is never refused for want of next year's decision.
absl::StatusOr<absl::CivilDay> DueOn(const calendar::WorkingDayCalendar& days,
                                     const v1::TenantRules& rules, v1::DeadlineRule rule,
                                     absl::CivilDay start) {
  auto due = calendar::ComputeDueDate(days, rules, rule, start);
  const int working_days = calendar::DeadlineDays(rules, rule);
  if (due.ok()) return calendar::ParseDate(due->due_date());
  if (due.status().code() != absl::StatusCode::kOutOfRange) return due.status();
  absl::CivilDay day = start;
  for (int counted = 0; counted < working_days;) {
    ++day;
    const absl::Weekday weekday = absl::GetWeekday(day);
    if (weekday != absl::Weekday::saturday && weekday != absl::Weekday::sunday) ++counted;
  }
  return day;
}

}  // namespace

bool IsOpen(v1::CommitmentState state) {
  return state == v1::COMMITMENT_ASSIGNED || state == v1::COMMITMENT_REPORTED ||
         state == v1::COMMITMENT_IN_PROGRESS || state == v1::COMMITMENT_ESCALATED;
}

std::optional<v1::Commitment> CommitmentFromItem(const v1::SessionConcluded& concluded,
                                                 const v1::ConclusionItem& item) {
  if (item.outcome() != v1::OUTCOME_ACCEPTED && item.outcome() != v1::OUTCOME_UNRESOLVED) {
    return std::nullopt;
  }
  v1::Commitment c;
  c.set_session(concluded.session());
  c.set_session_title(concluded.title());
  c.set_conference_date(concluded.date());
  c.set_item_id(item.id());
  c.set_summary(item.summary());
  c.set_action(item.action().empty() ? item.summary() : item.action());
  *c.mutable_opinions() = item.opinions();
  // An accepted item without an agency is the commune's People's Committee's to carry out.
  c.set_agency(item.agency().empty() ? "UBND xã" : item.agency());
  c.set_beyond_commune(item.beyond_commune());
  c.set_due_date(item.due_date());
  c.set_state(item.beyond_commune() ? v1::COMMITMENT_ESCALATED : v1::COMMITMENT_ASSIGNED);
  return c;
}

absl::StatusOr<absl::CivilDay> NoticeDue(const calendar::WorkingDayCalendar& days,
                                         const v1::TenantRules& rules, absl::CivilDay conference,
                                         bool complex) {
  return DueOn(days, rules,
               complex ? v1::DEADLINE_CONCLUSION_NOTICE_EXTENDED : v1::DEADLINE_CONCLUSION_NOTICE,
               conference);
}

absl::StatusOr<absl::CivilDay> ReportDue(const calendar::WorkingDayCalendar& days,
                                         const v1::TenantRules& rules, absl::CivilDay notice) {
  return DueOn(days, rules, v1::DEADLINE_AGENCY_REPORT, notice);
}

void DeriveOverdue(v1::Commitment& c, absl::CivilDay as_of) {
  auto due = calendar::ParseDate(c.due_date());
  c.set_overdue(IsOpen(c.state()) && due.ok() && *due < as_of);
  auto report_due = calendar::ParseDate(c.report_due_date());
  c.set_report_overdue(c.state() == v1::COMMITMENT_ASSIGNED && report_due.ok() &&
                       *report_due < as_of);
  auto reported = calendar::ParseDate(c.report_date());
  c.set_report_late(c.report_overdue() ||
                    (reported.ok() && report_due.ok() && *reported > *report_due));
}

absl::Status CheckRole(const auth::Principal& principal, SupervisionAction action) {
  switch (action) {
    case SupervisionAction::kRead:
      return absl::OkStatus();
    case SupervisionAction::kProgress:
      if (principal.HasAny({Role::kDepartment, Role::kGovernmentOffice, Role::kChair})) {
        return absl::OkStatus();
      }
      return common::Error(absl::StatusCode::kPermissionDenied, "ROLE_REQUIRED",
                           "only the responsible department, the office or the chair record "
                           "progress");
    case SupervisionAction::kDecide:
      if (principal.HasAny({Role::kGovernmentOffice, Role::kChair})) return absl::OkStatus();
      return common::Error(absl::StatusCode::kPermissionDenied, "ROLE_REQUIRED",
                           "only the office or the chair escalate an item or declare that it "
                           "cannot be resolved");
    case SupervisionAction::kCheck:
      if (principal.Has(Role::kFront)) return absl::OkStatus();
      return common::Error(absl::StatusCode::kPermissionDenied, "ROLE_REQUIRED",
                           "only the Fatherland Front records supervision checks");
  }
  return absl::OkStatus();
}

SupervisionAction ActionFor(v1::CommitmentState to) {
  return to == v1::COMMITMENT_ESCALATED || to == v1::COMMITMENT_CANNOT_RESOLVE
             ? SupervisionAction::kDecide
             : SupervisionAction::kProgress;
}

absl::Status ApplyProgress(v1::Commitment& c, const v1::RecordProgressRequest& request,
                           absl::CivilDay day, absl::CivilDay today, v1::CommitmentChange& change) {
  const v1::CommitmentState to = request.state();
  if (to == v1::COMMITMENT_STATE_UNSPECIFIED) {
    return Required("state", "say which state the commitment moves to");
  }
  auto allowed = Transitions().find(c.state());
  if (allowed == Transitions().end() || allowed->second.count(to) == 0) {
    return common::Error(
        absl::StatusCode::kFailedPrecondition, "TRANSITION_NOT_ALLOWED",
        absl::StrCat("a commitment ", StateName(c.state()), " cannot become ", StateName(to),
                     c.state() == v1::COMMITMENT_ASSIGNED
                         ? "; the agency reports in writing first (REPORTED)"
                         : (IsOpen(c.state()) ? "" : "; only the Front can reopen it")));
  }
  RETURN_IF_ERROR(common::CheckText("note", request.note(), kMaxNote, false));
  RETURN_IF_ERROR(common::CheckText("reason", request.reason(), kMaxNote, false));
  if ((to == v1::COMMITMENT_REPORTED || to == v1::COMMITMENT_RESOLVED) && request.note().empty()) {
    return Required("note", to == v1::COMMITMENT_REPORTED
                                ? "the agency's written report is required (its text or summary)"
                                : "say what was done to resolve it");
  }
  if ((to == v1::COMMITMENT_CANNOT_RESOLVE || to == v1::COMMITMENT_ESCALATED) &&
      request.reason().empty()) {
    return Required("reason", "say why it cannot be resolved by the commune");
  }
  if (auto held = calendar::ParseDate(c.conference_date()); held.ok()) {
    RETURN_IF_ERROR(calendar::CheckNotBeforeConference("date", "progress", day, *held));
  }
  if (day > today) {
    return common::InvalidField("date", "DATE_IN_FUTURE", "progress cannot be dated ahead");
  }
  change.set_kind(v1::CHANGE_PROGRESS);
  change.set_from_state(c.state());
  change.set_to_state(to);
  change.set_note(request.note());
  *change.mutable_evidence() = request.evidence();
  change.set_reason(request.reason());
  if (c.state() == v1::COMMITMENT_ASSIGNED && c.report_date().empty()) {
    c.set_report_date(calendar::FormatDate(day));  // the first word from the agency
  }
  c.set_state(to);
  if (to == v1::COMMITMENT_RESOLVED) {
    c.set_resolve_date(calendar::FormatDate(day));
    auto due = calendar::ParseDate(c.due_date());
    c.set_resolved_on_time(!due.ok() || day <= *due);
  }
  if (to == v1::COMMITMENT_CANNOT_RESOLVE || to == v1::COMMITMENT_ESCALATED) {
    c.set_reason(request.reason());
  }
  // Sent up again: a new question for the upper level (its old answer stays in the history).
  if (to == v1::COMMITMENT_ESCALATED) c.clear_upper_answer();
  return absl::OkStatus();
}

absl::Status ApplyEscalationAnswer(v1::Commitment& c, const v1::EscalationAnswer& answer,
                                   absl::CivilDay today, const std::string& actor,
                                   v1::CommitmentChange& change) {
  if (c.state() != v1::COMMITMENT_ESCALATED) {
    return common::Error(absl::StatusCode::kFailedPrecondition, "NOT_ESCALATED",
                         absl::StrCat("the commitment is ", StateName(c.state()),
                                      "; the upper level answers only what was sent up to it"));
  }
  if (answer.outcome() == v1::ESCALATION_OUTCOME_UNSPECIFIED ||
      !v1::EscalationOutcome_IsValid(answer.outcome())) {
    return Required("answer.outcome",
                    "say what the upper level does: resolved, taken up, cannot be resolved or "
                    "returned to the commune");
  }
  if (answer.answer().empty()) return Required("answer.answer", "write the upper level's answer");
  RETURN_IF_ERROR(common::CheckText("answer.answer", answer.answer(), kMaxNote, false));
  RETURN_IF_ERROR(common::CheckText("answer.body", answer.body(), 200, false));
  v1::EscalationAnswer kept = answer;
  if (answer.outcome() == v1::UPPER_TAKEN_UP) {
    if (answer.due_date().empty()) {
      return Required("answer.due_date", "say by when the upper level will act");
    }
    auto due = calendar::ParseDate(answer.due_date());
    if (!due.ok() || *due < today) {
      return common::InvalidField("answer.due_date", "DATE_INVALID",
                                  "the upper level's due date must be a date, today or later");
    }
  } else {
    kept.clear_due_date();
  }
  kept.set_date(calendar::FormatDate(today));
  kept.set_answered_by(actor);
  change.set_kind(v1::CHANGE_UPPER_ANSWER);
  change.set_from_state(c.state());
  change.set_note(answer.answer());
  switch (answer.outcome()) {
    case v1::UPPER_RESOLVED: {
      c.set_state(v1::COMMITMENT_RESOLVED);
      c.set_resolve_date(calendar::FormatDate(today));
      auto due = calendar::ParseDate(c.due_date());
      c.set_resolved_on_time(!due.ok() || today <= *due);
      break;
    }
    case v1::UPPER_TAKEN_UP:
      c.set_due_date(answer.due_date());  // the upper level's own date is the one to keep
      break;
    case v1::UPPER_CANNOT_RESOLVE:
      c.set_state(v1::COMMITMENT_CANNOT_RESOLVE);
      c.set_reason(answer.answer());
      change.set_reason(answer.answer());
      break;
    case v1::UPPER_RETURNED:
      c.set_state(v1::COMMITMENT_IN_PROGRESS);
      c.set_beyond_commune(false);
      break;
    default:
      break;
  }
  change.set_to_state(c.state());
  *c.mutable_upper_answer() = kept;
  return absl::OkStatus();
}

namespace {

bool IsDistrictStaff(const auth::Principal& principal, const std::string& district) {
  return !district.empty() && principal.tenant == district &&
         principal.HasAny({Role::kGovernmentOffice, Role::kPartyOffice, Role::kChair});
}

}  // namespace

absl::Status CheckUpperLevel(const auth::Principal& principal, const std::string& commune_province,
                             const std::string& commune_district) {
  if (principal.Has(Role::kAdmin) || IsDistrictStaff(principal, commune_district)) {
    return absl::OkStatus();
  }
  if (principal.Has(Role::kProvince) && !principal.province.empty() &&
      principal.province == commune_province) {
    return absl::OkStatus();
  }
  return common::Error(
      absl::StatusCode::kPermissionDenied, "PROVINCE_FORBIDDEN",
      "only the accounts of the commune's own province or district answer what it sent up");
}

absl::Status CheckDistrictStaff(const auth::Principal& principal, const std::string& district) {
  if (principal.Has(Role::kAdmin) || IsDistrictStaff(principal, district)) {
    return absl::OkStatus();
  }
  return common::Error(absl::StatusCode::kPermissionDenied, "DISTRICT_FORBIDDEN",
                       absl::StrCat("only the office and chair of tenants/", district,
                                    " read what its communes sent up"));
}

absl::Status ApplyCheck(v1::Commitment& c, const v1::RecordCheckRequest& request,
                        absl::CivilDay today, v1::CommitmentChange& change) {
  if (request.findings().empty()) return Required("findings", "say what the check found");
  RETURN_IF_ERROR(common::CheckText("findings", request.findings(), kMaxNote, false));
  if (request.rating() == v1::CHECK_RATING_UNSPECIFIED) {
    return Required("rating", "rate the result: done, partly done or not done");
  }
  change.set_kind(v1::CHANGE_CHECK);
  change.set_from_state(c.state());
  change.set_to_state(c.state());
  change.set_findings(request.findings());
  change.set_rating(request.rating());
  *change.mutable_evidence() = request.evidence();
  if (request.reopen()) {
    if (IsOpen(c.state())) {
      return common::Error(absl::StatusCode::kFailedPrecondition, "NOT_CLOSED",
                           absl::StrCat("the commitment is still ", StateName(c.state()),
                                        "; only a resolved or unresolvable one is reopened"));
    }
    if (!request.new_due_date().empty()) {
      auto due = calendar::ParseDate(request.new_due_date());
      if (!due.ok() || *due < today) {
        return common::InvalidField("new_due_date", "DATE_INVALID",
                                    "the new due date must be a date, today or later");
      }
      c.set_due_date(request.new_due_date());
    }
    c.set_state(v1::COMMITMENT_IN_PROGRESS);
    c.clear_resolve_date();
    c.clear_resolved_on_time();
    c.clear_reason();
    c.set_reopen_count(c.reopen_count() + 1);
    change.set_to_state(v1::COMMITMENT_IN_PROGRESS);
    change.set_reopened(true);
  } else if (!request.new_due_date().empty()) {
    return common::InvalidField("new_due_date", "FIELD_NOT_ALLOWED",
                                "a new due date goes with a reopen");
  }
  // The Front has decided any petitioner's request, either way.
  c.set_reopen_requested(false);
  return absl::OkStatus();
}

absl::StatusOr<absl::CivilDay> ParseDay(const std::string& text, absl::string_view field,
                                        absl::CivilDay today) {
  if (text.empty()) return today;
  auto day = calendar::ParseDate(text);
  if (!day.ok()) {
    return common::InvalidField(field, "DATE_INVALID",
                                absl::StrCat("'", text, "' is not a date as YYYY-MM-DD"));
  }
  return *day;
}

std::string ProvinceCsv(const v1::ProvinceReport& report) {
  std::string out = "\xEF\xBB\xBF";
  absl::StrAppend(&out,
                  "Mã xã,Tên xã,Hội nghị theo kế hoạch,Hội nghị đã tổ chức,"
                  "Thông báo kết luận đã ban hành,Thông báo đúng hạn,Số việc theo dõi,"
                  "Đã giải quyết,Giải quyết đúng hạn,Đang giải quyết,Quá hạn,Chuyển cấp trên,"
                  "Chưa tổ chức hội nghị\r\n");
  std::vector<const v1::CommuneSummary*> rows;
  for (const auto& c : report.communes()) rows.push_back(&c);
  rows.push_back(&report.totals());
  for (const v1::CommuneSummary* c : rows) {
    absl::StrAppend(&out, CsvField(c->tenant()), ",", CsvField(c->display_name()), ",",
                    c->conferences_planned(), ",", c->conferences_held(), ",",
                    c->conclusion_notices_issued(), ",", c->conclusion_notices_on_time(), ",",
                    c->commitments(), ",", c->resolved(), ",", c->resolved_on_time(), ",",
                    c->open(), ",", c->overdue(), ",", c->escalated(), ",",
                    c == &report.totals() ? "" : (c->not_yet_held() ? "x" : ""), "\r\n");
  }
  return out;
}

namespace {

std::string StateLabel(v1::CommitmentState state) {
  switch (state) {
    case v1::COMMITMENT_ASSIGNED:
      return "đã giao thực hiện";
    case v1::COMMITMENT_REPORTED:
      return "đã báo cáo kết quả";
    case v1::COMMITMENT_IN_PROGRESS:
      return "đang giải quyết";
    case v1::COMMITMENT_RESOLVED:
      return "đã giải quyết";
    case v1::COMMITMENT_ESCALATED:
      return "đã chuyển cấp trên";
    case v1::COMMITMENT_CANNOT_RESOLVE:
      return "không thể giải quyết";
    default:
      return "chưa rõ";
  }
}

// "85,7%": a share as Vietnamese writes it, one decimal.
std::string Percent(double rate) {
  return absl::StrReplaceAll(absl::StrFormat("%.1f%%", rate * 100), {{".", ","}});
}

// "Sửa đường thôn Đông: lập dự toán (Phòng Kinh tế, hạn 02/01/2027)".
std::string CommitmentLine(int n, const v1::Commitment& c, absl::string_view due_label,
                           const std::string& due) {
  std::string line = absl::StrCat(n, ". ", c.summary());
  if (!c.action().empty()) absl::StrAppend(&line, ": ", c.action());
  std::vector<std::string> about;
  if (!c.agency().empty()) about.push_back(c.agency());
  if (!due.empty()) about.push_back(absl::StrCat(due_label, " ", calendar::WrittenDate(due)));
  if (!about.empty()) absl::StrAppend(&line, " (", absl::StrJoin(about, ", "), ")");
  return absl::StrCat(line, ".");
}

}  // namespace

documents::Document CommuneReportDocument(const v1::CommuneReport& report,
                                          absl::string_view signer) {
  documents::Document d;
  d.issuing_body = absl::StrCat("Ủy ban nhân dân ", report.display_name());
  d.place = documents::PlaceOf(report.display_name());
  d.date = report.as_of();
  d.type = "Báo cáo";
  d.abstract = absl::StrCat("Kết quả thực hiện các nội dung kết luận tại hội nghị đối thoại năm ",
                            report.year());

  documents::Part held{"I. TÌNH HÌNH TỔ CHỨC HỘI NGHỊ ĐỐI THOẠI", {}};
  held.paragraphs.push_back(
      absl::StrCat(report.conferences_planned() > 0
                       ? absl::StrCat("Theo kế hoạch, năm ", report.year(), " tổ chức ",
                                      report.conferences_planned(), " hội nghị đối thoại")
                       : absl::StrCat("Năm ", report.year(),
                                      " chưa có kế hoạch hội nghị đối thoại được ban hành"),
                   "; đến ngày ", calendar::WrittenDate(report.as_of()), " đã tổ chức ",
                   report.conferences_size(), " hội nghị."));
  for (const v1::ConferenceRecord& c : report.conferences()) {
    std::string line =
        absl::StrCat("- ", c.title(), ", ngày ", calendar::WrittenDate(c.date()), ": ");
    if (!c.notice_issue_date().empty()) {
      absl::StrAppend(
          &line, "thông báo kết luận ban hành ngày ", calendar::WrittenDate(c.notice_issue_date()),
          c.notice_on_time() ? " (đúng hạn)"
                             : absl::StrCat(" (chậm so với hạn ",
                                            calendar::WrittenDate(c.notice_due_date()), ")"));
    } else {
      absl::StrAppend(&line, "chưa ban hành thông báo kết luận (hạn ",
                      calendar::WrittenDate(c.notice_due_date()), ")");
    }
    absl::StrAppend(&line, "; ", c.commitments(), " nội dung phải thực hiện.");
    held.paragraphs.push_back(std::move(line));
  }

  documents::Part results{"II. KẾT QUẢ THỰC HIỆN CÁC NỘI DUNG KẾT LUẬN", {}};
  std::string total = absl::StrCat("Tổng số nội dung phải thực hiện: ", report.commitments(),
                                   "; đã giải quyết ", report.resolved());
  if (report.resolved() > 0) {
    absl::StrAppend(&total, ", trong đó đúng hạn ", report.resolved_on_time(), " (",
                    Percent(report.on_time_rate()), ")");
  }
  results.paragraphs.push_back(absl::StrCat(total, "."));
  std::vector<std::string> states;
  for (const v1::StateCount& c : report.by_state()) {
    if (c.count() > 0) states.push_back(absl::StrCat(StateLabel(c.state()), " ", c.count()));
  }
  if (!states.empty()) {
    results.paragraphs.push_back(
        absl::StrCat("Theo tình trạng: ", absl::StrJoin(states, "; "), "."));
  }
  if (report.by_agency_size() > 0) results.paragraphs.push_back("Theo cơ quan thực hiện:");
  for (const v1::AgencyCount& a : report.by_agency()) {
    std::string line =
        absl::StrCat("- ", a.agency().empty() ? "Chưa rõ cơ quan" : a.agency(), ": ", a.total(),
                     " nội dung; đã giải quyết ", a.resolved(), " (đúng hạn ", a.resolved_on_time(),
                     "); đang thực hiện ", a.open(), "; quá hạn ", a.overdue());
    if (a.reports_late() > 0) absl::StrAppend(&line, "; báo cáo trễ hạn ", a.reports_late());
    results.paragraphs.push_back(absl::StrCat(line, "."));
  }

  documents::Part late{"III. NỘI DUNG QUÁ HẠN, CHUYỂN CẤP TRÊN", {}};
  auto list = [&](absl::string_view heading,
                  const google::protobuf::RepeatedPtrField<v1::Commitment>& items,
                  absl::string_view due_label, auto due_of) {
    if (items.empty()) return;
    late.paragraphs.push_back(absl::StrCat(heading, " ", items.size(), " nội dung:"));
    int n = 0;
    for (const v1::Commitment& c : items) {
      late.paragraphs.push_back(CommitmentLine(++n, c, due_label, due_of(c)));
    }
  };
  list("Quá hạn giải quyết:", report.overdue(), "hạn",
       [](const v1::Commitment& c) { return c.due_date(); });
  list("Quá hạn báo cáo bằng văn bản:", report.report_overdue(), "hạn báo cáo",
       [](const v1::Commitment& c) { return c.report_due_date(); });
  list("Vượt thẩm quyền của xã, đã chuyển cấp trên:", report.escalated(), "hạn",
       [](const v1::Commitment& c) { return c.due_date(); });
  if (late.paragraphs.empty()) {
    late.paragraphs.push_back("Không có nội dung quá hạn hoặc phải chuyển cấp trên.");
  }

  d.parts = {std::move(held), std::move(results), std::move(late)};
  d.recipients = {"Cấp ủy, chính quyền cấp trên (để báo cáo)", "Thường trực Đảng ủy, HĐND xã",
                  "Ủy ban MTTQ Việt Nam xã (để giám sát)", "Lưu: VT"};
  d.signature = documents::SignerOrChair(signer);
  return d;
}

documents::Document ProvinceReportDocument(const v1::ProvinceReport& report,
                                           absl::string_view issuing_body,
                                           absl::string_view signer) {
  documents::Document d;
  d.issuing_body = issuing_body.empty() ? absl::StrCat("Ủy ban nhân dân ", report.display_name())
                                        : std::string(issuing_body);
  d.place = documents::PlaceOf(report.display_name());
  d.date = report.as_of();
  d.type = "Báo cáo";
  d.abstract = absl::StrCat(
      "Tổng hợp kết quả hội nghị đối thoại và thực hiện kết luận của các xã, phường năm ",
      report.year());

  const v1::CommuneSummary& t = report.totals();
  documents::Part whole{"I. TÌNH HÌNH CHUNG", {}};
  whole.paragraphs.push_back(
      absl::StrCat("Toàn tỉnh có ", report.communes_size(), " xã, phường; đến ngày ",
                   calendar::WrittenDate(report.as_of()), " đã tổ chức ", t.conferences_held(), "/",
                   t.conferences_planned(), " hội nghị đối thoại theo kế hoạch."));
  if (report.not_yet_held_size() > 0) {
    std::vector<std::string> names;
    for (const v1::CommuneSummary& c : report.communes()) {
      if (c.not_yet_held()) names.push_back(c.display_name());
    }
    whole.paragraphs.push_back(
        absl::StrCat(report.not_yet_held_size(),
                     " xã, phường chưa tổ chức hội nghị: ", absl::StrJoin(names, ", "), "."));
  }
  whole.paragraphs.push_back(
      absl::StrCat("Thông báo kết luận đã ban hành: ", t.conclusion_notices_issued(),
                   ", trong đó đúng hạn ", t.conclusion_notices_on_time(), "."));
  whole.paragraphs.push_back(
      absl::StrCat("Nội dung kết luận phải thực hiện: ", t.commitments(), "; đã giải quyết ",
                   t.resolved(), " (đúng hạn ", t.resolved_on_time(), "); đang giải quyết ",
                   t.open(), "; quá hạn ", t.overdue(), "; chuyển cấp trên ", t.escalated(), "."));

  documents::Part each{"II. KẾT QUẢ TỪNG XÃ, PHƯỜNG", {}};
  int n = 0;
  for (const v1::CommuneSummary& c : report.communes()) {
    each.paragraphs.push_back(absl::StrCat(
        ++n, ". ", c.display_name(), ": hội nghị ", c.conferences_held(), "/",
        c.conferences_planned(), "; thông báo kết luận đúng hạn ", c.conclusion_notices_on_time(),
        "/", c.conclusion_notices_issued(), "; nội dung kết luận ", c.commitments(),
        ", đã giải quyết ", c.resolved(), " (đúng hạn ", c.resolved_on_time(), "), quá hạn ",
        c.overdue(), ", chuyển cấp trên ", c.escalated(), "."));
  }
  if (n == 0) each.paragraphs.push_back("Tỉnh chưa có xã, phường nào trên hệ thống.");

  d.parts = {std::move(whole), std::move(each)};
  d.recipients = {"Thường trực Tỉnh ủy, HĐND, UBND tỉnh (để báo cáo)", "Ủy ban MTTQ Việt Nam tỉnh",
                  "Đảng ủy, UBND các xã, phường", "Lưu: VT"};
  // The People's Committee's report is signed on its behalf by the chair, by default.
  d.signature =
      issuing_body.empty() ? documents::SignerOrChair(signer) : documents::ParseSigner(signer);
  return d;
}

}  // namespace dialogue::supervision
