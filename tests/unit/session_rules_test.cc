// The rules of a conference without storage: the state machine, the agenda and its
// clock, opening before the lead time, the conclusion, the queue's ranks, the live view's
// warnings, the minutes and their hash, and the iCalendar export.
#include "session_rules.h"

#include <google/protobuf/util/time_util.h>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "dialogue/common/status.h"
#include "dialogue/common/text.h"
#include "test_support.h"

namespace dialogue::sessions {
namespace {

using google::protobuf::util::TimeUtil;
using testing::IsOk;
using testing::StatusIs;

google::protobuf::Timestamp At(absl::Time t) {
  return TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(t));
}

v1::Session InProgress() {
  v1::Session s;
  s.set_name("tenants/hoai-thanh/sessions/6f1c2d3e-0000-4000-8000-000000000001");
  s.set_title("Hội nghị đối thoại năm 2026");
  s.set_date("2026-04-24");
  s.set_start_time("08:00");
  s.set_venue("Hội trường UBND xã");
  s.set_chair("Nguyễn Văn A, Chủ tịch UBND xã");
  s.set_secretary("Lê Thị B");
  s.set_state(v1::SESSION_IN_PROGRESS);
  *s.mutable_agenda() = DefaultAgendaTemplate().steps();
  StartAgenda(s, absl::FromUnixSeconds(1777000000));
  return s;
}

TEST(DefaultTitle, NamesTheConferenceNotThePlan) {
  v1::Plan plan;
  plan.set_title("Kế hoạch tổ chức Hội nghị đối thoại trực tiếp năm 2025");
  plan.set_year(2025);
  for (const char* id : {"thang-4", "thang-7", "thang-10"}) plan.add_conferences()->set_id(id);
  EXPECT_EQ(DefaultTitle(plan, plan.conferences(1)), "Hội nghị đối thoại lần 2 năm 2025");
  plan.mutable_conferences(2)->set_title("Hội nghị đối thoại kỳ III");
  EXPECT_EQ(DefaultTitle(plan, plan.conferences(2)), "Hội nghị đối thoại kỳ III");
  plan.mutable_conferences()->DeleteSubrange(1, 2);
  EXPECT_EQ(DefaultTitle(plan, plan.conferences(0)), "Hội nghị đối thoại năm 2025");
}

TEST(SessionRules, StateMachineAllowsOnlyTheProcessOrder) {
  EXPECT_THAT(CheckTransition(v1::SESSION_SCHEDULED, SessionEvent::kAnnounce), IsOk());
  EXPECT_THAT(CheckTransition(v1::SESSION_POSTPONED, SessionEvent::kAnnounce), IsOk());
  EXPECT_THAT(CheckTransition(v1::SESSION_ANNOUNCED, SessionEvent::kOpen), IsOk());
  EXPECT_THAT(CheckTransition(v1::SESSION_IN_PROGRESS, SessionEvent::kConclude), IsOk());
  EXPECT_THAT(CheckTransition(v1::SESSION_CONCLUDED, SessionEvent::kApproveMinutes), IsOk());
  // A postponed session must be announced again before it opens.
  EXPECT_THAT(CheckTransition(v1::SESSION_POSTPONED, SessionEvent::kOpen),
              StatusIs(absl::StatusCode::kFailedPrecondition, "SESSION_STATE"));
  EXPECT_THAT(CheckTransition(v1::SESSION_SCHEDULED, SessionEvent::kOpen),
              StatusIs(absl::StatusCode::kFailedPrecondition, "SESSION_STATE"));
  EXPECT_THAT(CheckTransition(v1::SESSION_IN_PROGRESS, SessionEvent::kCancel),
              StatusIs(absl::StatusCode::kFailedPrecondition, "SESSION_STATE"));
  EXPECT_THAT(CheckTransition(v1::SESSION_CONCLUDED, SessionEvent::kUpdate),
              StatusIs(absl::StatusCode::kFailedPrecondition, "SESSION_STATE"));
  EXPECT_THAT(CheckTransition(v1::SESSION_CLOSED, SessionEvent::kApproveMinutes),
              StatusIs(absl::StatusCode::kFailedPrecondition, "SESSION_STATE"));
  EXPECT_THAT(CheckTransition(v1::SESSION_SCHEDULED, SessionEvent::kRegisterSpeaker),
              StatusIs(absl::StatusCode::kFailedPrecondition, "SESSION_STATE"));
  EXPECT_THAT(CheckTransition(v1::SESSION_ANNOUNCED, SessionEvent::kRegisterSpeaker), IsOk());
  EXPECT_THAT(CheckTransition(v1::SESSION_CANCELLED, SessionEvent::kPostpone),
              StatusIs(absl::StatusCode::kFailedPrecondition, "SESSION_STATE"));
}

TEST(SessionRules, TheStandardAgendaIsSeed004sSevenSteps) {
  v1::AgendaTemplate agenda = DefaultAgendaTemplate();
  ASSERT_EQ(agenda.steps_size(), 7);
  EXPECT_EQ(agenda.steps(2).kind(), v1::STEP_REPORT);
  EXPECT_EQ(agenda.steps(2).limit_minutes(), 20);
  EXPECT_EQ(agenda.steps(3).kind(), v1::STEP_STATEMENTS);
  EXPECT_EQ(agenda.steps(6).kind(), v1::STEP_CONCLUSION);
  EXPECT_EQ(agenda.speaker_limit_minutes(), kDefaultSpeakerLimitMinutes);
  EXPECT_THAT(CheckAgendaTemplate(agenda), IsOk());

  v1::AgendaTemplate misnumbered = agenda;
  misnumbered.mutable_steps(1)->set_number(5);
  EXPECT_THAT(CheckAgendaTemplate(misnumbered),
              StatusIs(absl::StatusCode::kInvalidArgument, "STEP_NUMBER_INVALID"));
  v1::AgendaTemplate early = agenda;
  early.mutable_steps(2)->set_kind(v1::STEP_CONCLUSION);
  EXPECT_THAT(CheckAgendaTemplate(early),
              StatusIs(absl::StatusCode::kInvalidArgument, "CONCLUSION_NOT_LAST"));
  v1::AgendaTemplate endless = agenda;
  endless.mutable_steps(6)->set_kind(v1::STEP_OTHER);
  EXPECT_THAT(CheckAgendaTemplate(endless),
              StatusIs(absl::StatusCode::kInvalidArgument, "CONCLUSION_STEP_REQUIRED"));
  v1::AgendaTemplate untitled = agenda;
  untitled.mutable_steps(0)->clear_title();
  EXPECT_THAT(CheckAgendaTemplate(untitled), StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST(SessionRules, StepsAdvanceOneAtATimeWithTheirTimes) {
  v1::Session s = InProgress();
  ASSERT_EQ(s.current_step(), 1);
  const absl::Time later = absl::FromUnixSeconds(1777000600);
  // Out of order: refused, nothing changed.
  const v1::Session before = s;
  EXPECT_THAT(AdvanceAgenda(s, 3, later),
              StatusIs(absl::StatusCode::kFailedPrecondition, "STEP_OUT_OF_ORDER"));
  EXPECT_THAT(AdvanceAgenda(s, 1, later),
              StatusIs(absl::StatusCode::kFailedPrecondition, "STEP_OUT_OF_ORDER"));
  EXPECT_THAT(AdvanceAgenda(s, 8, later),
              StatusIs(absl::StatusCode::kInvalidArgument, "STEP_INVALID"));
  EXPECT_EQ(s.SerializeAsString(), before.SerializeAsString());

  ASSERT_THAT(AdvanceAgenda(s, 2, later), IsOk());
  EXPECT_EQ(s.current_step(), 2);
  EXPECT_EQ(s.agenda(0).end_time().seconds(), 1777000600);
  EXPECT_EQ(s.agenda(1).start_time().seconds(), 1777000600);
  EXPECT_FALSE(s.agenda(1).has_end_time());
  // Speakers are called only from the statements step on.
  EXPECT_THAT(CheckSpeakingTime(s),
              StatusIs(absl::StatusCode::kFailedPrecondition, "NOT_SPEAKING_TIME"));
  ASSERT_THAT(AdvanceAgenda(s, 3, later), IsOk());
  ASSERT_THAT(AdvanceAgenda(s, 4, later), IsOk());
  EXPECT_THAT(CheckSpeakingTime(s), IsOk());
}

TEST(SessionRules, OpeningBeforeTheLeadTimeNeedsTheChairAndAReason) {
  const absl::CivilDay announced(2026, 4, 17);
  const absl::CivilDay earliest = EarliestOpenDay(announced, 7);
  EXPECT_EQ(earliest, absl::CivilDay(2026, 4, 24));
  EXPECT_THAT(CheckOpen(absl::CivilDay(2026, 4, 24), earliest, "", false), IsOk());
  EXPECT_THAT(CheckOpen(absl::CivilDay(2026, 4, 22), earliest, "", true),
              StatusIs(absl::StatusCode::kFailedPrecondition, "LEAD_TIME_NOT_PASSED"));
  EXPECT_THAT(CheckOpen(absl::CivilDay(2026, 4, 22), earliest, "Lũ sắp về", false),
              StatusIs(absl::StatusCode::kPermissionDenied, "ROLE_FORBIDDEN"));
  EXPECT_THAT(CheckOpen(absl::CivilDay(2026, 4, 22), earliest, "Lũ sắp về", true), IsOk());
}

TEST(SessionRules, AnUnresolvedItemNamesWhoDoesWhatByWhen) {
  const absl::CivilDay held(2026, 4, 24);
  auto item = [](v1::ConclusionOutcome outcome) {
    v1::ConclusionItem i;
    i.set_summary("Đường liên thôn An Sơn xuống cấp");
    i.set_outcome(outcome);
    return i;
  };
  std::vector<v1::ConclusionItem> ok = {
      item(v1::OUTCOME_ACCEPTED), item(v1::OUTCOME_RESOLVED_ON_SPOT), item(v1::OUTCOME_UNRESOLVED)};
  ok[2].set_agency("Phòng Kinh tế");
  ok[2].set_action("Khảo sát, lập dự toán sửa chữa");
  ok[2].set_due_date("2026-06-30");
  ASSERT_THAT(CheckConclusion(ok, held), IsOk());
  EXPECT_EQ(ok[0].id(), "1");
  EXPECT_EQ(ok[2].id(), "3");

  std::vector<v1::ConclusionItem> no_agency = {item(v1::OUTCOME_UNRESOLVED)};
  no_agency[0].set_action("x");
  no_agency[0].set_due_date("2026-06-30");
  EXPECT_THAT(CheckConclusion(no_agency, held),
              StatusIs(absl::StatusCode::kInvalidArgument, "AGENCY_REQUIRED"));
  std::vector<v1::ConclusionItem> no_due = {item(v1::OUTCOME_UNRESOLVED)};
  no_due[0].set_agency("Cấp trên");
  no_due[0].set_action("Kiến nghị huyện");
  EXPECT_THAT(CheckConclusion(no_due, held),
              StatusIs(absl::StatusCode::kInvalidArgument, "DUE_DATE_REQUIRED"));
  no_due[0].set_due_date("2026-04-01");
  EXPECT_THAT(CheckConclusion(no_due, held),
              StatusIs(absl::StatusCode::kInvalidArgument, "DUE_BEFORE_CONFERENCE"));
  std::vector<v1::ConclusionItem> unsaid = {item(v1::CONCLUSION_OUTCOME_UNSPECIFIED)};
  EXPECT_THAT(CheckConclusion(unsaid, held),
              StatusIs(absl::StatusCode::kInvalidArgument, "OUTCOME_REQUIRED"));
  std::vector<v1::ConclusionItem> none;
  EXPECT_THAT(CheckConclusion(none, held),
              StatusIs(absl::StatusCode::kInvalidArgument, "CONCLUSION_EMPTY"));
  std::vector<v1::ConclusionItem> twice = {item(v1::OUTCOME_ACCEPTED), item(v1::OUTCOME_ACCEPTED)};
  twice[0].set_id("a");
  twice[1].set_id("a");
  EXPECT_THAT(CheckConclusion(twice, held),
              StatusIs(absl::StatusCode::kInvalidArgument, "ID_DUPLICATE"));
}

TEST(SessionRules, QueueRanksFallBetweenNeighbours) {
  double a = 1, b = 2;
  EXPECT_EQ(RankBetween(nullptr, nullptr), 1.0);
  EXPECT_EQ(RankBetween(&a, &b), 1.5);
  EXPECT_LT(RankBetween(nullptr, &a), a);
  EXPECT_GT(RankBetween(&b, nullptr), b);
}

TEST(SessionRules, TheLiveViewWarnsOfAStepOrASpeakerOverTime) {
  const absl::Time start = absl::FromUnixSeconds(1777000000);
  v1::SessionLiveView view;
  view.set_state(v1::SESSION_IN_PROGRESS);
  *view.mutable_current_step() = DefaultAgendaTemplate().steps(2);  // the report, 20 minutes
  *view.mutable_current_step()->mutable_start_time() = At(start);
  view.set_speaker_limit_minutes(5);
  RefreshLiveView(view, start + absl::Minutes(19));
  EXPECT_EQ(view.step_elapsed_seconds(), 19 * 60);
  EXPECT_EQ(view.warnings_size(), 0);
  RefreshLiveView(view, start + absl::Minutes(22));
  ASSERT_EQ(view.warnings_size(), 1);
  EXPECT_EQ(view.warnings(0), "Bước 3 quá thời gian: 22/20 phút");

  *view.mutable_current_step() = DefaultAgendaTemplate().steps(3);  // statements, no limit
  *view.mutable_current_step()->mutable_start_time() = At(start);
  *view.mutable_speaking()->mutable_call_time() = At(start + absl::Minutes(10));
  RefreshLiveView(view, start + absl::Minutes(14));
  EXPECT_EQ(view.speaking().elapsed_seconds(), 4 * 60);
  EXPECT_EQ(view.warnings_size(), 0);
  RefreshLiveView(view, start + absl::Minutes(16));
  ASSERT_EQ(view.warnings_size(), 1);
  EXPECT_EQ(view.warnings(0), "Người phát biểu quá thời gian: 6/5 phút");
}

TEST(SessionRules, TheMinutesComeFromTheRecordAndTheirHashIsSha256) {
  EXPECT_EQ(ContentHash("abc"),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  v1::Session s = InProgress();
  v1::ConclusionItem* item = s.add_conclusion();
  item->set_id("1");
  item->set_summary("Đường liên thôn An Sơn xuống cấp");
  item->set_outcome(v1::OUTCOME_UNRESOLVED);
  item->set_agency("Phòng Kinh tế");
  item->set_action("Lập dự toán sửa chữa");
  item->set_due_date("2026-06-30");
  v1::Attendance attendance;
  v1::SessionGroup* g = attendance.add_groups();
  g->set_name("Hộ gia đình thôn An Sơn");
  g->set_expected(40);
  g->set_present(37);
  attendance.set_expected(40);
  attendance.set_present(37);
  v1::Speaker spoke;
  spoke.set_full_name("Trần Văn Cường");
  spoke.set_hamlet("An Sơn");
  spoke.set_state(v1::SPEAKER_DONE);
  spoke.set_statement("Đường xuống cấp, mùa mưa lầy lội");
  v1::SpeakerAnswer* answer = spoke.add_answers();
  answer->set_answered_by("Chủ tịch UBND xã");
  answer->set_summary("Giao Phòng Kinh tế khảo sát");
  spoke.set_satisfaction(v1::NOT_SATISFIED);
  v1::Speaker waiting;
  waiting.set_full_name("Người chưa được gọi");
  waiting.set_state(v1::SPEAKER_WAITING);
  const std::string text = MinutesText(s, "Xã Hoài Thanh", attendance, {spoke, waiting});
  for (const char* expected :
       {"ỦY BAN NHÂN DÂN XÃ HOÀI THANH\n\nCỘNG HÒA", "Hoài Thanh, ngày 24 tháng 4 năm 2026",
        "BIÊN BẢN", "08:00, ngày 24 tháng 4 năm 2026", "THƯ KÝ\n", "CHỦ TRÌ\n",
        "Hộ gia đình thôn An Sơn: 37/40", "Tổng số: 37/40", "1. Ông/bà Trần Văn Cường (An Sơn)",
        "Ý kiến: Đường xuống cấp", "Trả lời (Chủ tịch UBND xã): Giao Phòng Kinh tế khảo sát",
        "chưa thỏa đáng", "Số người đăng ký chưa được phát biểu: 1",
        "[Chưa giải quyết] Đường liên thôn", "Giao: Phòng Kinh tế", "Thời hạn: 30/06/2026"}) {
    EXPECT_TRUE(absl::StrContains(text, expected)) << expected << "\n" << text;
  }
  EXPECT_FALSE(absl::StrContains(text, "Người chưa được gọi"));
  EXPECT_FALSE(absl::StrContains(text, "Nơi nhận")) << "the minutes are signed, not sent";
}

TEST(SessionRules, TheCalendarIsValidICalendar) {
  v1::Session s = InProgress();
  s.set_state(v1::SESSION_ANNOUNCED);
  s.set_etag("4");
  s.set_title("Hội nghị đối thoại giữa Bí thư, Chủ tịch xã với Nhân dân; thôn An Sơn, An Lâu");
  v1::Session cancelled = s;
  cancelled.set_name("tenants/hoai-thanh/sessions/6f1c2d3e-0000-4000-8000-000000000002");
  cancelled.set_state(v1::SESSION_CANCELLED);
  cancelled.clear_start_time();
  const std::string ics =
      SessionsCalendar({s, cancelled}, "Xã Hoài Thanh", absl::FromUnixSeconds(1777000000));
  EXPECT_TRUE(absl::StartsWith(ics, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
  EXPECT_TRUE(absl::EndsWith(ics, "END:VCALENDAR\r\n"));
  // 08:00 in Vietnam is 01:00 UTC; three hours by default.
  EXPECT_TRUE(absl::StrContains(ics, "DTSTART:20260424T010000Z\r\n"));
  EXPECT_TRUE(absl::StrContains(ics, "DTEND:20260424T040000Z\r\n"));
  EXPECT_TRUE(absl::StrContains(ics, "DTSTART;VALUE=DATE:20260424\r\n"));
  EXPECT_TRUE(absl::StrContains(ics, "SEQUENCE:4\r\n"));
  EXPECT_TRUE(absl::StrContains(ics, "STATUS:CONFIRMED\r\n"));
  EXPECT_TRUE(absl::StrContains(ics, "STATUS:CANCELLED\r\n"));
  EXPECT_TRUE(
      absl::StrContains(ics, "UID:6f1c2d3e-0000-4000-8000-000000000001@hoai-thanh.dialogue"));
  // Commas and semicolons escaped; no line over 75 octets, none cut inside a character.
  std::string unfolded;
  for (absl::string_view line : absl::StrSplit(ics, "\r\n")) {
    EXPECT_LE(line.size(), 75u) << line;
    if (!line.empty() && line[0] == ' ') {
      unfolded += std::string(line.substr(1));
    } else {
      unfolded += "\n" + std::string(line);
    }
    EXPECT_GE(common::Utf8Length(line), 0) << "a fold split a character: " << line;
  }
  EXPECT_TRUE(absl::StrContains(unfolded,
                                "SUMMARY:Hội nghị đối thoại giữa Bí thư\\, Chủ tịch xã với Nhân "
                                "dân\\; thôn An Sơn\\, An Lâu"));
}

TEST(SessionRules, RolesDecideWhoRunsTheConference) {
  auth::Principal chair{"c", "x", "", {auth::Role::kChair}};
  auth::Principal secretary{"s", "x", "", {auth::Role::kSecretary}};
  auth::Principal department{"d", "x", "", {auth::Role::kDepartment}};
  EXPECT_THAT(CheckRole(chair, SessionAction::kConclude), IsOk());
  EXPECT_THAT(CheckRole(secretary, SessionAction::kConclude),
              StatusIs(absl::StatusCode::kPermissionDenied, "ROLE_FORBIDDEN"));
  EXPECT_THAT(CheckRole(secretary, SessionAction::kEditMinutes), IsOk());
  EXPECT_THAT(CheckRole(chair, SessionAction::kEditMinutes),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(CheckRole(department, SessionAction::kRead), IsOk());
  EXPECT_THAT(CheckRole(department, SessionAction::kRun),
              StatusIs(absl::StatusCode::kPermissionDenied));
}

}  // namespace
}  // namespace dialogue::sessions
