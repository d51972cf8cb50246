// The supervision rules: which items become commitments, the state machine and its
// roles, due dates on the real holiday calendar (Tết 2026) and past it, overdue on a
// given day, the Front's reopen, the upper level's answer, and the province CSV.
#include "supervision_rules.h"

#include <utility>

#include "absl/strings/match.h"
#include "dialogue/calendar/calendar_source.h"
#include "dialogue/calendar/dates.h"
#include "test_support.h"

namespace dialogue::supervision {
namespace {

using testing::IsOk;
using testing::StatusIs;
using StatusCode = absl::StatusCode;

absl::CivilDay D(const char* text) { return *calendar::ParseDate(text); }

calendar::WorkingDayCalendar National() {
  auto source = calendar::CalendarSource::Open(std::string(DIALOGUE_SOURCE_DIR) +
                                               "/libs/calendar/data/vn_holidays.json");
  EXPECT_TRUE(source.ok()) << source.status();
  return calendar::WorkingDayCalendar((*source)->Current());
}

v1::Commitment Assigned() {
  v1::Commitment c;
  c.set_conference_date("2026-03-10");
  c.set_due_date("2026-06-30");
  c.set_report_due_date("2026-04-02");
  c.set_state(v1::COMMITMENT_ASSIGNED);
  return c;
}

absl::Status Move(v1::Commitment& c, v1::CommitmentState to, const std::string& note = "báo cáo",
                  const std::string& reason = "", const char* day = "2026-05-04") {
  v1::RecordProgressRequest request;
  request.set_state(to);
  request.set_note(note);
  request.set_reason(reason);
  v1::CommitmentChange change;
  return ApplyProgress(c, request, D(day), D("2026-11-23"), change);
}

TEST(SupervisionRules, ItemsThatCallForActionBecomeCommitments) {
  v1::SessionConcluded concluded;
  concluded.set_session("tenants/a/sessions/s");
  concluded.set_title("Hội nghị đối thoại");
  concluded.set_date("2026-03-10");
  v1::ConclusionItem road;
  road.set_id("1");
  road.set_summary("Sửa đường");
  road.set_outcome(v1::OUTCOME_UNRESOLVED);
  road.set_agency("Phòng Kinh tế");
  road.set_due_date("2026-06-30");
  road.add_opinions("tenants/a/opinions/o1");
  auto c = CommitmentFromItem(concluded, road);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->state(), v1::COMMITMENT_ASSIGNED);
  EXPECT_EQ(c->agency(), "Phòng Kinh tế");
  EXPECT_EQ(c->action(), "Sửa đường");  // no action written: the summary is what to do
  EXPECT_EQ(c->opinions(0), "tenants/a/opinions/o1");

  road.set_beyond_commune(true);
  EXPECT_EQ(CommitmentFromItem(concluded, road)->state(), v1::COMMITMENT_ESCALATED);

  v1::ConclusionItem accepted;
  accepted.set_outcome(v1::OUTCOME_ACCEPTED);
  EXPECT_EQ(CommitmentFromItem(concluded, accepted)->agency(), "UBND xã");
  v1::ConclusionItem on_spot;
  on_spot.set_outcome(v1::OUTCOME_RESOLVED_ON_SPOT);
  EXPECT_FALSE(CommitmentFromItem(concluded, on_spot).has_value());
}

TEST(SupervisionRules, TheAgencyReportsBeforeAnythingElse) {
  v1::Commitment c = Assigned();
  EXPECT_THAT(Move(c, v1::COMMITMENT_RESOLVED),
              StatusIs(StatusCode::kFailedPrecondition, "TRANSITION_NOT_ALLOWED"));
  EXPECT_THAT(Move(c, v1::COMMITMENT_IN_PROGRESS),
              StatusIs(StatusCode::kFailedPrecondition, "TRANSITION_NOT_ALLOWED"));
  EXPECT_THAT(Move(c, v1::COMMITMENT_REPORTED, ""),
              StatusIs(StatusCode::kInvalidArgument, "FIELD_REQUIRED"));
  EXPECT_EQ(c.state(), v1::COMMITMENT_ASSIGNED);
  ASSERT_THAT(Move(c, v1::COMMITMENT_REPORTED), IsOk());
  ASSERT_THAT(Move(c, v1::COMMITMENT_IN_PROGRESS), IsOk());
  ASSERT_THAT(Move(c, v1::COMMITMENT_RESOLVED, "Đã làm xong", "", "2026-06-30"), IsOk());
  EXPECT_EQ(c.resolve_date(), "2026-06-30");
  EXPECT_TRUE(c.resolved_on_time());  // on the due date itself
  EXPECT_THAT(Move(c, v1::COMMITMENT_IN_PROGRESS),
              StatusIs(StatusCode::kFailedPrecondition, "TRANSITION_NOT_ALLOWED"));

  v1::Commitment late = Assigned();
  ASSERT_THAT(Move(late, v1::COMMITMENT_REPORTED), IsOk());
  ASSERT_THAT(Move(late, v1::COMMITMENT_RESOLVED, "Xong", "", "2026-07-01"), IsOk());
  EXPECT_FALSE(late.resolved_on_time());
}

TEST(SupervisionRules, EscalationAndCannotResolveNeedAReasonAndTheRightRole) {
  v1::Commitment c = Assigned();
  EXPECT_THAT(Move(c, v1::COMMITMENT_CANNOT_RESOLVE, ""),
              StatusIs(StatusCode::kInvalidArgument, "FIELD_REQUIRED"));
  ASSERT_THAT(Move(c, v1::COMMITMENT_ESCALATED, "", "Vượt thẩm quyền: đất rừng phòng hộ"), IsOk());
  EXPECT_EQ(c.reason(), "Vượt thẩm quyền: đất rừng phòng hộ");
  ASSERT_THAT(Move(c, v1::COMMITMENT_RESOLVED, "Tỉnh đã giải quyết"), IsOk());
  EXPECT_THAT(Move(c, v1::COMMITMENT_REPORTED),
              StatusIs(StatusCode::kFailedPrecondition, "TRANSITION_NOT_ALLOWED"));
  // Dated before the conference or ahead of today.
  v1::Commitment d = Assigned();
  EXPECT_THAT(Move(d, v1::COMMITMENT_REPORTED, "r", "", "2026-03-09"),
              StatusIs(StatusCode::kInvalidArgument, "DATE_BEFORE_CONFERENCE"));
  EXPECT_THAT(Move(d, v1::COMMITMENT_REPORTED, "r", "", "2026-11-24"),
              StatusIs(StatusCode::kInvalidArgument, "DATE_IN_FUTURE"));

  auth::Principal department{"d", "a", "", {auth::Role::kDepartment}};
  auth::Principal front{"f", "a", "", {auth::Role::kFront}};
  auth::Principal chair{"c", "a", "", {auth::Role::kChair}};
  EXPECT_THAT(CheckRole(department, ActionFor(v1::COMMITMENT_REPORTED)), IsOk());
  EXPECT_THAT(CheckRole(department, ActionFor(v1::COMMITMENT_ESCALATED)),
              StatusIs(StatusCode::kPermissionDenied, "ROLE_REQUIRED"));
  EXPECT_THAT(CheckRole(chair, ActionFor(v1::COMMITMENT_CANNOT_RESOLVE)), IsOk());
  EXPECT_THAT(CheckRole(front, SupervisionAction::kProgress),
              StatusIs(StatusCode::kPermissionDenied, "ROLE_REQUIRED"));
  EXPECT_THAT(CheckRole(front, SupervisionAction::kCheck), IsOk());
  EXPECT_THAT(CheckRole(chair, SupervisionAction::kCheck),
              StatusIs(StatusCode::kPermissionDenied, "ROLE_REQUIRED"));
}

TEST(SupervisionRules, TheUpperLevelAnswersOnlyWhatWasSentUpAndItsAnswerMovesTheState) {
  const absl::CivilDay today = D("2026-07-01");
  auto answered = [&](v1::EscalationOutcome outcome, const std::string& due = "") {
    v1::Commitment c = Assigned();
    c.set_state(v1::COMMITMENT_ESCALATED);
    v1::EscalationAnswer a;
    a.set_outcome(outcome);
    a.set_answer("Trả lời của tỉnh");
    a.set_due_date(due);
    v1::CommitmentChange change;
    absl::Status status = ApplyEscalationAnswer(c, a, today, "so-xay-dung", change);
    EXPECT_EQ(change.kind(), status.ok() ? v1::CHANGE_UPPER_ANSWER : change.kind());
    return std::make_pair(status, c);
  };
  auto [resolved_status, resolved] = answered(v1::UPPER_RESOLVED, "2027-01-01");
  ASSERT_THAT(resolved_status, IsOk());
  EXPECT_EQ(resolved.state(), v1::COMMITMENT_RESOLVED);
  EXPECT_EQ(resolved.resolve_date(), "2026-07-01");
  EXPECT_FALSE(resolved.resolved_on_time());          // due 30/6: a day late
  EXPECT_EQ(resolved.upper_answer().due_date(), "");  // only a taken-up answer keeps one
  EXPECT_EQ(resolved.upper_answer().answered_by(), "so-xay-dung");
  auto [taken_status, taken] = answered(v1::UPPER_TAKEN_UP, "2027-06-30");
  ASSERT_THAT(taken_status, IsOk());
  EXPECT_EQ(taken.state(), v1::COMMITMENT_ESCALATED);
  EXPECT_EQ(taken.due_date(), "2027-06-30");
  auto [cannot_status, cannot] = answered(v1::UPPER_CANNOT_RESOLVE);
  ASSERT_THAT(cannot_status, IsOk());
  EXPECT_EQ(cannot.state(), v1::COMMITMENT_CANNOT_RESOLVE);
  EXPECT_EQ(cannot.reason(), "Trả lời của tỉnh");
  auto [returned_status, returned] = answered(v1::UPPER_RETURNED);
  ASSERT_THAT(returned_status, IsOk());
  EXPECT_EQ(returned.state(), v1::COMMITMENT_IN_PROGRESS);
  // Sent up again, it is a new question: the old answer leaves the commitment.
  ASSERT_THAT(Move(returned, v1::COMMITMENT_ESCALATED, "", "Cần vốn tỉnh", "2026-07-01"), IsOk());
  EXPECT_FALSE(returned.has_upper_answer());

  EXPECT_THAT(answered(v1::UPPER_TAKEN_UP).first,
              StatusIs(StatusCode::kInvalidArgument, "FIELD_REQUIRED"));
  EXPECT_THAT(answered(v1::UPPER_TAKEN_UP, "2026-06-30").first,
              StatusIs(StatusCode::kInvalidArgument, "DATE_INVALID"));
  EXPECT_THAT(answered(v1::ESCALATION_OUTCOME_UNSPECIFIED).first,
              StatusIs(StatusCode::kInvalidArgument, "FIELD_REQUIRED"));
  v1::Commitment open = Assigned();
  v1::EscalationAnswer a;
  a.set_outcome(v1::UPPER_RESOLVED);
  a.set_answer("x");
  v1::CommitmentChange change;
  EXPECT_THAT(ApplyEscalationAnswer(open, a, today, "so", change),
              StatusIs(StatusCode::kFailedPrecondition, "NOT_ESCALATED"));
  EXPECT_EQ(open.state(), v1::COMMITMENT_ASSIGNED);

  auth::Principal province;
  province.roles = {auth::Role::kProvince};
  province.province = "hai-duong";
  EXPECT_THAT(CheckUpperLevel(province, "hai-duong", ""), IsOk());
  EXPECT_THAT(CheckUpperLevel(province, "hung-yen", ""),
              StatusIs(StatusCode::kPermissionDenied, "PROVINCE_FORBIDDEN"));
  auth::Principal chair;
  chair.tenant = "bac-thanh-mien";
  chair.roles = {auth::Role::kChair};
  EXPECT_THAT(CheckUpperLevel(chair, "hai-duong", ""),
              StatusIs(StatusCode::kPermissionDenied, "PROVINCE_FORBIDDEN"));
  // The district's office and chair answer for their communes; its citizens, another
  // district's staff and a commune's own chair do not.
  auth::Principal district;
  district.tenant = "tan-yen";
  district.roles = {auth::Role::kGovernmentOffice};
  EXPECT_THAT(CheckUpperLevel(district, "bac-giang", "tan-yen"), IsOk());
  EXPECT_THAT(CheckDistrictStaff(district, "tan-yen"), IsOk());
  EXPECT_THAT(CheckUpperLevel(district, "bac-giang", "viet-yen"),
              StatusIs(StatusCode::kPermissionDenied, "PROVINCE_FORBIDDEN"));
  EXPECT_THAT(CheckDistrictStaff(district, "viet-yen"),
              StatusIs(StatusCode::kPermissionDenied, "DISTRICT_FORBIDDEN"));
  EXPECT_THAT(CheckUpperLevel(chair, "bac-giang", ""),
              StatusIs(StatusCode::kPermissionDenied, "PROVINCE_FORBIDDEN"));
  auth::Principal citizen;
  citizen.tenant = "tan-yen";
  citizen.roles = {auth::Role::kCitizen};
  EXPECT_THAT(CheckUpperLevel(citizen, "bac-giang", "tan-yen"),
              StatusIs(StatusCode::kPermissionDenied, "PROVINCE_FORBIDDEN"));
  EXPECT_THAT(CheckDistrictStaff(citizen, "tan-yen"),
              StatusIs(StatusCode::kPermissionDenied, "DISTRICT_FORBIDDEN"));
}

TEST(SupervisionRules, TheFrontReopensOnlyWhatIsClosed) {
  v1::Commitment c = Assigned();
  v1::RecordCheckRequest check;
  check.set_findings("Đường mới rải đá, chưa đổ bê tông");
  check.set_rating(v1::RATING_NOT_DONE);
  check.set_reopen(true);
  v1::CommitmentChange change;
  EXPECT_THAT(ApplyCheck(c, check, D("2026-07-02"), change),
              StatusIs(StatusCode::kFailedPrecondition, "NOT_CLOSED"));
  ASSERT_THAT(Move(c, v1::COMMITMENT_REPORTED), IsOk());
  ASSERT_THAT(Move(c, v1::COMMITMENT_RESOLVED, "Xong"), IsOk());
  c.set_reopen_requested(true);
  check.set_new_due_date("2026-07-01");  // before today
  EXPECT_THAT(ApplyCheck(c, check, D("2026-07-02"), change),
              StatusIs(StatusCode::kInvalidArgument, "DATE_INVALID"));
  check.set_new_due_date("2026-09-30");
  ASSERT_THAT(ApplyCheck(c, check, D("2026-07-02"), change), IsOk());
  EXPECT_EQ(c.state(), v1::COMMITMENT_IN_PROGRESS);
  EXPECT_EQ(c.due_date(), "2026-09-30");
  EXPECT_EQ(c.resolve_date(), "");
  EXPECT_EQ(c.reopen_count(), 1);
  EXPECT_FALSE(c.reopen_requested());  // decided
  EXPECT_TRUE(change.reopened());

  v1::RecordCheckRequest empty;
  EXPECT_THAT(ApplyCheck(c, empty, D("2026-07-02"), change),
              StatusIs(StatusCode::kInvalidArgument, "FIELD_REQUIRED"));
}

TEST(SupervisionRules, DueDatesSkipTetAndOverdueIsOfTheDayAsked) {
  calendar::WorkingDayCalendar days = National();
  v1::TenantRules rules;  // the defaults: 10, 15 and 7 working days
  // A conclusion notice issued on Thursday 12/2/2026, the last working day before Tết
  // Bính Ngọ: Friday 13/2, then 16-20/2 are holidays; the 7th working day is Monday 2/3.
  EXPECT_EQ(*ReportDue(days, rules, D("2026-02-12")), D("2026-03-02"));
  // Without the holidays it would have been Monday 23/2.
  rules.set_agency_report_working_days(3);
  EXPECT_EQ(*ReportDue(days, rules, D("2026-02-12")), D("2026-02-24"));
  // The notice: 10 working days after the conference, 15 when complex.
  EXPECT_EQ(*NoticeDue(days, v1::TenantRules(), D("2026-02-05"), false), D("2026-02-26"));
  EXPECT_EQ(*NoticeDue(days, v1::TenantRules(), D("2026-02-05"), true), D("2026-03-05"));
  // Past the holiday file: Monday to Friday.
  EXPECT_EQ(*ReportDue(days, v1::TenantRules(), D("2027-03-05")), D("2027-03-16"));

  v1::Commitment c = Assigned();
  c.set_report_due_date("2026-03-02");
  DeriveOverdue(c, D("2026-02-25"));
  EXPECT_FALSE(c.report_overdue());
  DeriveOverdue(c, D("2026-03-02"));
  EXPECT_FALSE(c.report_overdue());  // due that day, not yet late
  DeriveOverdue(c, D("2026-03-03"));
  EXPECT_TRUE(c.report_overdue());
  EXPECT_FALSE(c.overdue());
  DeriveOverdue(c, D("2026-07-01"));
  EXPECT_TRUE(c.overdue());
  c.set_state(v1::COMMITMENT_RESOLVED);
  DeriveOverdue(c, D("2026-07-01"));
  EXPECT_FALSE(c.overdue());
  EXPECT_FALSE(c.report_overdue());
}

TEST(SupervisionRules, ProvinceCsvQuotesAndTotals) {
  v1::ProvinceReport report;
  v1::CommuneSummary* a = report.add_communes();
  a->set_tenant("tenants/dien-chau");
  a->set_display_name("Xã Diễn Châu, \"mới\"");
  a->set_conferences_held(1);
  a->set_commitments(4);
  a->set_overdue(1);
  v1::CommuneSummary* b = report.add_communes();
  b->set_tenant("tenants/quynh-luu");
  b->set_display_name("Xã Quỳnh Lưu");
  b->set_not_yet_held(true);
  report.mutable_totals()->set_display_name("Tổng cộng");
  report.mutable_totals()->set_commitments(4);
  const std::string csv = ProvinceCsv(report);
  EXPECT_TRUE(absl::StartsWith(csv, "\xEF\xBB\xBFMã xã,Tên xã,"));
  EXPECT_THAT(csv, ::testing::HasSubstr(
                       "tenants/dien-chau,\"Xã Diễn Châu, \"\"mới\"\"\",0,1,0,0,4,0,0,0,1,0,\r\n"));
  EXPECT_THAT(csv,
              ::testing::HasSubstr("tenants/quynh-luu,Xã Quỳnh Lưu,0,0,0,0,0,0,0,0,0,0,x\r\n"));
  EXPECT_TRUE(absl::EndsWith(csv, ",Tổng cộng,0,0,0,0,4,0,0,0,0,0,\r\n"));
}

// Issue 20: each conference's notice on time, late or not yet issued, said in words; the
// on-time share as Vietnamese writes it; nothing overdue said so; the chair's block left
// for a name when no signer is given.
TEST(SupervisionRules, TheCommuneReportReadsAsTheDocumentSentUpward) {
  v1::CommuneReport report;
  report.set_display_name("Xã Bắc Thanh Miện");
  report.set_year(2026);
  report.set_as_of("2026-12-01");
  report.set_conferences_planned(3);
  auto conference = [&](const std::string& date, const std::string& due, const std::string& issued,
                        bool on_time) {
    v1::ConferenceRecord* c = report.add_conferences();
    c->set_title("Hội nghị đối thoại");
    c->set_date(date);
    c->set_notice_due_date(due);
    c->set_notice_issue_date(issued);
    c->set_notice_on_time(on_time);
    c->set_commitments(2);
  };
  conference("2026-04-23", "2026-05-08", "2026-05-08", true);
  conference("2026-09-10", "2026-09-25", "2026-10-02", false);
  conference("2026-11-20", "2026-12-05", "", false);
  report.set_commitments(7);
  report.set_resolved(6);
  report.set_resolved_on_time(5);
  report.set_on_time_rate(5.0 / 6);

  const documents::Document d = CommuneReportDocument(report, "");
  EXPECT_EQ(d.place, "Bắc Thanh Miện");
  EXPECT_EQ(d.date, "2026-12-01");
  ASSERT_EQ(d.parts.size(), 3u);
  const auto& held = d.parts[0].paragraphs;
  ASSERT_EQ(held.size(), 4u);
  EXPECT_EQ(held[0],
            "Theo kế hoạch, năm 2026 tổ chức 3 hội nghị đối thoại; đến ngày 01/12/2026 đã tổ "
            "chức 3 hội nghị.");
  EXPECT_EQ(held[1],
            "- Hội nghị đối thoại, ngày 23/04/2026: thông báo kết luận ban hành ngày 08/05/2026 "
            "(đúng hạn); 2 nội dung phải thực hiện.");
  EXPECT_TRUE(absl::StrContains(held[2], "ban hành ngày 02/10/2026 (chậm so với hạn 25/09/2026)"));
  EXPECT_TRUE(absl::StrContains(held[3], "chưa ban hành thông báo kết luận (hạn 05/12/2026)"));
  EXPECT_EQ(d.parts[1].paragraphs[0],
            "Tổng số nội dung phải thực hiện: 7; đã giải quyết 6, trong đó đúng hạn 5 (83,3%).");
  EXPECT_EQ(d.parts[2].paragraphs,
            std::vector<std::string>{"Không có nội dung quá hạn hoặc phải chuyển cấp trên."});
  EXPECT_EQ(d.signature.title, "Chủ tịch");
  EXPECT_EQ(d.signature.name, "");
}

}  // namespace
}  // namespace dialogue::supervision
